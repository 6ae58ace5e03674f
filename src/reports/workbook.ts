import type ExcelJS from "exceljs";
import type { TFunction } from "i18next";
import type { Language } from "../config.js";
import { PARTNER_TYPES, STAGES } from "../partners/index.js";
import { eventColumns } from "../events/index.js";
import { eventFeedbackColumns, figureColumns } from "../feedback/index.js";
import { formatDay, localDate } from "../core/dates.js";
import { type Cell, cellsOf, type Column, type ColumnKind, numberFormat, type TableColumn, tableColumns, writeHeader, xlsxCell, xlsxRow } from "../core/tables.js";
import { EVENT_BUCKETS, type PartnerFeedbackRow, type PartnerReportRow, type ReportData } from "./domain/data.js";
import { selfAssessmentSheet } from "./self-assessment-sheet.js";

/**
 * The report as an Excel workbook laid out for the social-partnership section of the annual
 * self-assessment report (отчёт о самообследовании): a summary of the headline figures, the
 * self-assessment indicators (self-assessment-sheet.ts), then the partners, the events and the
 * feedback, one table per sheet. Headings are in the reader's
 * language; dates are real Excel dates (wall-clock time in the institution's zone), numbers are
 * numbers, each header row is bold and frozen, with a filter.
 */

export interface WorkbookOptions {
  t: TFunction;
  /** Russian texts: the self-assessment sheet gives the order's wording in Russian in every language. */
  russian: TFunction;
  language: Language;
  timeZone: string;
  /** When the report was made, shown on the summary sheet. */
  generatedAt: Date;
}

/** A table sheet: a "No." column, then the table's columns, a row per item. */
function tableSheet<R>(workbook: ExcelJS.Workbook, name: string, numberHeader: string, columns: TableColumn<R>[], rows: R[], options: WorkbookOptions): void {
  const sheet = workbook.addWorksheet(name, { views: [{ state: "frozen", ySplit: 1 }] });
  const all: Column[] = [{ header: numberHeader, kind: "integer", width: 6 }, ...columns];
  writeHeader(sheet, all, options.language);
  rows.forEach((row, i) => sheet.addRow(xlsxRow([i + 1, ...cellsOf(columns, row)], all, options.timeZone)));
}

