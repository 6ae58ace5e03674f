import type ExcelJS from "exceljs";
import type { Language } from "../config.js";
import type { TFunction } from "../core/i18n.js";
import { type Column, writeHeader } from "../core/tables.js";
import { academicYearLabel, type Count, type Indicator, INDICATOR_LEVELS, type SelfAssessment } from "./domain/self-assessment.js";

/**
 * The «Самообследование» sheet: the indicators of order № 1324 (приложение № 5) the bot can
 * fill, laid out as the order lists them: №, the indicator's wording in Russian (as filed, in
 * both languages' workbooks; an English workbook adds the English translation in a column of
 * its own), the unit, the value (a number) and the share in % (one decimal, or «—» while the
 * total of students is not given). Notes under the table say where the figures come from.
 */

interface Row {
  number: string;
  /** The locale key of the wording under self_assessment. */
  wording: string;
  unit: "people" | "units";
  /** Null: a heading row of the order with no figure of the bot's (1.6). */
  count: Count | null;
  /** A second line under the wording (1.5, 1.6.1: only the partnership's part). */
  remark?: string;
}

function rowsOf(figures: SelfAssessment): Row[] {
  const indicator = (number: string, key: string, value: Indicator, levelWording: "levels_at" | "levels_of", unit: Row["unit"] = "people"): Row[] => [
    { number, wording: `indicators.${key}`, unit, count: value.total },
    ...INDICATOR_LEVELS.map((level, i) => ({ number: `${number}.${i + 1}`, wording: `${levelWording}.${level}`, unit, count: value.byLevel[level] })),
  ];
  return [
    { number: "1.5", wording: "indicators.1_5", unit: "people", count: figures.gifted, remark: "part_gifted" },
    { number: "1.6", wording: "indicators.1_6", unit: "people", count: null },
    { number: "1.6.1", wording: "indicators.1_6_1", unit: "people", count: figures.disabilities, remark: "part_disabilities" },
    ...indicator("1.8", "1_8", figures.massParticipants, "levels_at"),
    ...indicator("1.9", "1_9", figures.winners, "levels_at"),
    ...indicator("1.10", "1_10", figures.projectStudents, "levels_of"),
    ...indicator("1.11", "1_11", figures.massEvents, "levels_at", "units"),
  ];
}

export interface SheetOptions {
  /** The reader's texts. */
  t: TFunction;
  /** Russian texts: the order's wording is given in Russian whatever the reader's language. */
  russian: TFunction;
  language: Language;
  /** The period as shown: «01.09.2026 – 31.08.2027». */
  period: string;
}

/** Adds the sheet to the workbook. */
export function selfAssessmentSheet(workbook: ExcelJS.Workbook, figures: SelfAssessment, options: SheetOptions): ExcelJS.Worksheet {
  const plain = { interpolation: { escapeValue: false } };
  const t = (key: string, values: Record<string, unknown> = {}) => options.t(key, { ...plain, ...values });
  const ru = (key: string) => options.russian(`self_assessment.${key}`, plain);
  const english = options.language !== "ru";
  const columns: Column[] = [
    { header: t("self_assessment.columns.number"), kind: "text", width: 8 },
    { header: t("self_assessment.columns.wording"), kind: "text", width: 70, wrap: true },
    ...(english ? [{ header: t("self_assessment.columns.english"), kind: "text", width: 60, wrap: true } satisfies Column] : []),
    { header: t("self_assessment.columns.unit"), kind: "text", width: 14 },
    { header: t("self_assessment.columns.value"), kind: "integer", width: 12 },
    { header: t("self_assessment.columns.share"), kind: "text", width: 10 },
  ];
  const sheet = workbook.addWorksheet(t("self_assessment.sheet"), { views: [{ state: "frozen", ySplit: 1 }] });
  writeHeader(sheet, columns, options.language);
  sheet.autoFilter = undefined;
  const valueColumn = columns.length - 1;
  const shareColumn = columns.length;

  for (const row of rowsOf(figures)) {
    const remark = (tr: (key: string) => string) => (row.remark ? `${tr(row.wording)}\n${tr(row.remark)}` : tr(row.wording));
    const cells: ExcelJS.CellValue[] = [
      row.number,
      remark(ru),
      ...(english ? [remark((key) => t(`self_assessment.${key}`))] : []),
      t(`self_assessment.units.${row.unit}`),
      row.count?.value ?? null,
      row.count === null ? null : (row.count.share ?? "—"),
    ];
    const added = sheet.addRow(cells);
    // The totals (1.5, 1.8, …) stand out; the levels under them are indented.
    if (row.number.split(".").length === 2) added.font = { bold: true };
    else added.getCell(2).alignment = { indent: 2, vertical: "top", wrapText: true };
    const share = added.getCell(shareColumn);
    if (typeof share.value === "number") share.numFmt = "0.0";
    share.alignment = { horizontal: "right", vertical: "top" };
    added.getCell(valueColumn).alignment = { horizontal: "right", vertical: "top" };
  }

  sheet.addRow([]);
  const years = academicYearLabel(figures.academicYear);
  const notes = [
    t("self_assessment.notes.source", { period: options.period }),
    t("self_assessment.notes.partial"),
    figures.students === undefined ? t("self_assessment.notes.shares_missing", { years }) : t("self_assessment.notes.shares", { years, students: figures.students }),
    ...(figures.eventsWithoutResults > 0 ? [t("self_assessment.notes.without_results", { count: figures.eventsWithoutResults })] : []),
  ];
  for (const note of notes) {
    const added = sheet.addRow([null, note]);
    added.getCell(2).alignment = { wrapText: true, vertical: "top" };
    added.getCell(2).font = { italic: true };
  }
  return sheet;
}
