import { conversations } from "@grammyjs/conversations";
import { sequentialize } from "@grammyjs/runner";
import { Bot, type BotConfig, type Context, session } from "grammy";
import fetchWithNode from "node-fetch";
import type { UserFromGetMe } from "grammy/types";
import { CONVERSATION_KEY_PREFIX, DbStateStorage, SESSION_KEY_PREFIX } from "./core/db/state-storage.js";
import { journaledDb } from "./core/db/update-scope.js";
import { localOwner, type PrefetchPlan, type UpdateOwner } from "./core/db/processed-updates.js";
import { Inbox, journalingFetch } from "./core/telegram/exactly-once.js";
import { installApiPlugins } from "./core/telegram/api-plugins.js";
import type { BotContext, BotDeps, ConversationContext, SessionData } from "./core/context.js";
import { AREAS } from "./areas.js";
import { makeUpdateStorable } from "./core/storable-text.js";
import { handleError } from "./core/telegram/error-handler.js";
import type { InFlightUpdates } from "./core/telegram/in-flight.js";
import { cancelFeature } from "./core/telegram/cancel.js";
import { editedMessagesFeature } from "./core/telegram/edited-messages.js";
import { fallbackFeature } from "./core/telegram/fallback.js";
import { groupFeature } from "./core/telegram/group.js";
import { identifiesSender, identify } from "./core/access/identify.js";
import { blockedKey } from "./core/access/users.js";

/**
 * The Bot API's HTTP client: node-fetch, as grammY's own default on Node, with its keep-alive
 * agent (grammY passes it in `agent`). Node's built-in fetch costs several times the CPU per
 * call in its web streams (measured in npm run bench:inbound).
 */
const nodeFetch = ((input: string, init?: RequestInit) => fetchWithNode(input, init as never)) as unknown as typeof fetch;

/** One key for sequentialize, sessions and conversations: the chat. */
export function chatKey(ctx: Context): string | undefined {
  return ctx.chat?.id.toString();
}

/** What every update reads first, read with its claim in one statement: the sender, the chat's state. */
function prefetchPlan(ctx: Context): PrefetchPlan {
  const chat = chatKey(ctx);
  const sender = ctx.from && identifiesSender(ctx) ? ctx.from.id : null;
  return {
    telegramId: sender,
    blockedKey: sender === null ? null : blockedKey(sender),
    stateKeys: chat === undefined ? [] : [SESSION_KEY_PREFIX + chat, CONVERSATION_KEY_PREFIX + chat],
  };
}

/** Bump when a conversation's code changes in a way old saved states cannot replay into. */
const CONVERSATIONS_VERSION = 1;

export interface CreateBotOptions {
  /** Skips getMe at start-up (tests pass a fixed identity). */
  botInfo?: UserFromGetMe;
  client?: BotConfig<BotContext>["client"];
  /** Counts updates in flight, for a graceful shutdown. */
  inFlight?: InFlightUpdates;
  /** Who this instance is when claiming updates (see exactly-once.ts); a local owner by default. */
  owner?: UpdateOwner;
}

const inboxes = new WeakMap<Bot<BotContext>, Inbox>();

/** The inbox of a bot made by createBot: recover() hands it the updates a dead process left. */
export function inboxOf(bot: Bot<BotContext>): Inbox {
  const inbox = inboxes.get(bot);
  if (!inbox) throw new Error("not a bot made by createBot");
  return inbox;
}

export function createBot(rawDeps: BotDeps, options: CreateBotOptions = {}): Bot<BotContext> {
  // Handlers write through the journaling view of the database (their effects happen once).
  const deps: BotDeps = { ...rawDeps, db: journaledDb(rawDeps.db) };
  const bot = new Bot<BotContext>(deps.config.botToken, {
    ...(options.botInfo ? { botInfo: options.botInfo } : {}),
    client: {
      ...(deps.config.telegramApiRoot ? { apiRoot: deps.config.telegramApiRoot } : {}),
      ...options.client,
      fetch: journalingFetch((options.client?.fetch as typeof fetch | undefined) ?? nodeFetch) as never,
    },
  });
  installApiPlugins(bot.api);
  const inbox = new Inbox(rawDeps.db, options.owner ?? localOwner(), deps.logger, prefetchPlan);
  inboxes.set(bot, inbox);
  bot.api.config.use(inbox.onGetUpdates);
  const storage = new DbStateStorage<unknown>(rawDeps.db);

  if (options.inFlight) bot.use(options.inFlight.middleware);
  bot.use((ctx, next) => {
    // The one boundary where user text becomes storable: nothing past it meets NUL or lone surrogates.
    makeUpdateStorable(ctx.update);
    ctx.deps = deps;
    return next();
  });
  bot.catch((error) => handleError(error));

  // One chat's updates in order; within that, each update claimed, handled and finished once.
  bot.use(sequentialize(chatKey));
  bot.use(inbox.middleware);
  const protectedBot = bot.errorBoundary(handleError);
  protectedBot.use(identify);
  protectedBot.use(
    session<SessionData, BotContext>({
      getSessionKey: chatKey,
      initial: () => ({ staffPage: 0 }),
      prefix: SESSION_KEY_PREFIX,
      storage: storage as DbStateStorage<SessionData>,
    }),
  );
  protectedBot.use(groupFeature);
  protectedBot.use(editedMessagesFeature);
  protectedBot.use(
    conversations<BotContext, ConversationContext>({
      storage: { type: "key", version: CONVERSATIONS_VERSION, prefix: CONVERSATION_KEY_PREFIX, getStorageKey: chatKey, adapter: storage as never },
      plugins: (conversation) => [
        async (ctx, next) => {
          installApiPlugins(ctx.api);
          const { lang } = await conversation.external((outside) => ({ lang: outside.lang }));
          ctx.lang = lang;
          ctx.t = deps.i18n.fixedT(lang);
          await next();
        },
      ],
    }),
  );
  protectedBot.use(cancelFeature);
  // Every area's dialogs before any area's commands and buttons: an open dialog gets its updates first.
  for (const area of AREAS) protectedBot.use(area.dialogs);
  for (const area of AREAS) protectedBot.use(area.composer);
  protectedBot.use(fallbackFeature);
  return bot;
}
