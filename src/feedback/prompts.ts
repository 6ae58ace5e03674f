import { and, eq } from "drizzle-orm";
import { GrammyError, InlineKeyboard } from "grammy";
import type { Config, Language } from "../config.js";
import type { Db } from "../core/db/client.js";
import { contacts, partners } from "../partners/index.js";
import { events } from "../events/index.js";
import { type FeedbackRound, feedbackPrompts } from "./domain/schema.js";
import { enqueueNotice, type NoticeDeps } from "../core/outbox/notices.js";
import {
  type AnswerResult,
  claimLowRatingAlert,
  createFeedbackRound,
  type DueReminder,
  promptView,
  type PromptView,
  ratePrompt,
} from "./domain/feedback.js";
import type { BotContext } from "../core/context.js";
import { enqueueLowRatingAlert, LOW_RATING } from "./alerts.js";
import { formatDateTime } from "../core/telegram/format.js";
import { clip } from "../core/telegram/html.js";
import type { TFunction } from "../core/i18n.js";

/**
 * The partner feedback prompt: its text and 1–5 row, opening a round (a prompt to every linked
 * partner contact, through the outbox), reminders, saving a rating pressed on any message that
 * carries the row, and the low-rating alert.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** Callback data of a rating button: `fb:r:<promptId>:<rating>`. */
export const RATING_DATA = /^fb:r:(\d{1,9}):(\d{1,9})$/;

/** One row of buttons 1 2 3 4 5. */
export function ratingKeyboard(promptId: number): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  for (let rating = 1; rating <= 5; rating++) keyboard.text(String(rating), `fb:r:${promptId}:${rating}`);
  return keyboard;
}

type EventLine = Pick<PromptView["event"], "title" | "startsAt">;

const eventValues = (event: EventLine, language: Language, timeZone: string) => ({
  title: clip(event.title, 200),
  start: formatDateTime(event.startsAt, language, timeZone),
});

/** The prompt: thanks for the event, the question, until when it can be answered, and what 1 and 5 mean right above the row. */
export function promptText(t: TFunction, language: Language, timeZone: string, event: EventLine, round: Pick<FeedbackRound, "promptsCloseAt">): string {
  return [
    t("feedback.prompt", eventValues(event, language, timeZone)),
    "",
    t("feedback.question"),
    "",
    t("feedback.open_until", { date: formatDateTime(round.promptsCloseAt, language, timeZone) }),
    "",
    t("feedback.legend"),
  ].join("\n");
}

/** The reminder: the same question, how many days are left, the legend and the row. */
export function reminderText(t: TFunction, language: Language, timeZone: string, view: PromptView, now: Date): string {
  const daysLeft = Math.max(1, Math.ceil((view.round.promptsCloseAt.getTime() - now.getTime()) / DAY_MS));
  return [
    t("feedback.reminder", eventValues(view.event, language, timeZone)),
    "",
    t("feedback.question"),
    "",
    t("feedback.days_left", { count: daysLeft }),
    "",
    t("feedback.legend"),
  ].join("\n");
}

/** What rendering a prompt and opening a round needs. */
export type FeedbackNoticeDeps = NoticeDeps & { feedback: Config["feedback"] };

/**
 * Opens the feedback round of an event recorded as held and enqueues the prompt to every
 * prompted partner contact. Call it inside the transaction that records the event as held (a
 * second call creates and sends nothing); wake the outbox after the commit.
 */
export async function openFeedbackRound(
  tx: Db,
  deps: FeedbackNoticeDeps,
  eventId: number,
  now: Date,
): Promise<{ round: FeedbackRound; prompted: number }> {
  const { round, created, prompts } = await createFeedbackRound(tx, eventId, now, deps.feedback);
  if (!created || prompts.length === 0) return { round, prompted: 0 };
  const [event] = await tx.select({ title: events.title, startsAt: events.startsAt }).from(events).where(eq(events.id, eventId));
  let prompted = 0;
  for (const { prompt, user } of prompts) {
    const written = await enqueueNotice(
      tx,
      deps,
      user,
      (t, language) => ({ text: promptText(t, language, deps.timeZone, event!, round), keyboard: ratingKeyboard(prompt.id) }),
      `fbprompt:${prompt.id}`,
    );
    if (written) prompted++;
  }
  return { round, prompted };
}

