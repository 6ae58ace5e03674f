import type { ConversationFlavor } from "@grammyjs/conversations";
import type { Context, SessionFlavor } from "grammy";
import type { Config, Language } from "../config.js";
import type { Db } from "./db/client.js";
import type { Role, User } from "./access/schema.js";
import type { Logger } from "../logger.js";
import type { I18n, TFunction } from "./i18n.js";

export interface BotDeps {
  config: Config;
  db: Db;
  logger: Logger;
  i18n: I18n;
  /** The clock; tests move it. */
  now: () => Date;
  /** Tells the outbox sender that messages were enqueued (call after the transaction commits). */
  wakeOutbox: () => void;
}

/**
 * What the bot keeps per chat between updates. Each area adds its own fields by augmenting this
 * interface (`declare module "…/core/context.js"`), so core names none of them.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by the areas
export interface SessionData {}

interface Localised {
  t: TFunction;
  lang: Language;
}

interface BotExtras extends Localised {
  deps: BotDeps;
  /** The user behind a private-chat update; undefined in groups and for updates without a sender. */
  user: User | undefined;
  role: Role;
}

export type BotContext = ConversationFlavor<Context & SessionFlavor<SessionData> & BotExtras>;

/** The context inside conversations: a fresh object per update, with only what plugins install. */
export type ConversationContext = Context & Localised;
