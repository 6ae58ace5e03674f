import type { MiddlewareFn } from "grammy";
import type { Role } from "../../db/schema/index.js";
import type { BotContext } from "../context.js";

/**
 * Lets only the given roles through. Checked on the server for every update, buttons included:
 * callback data can be forged by anyone.
 */
export function requireRole(...roles: Role[]): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    if (roles.includes(ctx.role)) return next();
    ctx.deps.logger.warn({ telegramId: ctx.from?.id, role: ctx.role, update: ctx.update.update_id }, "access refused");
    if (ctx.callbackQuery) {
      await ctx.answerCallbackQuery({ text: ctx.t("access.denied_button"), show_alert: true });
    } else {
      await ctx.reply(ctx.t("access.denied_command"));
    }
  };
}