/** Enqueues reminder number `n` (1, 2…) of a prompt; call it in the transaction that claimed it. */
export async function enqueuePromptReminder(tx: Db, deps: NoticeDeps, due: DueReminder, n: number, now: Date): Promise<boolean> {
  return enqueueNotice(
    tx,
    deps,
    due.user,
    (t, language) => ({ text: reminderText(t, language, deps.timeZone, due, now), keyboard: ratingKeyboard(due.prompt.id) }),
    `fbremind:${due.prompt.id}:${n}`,
  );
}

/**
 * Reports a low rating to the event's people and the admins, once (sets `alertedAt`), with the
 * comment: what to improve, else what went well. Call it in the transaction of the person's
 * last answer; returns how many alerts were enqueued.
 */
export async function alertIfLow(tx: Db, deps: NoticeDeps, promptId: number, now: Date): Promise<number> {
  const prompt = await claimLowRatingAlert(tx, promptId, LOW_RATING, now);
  if (!prompt || prompt.rating === null) return 0;
  const [partner] = await tx.select({ fullName: partners.fullName, shortName: partners.shortName }).from(partners).where(eq(partners.id, prompt.partnerId));
  const [contact] =
    prompt.contactId === null ? [] : await tx.select({ fullName: contacts.fullName }).from(contacts).where(eq(contacts.id, prompt.contactId));
  return enqueueLowRatingAlert(tx, deps, {
    eventId: prompt.eventId,
    rating: prompt.rating,
    comment: prompt.improve ?? prompt.wentWell ?? null,
    source: { kind: "partner", partnerName: partner ? (partner.shortName ?? partner.fullName) : "—", contactName: contact?.fullName ?? null },
    dedupeKey: `low:prompt:${prompt.id}`,
  });
}

/** Whether this prompt exists and is this person's (before leaving one prompt's questions for another's). */
export async function ownsPrompt(ctx: BotContext, promptId: number): Promise<boolean> {
  if (!ctx.user) return false;
  const [row] = await ctx.deps.db
    .select({ id: feedbackPrompts.id })
    .from(feedbackPrompts)
    .where(and(eq(feedbackPrompts.id, promptId), eq(feedbackPrompts.userId, ctx.user.id)));
  return row !== undefined;
}

/** The text for a refused answer. */
export function refusalKey(result: Extract<AnswerResult, { ok: false }>): string {
  return `feedback.refused_${result.reason}`;
}

/**
 * A rating pressed on a prompt, a reminder or the /feedback list: saved at once (pressing again
 * changes the same answer), the press answered, and the message edited to thank and show the
 * rating. Returns whether the rating is saved.
 */
export async function applyRating(ctx: BotContext, promptId: number, rating: number): Promise<boolean> {
  const result =
    ctx.user && ctx.user.status === "active"
      ? await ratePrompt(ctx.deps.db, ctx.user, promptId, rating, ctx.deps.now())
      : ({ ok: false, reason: "forbidden" } as const);
  if (!result.ok) {
    if (result.reason === "forbidden" || result.reason === "not_found" || result.reason === "invalid") {
      ctx.deps.logger.warn({ telegramId: ctx.from?.id, data: ctx.callbackQuery?.data, reason: result.reason }, "feedback rating refused");
    }
    await ctx.answerCallbackQuery({ text: ctx.t(refusalKey(result)), show_alert: true });
    return false;
  }
  const before = result.before.rating;
  const toast = before === null ? "feedback.rated_toast" : before === rating ? "feedback.rated_same_toast" : "feedback.rerated_toast";
  await ctx.answerCallbackQuery({ text: ctx.t(toast, { rating }) });
  if (before === rating || !ctx.callbackQuery?.message) return true;
  const view = await promptView(ctx.deps.db, promptId);
  if (!view) return true;
  const text = ctx.t("feedback.rated", { ...eventValues(view.event, ctx.lang, ctx.deps.config.timeZone), rating });
  try {
    await ctx.editMessageText(text, { link_preview_options: { is_disabled: true } });
  } catch (error) {
    // An old message may no longer be editable: say it in a new one.
    if (!(error instanceof GrammyError)) throw error;
    ctx.deps.logger.debug({ err: error.description }, "could not edit the feedback prompt");
    await ctx.reply(text);
  }
  return true;
}
