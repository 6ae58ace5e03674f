import { Composer, InlineKeyboard } from "grammy";
import { EVENT_LEVELS, type Event, type EventLevel } from "./domain/schema.js";
import { type EventOverview, canViewEvent, eventOverview } from "./domain/overview.js";
import { canDecide, canManageEvent, getEvent, updateEvent } from "./domain/events.js";
import { Extension } from "../core/extension.js";
import type { BotContext } from "../core/context.js";
import { EVENT_CANCEL_CONVERSATION, EVENT_PLACE_CONVERSATION, EVENT_TIME_CONVERSATION } from "./event-action-dialogs.js";
import { enqueueApprovalRequests, heldQuestion } from "./notices.js";
import { eventSummary, levelLabel, levelOf } from "./text.js";
import { noticeDepsOf } from "../core/outbox/notices.js";
import { fitButton } from "../core/telegram/button-label.js";
import { formatDateTime, plainName } from "../core/telegram/format.js";
import { clip } from "../core/telegram/html.js";
import { requireRole } from "../core/access/require-role.js";
import { actorOf } from "../core/access/actor.js";

const composer = new Composer<BotContext>();
const privateChats = composer.chatType("private");

/** Statuses in which the date, time and place can still change. */
const CHANGEABLE = ["proposed", "changes_requested", "approved"] as const;

async function refuse(ctx: BotContext, key: string): Promise<void> {
  if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ctx.t(key), show_alert: true });
  else await ctx.reply(ctx.t(key));
}

/**
 * Loads an event for an action and checks, on the server, that this user may do it: view (staff;
 * partner contacts for their own organisation's events) or manage (canManageEvent). On refusal
 * it answers and returns undefined.
 */
export async function eventForAction(ctx: BotContext, eventId: number, need: "view" | "manage"): Promise<Event | undefined> {
  const actor = actorOf(ctx);
  const event = await getEvent(ctx.deps.db, eventId);
  if (!event) {
    await refuse(ctx, "events.not_found");
    return undefined;
  }
  const allowed =
    actor !== undefined &&
    (need === "view" ? await canViewEvent(ctx.deps.db, actor, eventId) : await canManageEvent(ctx.deps.db, actor, event));
  if (allowed) return event;
  ctx.deps.logger.warn({ telegramId: ctx.from?.id, role: ctx.role, eventId, need }, "event access refused");
  await refuse(ctx, "access.denied_button");
  return undefined;
}

/**
 * Buttons other areas add under the event card for those who manage the event (the feedback
 * results, the participants' link): each returns its button or nothing.
 */
export type EventCardButton = (ctx: BotContext, event: Event) => Promise<{ label: string; data: string } | undefined>;
export const eventCardButtons = new Extension<EventCardButton>("event card buttons");

/** Shows the event card: one message, edited in place when `mode` is "edit" and a button was pressed. */
export async function showEventCard(ctx: BotContext, eventId: number, mode: "reply" | "edit"): Promise<void> {
  const actor = actorOf(ctx);
  const overview = await eventOverview(ctx.deps.db, eventId);
  if (!overview) {
    await ctx.reply(ctx.t("events.not_found"));
    return;
  }
  if (!actor || !(await canViewEvent(ctx.deps.db, actor, eventId))) {
    await ctx.reply(ctx.t("access.denied_button"));
    return;
  }
  const { event } = overview;
  const manage = await canManageEvent(ctx.deps.db, actor, event);
  const decide = event.status === "proposed" && (await canDecide(ctx.deps.db, actor, event));
  const text = renderCard(ctx, overview);
  const keyboard = cardKeyboard(ctx, event, manage, decide);
  if (manage) {
    for (const button of eventCardButtons.items) {
      const added = await button(ctx, event);
      if (added) keyboard.row().text(added.label, added.data);
    }
  }
  // A photo's caption cannot become a card (the QR code after "held" carries a card button): a new message then.
  if (mode === "edit" && ctx.callbackQuery?.message?.text !== undefined) {
    await ctx.editMessageText(text, { reply_markup: keyboard, link_preview_options: { is_disabled: true } });
  } else {
    await ctx.reply(text, { reply_markup: keyboard, link_preview_options: { is_disabled: true } });
  }
}

