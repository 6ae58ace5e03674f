import type { ConversationContext } from "../core/context.js";
import { askText, type FormConversation } from "../core/forms/ask.js";
import { periodOf, type ReportPeriod } from "./domain/data.js";
import { academicYearLabel, academicYearOfPeriod, readStudents, type SaveStudents, saveStudents, studentsOf } from "./domain/self-assessment.js";
import { deliverReport } from "./report.js";

/**
 * The institution's total of students for an academic year, asked of an administrator: before a
 * report whose academic year has none (Skip makes the report with «—» for the shares, and the
 * question comes again next time), or from the report's «👩‍🎓 Число учащихся» button to change
 * it. A whole number 1–100 000, not smaller than the students one indicator already counts that
 * year. Only an administrator's answer is saved: the role is checked again when saving.
 */

/** The name this dialog is registered under and entered by. */
export const REPORT_STUDENTS_CONVERSATION = "reportStudents";

export type StudentsRequest =
  /** Asked before a report: then the report is made. */
  | { mode: "report"; kind: ReportPeriod["kind"]; firstDay: string; lastDay: string }
  /** The button: change the year's total. */
  | { mode: "change"; academicYear: number };

type Asked = { kind: "saved"; students: number } | { kind: "skipped" } | { kind: "denied" };

/**
 * Asks for the total until it is a whole number in range and not smaller than the year's
 * participants (each refusal says why and asks again, with Skip and Cancel), then saves it.
 */
export async function askStudents(conversation: FormConversation, ctx: ConversationContext, academicYear: number, current?: number): Promise<Asked> {
  const years = academicYearLabel(academicYear);
  let prompt =
    current === undefined
      ? ctx.t("self_assessment.students.ask", { years })
      : ctx.t("self_assessment.students.ask_change", { years, students: current });
  for (;;) {
    const answer = await askText(conversation, ctx, { prompt, optional: true, check: (text) => ({ ok: true, value: text }) });
    if (answer.kind !== "value") return { kind: "skipped" };
    const read = readStudents(answer.value);
    if (!read.ok) {
      prompt = ctx.t("self_assessment.students.not_a_number");
      continue;
    }
    const saved = await conversation.external(async (outside): Promise<SaveStudents | { ok: false; reason: "denied" }> => {
      if (outside.role !== "admin") return { ok: false, reason: "denied" };
      const { db, config, now } = outside.deps;
      return saveStudents(db, { academicYear, students: read.students, setBy: outside.user?.id ?? null, timeZone: config.timeZone, now: now() });
    });
    if (saved.ok) return { kind: "saved", students: read.students };
    if (saved.reason === "denied") return { kind: "denied" };
    prompt = ctx.t(`self_assessment.students.smaller.${saved.largest.indicator}`, { students: read.students, value: saved.largest.value });
  }
}

/** Whether a report of this period should first ask for its academic year's total: an admin's, with none given. */
export async function needsStudents(outside: { role: string; deps: { db: Parameters<typeof studentsOf>[0] } }, academicYear: number): Promise<boolean> {
  return outside.role === "admin" && (await studentsOf(outside.deps.db, academicYear)) === undefined;
}

/**
 * Before a report: asks an administrator for the year's total when it is not given, and says
 * what became of the answer. Staff are never asked.
 */
export async function studentsBeforeReport(conversation: FormConversation, ctx: ConversationContext, period: Pick<ReportPeriod, "to">): Promise<void> {
  const academicYear = await conversation.external((outside) => academicYearOfPeriod(period, outside.deps.config.timeZone));
  if (!(await conversation.external((outside) => needsStudents(outside, academicYear)))) return;
  const asked = await askStudents(conversation, ctx, academicYear);
  if (asked.kind === "saved") await ctx.reply(ctx.t("self_assessment.students.saved", { count: asked.students, years: academicYearLabel(academicYear) }));
  else if (asked.kind === "skipped") await ctx.reply(ctx.t("self_assessment.students.skipped"));
}

export async function reportStudentsConversation(conversation: FormConversation, ctx: ConversationContext, request: StudentsRequest): Promise<void> {
  if (request.mode === "report") {
    const timeZone = await conversation.external((outside) => outside.deps.config.timeZone);
    const period = periodOf(request.kind, request.firstDay, request.lastDay, timeZone);
    await studentsBeforeReport(conversation, ctx, period);
    await conversation.external((outside) => deliverReport(outside, period));
    return;
  }
  const current = await conversation.external(async (outside) => (outside.role === "admin" ? ((await studentsOf(outside.deps.db, request.academicYear)) ?? null) : false));
  if (current === false) {
    await ctx.reply(ctx.t("access.denied_command"));
    return;
  }
  const asked = await askStudents(conversation, ctx, request.academicYear, current ?? undefined);
  if (asked.kind === "denied") await ctx.reply(ctx.t("access.denied_command"));
  else if (asked.kind === "saved") await ctx.reply(ctx.t("self_assessment.students.saved", { count: asked.students, years: academicYearLabel(request.academicYear) }));
  else await ctx.reply(ctx.t("self_assessment.students.unchanged"));
}
