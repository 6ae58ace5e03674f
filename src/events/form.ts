import { Composer } from "grammy";
import { planItemSource } from "./domain/proposal.js";
import type { BotContext } from "../core/context.js";
import { EVENT_CONVERSATION, type EventFormStart } from "./event-dialog.js";
import { requireCommandRole, requireRole } from "../core/access/require-role.js";
import { partnerForAction } from "../partners/index.js";

const composer = new Composer<BotContext>();
const privateChats = composer.chatType("private");

privateChats.command("newevent", requireCommandRole("newevent"), async (ctx) => {
  await ctx.conversation.enter(EVENT_CONVERSATION, {} satisfies EventFormStart);
});

/** "Propose an event" on a partner card (ev:new) and on a joint-plan item (ev:plan), re-checked here: data can be forged. */
privateChats.callbackQuery(/^ev:(new|plan):(\d{1,9})$/, requireRole("staff", "admin"), async (ctx) => {
  const id = Number(ctx.match[2]);
  const source = ctx.match[1] === "plan" ? await planItemSource(ctx.deps.db, id) : undefined;
  if (ctx.match[1] === "plan" && !source) {
    await ctx.answerCallbackQuery({ text: ctx.t("event_form.plan_item_not_found"), show_alert: true });
    return;
  }
  const partner = await partnerForAction(ctx, source?.partnerId ?? id, "view");
  if (!partner) return;
  if (partner.stage === "archived") {
    await ctx.answerCallbackQuery({ text: ctx.t("event_form.partner_in_archive"), show_alert: true });
    return;
  }
  await ctx.answerCallbackQuery();
  const start: EventFormStart = source ? { planItemId: source.planItemId } : { partnerId: partner.id };
  await ctx.conversation.enter(EVENT_CONVERSATION, start);
});

export { composer as eventFormFeature };