function renderCard(ctx: BotContext, overview: EventOverview): string {
  const { t } = ctx;
  const { event } = overview;
  const timeZone = ctx.deps.config.timeZone;
  const lines = eventSummary(t, ctx.lang, timeZone, overview);
  lines.push("", t("events.card.status", { status: t(`events.statuses.${event.status}`) }));
  if (event.status === "cancelled" && event.cancelReason) lines.push(t("events.card.cancel_reason", { reason: clip(event.cancelReason, 500) }));
  if ((event.status === "held" || event.status === "closed") && event.participantsGifted !== null) {
    const counts = [event.participantsGifted, event.participantsDisabilities, event.participantsCareerGuidance, event.participantsOther].map(
      (n) => n ?? 0,
    );
    lines.push(
      t("events.card.participants", {
        count: counts.reduce((a, b) => a + b, 0),
        gifted: counts[0],
        disabilities: counts[1],
        career: counts[2],
        other: counts[3],
      }),
    );
    // Events held before results were asked (and those that have none) show no result lines.
    if (event.winners !== null || event.prizeWinners !== null) {
      lines.push(t("events.card.winners", { winners: event.winners ?? 0, prizeWinners: event.prizeWinners ?? 0 }));
    }
    if (event.projectStudents !== null) lines.push(t("events.card.project_students", { count: event.projectStudents }));
    if (event.result) lines.push(t("events.card.result", { result: clip(event.result, 800) }));
  }
  // Decisions and their comments are internal work: partner contacts do not read them.
  if (overview.decisions.length > 0 && (ctx.role === "staff" || ctx.role === "admin")) {
    lines.push("", t("events.card.decisions_title"));
    for (const decision of overview.decisions.slice(-10)) {
      lines.push(
        t("events.card.decision_line", {
          date: formatDateTime(decision.decidedAt, ctx.lang, timeZone),
          decision: t(`events.decisions.${decision.decision}`),
          who: plainName(decision.decidedBy),
        }),
      );
      if (decision.comment) lines.push(t("events.card.comment_line", { comment: clip(decision.comment, 300) }));
    }
  }
  if (overview.confirmations.length > 0) {
    lines.push("", t("events.card.answers_title"));
    for (const answer of overview.confirmations.slice(0, 15)) {
      lines.push(
        t("events.card.answer_line", {
          contact: clip(answer.contactName, 100),
          partner: clip(answer.partnerName, 100),
          answer: t(`events.answers.${answer.answer}`),
        }),
      );
      if (answer.comment) lines.push(t("events.card.comment_line", { comment: clip(answer.comment, 300) }));
    }
  } else if (event.status === "approved") {
    lines.push("", t("events.card.answers_none"));
  }
  return lines.join("\n");
}

function cardKeyboard(ctx: BotContext, event: Event, manage: boolean, decide: boolean): InlineKeyboard {
  const { t } = ctx;
  const now = ctx.deps.now();
  const keyboard = new InlineKeyboard();
  if (decide) {
    keyboard.text(t("events.buttons.approve"), `ea:ok:${event.id}`).text(t("events.buttons.reject"), `ea:no:${event.id}`).row();
    keyboard.text(t("events.buttons.ask_changes"), `ea:chg:${event.id}`).row();
  }
  if (manage && (CHANGEABLE as readonly string[]).includes(event.status) && event.startsAt > now) {
    keyboard.text(t("events.buttons.change_time"), `ev:time:${event.id}`).text(t("events.buttons.change_place"), `ev:place:${event.id}`).row();
    keyboard.text(t("events.buttons.change_level"), `ev:level:${event.id}`).row();
  }
  if (manage && (event.status === "proposed" || event.status === "approved") && event.endsAt > now) {
    keyboard.text(t("events.buttons.cancel_event"), `ev:cancel:${event.id}`).row();
  }
  if (manage && event.status === "approved" && event.endsAt <= now) {
    keyboard.text(t("events.buttons.record_outcome"), `ev:outcome:${event.id}`).row();
  }
  keyboard.text(t("events.buttons.ics"), `ev:ics:${event.id}`);
  return keyboard;
}

privateChats.callbackQuery(/^ev:open:(\d{1,9})$/, requireRole("admin", "staff", "partner"), async (ctx) => {
  const eventId = Number(ctx.match[1]);
  if (!(await eventForAction(ctx, eventId, "view"))) return;
  await ctx.answerCallbackQuery();
  await showEventCard(ctx, eventId, "edit");
});

