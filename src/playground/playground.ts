import { join } from "node:path";
import { type App, startApp } from "../app.js";
import { type PlaygroundSettings, parsePlaygroundConfig } from "../config.js";
import { publishChatMenu } from "../core/telegram/commands.js";
import { createI18n } from "../core/i18n.js";
import type { Logger } from "../logger.js";
import { lockDataDir } from "./data-dir-lock.js";
import { BotApiEmulator } from "./emulator/emulator.js";
import type { Person } from "./emulator/types.js";
import { startPlaygroundServer } from "./page-server.js";

export interface Playground {
  /** The page's address, e.g. http://127.0.0.1:3000 (the Bot API emulator answers there too). */
  url: string;
  emulator: BotApiEmulator;
  app: App;
  /** The person who administers the bot from the start (in ADMIN_TELEGRAM_IDS). */
  admin: Person;
  stop(): Promise<void>;
}

/** The administrator every new playground starts with; the first person of its emulator. */
const FIRST_ADMIN = { ru: { first_name: "Анна", last_name: "Администратор" }, en: { first_name: "Anna", last_name: "Admin" } } as const;

/**
 * The playground: the real bot, on its own embedded database, talking to a local emulator of the
 * Telegram Bot API, with a web chat on the same address. Its folder holds db/ (the database) and
 * emulator/ (chats, files); one process at a time may use it.
 */
export async function startPlayground(settings: PlaygroundSettings, env: Record<string, string | undefined>, logger: Logger): Promise<Playground> {
  const release = lockDataDir(settings.dataDir);
  let emulator: BotApiEmulator | undefined;
  let server: Awaited<ReturnType<typeof startPlaygroundServer>> | undefined;
  try {
    emulator = await BotApiEmulator.open({ stateDir: join(settings.dataDir, "emulator"), logger });
    const language = env.DEFAULT_LANGUAGE?.trim() === "en" ? "en" : "ru";
    const admin = emulator.people()[0] ?? emulator.addPerson({ ...FIRST_ADMIN[language], language_code: language });
    const app: { current?: App } = {};
    const opened = emulator;
    server = await startPlaygroundServer({
      emulator,
      host: settings.host,
      port: settings.port,
      logger,
      defaultPersonId: admin.id,
      seedDemo: async () => {
        if (!app.current) throw new Error("the bot is still starting");
        return seedDemoData(app.current, opened, admin, env, logger);
      },
    });
    const config = parsePlaygroundConfig(env, {
      botToken: emulator.token,
      apiRoot: server.url,
      dataDir: join(settings.dataDir, "db"),
      adminTelegramIds: [admin.id],
    });
    app.current = await startApp(config, logger);
    const started = { app: app.current, emulator, server };
    let stopping: Promise<void> | undefined;
    return {
      url: server.url,
      emulator,
      app: app.current,
      admin,
      stop: () =>
        (stopping ??= (async () => {
          try {
            await started.app.stop();
          } finally {
            await started.server.close();
            await started.emulator.close();
            release();
          }
        })()),
    };
  } catch (error) {
    await server?.close().catch(() => undefined);
    await emulator?.close().catch(() => undefined);
    release();
    throw error;
  }
}

/** The page's "demo data" button: seeds once, then offers the demo's people to chat as. */
async function seedDemoData(app: App, emulator: BotApiEmulator, admin: Person, env: Record<string, string | undefined>, logger: Logger) {
  const { seedDemo } = await import("./demo/seed.js");
  const result = await seedDemo(app.database.db, { now: new Date(), timeZone: env.TZ?.trim() || "Asia/Irkutsk", adminTelegramId: admin.id });
  const i18n = await createI18n(() => undefined);
  for (const person of result.people) {
    if (!emulator.person(person.telegramId)) {
      emulator.addPerson({ id: person.telegramId, first_name: person.firstName, last_name: person.lastName, language_code: person.language });
    }
    await publishChatMenu(app.bot.api, i18n, person.telegramId, person.kind === "partner_contact" ? "partner" : person.role === "admin" ? "admin" : "staff", logger);
  }
  const c = result.counts;
  const summary = result.seeded
    ? `${c.units} units, ${c.staff} staff, ${c.partners} partners (${c.contacts} contacts), ${c.agreements} agreements, ${c.events} events, ${c.feedback} feedback answers`
    : "the demo data is already there";
  logger.info({ ...c, seeded: result.seeded }, "demo data");
  return { seeded: result.seeded, summary };
}
