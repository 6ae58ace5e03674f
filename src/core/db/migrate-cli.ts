import { configOrExit, loadEnvironment, parseDatabaseConfig } from "../../config.js";
import { createLogger } from "../../logger.js";
import { openDatabase } from "./client.js";
import { runMigrations } from "./migrate.js";

// `npm run db:migrate`: only the database variables matter here, so BOT_TOKEN is not required.
const config = configOrExit(() => parseDatabaseConfig(loadEnvironment()));
const logger = createLogger({ level: "info", pretty: false });
const database = await openDatabase({
  url: config.databaseUrl,
  dataDir: config.dataDir,
  attempts: config.databaseConnectAttempts,
  logger,
});
try {
  await runMigrations(database);
  logger.info({ driver: database.driver }, "migrations applied");
} finally {
  await database.close();
}
