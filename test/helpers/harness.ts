import { countRoundTrips, type RoundTrips } from "./round-trips.js";
import type { Update, User } from "grammy/types";
import { expect } from "vitest";
import type { Bot } from "grammy";
import type { BotContext } from "../../src/core/context.js";
import { createBot } from "../../src/bot.js";
import { createI18n, type I18n } from "../../src/core/i18n.js";
import { type Config, parseConfig } from "../../src/config.js";
import type { UpdateOwner } from "../../src/core/db/processed-updates.js";
import { OutboxSender } from "../../src/core/outbox/sender.js";
import { createTestDatabase, type TestDatabase } from "./db.js";
import { captureLogs, type LogLine } from "./logs.js";
import { BOT_INFO, FakeTelegram, TEST_TOKEN } from "./fake-telegram.js";
import { makeUser, press } from "./updates.js";

export { TEST_TOKEN };

export type { LogLine };

/**
 * The real bot over a real, migrated database, talking to a fake Bot API through
 * `client.fetch`. One per test file; `reset()` between tests.
 */
export interface Harness {
  database: TestDatabase;
  telegram: FakeTelegram;
  config: Config;
  i18n: I18n;
  logs: LogLine[];
  missingKeys: string[];
  clock: { now: Date };
  admin: ReturnType<typeof makeUser>;
  bot: Bot<BotContext>;
  /** The database round trips the bot made (count, statements); reset() to start counting. */
  roundTrips: RoundTrips;
  /** Hands each update to the bot, then delivers what it put in the outbox. */
  send(...updates: Update[]): Promise<void>;
  /** Delivers the outbox through the real sender (what jobs enqueue, for one); returns the calls made. */
  flushOutbox(): Promise<number>;
  /** Presses the button with callback data `data` under the last message the bot showed `user`. */
  pressButton(user: User, data: string): Promise<void>;
  /** Throws the bot object away and builds a new one over the same database (a restart). */
  restart(): void;
  /** Another instance of the bot over the same database: its own owner of updates, its own fetch. */
  instance(options: { owner?: UpdateOwner; fetch?: FakeTelegram["fetch"] }): Bot<BotContext>;
  reset(): Promise<void>;
  close(): Promise<void>;
  /** Every callback query the bot received got an answerCallbackQuery. */
  expectAllCallbacksAnswered(): void;
}

export async function createHarness(env: Record<string, string> = {}): Promise<Harness> {
  const database = await createTestDatabase();
  const missingKeys: string[] = [];
  const i18n = await createI18n((language, key) => missingKeys.push(`${language}:${key}`));
  const telegram = new FakeTelegram();
  const { logger, logs } = captureLogs();
  const admin = makeUser({ id: 111_111, first_name: "Анна", last_name: "Админова", username: "anna_admin" });
  const config = parseConfig({ BOT_TOKEN: TEST_TOKEN, ADMIN_TELEGRAM_IDS: String(admin.id), ...env });
  const clock = { now: new Date("2026-12-01T02:00:00Z") };
  const received: Update[] = [];
  const roundTrips = countRoundTrips(database.db);

  const build = (options: { owner?: UpdateOwner; fetch?: FakeTelegram["fetch"] } = {}) =>
    createBot(
      { config, db: roundTrips.db, logger, i18n, now: () => clock.now, wakeOutbox: () => undefined },
      { botInfo: BOT_INFO, client: { fetch: (options.fetch ?? telegram.fetch) as never }, ...(options.owner ? { owner: options.owner } : {}) },
    );
  const bot = build();
  // The real sender over the same fake Telegram; no waiting between messages in tests.
  const outbox = new OutboxSender({
    database,
    api: bot.api,
    logger,
    now: () => clock.now.getTime(),
    perChatIntervalMs: 0,
    perSecond: 1_000_000,
  });

  // One flush at a time: updates handled concurrently (race tests) must not make two senders compete.
  let flushing: Promise<number> = Promise.resolve(0);
  const flushOutbox = () => (flushing = flushing.catch(() => 0).then(() => outbox.flush()));

  const harness: Harness = {
    database,
    telegram,
    config,
    i18n,
    logs,
    missingKeys,
    clock,
    admin,
    bot,
    roundTrips,
    async send(...updates) {
      for (const update of updates) {
        received.push(update);
        await harness.bot.handleUpdate(update);
        await flushOutbox();
      }
    },
    flushOutbox,
    async pressButton(user, data) {
      const message = telegram.lastMessageTo(user.id);
      expect(message.buttons.map((b) => b.data)).toContain(data);
      await harness.send(press(user, data, message));
    },
    restart() {
      harness.bot = build();
    },
    instance: build,
    async reset() {
      await database.truncate();
      telegram.reset();
      logs.length = 0;
      received.length = 0;
      clock.now = new Date("2026-12-01T02:00:00Z");
    },
    async close() {
      await database.close();
    },
    expectAllCallbacksAnswered() {
      const queries = received.flatMap((u) => (u.callback_query ? [u.callback_query.id] : []));
      const answered = telegram.sent("answerCallbackQuery").map((p) => p.callback_query_id);
      expect(queries.filter((id) => !answered.includes(id))).toEqual([]);
      expect(missingKeys).toEqual([]);
    },
  };
  return harness;
}
