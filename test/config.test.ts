import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import {
  BOT_TOKEN_PLACEHOLDER,
  ConfigError,
  type ConfigSource,
  parseConfig,
  parsePlaygroundConfig,
  parsePlaygroundSettings,
  playgroundRequested,
} from "../src/config.js";
import { TEST_TOKEN } from "./helpers/harness.js";

function errorOf(env: Record<string, string>, source?: ConfigSource): ConfigError {
  try {
    parseConfig(env, source);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("expected a configuration error");
}

describe("configuration", () => {
  it("has working defaults: polling, embedded database, Irkutsk time, Russian", () => {
    const config = parseConfig({ BOT_TOKEN: TEST_TOKEN });
    expect(config).toMatchObject({
      mode: "polling",
      databaseUrl: undefined,
      dataDir: "./data",
      timeZone: "Asia/Irkutsk",
      defaultLanguage: "ru",
      adminTelegramIds: [],
      logLevel: "info",
      inviteTtlDays: 7,
      eventReminderHour: 18,
      databaseConnectAttempts: 5,
    });
  });

  it("has feedback defaults (7-day link, 14-day prompts, reminders on days 2 and 5) and reads them", () => {
    const defaults = parseConfig({ BOT_TOKEN: TEST_TOKEN }).feedback;
    expect(defaults).toMatchObject({ linkDays: 7, promptDays: 14, reminderDays: [2, 5] });
    // The hash key comes from the token unless set, and never equals it.
    expect(defaults.secret).toHaveLength(43);
    expect(defaults.secret).not.toContain(TEST_TOKEN);
    expect(parseConfig({ BOT_TOKEN: TEST_TOKEN }).feedback.secret).toBe(defaults.secret);
    const custom = parseConfig({
      BOT_TOKEN: TEST_TOKEN,
      FEEDBACK_LINK_DAYS: "3",
      FEEDBACK_PROMPT_DAYS: "10",
      FEEDBACK_REMINDER_DAYS: " 1, 4 ,7",
      FEEDBACK_SECRET: "0123456789abcdef-secret",
    }).feedback;
    expect(custom).toEqual({ linkDays: 3, promptDays: 10, reminderDays: [1, 4, 7], secret: "0123456789abcdef-secret" });
    expect(parseConfig({ BOT_TOKEN: TEST_TOKEN, FEEDBACK_REMINDER_DAYS: " " }).feedback.reminderDays).toEqual(defaults.reminderDays);
    expect(parseConfig({ BOT_TOKEN: TEST_TOKEN, FEEDBACK_REMINDER_DAYS: "off" }).feedback.reminderDays).toEqual([]);
  });

  it("reads admins, Postgres, webhook mode and a Bot API server", () => {
    const config = parseConfig({
      BOT_TOKEN: TEST_TOKEN,
      ADMIN_TELEGRAM_IDS: " 123, 456 ",
      DATABASE_URL: "postgres://bot:secret@db:5432/palace",
      BOT_MODE: "webhook",
      WEBHOOK_URL: "https://bot.example.org/telegram",
      WEBHOOK_SECRET: "s3cret_-x",
      PORT: "3000",
      TELEGRAM_API_ROOT: "http://localhost:8081",
      DEFAULT_LANGUAGE: "en",
      TZ: "Europe/Moscow",
    });
    expect(config).toMatchObject({
      adminTelegramIds: [123, 456],
      databaseUrl: "postgres://bot:secret@db:5432/palace",
      mode: "webhook",
      webhookUrl: "https://bot.example.org/telegram",
      webhookSecret: "s3cret_-x",
      port: 3000,
      telegramApiRoot: "http://localhost:8081",
      defaultLanguage: "en",
      timeZone: "Europe/Moscow",
    });
  });

  it.each([
    [{}, "BOT_TOKEN", "is not set: put the token @BotFather gave you"],
    [{ BOT_TOKEN: "  " }, "BOT_TOKEN", "is not set: put the token @BotFather gave you"],
    [{ BOT_TOKEN: BOT_TOKEN_PLACEHOLDER }, "BOT_TOKEN", "is still the placeholder"],
    [{ BOT_TOKEN: "not-a-token" }, "BOT_TOKEN", "expected a token from @BotFather"],
    [{ BOT_TOKEN: TEST_TOKEN, DATABASE_URL: "mysql://x" }, "DATABASE_URL", "postgres://"],
    [{ BOT_TOKEN: TEST_TOKEN, ADMIN_TELEGRAM_IDS: "12,abc" }, "ADMIN_TELEGRAM_IDS", "Telegram user ids"],
    [{ BOT_TOKEN: TEST_TOKEN, TZ: "Mars/Olympus" }, "TZ", "IANA time zone"],
    [{ BOT_TOKEN: TEST_TOKEN, DEFAULT_LANGUAGE: "de" }, "DEFAULT_LANGUAGE", "ru or en"],
    [{ BOT_TOKEN: TEST_TOKEN, LOG_LEVEL: "loud" }, "LOG_LEVEL", "one of"],
    [{ BOT_TOKEN: TEST_TOKEN, EVENT_REMINDER_HOUR: "24" }, "EVENT_REMINDER_HOUR", "whole hour from 0 to 23"],
    [{ BOT_TOKEN: TEST_TOKEN, EVENT_REMINDER_HOUR: "6.5" }, "EVENT_REMINDER_HOUR", "whole hour from 0 to 23"],
    [{ BOT_TOKEN: TEST_TOKEN, FEEDBACK_LINK_DAYS: "0" }, "FEEDBACK_LINK_DAYS", "from 1 to 60"],
    [{ BOT_TOKEN: TEST_TOKEN, FEEDBACK_PROMPT_DAYS: "abc" }, "FEEDBACK_PROMPT_DAYS", "from 1 to 60"],
    [{ BOT_TOKEN: TEST_TOKEN, FEEDBACK_REMINDER_DAYS: "5,2" }, "FEEDBACK_REMINDER_DAYS", "increasing"],
    [{ BOT_TOKEN: TEST_TOKEN, FEEDBACK_REMINDER_DAYS: "2,x" }, "FEEDBACK_REMINDER_DAYS", "increasing"],
    [{ BOT_TOKEN: TEST_TOKEN, FEEDBACK_SECRET: "short" }, "FEEDBACK_SECRET", "at least 16"],
    [{ BOT_TOKEN: TEST_TOKEN, BOT_MODE: "push" }, "BOT_MODE", "polling or webhook"],
    [{ BOT_TOKEN: TEST_TOKEN, BOT_MODE: "webhook" }, "WEBHOOK_URL", "is required in webhook mode"],
    [{ BOT_TOKEN: TEST_TOKEN, BOT_MODE: "webhook", WEBHOOK_URL: "http://x.org/h", WEBHOOK_SECRET: "a" }, "WEBHOOK_URL", "https://"],
    [{ BOT_TOKEN: TEST_TOKEN, BOT_MODE: "webhook", WEBHOOK_URL: "https://x.org/h" }, "WEBHOOK_SECRET", "is required"],
    [{ BOT_TOKEN: TEST_TOKEN, BOT_MODE: "webhook", WEBHOOK_URL: "https://x.org/h", WEBHOOK_SECRET: "a b" }, "WEBHOOK_SECRET", "A-Z"],
    [{ BOT_TOKEN: TEST_TOKEN, BOT_MODE: "webhook", WEBHOOK_URL: "https://x.org/h", WEBHOOK_SECRET: "a", PORT: "99999" }, "PORT", ""],
  ])("names the bad variable: %j → %s", (env, variable, expectation) => {
    const error = errorOf(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(`Configuration error: ${variable} `);
    expect(error.message).toContain(expectation);
    expect(error.message).not.toContain("\n");
  });

  it("explains a missing BOT_TOKEN by the missing .env, and the placeholder by .env.example", () => {
    expect(errorOf({}, { dotenvFound: false }).message).toBe(
      `Configuration error: BOT_TOKEN is not set, and there is no .env file in ${process.cwd()}: run \`cp .env.example .env\`, ` +
        "then put the token @BotFather gave you, like 123456789:AAE…, into BOT_TOKEN there",
    );
    // With a .env file, or a token set in the environment, the .env file is not the problem.
    expect(errorOf({}, { dotenvFound: true }).message).toBe(
      "Configuration error: BOT_TOKEN is not set: put the token @BotFather gave you, like 123456789:AAE…, into BOT_TOKEN in .env",
    );
    expect(parseConfig({ BOT_TOKEN: TEST_TOKEN }, { dotenvFound: false }).botToken).toBe(TEST_TOKEN);
    // The placeholder is the very value .env.example ships with.
    expect(readFileSync(new URL("../.env.example", import.meta.url), "utf8")).toMatch(new RegExp(`^BOT_TOKEN=${BOT_TOKEN_PLACEHOLDER}$`, "m"));
    expect(errorOf({ BOT_TOKEN: ` ${BOT_TOKEN_PLACEHOLDER} ` }).message).toBe(
      `Configuration error: BOT_TOKEN is still the placeholder ${BOT_TOKEN_PLACEHOLDER} from .env.example: ` +
        "replace it in .env with the token @BotFather gave you, like 123456789:AAE…",
    );
  });
});

describe("the playground", () => {
  it("runs without a BOT_TOKEN, always with --playground, and never where NODE_ENV=production is set", () => {
    expect(playgroundRequested({}, [])).toBe(true);
    expect(playgroundRequested({ BOT_TOKEN: "  " }, [])).toBe(true);
    expect(playgroundRequested({ NODE_ENV: "development" }, [])).toBe(true);
    expect(playgroundRequested({ BOT_TOKEN: TEST_TOKEN }, [])).toBe(false);
    // The placeholder means someone is connecting a real bot: they get its error, not the playground.
    expect(playgroundRequested({ BOT_TOKEN: BOT_TOKEN_PLACEHOLDER }, [])).toBe(false);
    expect(playgroundRequested({ BOT_TOKEN: TEST_TOKEN }, ["--playground"])).toBe(true);
    expect(playgroundRequested({ NODE_ENV: "production" }, [])).toBe(false);
    expect(() => playgroundRequested({ NODE_ENV: "production" }, ["--playground"])).toThrow(
      "Configuration error: NODE_ENV is production, and the playground (npm run playground) is not for production",
    );
  });

  it("listens on loopback port 3000 by default, keeps its data in ./playground-data, and checks the rest of the environment", () => {
    expect(parsePlaygroundSettings({})).toEqual({ host: "127.0.0.1", port: 3000, dataDir: "./playground-data", logLevel: "info" });
    expect(parsePlaygroundSettings({ PLAYGROUND_HOST: "0.0.0.0", PLAYGROUND_PORT: "8088", PLAYGROUND_DATA_DIR: "/tmp/p", LOG_LEVEL: "warn" })).toEqual({
      host: "0.0.0.0",
      port: 8088,
      dataDir: "/tmp/p",
      logLevel: "warn",
    });
    expect(() => parsePlaygroundSettings({ PLAYGROUND_PORT: "70000" })).toThrow("Configuration error: PLAYGROUND_PORT expected a port number");
    expect(() => parsePlaygroundSettings({ TZ: "Mars/Olympus" })).toThrow("Configuration error: TZ expected an IANA time zone");
  });

  it("gives the bot the emulator's token and address, its own embedded database, polling, and the playground's admin", () => {
    const config = parsePlaygroundConfig(
      { DATABASE_URL: "postgres://elsewhere/db", BOT_MODE: "webhook", ADMIN_TELEGRAM_IDS: "42", TZ: "Europe/Moscow" },
      { botToken: TEST_TOKEN, apiRoot: "http://127.0.0.1:3000", dataDir: "./playground-data/db", adminTelegramIds: [100001] },
    );
    expect(config).toMatchObject({
      botToken: TEST_TOKEN,
      telegramApiRoot: "http://127.0.0.1:3000",
      databaseUrl: undefined,
      dataDir: "./playground-data/db",
      mode: "polling",
      adminTelegramIds: [42, 100001],
      timeZone: "Europe/Moscow",
    });
  });
});
