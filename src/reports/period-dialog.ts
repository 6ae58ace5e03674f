import type { TFunction } from "i18next";
import { formatDay } from "../core/dates.js";
import { MAX_REPORT_YEARS, type PeriodRefusal, parseReportPeriod } from "./domain/data.js";
import type { ConversationContext } from "../core/context.js";
import { deliverReport } from "./report.js";
import { askText, type FormConversation } from "../core/forms/ask.js";
import { studentsBeforeReport } from "./students-dialog.js";

/** The name this dialog is registered under and entered by. */
export const REPORT_PERIOD_CONVERSATION = "reportPeriod";


/** Why a typed period was refused, with the dates echoed. */
export function periodRefusalText(t: TFunction, refusal: PeriodRefusal): string {
  switch (refusal.reason) {
    case "unreadable":
      return t("report.refused.unreadable");
    case "invalid_date":
      return t("report.refused.invalid_date", { date: refusal.date });
    case "ends_before_start":
      return t("report.refused.ends_before_start", { first: formatDay(refusal.firstDay), last: formatDay(refusal.lastDay) });
    case "too_long":
      return t("report.refused.too_long", { first: formatDay(refusal.firstDay), last: formatDay(refusal.lastDay), count: MAX_REPORT_YEARS });
  }
}

/**
 * "Type dates" of /report: asks for a period until it is readable and sensible (each refusal
 * says why and asks again, with Cancel), then (an admin, when the year has no total of students)
 * asks for the total, and makes the report.
 */
export async function reportPeriodConversation(conversation: FormConversation, ctx: ConversationContext): Promise<void> {
  const timeZone = await conversation.external((outside) => outside.deps.config.timeZone);
  let prompt = ctx.t("report.ask_dates");
  for (;;) {
    const answer = await askText(conversation, ctx, { prompt, check: (text) => ({ ok: true, value: text }) });
    if (answer.kind !== "value") return;
    const parsed = parseReportPeriod(answer.value, timeZone);
    if (parsed.ok) {
      await studentsBeforeReport(conversation, ctx, parsed.period);
      await conversation.external((outside) => deliverReport(outside, parsed.period));
      return;
    }
    prompt = periodRefusalText(ctx.t, parsed);
  }
}
