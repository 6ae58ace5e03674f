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

/**
 * API plugins for bot.api and, separately, for the Api that conversations build for themselves
 * (a transformer on bot.api does not reach calls made inside a conversation).
 */
export function installApiPlugins(api: Api): void {
  // Flood waits (429) are waited out; network failures are not retried forever: they surface
  // as errors (the runner retries getUpdates on its own, start-up has its own bounded retries).
  api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 60, rethrowHttpErrors: true }));
  api.config.use(htmlByDefault);
}
