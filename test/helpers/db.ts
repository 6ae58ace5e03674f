import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import { createPglite, type Database, openPglite, openPostgres } from "../../src/core/db/client.js";
import { runMigrations } from "../../src/core/db/migrate.js";
// The areas add to each other's extension points when src/areas.ts is first imported (the bot and
// the scheduler import it). A test of one area's rules on a database gets them too: the partner
// checklist counts events held with the partner, as in the running bot.
import "../../src/areas.js";

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
export type TestDriver = "pglite" | "postgres";
export const TEST_DRIVER: TestDriver = process.env.TEST_DB === "postgres" ? "postgres" : "pglite";

export interface TestDatabase extends Database {
  /** Empties every table the bot writes to (the migrations table stays). */
  truncate(): Promise<void>;
  /** A postgres URL of this database (Postgres only), for spawning the real process at it. */
  url: string | undefined;
}

/**
 * A fresh, migrated database for one test file: an in-memory PGlite, or a new database on the
 * Postgres server (dropped at close), so test files running in parallel never share tables.
 */
export async function createTestDatabase(driver: TestDriver = TEST_DRIVER): Promise<TestDatabase> {
  let database: Database;
  let url: string | undefined;
  let dropDatabase = (): Promise<void> => Promise.resolve();
  if (driver === "pglite") {
    database = openPglite(await createPglite());
  } else {
    // The pid in the name lets a later run drop what a killed run left behind (vitest.config.ts).
    const name = `bot_test_${process.pid}_${randomBytes(4).toString("hex")}`;
    const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => undefined });
    await admin.unsafe(`create database ${name}`);
    const parsed = new URL(TEST_DATABASE_URL);
    parsed.pathname = `/${name}`;
    url = parsed.toString();
    database = openPostgres(url, { max: 4 });
    dropDatabase = async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    };
  }
  await runMigrations(database);
  return {
    ...database,
    url,
    async truncate() {
      await database.db.execute(
        sql`truncate table digest_deliveries, digest_settings, outbox, participant_feedback, feedback_prompts, feedback_rounds, audit_log, invites, event_notices, event_confirmations, event_decisions, event_partners, events, agreement_reminders, plan_items, agreements, partner_interactions, partner_contacts, partner_stage_changes, partners, users, units, bot_state, processed_updates, update_effects restart identity cascade`,
      );
    },
    async close() {
      await database.close();
      await dropDatabase();
    },
  };
}
