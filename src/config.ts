import { createHmac } from "node:crypto";
import { existsSync } from "node:fs";
import { z } from "zod";

export const LANGUAGES = ["ru", "en"] as const;
export type Language = (typeof LANGUAGES)[number];

const BOT_TOKEN_PATTERN = /^\d{5,}:[A-Za-z0-9_-]{30,}$/;
/** The value of BOT_TOKEN in .env.example: a copy of that file not yet filled in. */
export const BOT_TOKEN_PLACEHOLDER = "PASTE_THE_TOKEN_FROM_BOTFATHER_HERE";

const telegramIds = z
  .string()
  .trim()
  .default("")
  .refine((raw) => raw === "" || raw.split(",").every((id) => /^\s*\d{1,20}\s*$/.test(id)), {
    message: "expected Telegram user ids separated by commas, e.g. 123456789,987654321",
  })
  .transform((raw) =>
    raw === ""
      ? []
      : raw
          .split(",")
          .map((id) => Number(id.trim()))
          .filter((id) => Number.isSafeInteger(id) && id > 0),
  );

const validTimeZone = (tz: string): boolean => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

const emptyToUndefined = (value: unknown): unknown => (value === "" ? undefined : value);

const baseSchema = z.object({
  BOT_TOKEN: z.preprocess(
    (value) => (typeof value === "string" && value.trim() === "" ? undefined : value),
    z
      .string({ error: "is not set: put the token @BotFather gave you, like 123456789:AAE…, into BOT_TOKEN in .env" })
      .trim()
      .refine(
        (token) => token !== BOT_TOKEN_PLACEHOLDER,
        `is still the placeholder ${BOT_TOKEN_PLACEHOLDER} from .env.example: ` +
          "replace it in .env with the token @BotFather gave you, like 123456789:AAE…",
      )
      .regex(BOT_TOKEN_PATTERN, "expected a token from @BotFather, like 123456789:AAE… (digits, a colon, 30+ letters)"),
  ),
  DATABASE_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^postgres(ql)?:\/\//, "expected a postgres:// or postgresql:// URL")
      .optional(),
  ),
  DATA_DIR: z.preprocess(emptyToUndefined, z.string().default("./data")),
  TELEGRAM_API_ROOT: z.preprocess(
    emptyToUndefined,
    z.url({ error: "expected an http(s) URL of a Bot API server, e.g. http://localhost:8081" }).optional(),
  ),
  TZ: z.preprocess(
    emptyToUndefined,
    z.string().default("Asia/Irkutsk").refine(validTimeZone, "expected an IANA time zone, e.g. Asia/Irkutsk"),
  ),
  DEFAULT_LANGUAGE: z.preprocess(
    emptyToUndefined,
    z.enum(LANGUAGES, { error: "expected ru or en" }).default("ru"),
  ),
  ADMIN_TELEGRAM_IDS: telegramIds,
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z
      .enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"], {
        error: "expected one of fatal, error, warn, info, debug, trace, silent",
      })
      .default("info"),
  ),
  // Checked for typos only: logs are pretty on a terminal and JSON elsewhere, whatever NODE_ENV says.
  NODE_ENV: z.preprocess(emptyToUndefined, z.enum(["development", "production", "test"]).default("production")),
  DATABASE_CONNECT_ATTEMPTS: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ error: "expected a whole number from 1 to 100" }).int().min(1).max(100).default(5),
  ),
  TELEGRAM_CONNECT_ATTEMPTS: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ error: "expected a whole number from 1 to 100" }).int().min(1).max(100).default(5),
  ),
  INVITE_TTL_DAYS: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ error: "expected a whole number of days from 1 to 90" }).int().min(1).max(90).default(7),
  ),
  EVENT_REMINDER_HOUR: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ error: "expected a whole hour from 0 to 23" }).int().min(0).max(23).default(18),
  ),
  FEEDBACK_LINK_DAYS: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ error: "expected a whole number of days from 1 to 60" }).int().min(1).max(60).default(7),
  ),
  FEEDBACK_PROMPT_DAYS: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ error: "expected a whole number of days from 1 to 60" }).int().min(1).max(60).default(14),
  ),
  FEEDBACK_REMINDER_DAYS: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .default("2,5")
      .transform((value) =>
        value.trim().toLowerCase() === "off" ? [] : value.trim() === "" ? [2, 5] : value.split(",").map((part) => Number(part.trim())),
      )
      .refine(
        (days) => days.length <= 5 && days.every((d, i) => Number.isInteger(d) && d >= 1 && d <= 60 && (i === 0 || d > days[i - 1]!)),
        "expected up to 5 increasing whole numbers of days, comma-separated, e.g. 2,5 (or off)",
      ),
  ),
  FEEDBACK_SECRET: z.preprocess(
    emptyToUndefined,
    z.string().min(16, "expected at least 16 characters (a random secret)").optional(),
  ),
});

