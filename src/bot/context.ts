import type { ConversationFlavor } from "@grammyjs/conversations";
import type { Context, SessionFlavor } from "grammy";
import type { Config, Language } from "../config.js";
import type { Db } from "../db/client.js";
import type { Focus, PartnerType, Role, Stage, User } from "../db/schema/index.js";
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

export interface PartnerListState {
  type?: PartnerType;
  stage?: Stage;
  unitId?: number;
  focus?: Focus;
  mine?: boolean;
  text?: string;
  page: number;
  /** Set by the Search button: the next text message is the search query. */
  awaitingSearch?: boolean;
}

export interface SessionData {
  /** The page of /staff last looked at, so the list reopens where the admin left it. */
  staffPage: number;
  /** Filters and page of /partners, kept so the list comes back as it was left. */
  partners?: PartnerListState;
}

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
