import type ExcelJS from "exceljs";
import type { TFunction } from "i18next";
import type { Language } from "../config.js";
import { PARTNER_TYPES, STAGES } from "../partners/index.js";
import { timeZoneOffset } from "../events/index.js";
import { formatDay, localDate } from "../core/dates.js";
import { EVENT_BUCKETS, type ReportData } from "./domain/data.js";

/**
 * The report as an Excel workbook laid out for the social-partnership section of the annual
 * self-assessment report (отчёт о самообследовании): a summary of the headline figures, then
 * the partners, the events and the feedback, one table per sheet. Headings are in the reader's
 * language; dates are real Excel dates (wall-clock time in the institution's zone), numbers are
 * numbers, each header row is bold and frozen, with a filter.
 */

export interface WorkbookOptions {
  t: TFunction;
  language: Language;
  timeZone: string;
  /** When the report was made, shown on the summary sheet. */
  generatedAt: Date;
}

const DATE_FORMAT: Record<Language, string> = { ru: "dd.mm.yyyy", en: "dd/mm/yyyy" };
const DATE_TIME_FORMAT: Record<Language, string> = { ru: "dd.mm.yyyy hh:mm", en: "dd/mm/yyyy hh:mm" };
const AVERAGE_FORMAT = "0.0";
const PERCENT_FORMAT = "0%";

/** A 'YYYY-MM-DD' day as an Excel date (Excel dates have no time zone: midnight UTC reads as that day). */
function excelDay(day: string): Date {
  const [year, month, date] = day.split("-").map(Number) as [number, number, number];
  return new Date(Date.UTC(year, month - 1, date));
}

/** An instant as an Excel date-time showing the wall-clock time in `timeZone`. */
function excelDateTime(instant: Date, timeZone: string): Date {
  return new Date(instant.getTime() + timeZoneOffset(instant, timeZone) * 60_000);
}

interface Column {
  header: string;
  width: number;
  format?: string;
  wrap?: boolean;
}

/** A sheet with a bold, frozen header row, an autofilter and the columns' widths and formats. */
function tableSheet(workbook: ExcelJS.Workbook, name: string, columns: Column[]): ExcelJS.Worksheet {
  const sheet = workbook.addWorksheet(name, { views: [{ state: "frozen", ySplit: 1 }] });
  sheet.columns = columns.map((c) => ({
    header: c.header,
    width: c.width,
    style: { ...(c.format ? { numFmt: c.format } : {}), alignment: { vertical: "top", ...(c.wrap ? { wrapText: true } : {}) } },
  }));
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.alignment = { vertical: "middle", wrapText: true };
  header.height = 32;
  header.eachCell((cell) => {
    cell.fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFE2E8F0" } };
  });
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
  return sheet;
}