/** Builds the workbook; returns the .xlsx file's bytes. */
export async function reportWorkbook(data: ReportData, options: WorkbookOptions): Promise<Buffer> {
  const { language, timeZone } = options;
  const t = (key: string, values: Record<string, unknown> = {}) => options.t(key, { ...values, interpolation: { escapeValue: false } });
  const col = (key: string) => t(`report.columns.${key}`);
  const period = t("report.period", { first: formatDay(data.period.firstDay), last: formatDay(data.period.lastDay) });

  // Loaded on first use: exceljs is large, and the bot need not pay for it at start-up.
  const { default: excel } = await import("exceljs");
  const workbook = new excel.Workbook();
  workbook.creator = "Social partnership bot";
  workbook.created = options.generatedAt;
  workbook.title = t("report.workbook.title", { period });

  // Summary: the headline figures, by section.
  const summary = workbook.addWorksheet(t("report.sheets.summary"), { views: [{ state: "frozen", ySplit: 1 }] });
  writeHeader(
    summary,
    [
      { header: col("indicator"), kind: "text", width: 52, wrap: true },
      { header: col("value"), kind: "text", width: 22 },
    ],
    language,
  );
  summary.autoFilter = undefined;
  const section = (label: string) => {
    const row = summary.addRow([label]);
    row.font = { bold: true };
  };
  const figure = (label: string, value: Cell, kind: ColumnKind = "integer", indent = 0) => {
    const row = summary.addRow([label, xlsxCell(value, kind, timeZone)]);
    if (indent > 0) row.getCell(1).alignment = { indent, vertical: "top", wrapText: true };
    const format = numberFormat(kind, language);
    if (format) row.getCell(2).numFmt = format;
    row.getCell(2).alignment = { horizontal: "right" };
  };
  figure(t("report.workbook.period"), period, "text");
  figure(t("report.workbook.generated"), options.generatedAt, "datetime");
  section(t("report.workbook.partners_section"));
  figure(t("report.workbook.partners_registered"), data.partners.registered);
  figure(t("report.workbook.partners_new"), data.partners.newInPeriod);
  figure(t("report.workbook.partners_archived"), data.partners.archived);
  figure(t("report.workbook.by_type"), null);
  for (const type of PARTNER_TYPES) figure(t(`partners.types.${type}`), data.partners.byType[type], "integer", 2);
  figure(t("report.workbook.by_stage"), null);
  for (const stage of STAGES) {
    if (stage !== "archived") figure(t(`partners.stages.${stage}`), data.partners.byStage[stage], "integer", 2);
  }
  section(t("report.workbook.events_section"));
  figure(t("report.workbook.events_total"), data.events.total);
  for (const bucket of EVENT_BUCKETS) figure(t(`report.buckets.${bucket}`), data.events.byStatus[bucket], "integer", 2);
  section(t("report.workbook.participants_section"));
  figure(t("report.workbook.participants_total"), data.participants.total);
  figure(t("report.categories.gifted"), data.participants.gifted, "integer", 2);
  figure(t("report.categories.disabilities"), data.participants.disabilities, "integer", 2);
  figure(t("report.categories.career_guidance"), data.participants.careerGuidance, "integer", 2);
  figure(t("report.categories.other"), data.participants.other, "integer", 2);
  section(t("report.workbook.satisfaction_section"));
  const { satisfaction } = data;
  figure(t("report.workbook.partner_average"), satisfaction.partners?.average ?? null, "decimal");
  figure(t("report.workbook.partner_answers"), satisfaction.partners?.count ?? 0);
  figure(t("report.workbook.prompts_sent"), satisfaction.responseRate.sent);
  figure(t("report.workbook.response_rate"), satisfaction.responseRate.rate, "percent");
  figure(t("report.workbook.participant_average"), satisfaction.participants?.average ?? null, "decimal");
  figure(t("report.workbook.participant_answers"), satisfaction.participants?.count ?? 0);

  selfAssessmentSheet(workbook, data.selfAssessment, { t: options.t, russian: options.russian, language, period });

  const number = col("number");
  tableSheet(workbook, t("report.sheets.partners"), number, partnerColumns(options.t, timeZone), data.rows.partners, options);
  tableSheet(workbook, t("report.sheets.events"), number, eventColumns(options.t), data.rows.events, options);
  tableSheet(workbook, t("report.sheets.feedback"), number, eventFeedbackColumns(options.t), data.rows.eventFeedback, options);
  const byPartner = tableColumns<PartnerFeedbackRow>(options.t, "feedback_results.columns", [["partner", "text", 40, (r) => r.name, "wrap"], ...figureColumns<PartnerFeedbackRow>()]);
  tableSheet(workbook, t("report.sheets.partner_feedback"), number, byPartner, data.rows.partnerFeedback, options);

  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The partners sheet: each partner as registered by the period's end, with its agreement in force then. */
function partnerColumns(t: WorkbookOptions["t"], timeZone: string): TableColumn<PartnerReportRow>[] {
  return tableColumns<PartnerReportRow>(t, "report.columns", [
    ["full_name", "text", 46, (p) => p.fullName, "wrap"],
    ["short_name", "text", 22, (p) => p.shortName, "wrap"],
    ["type", "text", 24, (p) => t(`partners.types.${p.type}`), "wrap"],
    ["owner_kind", "text", 22, (p) => t(`partners.owner_kinds.${p.ownerKind}`), "wrap"],
    ["owner", "text", 28, (p) => p.ownerUnitName ?? p.ownerUserName, "wrap"],
    ["focuses", "text", 30, (p) => (p.focuses.length === 0 ? null : p.focuses.map((d) => t(`partners.focuses.${d}`)).join(", ")), "wrap"],
    ["stage", "text", 20, (p) => t(`partners.stages.${p.stage}`)],
    ["registered", "date", 14, (p) => localDate(p.createdAt, timeZone)],
    ["agreement_number", "text", 14, (p) => p.agreement?.number ?? null],
    ["agreement_signed", "date", 14, (p) => p.agreement?.signedOn ?? null],
    ["agreement_from", "date", 14, (p) => p.agreement?.validFrom ?? null],
    ["agreement_to", "date", 14, (p) => p.agreement?.validTo ?? null],
    ["held_events", "integer", 16, (p) => p.heldEvents],
  ]);
}
