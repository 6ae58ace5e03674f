import { join } from "node:path";
import { configOrExit, loadEnvironment, parseDatabaseConfig } from "../../config.js";
import { openDatabase } from "../../core/db/client.js";
import { runMigrations } from "../../core/db/migrate.js";
import { createLogger } from "../../logger.js";
import { seedDemo } from "./seed.js";

// `npm run seed:demo`: the demo institution in the playground's database. DATABASE_URL when set,
// else the embedded database in <PLAYGROUND_DATA_DIR>/db (./playground-data/db by default).
const env = loadEnvironment();
const playgroundDir = env.PLAYGROUND_DATA_DIR?.trim() || "./playground-data";
const config = configOrExit(() => parseDatabaseConfig({ ...env, DATA_DIR: join(playgroundDir, "db") }));
const timeZone = env.TZ?.trim() || "Asia/Irkutsk";
const adminTelegramId = (env.ADMIN_TELEGRAM_IDS ?? "")
  .split(/[\s,;]+/)
  .map(Number)
  .find((id) => Number.isSafeInteger(id) && id > 0);
const logger = createLogger({ level: "warn", pretty: false });

const database = await openDatabase({ url: config.databaseUrl, dataDir: config.dataDir, attempts: config.databaseConnectAttempts, logger });
try {
  await runMigrations(database);
  const result = await seedDemo(database.db, { now: new Date(), timeZone, ...(adminTelegramId === undefined ? {} : { adminTelegramId }) });
  const c = result.counts;
  const figures = `${c.units} units, ${c.staff} staff, ${c.partners} partners, ${c.contacts} contacts, ${c.agreements} agreements, ${c.planItems} plan items, ${c.interactions} interactions, ${c.events} events, ${c.feedback} feedback answers`;
  process.stdout.write(result.seeded ? `Demo data seeded: ${figures}.\n` : `The demo data is already there (${figures}); nothing was written.\n`);
} catch (error) {
  process.stderr.write(`Seeding the demo data failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await database.close();
}
