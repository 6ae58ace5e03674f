import { existsSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { startApp } from "./app.js";
import { configOrExit, loadEnvironment, parseConfig } from "./config.js";
import { createLogger, wantsPrettyLogs } from "./logger.js";
import { TokenRejectedError, UnavailableError } from "./core/retry.js";

const started = performance.now();

// Exit codes (README, "Start-up messages and exit codes"): 0 stopped cleanly; 1 configuration
// error (configOrExit) or an unexpected failure; 2 the database or the Bot API stayed unreachable
// through every attempt; 3 Telegram rejected BOT_TOKEN, which no restart can fix.
const config = configOrExit(() => parseConfig(loadEnvironment(), { dotenvFound: existsSync(".env") }));

const logger = createLogger({ level: config.logLevel, pretty: wantsPrettyLogs(process.stdout) });
logger.info({ mode: config.mode, database: config.databaseUrl ? "postgres" : "pglite" }, "starting");

try {
  const app = await startApp(config, logger);
  logger.info(
    {
      mode: config.mode,
      database: app.database.driver,
      bot: app.bot.botInfo.username,
      startupMs: Math.round(performance.now() - started),
      rssMb: Math.round(process.memoryUsage().rss / 1024 / 1024),
    },
    "bot is running",
  );

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
  logger.fatal({ err: error }, "start-up failed");
  process.exit(1);
}

process.on("unhandledRejection", (reason) => {
  logger.error({ err: reason }, "unhandled promise rejection");
});
