import { type RunnerHandle, run } from "@grammyjs/runner";
import type { Bot } from "grammy";
import { publishCommandMenus } from "./core/telegram/commands.js";
import type { BotContext } from "./core/context.js";
import { createBot, inboxOf } from "./bot.js";
import { createI18n } from "./core/i18n.js";
import { InFlightUpdates } from "./core/telegram/in-flight.js";
import type { Config } from "./config.js";
import { type Database, openDatabase } from "./core/db/client.js";
import { runMigrations } from "./core/db/migrate.js";
import { localOwner, postgresOwner } from "./core/db/processed-updates.js";
import { OutboxSender } from "./core/outbox/sender.js";
import { startJobs } from "./jobs.js";
import { reachTelegram } from "./core/retry.js";
import type { Logger } from "./logger.js";
import { startWebhookServer, type WebhookServer } from "./core/telegram/webhook-server.js";

const ALLOWED_UPDATES = ["message", "edited_message", "callback_query", "my_chat_member"] as const;

export interface App {
  bot: Bot<BotContext>;
  database: Database;
  webhook: WebhookServer | undefined;
  /** Stops taking updates, lets those in flight finish, closes the database. */
  stop(): Promise<void>;
}

/** The composition root: database (+ migrations) → bot → jobs → polling or webhook. */
export async function startApp(config: Config, logger: Logger): Promise<App> {
  const database = await openDatabase({
    url: config.databaseUrl,
    dataDir: config.dataDir,
    attempts: config.databaseConnectAttempts,
    logger,
  });
  let closeOwner = (): Promise<void> => Promise.resolve();
  try {
    await runMigrations(database);
    logger.info({ driver: database.driver, migrations: "up to date", ...(config.databaseUrl ? {} : { dataDir: config.dataDir }) }, "database is ready");
    const i18n = await createI18n((language, key) => logger.warn({ language, key }, "missing translation"));
    const now = () => new Date();
    const inFlight = new InFlightUpdates();
    // The sender needs the bot's Api and the bot needs to wake the sender: created just below.
    const outboxRef: { sender?: OutboxSender } = {};
    const wakeOutbox = () => outboxRef.sender?.wake();
    // On Postgres, this instance is alive while this connection is: others may take over its
    // unfinished updates once it is gone (src/core/telegram/exactly-once.ts).
    const owner = config.databaseUrl
      ? await postgresOwner(config.databaseUrl, (pid) => logger.warn({ pid }, "the liveness connection to the database was reopened"))
      : localOwner();
    closeOwner = () => owner.close();
    const bot = createBot({ config, db: database.db, logger, i18n, now, wakeOutbox }, { inFlight, owner });
    // Not bot.init(): it retries network errors forever, silently.
    // A rejected token (401) stops at once with TokenRejectedError: retrying cannot fix it.
    bot.botInfo = await reachTelegram(() => bot.api.getMe(), {
      apiRoot: config.telegramApiRoot,
      attempts: config.telegramConnectAttempts,
      logger,
    });
    await publishCommandMenus(bot.api, i18n, config.adminTelegramIds, logger);
    // Every message the bot sends on its own initiative goes through the outbox and this sender.
    const outbox = (outboxRef.sender = new OutboxSender({ database, api: bot.api, logger }));
    outbox.start();
    const jobs = startJobs({
      db: database.db,
      logger,
      timeZone: config.timeZone,
      now,
      i18n,
      defaultLanguage: config.defaultLanguage,
      eventReminderHour: config.eventReminderHour,
      feedback: config.feedback,
      wakeOutbox,
    });

    // Updates a killed process had taken and not finished: handled before any new one.
    await inboxOf(bot).recover(bot);

    let runner: RunnerHandle | undefined;
    let webhook: WebhookServer | undefined;
    if (config.mode === "webhook") {
      webhook = await startWebhookServer({
        bot,
        path: new URL(config.webhookUrl).pathname,
        secret: config.webhookSecret,
        port: config.port,
        logger,
      });
      await bot.api.setWebhook(config.webhookUrl, { secret_token: config.webhookSecret, allowed_updates: ALLOWED_UPDATES });
    } else {
      await bot.api.deleteWebhook();
      runner = run(bot, { runner: { fetch: { allowed_updates: ALLOWED_UPDATES } } });
    }

    let stopping: Promise<void> | undefined;
    const stop = () =>
      (stopping ??= (async () => {
        if (runner?.isRunning()) await runner.stop();
        await webhook?.close();
        if (inFlight.size > 0) logger.info({ updates: inFlight.size }, "waiting for updates in flight");
        await inFlight.drained();
        await jobs.stop();
        await outbox.stop();
        await owner.close();
        await database.close();
      })());
    return { bot, database, webhook, stop };
  } catch (error) {
    await closeOwner().catch(() => undefined);
    await database.close().catch(() => undefined);
    throw error;
  }
}
