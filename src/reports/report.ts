import { REPORT_PERIOD_CONVERSATION } from "./period-dialog.js";
import { Composer, InlineKeyboard, InputFile, InputMediaBuilder } from "grammy";
import type { TFunction } from "i18next";
import { presetPeriod, REPORT_PRESETS, type ReportPeriod, type ReportPreset, reportData } from "./domain/data.js";
import { chartPng } from "./charts.js";
import { reportCharts } from "./report-charts.js";
import { periodLabel, renderReportSummary } from "./summary.js";
import { reportWorkbook } from "./workbook.js";
import type { BotContext } from "../core/context.js";
import { requireCommandRole, requireRole } from "../core/access/require-role.js";
import { academicYearOf, academicYearOfPeriod } from "./domain/self-assessment.js";
import { needsStudents, REPORT_STUDENTS_CONVERSATION, type StudentsRequest } from "./students-dialog.js";
import { localDate } from "../core/dates.js";

/**
 * /report: a period (a preset or dates typed in), then a summary message, the charts as one
 * album and the Excel workbook for the self-assessment report. For staff and admins.
 * Buttons: rp:<preset> and rp:dates (the typed-dates conversation); for admins rp:students (the
 * total of students of the current academic year, for the self-assessment shares). An admin is
 * asked for the total before a report whose academic year has none (students-dialog.ts).
 */

export const REPORT_ROLES = ["staff", "admin"] as const;

const composer = new Composer<BotContext>();
const privateChats = composer.chatType("private");

function periodKeyboard(t: TFunction, now: Date, timeZone: string, admin: boolean): InlineKeyboard {
  const academic = presetPeriod("academic_year", now, timeZone);
  const start = Number(academic.firstDay.slice(0, 4));
  const years = `${start}/${String((start + 1) % 100).padStart(2, "0")}`;
  const year = presetPeriod("year", now, timeZone).firstDay.slice(0, 4);
  const keyboard = new InlineKeyboard()
    .text(t("report.presets.month"), "rp:month")
    .text(t("report.presets.quarter"), "rp:quarter")
    .row()
    .text(t("report.presets.academic_year", { years, interpolation: { escapeValue: false } }), "rp:academic_year")
    .text(t("report.presets.year", { year }), "rp:year")
    .row()
    .text(t("report.type_dates"), "rp:dates");
  return admin ? keyboard.row().text(t("self_assessment.students.button"), "rp:students") : keyboard;
}

privateChats.command("report", requireCommandRole("report"), async (ctx) => {
  await ctx.reply(ctx.t("report.choose_period"), { reply_markup: periodKeyboard(ctx.t, ctx.deps.now(), ctx.deps.config.timeZone, ctx.role === "admin") });
});

const PRESET_DATA = new RegExp(`^rp:(${REPORT_PRESETS.join("|")})$`);

privateChats.callbackQuery(PRESET_DATA, requireRole(...REPORT_ROLES), async (ctx) => {
  await ctx.answerCallbackQuery();
  const period = presetPeriod(ctx.match[1] as ReportPreset, ctx.deps.now(), ctx.deps.config.timeZone);
  if (await needsStudents(ctx, academicYearOfPeriod(period, ctx.deps.config.timeZone))) {
    const request: StudentsRequest = { mode: "report", kind: period.kind, firstDay: period.firstDay, lastDay: period.lastDay };
    await ctx.conversation.enter(REPORT_STUDENTS_CONVERSATION, request);
    return;
  }
  // The period question becomes the progress message: its buttons go, so it is not pressed twice.
  await deliverReport(ctx, period, ctx.callbackQuery.message?.message_id);
});

privateChats.callbackQuery("rp:dates", requireRole(...REPORT_ROLES), async (ctx) => {
  await ctx.answerCallbackQuery();
  await ctx.conversation.enter(REPORT_PERIOD_CONVERSATION);
});

privateChats.callbackQuery("rp:students", requireRole("admin"), async (ctx) => {
  await ctx.answerCallbackQuery();
  const request: StudentsRequest = { mode: "change", academicYear: academicYearOf(localDate(ctx.deps.now(), ctx.deps.config.timeZone)) };
  await ctx.conversation.enter(REPORT_STUDENTS_CONVERSATION, request);
});

// Any other rp: data is forged or from an old version of the bot.
privateChats.callbackQuery(/^rp:/, requireRole(...REPORT_ROLES), async (ctx) => {
  await ctx.answerCallbackQuery({ text: ctx.t("common.button_outdated") });
});

/**
 * Makes and sends the report for a period: one progress message edited as the work goes
 * (`progressMessageId`, or a new message), then the summary, the charts with data, and the
 * workbook. A failure is logged and said in the progress message.
 */
export async function deliverReport(ctx: BotContext, period: ReportPeriod, progressMessageId?: number): Promise<void> {
  if (!(REPORT_ROLES as readonly string[]).includes(ctx.role)) {
    await ctx.reply(ctx.t("access.denied_command"));
    return;
  }
  const { db, config, logger } = ctx.deps;
  const { t, lang } = ctx;
  const label = periodLabel(t, period);
  const chatId = ctx.chat!.id;
  let messageId = progressMessageId;
  const progress = async (step: "collecting" | "drawing" | "workbook" | "done" | "failed") => {
    const text = t(`report.progress.${step}`, { period: label });
    if (messageId === undefined) messageId = (await ctx.reply(text)).message_id;
    else await ctx.api.editMessageText(chatId, messageId, text);
  };

  let files: { summary: string; charts: { key: string; title: string; png: Buffer }[]; workbook: Buffer };
  try {
    await progress("collecting");
    const started = Date.now();
    const data = await reportData(db, period, config.timeZone);
    await progress("drawing");
    const charts = reportCharts(data, t, lang);
    const drawn = charts.filter((c) => !c.image.empty).map((c) => ({ key: c.key, title: c.title, png: chartPng(c.image) }));
    const skipped = charts.filter((c) => c.image.empty).map((c) => t(`report.charts.${c.key}_short`));
    await progress("workbook");
    const russian = ctx.deps.i18n.fixedT("ru");
    const workbook = await reportWorkbook(data, { t, russian, language: lang, timeZone: config.timeZone, generatedAt: ctx.deps.now() });
    files = { summary: renderReportSummary(t, lang, data, skipped, ctx.role === "admin"), charts: drawn, workbook };
    logger.info({ userId: ctx.user?.id, from: period.firstDay, to: period.lastDay, ms: Date.now() - started }, "report built");
  } catch (error) {
    logger.error({ err: error, from: period.firstDay, to: period.lastDay }, "report failed");
    await progress("failed").catch(() => undefined);
    return;
  }

  await ctx.reply(files.summary);
  // The charts as one album (Telegram takes 2–10 photos in one); a single chart as a photo.
  const photos = files.charts.map((chart) => ({
    file: new InputFile(chart.png, `${chart.key}.png`),
    caption: t("report.charts.caption", { title: chart.title, period: label }),
  }));
  if (photos.length === 1) await ctx.replyWithPhoto(photos[0]!.file, { caption: photos[0]!.caption });
  else if (photos.length > 1) {
    await ctx.replyWithMediaGroup(photos.slice(0, 10).map((p) => InputMediaBuilder.photo(p.file, { caption: p.caption, parse_mode: "HTML" })));
  }
  await ctx.replyWithDocument(new InputFile(files.workbook, `social-partnership-${period.firstDay}_${period.lastDay}.xlsx`), {
    caption: t("report.document_caption", { period: label }),
  });
  await progress("done");
}

export { composer as reportFeature };
