import type { Partner } from "./domain/schema.js";
import { canEditPartner, canViewPartner, getPartner } from "./domain/partners.js";
import type { BotContext } from "../core/context.js";
import { actorOf } from "../core/access/actor.js";

export { actorOf };

/**
 * Loads a partner for an action and checks, on the server, that this user may do it. On refusal
 * it answers (alert for a button, message otherwise) and returns undefined.
 */
export async function partnerForAction(ctx: BotContext, partnerId: number, need: "view" | "edit"): Promise<Partner | undefined> {
  const actor = actorOf(ctx);
  const partner = await getPartner(ctx.deps.db, partnerId);
  const allowed =
    actor !== undefined &&
    partner !== undefined &&
    (need === "view" ? await canViewPartner(ctx.deps.db, actor, partnerId) : await canEditPartner(ctx.deps.db, actor, partner));
  if (allowed) return partner;
  const text = partner ? ctx.t("access.denied_button") : ctx.t("partners.not_found");
  if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text, show_alert: true });
  else await ctx.reply(text);
  return undefined;
}
