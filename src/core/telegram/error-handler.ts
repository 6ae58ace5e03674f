import { type BotError, GrammyError } from "grammy";
import type { Update } from "grammy/types";
import { markBotBlocked } from "../access/users.js";
import type { BotContext } from "../context.js";
import { pickLanguage } from "../i18n.js";

/**
 * Logs the failure with its update and apologises to the user; never throws. A 403 from
 * Telegram (the person blocked the bot, the bot was removed from a group) is not a failure of
 * the bot: it is logged at info, once per person, and there is nobody to apologise to.
 */
export async function handleError(error: BotError<BotContext>): Promise<void> {
  const ctx = error.ctx;
  const { logger, i18n, config } = ctx.deps;
  if (error.error instanceof GrammyError && error.error.error_code === 403) {
    await noteUnreachable(ctx, error.error);
    return;
  }
  logger.error({ err: error.error, update: ctx.update }, "update handler failed");
  const t = ctx.t ?? i18n.fixedT(pickLanguage(undefined, ctx.from?.language_code, config.defaultLanguage));
  try {
    if (ctx.callbackQuery && (await apologiseAsAnswer(ctx, t("errors.internal_short")))) return;
    if (ctx.chat?.type === "private") await ctx.reply(t("errors.internal"));
  } catch (replyError) {
    logger.warn({ err: replyError }, "could not apologise for a failed update");
  }
}

/**
 * Apologises in the answer to the button press; false when Telegram refuses it because the press
 * was answered already (a button is answered once): then the apology goes to the chat.
 */
async function apologiseAsAnswer(ctx: BotContext, text: string): Promise<boolean> {
  try {
    await ctx.answerCallbackQuery({ text, show_alert: true });
    return true;
  } catch (error) {
    if (error instanceof GrammyError && error.error_code === 400 && ctx.chat?.type === "private") return false;
    throw error;
  }
}

/** When the person sent the update: a message, an edit, a change of the chat; a button press has no date. */
function sentAt(update: Update): Date | undefined {
  const seconds = update.message?.date ?? update.edited_message?.edit_date ?? update.my_chat_member?.date;
  return seconds === undefined ? undefined : new Date(seconds * 1000);
}

async function noteUnreachable(ctx: BotContext, error: GrammyError): Promise<void> {
  const { logger, db, now } = ctx.deps;
  const where = { telegramId: ctx.from?.id, chatId: ctx.chat?.id, update: ctx.update.update_id, method: error.method, description: error.description };
  if (ctx.chat?.type !== "private" || !ctx.from) {
    logger.info(where, "Telegram refused to deliver to this chat");
    return;
  }
  try {
    const news = await markBotBlocked(db, ctx.from.id, { at: now(), sentAt: sentAt(ctx.update) });
    if (news) logger.info(where, "the person blocked the bot; marked as blocked until they write again");
    else logger.debug(where, "the person still blocks the bot");
  } catch (markError) {
    logger.warn({ ...where, err: markError }, "could not mark a person who blocked the bot");
  }
}