const pollingSchema = z.object({
  BOT_MODE: z.literal("polling"),
});

const webhookSchema = z.object({
  BOT_MODE: z.literal("webhook"),
  WEBHOOK_URL: z
    .url({ error: "is required in webhook mode: the public https URL Telegram will post to" })
    .refine((url) => url.startsWith("https://"), "expected an https:// URL (Telegram only posts to https)"),
  WEBHOOK_SECRET: z
    .string({ error: "is required in webhook mode: 1-256 characters A-Z, a-z, 0-9, _ and -" })
    .regex(/^[A-Za-z0-9_-]{1,256}$/, "expected 1-256 characters A-Z, a-z, 0-9, _ and -"),
  PORT: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ error: "expected a port number" }).int().min(1).max(65535).default(8080),
  ),
});

const modeSchema = z.discriminatedUnion(
  "BOT_MODE",
  [pollingSchema, webhookSchema],
  { error: "expected polling or webhook" },
);

export interface BaseConfig {
  botToken: string;
  databaseUrl: string | undefined;
  dataDir: string;
  telegramApiRoot: string | undefined;
  timeZone: string;
  defaultLanguage: Language;
  adminTelegramIds: number[];
  logLevel: string;
  databaseConnectAttempts: number;
  telegramConnectAttempts: number;
  inviteTtlDays: number;
  /** The local hour from which the day-before reminders of events go out. */
  eventReminderHour: number;
  feedback: {
    /** Days the participants' feedback link stays open after the event is recorded as held. */
    linkDays: number;
    /** Days a partner's feedback prompt takes answers; the summary goes out when it closes. */
    promptDays: number;
    /** Days after the prompt on which a partner who has not answered is reminded (2 and 5). */
    reminderDays: number[];
    /**
     * The key of the participants' voter hash; kept outside the database so that the hashes
     * cannot be matched to Telegram ids from a copy of it. Derived from BOT_TOKEN unless set.
     */
    secret: string;
  };
}

export type Config = BaseConfig &
  ({ mode: "polling" } | { mode: "webhook"; webhookUrl: string; webhookSecret: string; port: number });

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly expectation: string,
  ) {
    super(`Configuration error: ${variable} ${expectation}`);
    this.name = "ConfigError";
  }
}

function firstIssue(error: z.ZodError): ConfigError {
  const issue = error.issues[0];
  const variable = issue?.path.map(String).join(".") || "environment";
  return new ConfigError(variable, issue?.message ?? "is invalid");
}

export interface ConfigSource {
  /** Whether the working directory has a .env file: without one, a missing BOT_TOKEN says how to make it. */
  dotenvFound?: boolean;
}

/** Reads and validates the environment. Throws ConfigError naming the first bad variable. */
export function parseConfig(env: Record<string, string | undefined>, source: ConfigSource = {}): Config {
  if (source.dotenvFound === false && !env.BOT_TOKEN?.trim()) {
    throw new ConfigError(
      "BOT_TOKEN",
      `is not set, and there is no .env file in ${process.cwd()}: run \`cp .env.example .env\`, ` +
        "then put the token @BotFather gave you, like 123456789:AAE…, into BOT_TOKEN there",
    );
  }
  const base = baseSchema.safeParse(env);
  if (!base.success) throw firstIssue(base.error);
  const mode = modeSchema.safeParse({ ...env, BOT_MODE: emptyToUndefined(env.BOT_MODE) ?? "polling" });
  if (!mode.success) throw firstIssue(mode.error);

  const b = base.data;
  const common: BaseConfig = {
    botToken: b.BOT_TOKEN,
    databaseUrl: b.DATABASE_URL,
    dataDir: b.DATA_DIR,
    telegramApiRoot: b.TELEGRAM_API_ROOT,
    timeZone: b.TZ,
    defaultLanguage: b.DEFAULT_LANGUAGE,
    adminTelegramIds: b.ADMIN_TELEGRAM_IDS,
    logLevel: b.LOG_LEVEL,
    databaseConnectAttempts: b.DATABASE_CONNECT_ATTEMPTS,
    telegramConnectAttempts: b.TELEGRAM_CONNECT_ATTEMPTS,
    inviteTtlDays: b.INVITE_TTL_DAYS,
    eventReminderHour: b.EVENT_REMINDER_HOUR,
    feedback: {
      linkDays: b.FEEDBACK_LINK_DAYS,
      promptDays: b.FEEDBACK_PROMPT_DAYS,
      reminderDays: b.FEEDBACK_REMINDER_DAYS,
      secret: b.FEEDBACK_SECRET ?? createHmac("sha256", b.BOT_TOKEN).update("participant-feedback").digest("base64url"),
    },
  };
  const m = mode.data;
  return m.BOT_MODE === "webhook"
    ? { ...common, mode: "webhook", webhookUrl: m.WEBHOOK_URL, webhookSecret: m.WEBHOOK_SECRET, port: m.PORT }
    : { ...common, mode: "polling" };
}

