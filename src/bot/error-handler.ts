import type { BotError } from "grammy";
import type { BotContext } from "./context.js";
import { pickLanguage } from "./i18n.js";

/** Logs the failure with its update and apologises to the user; never throws. */
export async function handleError(error: BotError<BotContext>): Promise<void> {
  const ctx = error.ctx;
  const { logger, i18n, config } = ctx.deps;
  logger.error({ err: error.error, update: ctx.update }, "update handler failed");
  const t = ctx.t ?? i18n.fixedT(pickLanguage(undefined, ctx.from?.language_code, config.defaultLanguage));
  try {
    if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: t("errors.internal_short"), show_alert: true });
    else if (ctx.chat?.type === "private") await ctx.reply(t("errors.internal"));
  } catch (replyError) {
    logger.warn({ err: replyError }, "could not apologise for a failed update");
  }
}
