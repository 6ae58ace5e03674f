import { eq } from "drizzle-orm";
import { GrammyError, InlineKeyboard } from "grammy";
import QRCode from "qrcode";
import type { Language } from "../config.js";
import type { Db } from "../core/db/client.js";
import { AGE_GROUPS, type FeedbackRound, PARTICIPANT_ROLES } from "./domain/schema.js";
import { type Event } from "../events/index.js";
import { users } from "../core/access/schema.js";
import { enqueueNotice, type NoticeDeps, noticeDepsOf } from "../core/outbox/notices.js";
import { getEvent } from "../events/index.js";
import {
  MAX_PARTICIPANT_COMMENT,
  claimParticipantAlert,
  findParticipantAnswer,
  findRound,
  isLinkOpen,
  setParticipantComment,
  voterHash,
} from "./domain/participants.js";
import type { BotContext } from "../core/context.js";
import { enqueueLowRatingAlert, LOW_RATING } from "./alerts.js";
import { formatDateTime } from "../core/telegram/format.js";
import { clip } from "../core/telegram/html.js";
import type { TFunction } from "../core/i18n.js";

/**
 * Participant feedback, the pieces the feature, the conversation and the lead's flows share: the
 * link and its QR code, the staff notice, the question keyboards, and the comment step's end
 * (where a low rating is alerted).
 */


/** The deep link participants open: t.me/<bot>?start=pf_<token>. */
export function participantLink(botUsername: string, token: string): string {
  return `https://t.me/${botUsername}?start=pf_${token}`;
}

/** How the QR code is drawn: medium error correction survives a crumpled print-out; the quiet zone is the standard 4 modules. */
export const QR_OPTIONS = { errorCorrectionLevel: "M", margin: 4, width: 800 } as const;

/** The QR code of a link as a PNG image. */
export async function participantQrPng(link: string): Promise<Buffer> {
  return QRCode.toBuffer(link, { type: "png", ...QR_OPTIONS });
}

/** The staff's message with the link: what it is, until when it works, and how to use it. */
export function participantLinkText(
  t: TFunction,
  language: Language,
  timeZone: string,
  event: Pick<Event, "title" | "startsAt">,
  round: Pick<FeedbackRound, "token" | "linkClosesAt">,
  botUsername: string,
): string {
  return t("participant.link.text", {
    title: clip(event.title, 200),
    start: formatDateTime(event.startsAt, language, timeZone),
    link: participantLink(botUsername, round.token),
    closes: formatDateTime(round.linkClosesAt, language, timeZone),
  });
}

export const qrButton = (t: TFunction, eventId: number) => new InlineKeyboard().text(t("participant.buttons.qr"), `pf:qr:${eventId}`);

/**
 * Enqueues the participants' link with a "QR code" button to the event's responsible person, in
 * the caller's transaction (when someone else recorded the event as held). Once per event.
 */
export async function enqueueParticipantLinkNotice(tx: Db, deps: NoticeDeps, eventId: number, botUsername: string): Promise<boolean> {
  const event = await getEvent(tx, eventId);
  const round = await findRound(tx, eventId);
  if (!event || !round) return false;
  const [responsible] = await tx.select().from(users).where(eq(users.id, event.responsibleUserId));
  if (!responsible || responsible.status !== "active") return false;
  return enqueueNotice(
    tx,
    deps,
    responsible,
    (t, language) => ({
      text: [participantLinkText(t, language, deps.timeZone, event, round, botUsername), "", t("participant.link.qr_hint")].join("\n"),
      keyboard: qrButton(t, eventId),
    }),
    `pf:link:${eventId}`,
  );
}

export function ratingKeyboard(eventId: number): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  for (let rating = 1; rating <= 5; rating++) keyboard.text(String(rating), `pf:r:${eventId}:${rating}`);
  return keyboard;
}

export const commentKeyboard = (t: TFunction, eventId: number) => new InlineKeyboard().text(t("ask.skip"), `pf:cs:${eventId}`);

export function roleQuestion(t: TFunction, eventId: number) {
  const keyboard = new InlineKeyboard();
  PARTICIPANT_ROLES.forEach((role, i) => {
    keyboard.text(t(`participant.roles.${role}`), `pf:role:${eventId}:${role}`);
    if (i % 2 === 1) keyboard.row();
  });
  keyboard.row().text(t("ask.skip"), `pf:role:${eventId}:skip`);
  return { text: t("participant.ask_role"), keyboard };
}