export interface PlaygroundSettings {
  host: string;
  port: number;
  logLevel: string;
  /** The playground's own folder: its embedded database in db/, the emulator's chats and files in emulator/. */
  dataDir: string;
}

/**
 * Whether this start runs the playground (the real bot against a local Bot API emulator) instead
 * of a bot on Telegram: always with `--playground` (npm run playground), otherwise only when no
 * BOT_TOKEN is set and NODE_ENV=production is not set explicitly. A production deployment (the
 * Docker image sets NODE_ENV=production) never falls into the playground: a missing token stays
 * a configuration error there, and asking for the playground is one too.
 */
export function playgroundRequested(env: Record<string, string | undefined>, argv: readonly string[]): boolean {
  const asked = argv.includes("--playground");
  const production = env.NODE_ENV?.trim() === "production";
  if (asked && production) {
    throw new ConfigError("NODE_ENV", "is production, and the playground (npm run playground) is not for production: unset NODE_ENV to try the bot locally");
  }
  return asked || (!production && !env.BOT_TOKEN?.trim());
}

const playgroundSchema = z.object({
  PLAYGROUND_HOST: z.preprocess(emptyToUndefined, z.string().trim().default("127.0.0.1")),
  PLAYGROUND_PORT: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ error: "expected a port number from 1 to 65535 (or 0 for any free port)" }).int().min(0).max(65535).default(3000),
  ),
  PLAYGROUND_DATA_DIR: z.preprocess(emptyToUndefined, z.string().default("./playground-data")),
});

/** The playground's settings; the rest of the environment is checked too, before anything starts. */
export function parsePlaygroundSettings(env: Record<string, string | undefined>): PlaygroundSettings {
  const parsed = playgroundSchema.safeParse(env);
  if (!parsed.success) throw firstIssue(parsed.error);
  const { PLAYGROUND_HOST: host, PLAYGROUND_PORT: port, PLAYGROUND_DATA_DIR: dataDir } = parsed.data;
  // The emulator's token and address are known only once it runs: stand-ins that pass the checks.
  const { logLevel } = parsePlaygroundConfig(env, { botToken: `10000:${"x".repeat(30)}`, apiRoot: "http://127.0.0.1", dataDir, adminTelegramIds: [] });
  return { host, port, dataDir, logLevel };
}

/**
 * The bot's configuration in the playground: the emulator's token and address, its own embedded
 * database, long polling, and the playground's administrator added to ADMIN_TELEGRAM_IDS. The
 * rest of the environment (TZ, LOG_LEVEL, DEFAULT_LANGUAGE, …) applies as usual.
 */
export function parsePlaygroundConfig(
  env: Record<string, string | undefined>,
  playground: { botToken: string; apiRoot: string; dataDir: string; adminTelegramIds: number[] },
): Config {
  // Checked with the rest by parseConfig: a typo there is reported as it would be without the playground.
  const admins = [env.ADMIN_TELEGRAM_IDS?.trim(), ...playground.adminTelegramIds.map(String)].filter(Boolean);
  return parseConfig({
    ...env,
    BOT_TOKEN: playground.botToken,
    TELEGRAM_API_ROOT: playground.apiRoot,
    DATABASE_URL: undefined,
    DATA_DIR: playground.dataDir,
    BOT_MODE: "polling",
    ADMIN_TELEGRAM_IDS: admins.join(","),
  });
}

/** Only what `npm run db:migrate` needs: it runs without a BOT_TOKEN. */
export function parseDatabaseConfig(env: Record<string, string | undefined>) {
  const parsed = baseSchema.pick({ DATABASE_URL: true, DATA_DIR: true, DATABASE_CONNECT_ATTEMPTS: true }).safeParse(env);
  if (!parsed.success) throw firstIssue(parsed.error);
  return { databaseUrl: parsed.data.DATABASE_URL, dataDir: parsed.data.DATA_DIR, databaseConnectAttempts: parsed.data.DATABASE_CONNECT_ATTEMPTS };
}

/** For entry points: a configuration error ends the process with its one line and exit code 1. */
export function configOrExit<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

/** Loads `.env` from the working directory when present (real environment variables win). */
export function loadEnvironment(): Record<string, string | undefined> {
  if (existsSync(".env")) process.loadEnvFile(".env");
  return process.env;
}
