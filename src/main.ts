import { existsSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { startApp } from "./app.js";
import { type Config, configOrExit, loadEnvironment, parseConfig, parsePlaygroundSettings, playgroundRequested, type PlaygroundSettings } from "./config.js";
import { createLogger, type Logger, wantsPrettyLogs } from "./logger.js";
import { TokenRejectedError, UnavailableError } from "./core/retry.js";

const started = performance.now();

// Exit codes (README, "Start-up messages and exit codes"): 0 stopped cleanly; 1 configuration
// error (configOrExit) or an unexpected failure; 2 the database or the Bot API stayed unreachable
// through every attempt; 3 Telegram rejected BOT_TOKEN, which no restart can fix.
const env = loadEnvironment();
// Without a BOT_TOKEN (and outside production), or with --playground: the playground.
const target = configOrExit((): { playground: PlaygroundSettings } | { config: Config } =>
  playgroundRequested(env, process.argv.slice(2))
    ? { playground: parsePlaygroundSettings(env) }
    : { config: parseConfig(env, { dotenvFound: existsSync(".env") }) },
);
const logLevel = "playground" in target ? target.playground.logLevel : target.config.logLevel;
const logger = createLogger({ level: logLevel, pretty: wantsPrettyLogs(process.stdout) });
const elapsed = () => Math.round(performance.now() - started);
const rssMb = () => Math.round(process.memoryUsage().rss / 1024 / 1024);

async function runBot(config: Config): Promise<{ stop(): Promise<void> }> {
  logger.info({ mode: config.mode, database: config.databaseUrl ? "postgres" : "pglite" }, "starting");
  const app = await startApp(config, logger);
  logger.info(
    { mode: config.mode, database: app.database.driver, bot: app.bot.botInfo.username, startupMs: elapsed(), rssMb: rssMb() },
    "bot is running",
  );
  return app;
}

async function runPlayground(settings: PlaygroundSettings, log: Logger): Promise<{ stop(): Promise<void> }> {
  log.info({ mode: "playground", dataDir: settings.dataDir }, "starting");
  const { startPlayground } = await import("./playground/playground.js");
  const playground = await startPlayground(settings, env, log);
  log.info({ mode: "playground", url: playground.url, bot: playground.app.bot.botInfo.username, startupMs: elapsed(), rssMb: rssMb() }, "playground is running");
  // Plain lines, whatever the log format: the two things a newcomer has to read.
  process.stdout.write(
    `\nThe bot is running in the playground, without Telegram: open ${playground.url}\n` +
      "To connect a real bot instead: cp .env.example .env, put the token from @BotFather into BOT_TOKEN there, and run npm start again.\n\n",
  );
  return playground;
}

try {
  const app = "playground" in target ? await runPlayground(target.playground, logger) : await runBot(target.config);
  const shutdown = (signal: string) => {
    logger.info({ signal }, "shutting down: finishing updates in flight");
    app.stop().then(
      () => {
        logger.info("stopped cleanly");
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, "shutdown failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
} catch (error) {
  if (error instanceof TokenRejectedError) {
    logger.fatal(error.message);
    process.exit(3);
  }
  if (error instanceof UnavailableError) {
    logger.fatal(error.message);
    process.exit(2);
  }
  // A port in use, a playground folder in use: the message says what to do; no stack trace.
  if (error instanceof Error && (error.name === "PortInUseError" || error.name === "DataDirLockedError")) {
    logger.fatal(error.message);
    process.exit(1);
  }
  logger.fatal({ err: error }, "start-up failed");
  process.exit(1);
}

process.on("unhandledRejection", (reason) => {
  logger.error({ err: reason }, "unhandled promise rejection");
});