/** Builds the workbook; returns the .xlsx file's bytes. */
export async function reportWorkbook(data: ReportData, options: WorkbookOptions): Promise<Buffer> {
  const { language, timeZone } = options;
  const t = (key: string, values: Record<string, unknown> = {}) => options.t(key, { ...values, interpolation: { escapeValue: false } });
  const col = (key: string) => t(`report.columns.${key}`);
  const dateFormat = DATE_FORMAT[language];
  const dateTimeFormat = DATE_TIME_FORMAT[language];
  const period = t("report.period", { first: formatDay(data.period.firstDay), last: formatDay(data.period.lastDay) });

  // Loaded on first use: exceljs is large, and the bot need not pay for it at start-up.
  const { default: excel } = await import("exceljs");
  const workbook = new excel.Workbook();
  workbook.creator = "Social partnership bot";
  workbook.created = options.generatedAt;
  workbook.title = t("report.workbook.title", { period });

  // Summary: the headline figures, by section.
  const summary = tableSheet(workbook, t("report.sheets.summary"), [
    { header: col("indicator"), width: 52, wrap: true },
    { header: col("value"), width: 22 },
  ]);
  summary.autoFilter = undefined;
  const section = (label: string) => {
    const row = summary.addRow([label]);
    row.font = { bold: true };
  };
  const figure = (label: string, value: number | string | Date | null, format?: string, indent = 0) => {
    const row = summary.addRow([label, value]);
    if (indent > 0) row.getCell(1).alignment = { indent, vertical: "top", wrapText: true };
    if (format) row.getCell(2).numFmt = format;
    row.getCell(2).alignment = { horizontal: "right" };
  };
  figure(t("report.workbook.period"), period);
  figure(t("report.workbook.generated"), excelDateTime(options.generatedAt, timeZone), dateTimeFormat);
  section(t("report.workbook.partners_section"));
  figure(t("report.workbook.partners_registered"), data.partners.registered);
  figure(t("report.workbook.partners_new"), data.partners.newInPeriod);
  figure(t("report.workbook.partners_archived"), data.partners.archived);
  figure(t("report.workbook.by_type"), null);
  for (const type of PARTNER_TYPES) figure(t(`partners.types.${type}`), data.partners.byType[type], undefined, 2);
  figure(t("report.workbook.by_stage"), null);
  for (const stage of STAGES) {
    if (stage !== "archived") figure(t(`partners.stages.${stage}`), data.partners.byStage[stage], undefined, 2);
  }
  section(t("report.workbook.events_section"));
  figure(t("report.workbook.events_total"), data.events.total);
  for (const bucket of EVENT_BUCKETS) figure(t(`report.buckets.${bucket}`), data.events.byStatus[bucket], undefined, 2);
  section(t("report.workbook.participants_section"));
  figure(t("report.workbook.participants_total"), data.participants.total);
  figure(t("report.categories.gifted"), data.participants.gifted, undefined, 2);
  figure(t("report.categories.disabilities"), data.participants.disabilities, undefined, 2);
  figure(t("report.categories.career_guidance"), data.participants.careerGuidance, undefined, 2);
  figure(t("report.categories.other"), data.participants.other, undefined, 2);
  section(t("report.workbook.satisfaction_section"));
  const { satisfaction } = data;
  figure(t("report.workbook.partner_average"), satisfaction.partners?.average ?? null, AVERAGE_FORMAT);
  figure(t("report.workbook.partner_answers"), satisfaction.partners?.count ?? 0);
  figure(t("report.workbook.prompts_sent"), satisfaction.responseRate.sent);
  figure(t("report.workbook.response_rate"), satisfaction.responseRate.rate, PERCENT_FORMAT);
  figure(t("report.workbook.participant_average"), satisfaction.participants?.average ?? null, AVERAGE_FORMAT);
  figure(t("report.workbook.participant_answers"), satisfaction.participants?.count ?? 0);

  // Partners.
  const partnerSheet = tableSheet(workbook, t("report.sheets.partners"), [
    { header: col("number"), width: 6 },
    { header: col("full_name"), width: 46, wrap: true },
    { header: col("short_name"), width: 22, wrap: true },
    { header: col("type"), width: 24, wrap: true },
    { header: col("owner_kind"), width: 22, wrap: true },
    { header: col("owner"), width: 28, wrap: true },
    { header: col("focuses"), width: 30, wrap: true },
    { header: col("stage"), width: 20 },
    { header: col("registered"), width: 14, format: dateFormat },
    { header: col("agreement_number"), width: 14 },
    { header: col("agreement_signed"), width: 14, format: dateFormat },
    { header: col("agreement_from"), width: 14, format: dateFormat },
    { header: col("agreement_to"), width: 14, format: dateFormat },
    { header: col("held_events"), width: 16 },
  ]);
  data.rows.partners.forEach((p, i) => {
    partnerSheet.addRow([
      i + 1,
      p.fullName,
      p.shortName,
      t(`partners.types.${p.type}`),
      t(`partners.owner_kinds.${p.ownerKind}`),
      p.ownerUnitName ?? p.ownerUserName,
      p.focuses.length === 0 ? null : p.focuses.map((d) => t(`partners.focuses.${d}`)).join(", "),
      t(`partners.stages.${p.stage}`),
      excelDay(localDate(p.createdAt, timeZone)),
      p.agreement?.number ?? null,
      p.agreement ? excelDay(p.agreement.signedOn) : null,
      p.agreement ? excelDay(p.agreement.validFrom) : null,
      p.agreement?.validTo ? excelDay(p.agreement.validTo) : null,
      p.heldEvents,
    ]);
  });

  // Events.
  const eventSheet = tableSheet(workbook, t("report.sheets.events"), [
    { header: col("number"), width: 6 },
    { header: col("title"), width: 40, wrap: true },
    { header: col("format"), width: 22, wrap: true },
    { header: col("starts"), width: 17, format: dateTimeFormat },
    { header: col("ends"), width: 17, format: dateTimeFormat },
    { header: col("partners"), width: 32, wrap: true },
    { header: col("unit"), width: 24, wrap: true },
    { header: col("responsible"), width: 22, wrap: true },
    { header: col("status"), width: 22, wrap: true },
    { header: col("gifted"), width: 12 },
    { header: col("disabilities"), width: 12 },
    { header: col("career_guidance"), width: 14 },
    { header: col("other"), width: 12 },
    { header: col("total"), width: 12 },
    { header: col("result"), width: 40, wrap: true },
  ]);
  data.rows.events.forEach((e, i) => {
    const p = e.participants;
    eventSheet.addRow([
      i + 1,
      e.title,
      t(`agreements.formats.${e.format}`),
      excelDateTime(e.startsAt, timeZone),
      excelDateTime(e.endsAt, timeZone),
      e.partners,
      e.unitName,
      e.responsibleName,
      t(`report.statuses.${e.status}`),
      p?.gifted ?? null,
      p?.disabilities ?? null,
      p?.careerGuidance ?? null,
      p?.other ?? null,
      p?.total ?? null,
      e.result,
    ]);
  });

  // Feedback per event.
  const feedbackSheet = tableSheet(workbook, t("report.sheets.feedback"), [
    { header: col("number"), width: 6 },
    { header: col("event"), width: 40, wrap: true },
    { header: col("date"), width: 14, format: dateFormat },
    { header: col("format"), width: 22, wrap: true },
    { header: col("partners"), width: 32, wrap: true },
    { header: col("partner_average"), width: 14, format: AVERAGE_FORMAT },
    { header: col("partner_answers"), width: 12 },
    { header: col("prompts_sent"), width: 12 },
    { header: col("response_rate"), width: 12, format: PERCENT_FORMAT },
    { header: col("participant_average"), width: 14, format: AVERAGE_FORMAT },
    { header: col("participant_answers"), width: 12 },
  ]);
  data.rows.eventFeedback.forEach((f, i) => {
    feedbackSheet.addRow([
      i + 1,
      f.title,
      excelDay(localDate(f.startsAt, timeZone)),
      t(`agreements.formats.${f.format}`),
      f.partners,
      f.partnerAverage,
      f.partnerAnswers,
      f.promptsSent,
      f.responseRate,
      f.participantAverage,
      f.participantAnswers,
    ]);
  });

  // Feedback per partner.
  const partnerFeedbackSheet = tableSheet(workbook, t("report.sheets.partner_feedback"), [
    { header: col("number"), width: 6 },
    { header: col("partner"), width: 40, wrap: true },
    { header: col("partner_average"), width: 14, format: AVERAGE_FORMAT },
    { header: col("partner_answers"), width: 12 },
    { header: col("prompts_sent"), width: 12 },
    { header: col("response_rate"), width: 12, format: PERCENT_FORMAT },
    { header: col("participant_average"), width: 14, format: AVERAGE_FORMAT },
    { header: col("participant_answers"), width: 12 },
  ]);
  data.rows.partnerFeedback.forEach((f, i) => {
    partnerFeedbackSheet.addRow([i + 1, f.name, f.partnerAverage, f.partnerAnswers, f.promptsSent, f.responseRate, f.participantAverage, f.participantAnswers]);
  });

  return Buffer.from(await workbook.xlsx.writeBuffer());
}
