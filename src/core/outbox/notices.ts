import type { InlineKeyboard } from "grammy";
import { type I18n, pickLanguage, type TFunction } from "../i18n.js";
import type { BotDeps } from "../context.js";
import type { Language } from "../../config.js";
import type { User } from "../access/schema.js";
import type { Writer } from "../audit.js";
import { enqueue } from "./sender.js";

/** Whom a notice goes to: enough to address them and pick their language. */
export type Recipient = Pick<User, "id" | "telegramId" | "language" | "telegramLanguage">;

/** What rendering a notice needs; the bot's deps and the jobs' deps both provide it. */
export interface NoticeDeps {
  i18n: I18n;
  defaultLanguage: Language;
  timeZone: string;
}

export function noticeDepsOf(deps: Pick<BotDeps, "i18n" | "config">): NoticeDeps {
  return { i18n: deps.i18n, defaultLanguage: deps.config.defaultLanguage, timeZone: deps.config.timeZone };
}

export interface Notice {
  /** Telegram HTML. */
  text: string;
  keyboard?: InlineKeyboard;
}

export function languageOf(deps: NoticeDeps, recipient: Recipient): Language {
  return pickLanguage(recipient.language, recipient.telegramLanguage ?? undefined, deps.defaultLanguage);
}

/**
 * Renders a notice in the recipient's language and writes it to the outbox. Pass the
 * transaction of the change that causes the notice: the message exists exactly when the change
 * does, and the one outbox sender delivers it (rate limits, retries, blocked recipients).
 * With a `dedupeKey` a second call writes nothing; returns whether a message was written.
 */
export async function enqueueNotice(
  writer: Writer,
  deps: NoticeDeps,
  recipient: Recipient,
  build: (t: TFunction, language: Language) => Notice,
  dedupeKey?: string,
): Promise<boolean> {
  const language = languageOf(deps, recipient);
  const notice = build(deps.i18n.fixedT(language), language);
  const written = await enqueue(writer, {
    chatId: recipient.telegramId,
    text: notice.text,
    ...(notice.keyboard ? { replyMarkup: { inline_keyboard: notice.keyboard.inline_keyboard } } : {}),
    ...(dedupeKey === undefined ? {} : { dedupeKey }),
  });
  return written > 0;
}
