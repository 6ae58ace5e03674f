import { PARTICIPANT_COMMENT_CONVERSATION } from "./participant-dialog.js";
import { Composer, InputFile } from "grammy";
import { getEvent } from "../events/index.js";
import {
  answerRating,
  findParticipantAnswer,
  findRound,
  findRoundByToken,
  isAgeGroup,
  isLinkOpen,
  isParticipantRole,
  setParticipantAgeGroup,
  setParticipantRole,
  type UpdateResult,
} from "./domain/participants.js";
import type { BotContext } from "../core/context.js";
import { formatDateTime } from "../core/telegram/format.js";
import { clip } from "../core/telegram/html.js";
import { requireRole } from "../core/access/require-role.js";
import {
  ageQuestion,
  closedText,
  finishComment,
  participantLink,
  participantLinkText,
  participantQrPng,
  ratingKeyboard,
  roleQuestion,
  settleQuestion,
  voterOf,
} from "./participant-link.js";
import { eventForAction } from "../events/index.js";

/**
 * Anonymous participant feedback: anyone opening t.me/<bot>?start=pf_<token> rates the event
 * 1–5, then may add a comment, their role and age group. Buttons carry the event, never the
 * person: the voter hash is recomputed from the sender on the server. Staff get the link and its
 * QR code (pf:qr:<event>).
 */
const composer = new Composer<BotContext>();
const privateChats = composer.chatType("private");

/** /start pf_<token>: the event, "your answer is anonymous", and a row 1–5. */
export async function startParticipantFeedback(ctx: BotContext, token: string): Promise<void> {
  const { db, logger } = ctx.deps;
  const round = await findRoundByToken(db, token);
  const event = round ? await getEvent(db, round.eventId) : undefined;
  if (!round || !event) {
    logger.info({ tokenLength: token.length }, "participant feedback link refused");
    await ctx.reply(ctx.t("participant.invalid_link"));
    return;
  }
  if (!isLinkOpen(round, ctx.deps.now())) {
    await ctx.reply(await closedText(ctx, event.id));
    return;
  }
  const hash = voterOf(ctx, event.id);
  if (!hash) return;
  if (await findParticipantAnswer(db, event.id, hash)) {
    await ctx.reply(ctx.t("participant.already"));
    return;
  }
  // The legend, what 1 and 5 mean, is the last line: right above the row of buttons.
  const intro = ctx.t("participant.intro", { title: clip(event.title, 200), start: formatDateTime(event.startsAt, ctx.lang, ctx.deps.config.timeZone) });
  await ctx.reply(`${intro}\n\n${ctx.t("participant.legend")}`, { reply_markup: ratingKeyboard(event.id) });
}

async function badButton(ctx: BotContext): Promise<void> {
  ctx.deps.logger.warn({ data: ctx.callbackQuery?.data }, "participant feedback button refused");
  await ctx.answerCallbackQuery({ text: ctx.t("participant.bad_button"), show_alert: true });
}

async function closedAlert(ctx: BotContext, eventId: number): Promise<void> {
  await ctx.answerCallbackQuery({ text: clip(await closedText(ctx, eventId), 200), show_alert: true });
}

privateChats.callbackQuery(/^pf:r:(\d{1,9}):(.{0,16})$/, async (ctx) => {
  const eventId = Number(ctx.match[1]);
  const raw = ctx.match[2]!;
  const hash = voterOf(ctx, eventId);
  // Only "1".."5": "0", "6", "abc", "4.5", "04" are forged.
  if (!/^[1-5]$/.test(raw) || !hash) {
    await badButton(ctx);
    return;
  }
  const rating = Number(raw);
  const result = await answerRating(ctx.deps.db, { eventId, voterHash: hash, rating, now: ctx.deps.now() });
  if (!result.ok) {
    if (result.reason === "already_answered") await ctx.answerCallbackQuery({ text: ctx.t("participant.already"), show_alert: true });
    else if (result.reason === "closed") await closedAlert(ctx, eventId);
    else await badButton(ctx);
    return;
  }
  await ctx.answerCallbackQuery();
  const event = await getEvent(ctx.deps.db, eventId);
  await settleQuestion(ctx, ctx.t("participant.rated", { title: clip(event?.title ?? "—", 200), rating }));
  // Only this conversation lets participant buttons through while it waits (see the conversation).
  if (Object.keys(ctx.conversation.active()).length > 0) await ctx.conversation.exitAll();
  await ctx.conversation.enter(PARTICIPANT_COMMENT_CONVERSATION, eventId);
});

/** The comment step's Skip when its conversation is gone (a restart, /cancel, a command in between). */
privateChats.callbackQuery(/^pf:cs:(\d{1,9})$/, async (ctx) => {
  const eventId = Number(ctx.match[1]);
  const hash = voterOf(ctx, eventId);
  const answer = hash ? await findParticipantAnswer(ctx.deps.db, eventId, hash) : undefined;
  if (!answer) {
    await badButton(ctx);
    return;
  }
  if (answer.comment !== null) {
    await ctx.answerCallbackQuery({ text: ctx.t("participant.comment_already") });
    return;
  }
  await ctx.answerCallbackQuery();
  await settleQuestion(ctx);
  await finishComment(ctx, eventId, null);
});

