import { autoRetry } from "@grammyjs/auto-retry";
import type { Api, Transformer } from "grammy";

const HTML_METHODS = new Set(["sendMessage", "editMessageText", "sendPhoto", "sendDocument", "editMessageCaption"]);

/** Every text the bot sends is HTML unless a call says otherwise: locale strings carry <b> and such. */
const htmlByDefault: Transformer = (prev, method, payload, signal) => {
  if (HTML_METHODS.has(method) && payload && typeof payload === "object" && !("parse_mode" in payload)) {
    return prev(method, { ...payload, parse_mode: "HTML" } as typeof payload, signal);
  }
  return prev(method, payload, signal);
};

const EDIT_METHODS = new Set(["editMessageText", "editMessageReplyMarkup", "editMessageCaption"]);

/**
 * Pressing a button that redraws the message it sits under (the card's «Back to the card», the
 * page already shown) asks for an edit that changes nothing. Telegram refuses it as "message is
 * not modified"; the message already shows what was asked, so that is success, not an error.
 */
const unchangedEditIsDone: Transformer = async (prev, method, payload, signal) => {
  const response = await prev(method, payload, signal);
  if (!response.ok && EDIT_METHODS.has(method) && /message is not modified/i.test(response.description)) {
    return { ok: true, result: true } as unknown as typeof response;
  }
  return response;
};

/**
 * API plugins for bot.api and, separately, for the Api that conversations build for themselves
 * (a transformer on bot.api does not reach calls made inside a conversation).
 */
export function installApiPlugins(api: Api): void {
  // Flood waits (429) are waited out; network failures are not retried forever: they surface
  // as errors (the runner retries getUpdates on its own, start-up has its own bounded retries).
  api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 60, rethrowHttpErrors: true }));
  api.config.use(htmlByDefault);
  api.config.use(unchangedEditIsDone);
}