privateChats.callbackQuery(/^ev:(time|place|level|cancel|outcome):(\d{1,9})$/, requireRole("admin", "staff"), async (ctx) => {
  const action = ctx.match[1];
  const event = await eventForAction(ctx, Number(ctx.match[2]), "manage");
  if (!event) return;
  const now = ctx.deps.now();
  const allowed =
    action === "outcome"
      ? event.status === "approved" && event.endsAt <= now
      : action === "cancel"
        ? (event.status === "proposed" || event.status === "approved") && event.endsAt > now
        : (CHANGEABLE as readonly string[]).includes(event.status) && event.startsAt > now;
  if (!allowed) {
    await ctx.answerCallbackQuery({ text: ctx.t("events.refused.wrong_status", { status: ctx.t(`events.statuses.${event.status}`) }), show_alert: true });
    return;
  }
  await ctx.answerCallbackQuery();
  if (action === "level") await showLevelPicker(ctx, event);
  else if (action === "time") await ctx.conversation.enter(EVENT_TIME_CONVERSATION, event.id);
  else if (action === "place") await ctx.conversation.enter(EVENT_PLACE_CONVERSATION, event.id);
  else if (action === "cancel") await ctx.conversation.enter(EVENT_CANCEL_CONVERSATION, event.id, "cancel");
  else {
    const question = heldQuestion(ctx.t, ctx.lang, ctx.deps.config.timeZone, event);
    await ctx.reply(question.text, { reply_markup: question.keyboard });
  }
});

/** The card's «🏅 Level»: the card becomes the six levels (the current one ticked) and the way back to it. */
async function showLevelPicker(ctx: BotContext, event: Event): Promise<void> {
  const keyboard = new InlineKeyboard();
  EVENT_LEVELS.forEach((level, i) => {
    const label = levelLabel(ctx.t, level);
    keyboard.text(fitButton(level === event.level ? `✓ ${label}` : label), `ev:lvl:${event.id}:${level}`);
    if (i % 2 === 1) keyboard.row();
  });
  keyboard.text(ctx.t("common.back"), `ev:open:${event.id}`);
  const text = ctx.t("events.edit.ask_level", { title: clip(event.title, 200), current: levelOf(ctx.t, event.level) });
  if (ctx.callbackQuery?.message?.text !== undefined) await ctx.editMessageText(text, { reply_markup: keyboard });
  else await ctx.reply(text, { reply_markup: keyboard });
}

/**
 * A level chosen: saved with the audit log like the place, checked again here (the data can be
 * forged or stale). It does not send an approved event back for approval; a proposal returned
 * for changes goes back to the deciders, as after any change.
 */
privateChats.callbackQuery(new RegExp(`^ev:lvl:(\\d{1,9}):(${EVENT_LEVELS.join("|")})$`), requireRole("admin", "staff"), async (ctx) => {
  const level = ctx.match[2] as EventLevel;
  const event = await eventForAction(ctx, Number(ctx.match[1]), "manage");
  if (!event) return;
  const actor = actorOf(ctx)!;
  if (!(CHANGEABLE as readonly string[]).includes(event.status) || event.startsAt <= ctx.deps.now()) {
    await ctx.answerCallbackQuery({ text: ctx.t("events.refused.wrong_status", { status: ctx.t(`events.statuses.${event.status}`) }), show_alert: true });
    return;
  }
  const saved = ctx.t("events.edit.level_saved", { level: levelOf(ctx.t, level) });
  if (level === event.level) {
    await ctx.answerCallbackQuery({ text: saved });
    await showEventCard(ctx, event.id, "edit");
    return;
  }
  const result = await ctx.deps.db.transaction(async (tx) => {
    const updated = await updateEvent(tx, actor, event.id, { level }, ctx.deps.now());
    if (updated.ok && event.status === "changes_requested") await enqueueApprovalRequests(tx, noticeDepsOf(ctx.deps), event.id);
    return updated;
  });
  if (!result.ok) {
    const key = result.reason === "wrong_status" ? "events.refused.wrong_status" : `events.refused.${result.reason}`;
    await ctx.answerCallbackQuery({ text: ctx.t(key, { status: ctx.t(`events.statuses.${event.status}`) }), show_alert: true });
    return;
  }
  if (event.status === "changes_requested") {
    ctx.deps.wakeOutbox();
    await ctx.answerCallbackQuery({ text: ctx.t("events.edit.sent_to_deciders"), show_alert: true });
  } else {
    await ctx.answerCallbackQuery({ text: saved });
  }
  await showEventCard(ctx, event.id, "edit");
});

export { composer as eventCardFeature };