privateChats.callbackQuery(/^pf:(role|age):(\d{1,9}):([a-z0-9_]{1,16})$/, async (ctx) => {
  const step = ctx.match[1] as "role" | "age";
  const eventId = Number(ctx.match[2]);
  const value = ctx.match[3]!;
  const { db } = ctx.deps;
  const now = ctx.deps.now();
  const hash = voterOf(ctx, eventId);
  const valid = value === "skip" || (step === "role" ? isParticipantRole(value) : isAgeGroup(value));
  const answer = valid && hash ? await findParticipantAnswer(db, eventId, hash) : undefined;
  if (!answer || !hash) {
    await badButton(ctx);
    return;
  }
  const round = await findRound(db, eventId);
  if (!round || !isLinkOpen(round, now)) {
    await closedAlert(ctx, eventId);
    return;
  }
  let saved: UpdateResult | undefined;
  if (step === "role" && isParticipantRole(value)) saved = await setParticipantRole(db, eventId, hash, value, now);
  else if (step === "age" && isAgeGroup(value)) saved = await setParticipantAgeGroup(db, eventId, hash, value, now);
  if (saved && !saved.ok) {
    if (saved.reason === "closed") await closedAlert(ctx, eventId);
    else await badButton(ctx);
    return;
  }
  await ctx.answerCallbackQuery();
  const question = step === "role" ? roleQuestion(ctx.t, eventId).text : ageQuestion(ctx.t, eventId).text;
  const label = value === "skip" ? null : ctx.t(step === "role" ? `participant.roles.${value}` : `participant.ages.${value}`);
  await settleQuestion(ctx, `${question}\n\n${label === null ? ctx.t("participant.skipped") : ctx.t("participant.chosen", { answer: label })}`);
  if (step === "role") {
    const next = ageQuestion(ctx.t, eventId);
    await ctx.reply(next.text, { reply_markup: next.keyboard });
  } else {
    await ctx.reply(ctx.t("participant.thanks"));
  }
});

/** The pf:qr button answers with an alert; anywhere else (right after recording the event as held) a message. */
const ownButton = (ctx: BotContext, eventId: number) => ctx.callbackQuery?.data === `pf:qr:${eventId}`;

async function refuse(ctx: BotContext, eventId: number, key: string, values: Record<string, string> = {}): Promise<void> {
  if (ownButton(ctx, eventId)) await ctx.answerCallbackQuery({ text: ctx.t(key, values), show_alert: true });
  else await ctx.reply(ctx.t(key, values));
}

/** The participants' link as a message and its QR code as a PNG with its caption. */
export interface ParticipantLinkParts {
  text: string;
  qr: InputFile;
  caption: string;
}

/**
 * The participants' link and its QR code, for someone who manages the event (eventForAction),
 * once it is held and its feedback round is open; otherwise says why not and gives undefined.
 */
export async function participantLinkParts(ctx: BotContext, eventId: number): Promise<ParticipantLinkParts | undefined> {
  const event = await eventForAction(ctx, eventId, "manage");
  if (!event) return undefined;
  const { db, config } = ctx.deps;
  if (event.status !== "held" && event.status !== "closed") {
    await refuse(ctx, eventId, "participant.staff.not_held", { status: ctx.t(`events.statuses.${event.status}`) });
    return undefined;
  }
  const round = await findRound(db, eventId);
  if (!round) {
    await refuse(ctx, eventId, "participant.staff.no_round");
    return undefined;
  }
  if (!isLinkOpen(round, ctx.deps.now())) {
    await refuse(ctx, eventId, "participant.staff.link_closed", { date: formatDateTime(round.linkClosesAt, ctx.lang, config.timeZone) });
    return undefined;
  }
  const username = ctx.me.username;
  const png = await participantQrPng(participantLink(username, round.token));
  return {
    text: participantLinkText(ctx.t, ctx.lang, config.timeZone, event, round, username),
    qr: new InputFile(png, "feedback-qr.png"),
    caption: ctx.t("participant.link.qr_caption", { title: clip(event.title, 200) }),
  };
}

/** The pf:qr button: the link as a message, then its QR code as a photo. */
async function sendParticipantLink(ctx: BotContext, eventId: number): Promise<void> {
  const parts = await participantLinkParts(ctx, eventId);
  if (!parts) return;
  if (ownButton(ctx, eventId)) await ctx.answerCallbackQuery();
  await ctx.reply(parts.text, { link_preview_options: { is_disabled: true } });
  await ctx.replyWithPhoto(parts.qr, { caption: parts.caption });
}

privateChats.callbackQuery(/^pf:qr:(\d{1,9})$/, requireRole("admin", "staff"), async (ctx) => {
  await sendParticipantLink(ctx, Number(ctx.match[1]));
});

// Any other pf: data is forged or from an old version of the bot.
privateChats.callbackQuery(/^pf:/, badButton);

export { composer as participantFeedbackFeature };
