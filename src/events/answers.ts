import { Composer } from "grammy";
import type { Decision } from "./domain/schema.js";
import { contactOfUserForEvent } from "./domain/confirmations.js";
import { canDecide, getEvent } from "./domain/events.js";
import type { BotContext } from "../core/context.js";
import { alreadyDecidedText, saveConfirmation } from "./event-action-dialogs.js";
import {
  EVENT_CANCEL_CONVERSATION,
  EVENT_DECISION_CONVERSATION,
  EVENT_HELD_CONVERSATION,
  EVENT_OTHER_TIME_CONVERSATION,
} from "./event-action-dialogs.js";
import { requireRole } from "../core/access/require-role.js";
import { actorOf } from "../core/access/actor.js";
import { eventForAction } from "./card.js";

/** Approval (ea:), partner confirmation (ec:) and "was it held?" (eh:) buttons. */
const composer = new Composer<BotContext>();
const privateChats = composer.chatType("private");

const DECISIONS: Record<string, Decision> = { ok: "approved", no: "rejected", chg: "changes_requested" };

async function denied(ctx: BotContext): Promise<void> {
  ctx.deps.logger.warn({ telegramId: ctx.from?.id, role: ctx.role, data: ctx.callbackQuery?.data }, "event button refused");
  await ctx.answerCallbackQuery({ text: ctx.t("access.denied_button"), show_alert: true });
}

// Deciders are admins and unit heads (canDecide); confirmations come from the partners' contacts.
privateChats.callbackQuery(/^ea:(ok|no|chg):(\d{1,9})$/, requireRole("admin", "staff"), async (ctx) => {
  const decision = DECISIONS[ctx.match[1]!]!;
  const actor = actorOf(ctx);
  const event = await getEvent(ctx.deps.db, Number(ctx.match[2]));
  if (!event) {
    await ctx.answerCallbackQuery({ text: ctx.t("events.not_found"), show_alert: true });
    return;
  }
  if (!actor || !(await canDecide(ctx.deps.db, actor, event))) {
    await denied(ctx);
    return;
  }
  if (event.status !== "proposed") {
    await ctx.answerCallbackQuery({ text: await alreadyDecidedText(ctx, event), show_alert: true });
    return;
  }
  await ctx.answerCallbackQuery();
  await ctx.conversation.enter(EVENT_DECISION_CONVERSATION, event.id, decision);
});

privateChats.callbackQuery(/^ec:(yes|no|alt):(\d{1,9})$/, requireRole("admin", "staff", "partner"), async (ctx) => {
  const action = ctx.match[1];
  const event = await getEvent(ctx.deps.db, Number(ctx.match[2]));
  if (!event) {
    await ctx.answerCallbackQuery({ text: ctx.t("events.not_found"), show_alert: true });
    return;
  }
  if (!ctx.user || !(await contactOfUserForEvent(ctx.deps.db, ctx.user.id, event.id))) {
    await denied(ctx);
    return;
  }
  if (event.status !== "approved" || event.endsAt <= ctx.deps.now()) {
    await ctx.answerCallbackQuery({ text: ctx.t("events.confirm.refused_wrong_status"), show_alert: true });
    return;
  }
  await ctx.answerCallbackQuery();
  if (action === "alt") await ctx.conversation.enter(EVENT_OTHER_TIME_CONVERSATION, event.id);
  else await saveConfirmation(ctx, event.id, action === "yes" ? "confirmed" : "declined", null);
});

privateChats.callbackQuery(/^eh:(yes|no):(\d{1,9})$/, requireRole("admin", "staff"), async (ctx) => {
  const event = await eventForAction(ctx, Number(ctx.match[2]), "manage");
  if (!event) return;
  if (event.status !== "approved") {
    await ctx.answerCallbackQuery({ text: ctx.t("events.held.already", { status: ctx.t(`events.statuses.${event.status}`) }), show_alert: true });
    return;
  }
  if (event.endsAt > ctx.deps.now()) {
    await ctx.answerCallbackQuery({ text: ctx.t("events.held.not_ended"), show_alert: true });
    return;
  }
  await ctx.answerCallbackQuery();
  if (ctx.match[1] === "yes") await ctx.conversation.enter(EVENT_HELD_CONVERSATION, event.id);
  else await ctx.conversation.enter(EVENT_CANCEL_CONVERSATION, event.id, "not_held");
});

// Any other ea:/ec:/eh: data is forged or from an old version of the bot.
privateChats.callbackQuery(/^(ea|ec|eh):/, async (ctx) => {
  await ctx.answerCallbackQuery({ text: ctx.t("common.button_outdated") });
});

export { composer as eventAnswersFeature };
