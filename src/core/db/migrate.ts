import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import type { Database } from "./client.js";

export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../../drizzle", import.meta.url));

/** An arbitrary constant shared by every instance of this bot: the key of the migration lock. */
const MIGRATION_LOCK_KEY = 7_241_900_115;

/**
 * Applies pending migrations. drizzle's migrate() takes no lock, so instances starting together
 * serialise on a session-level advisory lock held on one dedicated connection.
 */
export async function runMigrations(database: Database): Promise<void> {
  await database.withConnection(async (db) => {
    await db.execute(sql`select pg_advisory_lock(${MIGRATION_LOCK_KEY})`);
    try {
      const config = { migrationsFolder: MIGRATIONS_FOLDER };
      if (database.driver === "pglite") await migratePglite(db as unknown as PgliteDatabase, config);
      else await migratePostgres(db as unknown as PostgresJsDatabase, config);
    } finally {
      await db.execute(sql`select pg_advisory_unlock(${MIGRATION_LOCK_KEY})`);
    }
  });
}