export function ageQuestion(t: TFunction, eventId: number) {
  const keyboard = new InlineKeyboard();
  AGE_GROUPS.forEach((group, i) => {
    keyboard.text(t(`participant.ages.${group}`), `pf:age:${eventId}:${group}`);
    if (i === 2) keyboard.row();
  });
  keyboard.row().text(t("ask.skip"), `pf:age:${eventId}:skip`);
  return { text: t("participant.ask_age"), keyboard };
}

/** A comment as typed: trimmed, with letters or digits, within the limit. */
export function checkParticipantComment(raw: string): { ok: true; value: string } | { ok: false; error: "no_letters" | "too_long"; length: number } {
  const value = raw.trim();
  const length = Array.from(value).length;
  if (!/[\p{L}\p{N}]/u.test(value)) return { ok: false, error: "no_letters", length };
  if (length > MAX_PARTICIPANT_COMMENT) return { ok: false, error: "too_long", length };
  return { ok: true, value };
}

/** The participant's hash for an event, from the Telegram user behind this update. */
export function voterOf(ctx: BotContext, eventId: number): string | undefined {
  return ctx.from ? voterHash(ctx.deps.config.feedback.secret, eventId, ctx.from.id) : undefined;
}

/** "Feedback on «…» closed on …". */
export async function closedText(ctx: BotContext, eventId: number): Promise<string> {
  const event = await getEvent(ctx.deps.db, eventId);
  const round = await findRound(ctx.deps.db, eventId);
  if (!event || !round) return ctx.t("participant.bad_button");
  return ctx.t("participant.closed", {
    title: clip(event.title, 80),
    date: formatDateTime(round.linkClosesAt, ctx.lang, ctx.deps.config.timeZone),
  });
}

/**
 * The end of the comment step, typed or skipped: saves the comment (while the link is open) and,
 * for a rating of 2 or lower, enqueues the alert with the comment in the same transaction, once
 * (`alertedAt`). Then asks the role, or says why not.
 */
export async function finishComment(ctx: BotContext, eventId: number, comment: string | null): Promise<void> {
  const { db } = ctx.deps;
  const now = ctx.deps.now();
  const hash = voterOf(ctx, eventId);
  if (!hash) return;
  const outcome = await db.transaction(async (tx) => {
    const answer = await findParticipantAnswer(tx, eventId, hash);
    if (!answer) return { state: "not_found" as const, alerted: false };
    const round = await findRound(tx, eventId);
    let state: "saved" | "skipped" | "closed" = round && isLinkOpen(round, now) ? "skipped" : "closed";
    if (comment !== null && state !== "closed") {
      const saved = await setParticipantComment(tx, eventId, hash, comment, now);
      state = saved.ok ? "saved" : "closed";
    }
    // A low rating is alerted even when the link closed meanwhile: it was given while it was open.
    const claimed = await claimParticipantAlert(tx, { id: answer.id }, LOW_RATING, now);
    if (claimed) {
      await enqueueLowRatingAlert(tx, noticeDepsOf(ctx.deps), {
        eventId,
        rating: claimed.rating,
        comment: claimed.comment,
        source: { kind: "participant" },
        dedupeKey: `low:participant:${claimed.id}`,
      });
    }
    return { state, alerted: claimed !== undefined };
  });
  if (outcome.alerted) ctx.deps.wakeOutbox();
  if (outcome.state === "not_found") {
    await ctx.reply(ctx.t("participant.bad_button"));
    return;
  }
  if (outcome.state === "closed") {
    await ctx.reply(await closedText(ctx, eventId));
    return;
  }
  const question = roleQuestion(ctx.t, eventId);
  const text = outcome.state === "saved" ? `${ctx.t("participant.comment_saved")}\n\n${question.text}` : question.text;
  await ctx.reply(text, { reply_markup: question.keyboard });
}

/**
 * Shows the answer in the question that was answered and takes its buttons away. Cosmetic: a
 * message Telegram will not edit (too old, deleted, unchanged) is left as it is.
 */
export async function settleQuestion(ctx: BotContext, text?: string): Promise<void> {
  try {
    if (text === undefined) await ctx.editMessageReplyMarkup();
    else await ctx.editMessageText(text, { link_preview_options: { is_disabled: true } });
  } catch (error) {
    if (!(error instanceof GrammyError)) throw error;
    ctx.deps.logger.debug({ err: error }, "could not settle a participant feedback question");
  }
}
