import type { User } from "../db/schema/index.js";
import type { BotContext } from "./context.js";
import { pickLanguage } from "./i18n.js";

type Recipient = Pick<User, "id" | "telegramId" | "language" | "telegramLanguage">;

/**
 * Sends a message to another user in *their* language. A user who blocked the bot must not
 * break the action that triggered the notice, so a failure is only logged.
 */
export async function notifyUser(
  ctx: BotContext,
  recipient: Recipient,
  key: string,
  values: Record<string, string | number> = {},
): Promise<void> {
  const { config, i18n, logger } = ctx.deps;
  const language = pickLanguage(recipient.language, recipient.telegramLanguage ?? undefined, config.defaultLanguage);
  try {
    await ctx.api.sendMessage(recipient.telegramId, i18n.fixedT(language)(key, values));
  } catch (error) {
    logger.warn({ err: error, userId: recipient.id, key }, "could not deliver a notice");
  }
}
