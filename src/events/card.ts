import { Composer, InlineKeyboard } from "grammy";
import type { Event } from "./domain/schema.js";
import { type EventOverview, canViewEvent, eventOverview } from "./domain/overview.js";
import { canDecide, canManageEvent, getEvent } from "./domain/events.js";
import { Extension } from "../core/extension.js";
import type { BotContext } from "../core/context.js";
import { EVENT_CANCEL_CONVERSATION, EVENT_PLACE_CONVERSATION, EVENT_TIME_CONVERSATION } from "./event-action-dialogs.js";
import { heldQuestion } from "./notices.js";
import { eventSummary } from "./text.js";
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

privateChats.callbackQuery(/^ev:(time|place|cancel|outcome):(\d{1,9})$/, requireRole("admin", "staff"), async (ctx) => {
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
  if (action === "time") await ctx.conversation.enter(EVENT_TIME_CONVERSATION, event.id);
  else if (action === "place") await ctx.conversation.enter(EVENT_PLACE_CONVERSATION, event.id);
  else if (action === "cancel") await ctx.conversation.enter(EVENT_CANCEL_CONVERSATION, event.id, "cancel");
  else {
    const question = heldQuestion(ctx.t, ctx.lang, ctx.deps.config.timeZone, event);
    await ctx.reply(question.text, { reply_markup: question.keyboard });
  }
});

export { composer as eventCardFeature };
