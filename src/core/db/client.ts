import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { pg_trgm } from "@electric-sql/pglite/contrib/pg_trgm";
import { type SQL, sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import type { Logger } from "../../logger.js";
import { explainFailure, withRetries } from "../retry.js";
/**
 * One type for both drivers: domain code never knows which database it talks to. The bot uses
 * no relational queries, so the client needs no schema: each area keeps its own tables.
 */
export type Db = PgDatabase<PgQueryResultHKT>;

export interface Database {
  readonly db: Db;
  readonly driver: "pglite" | "postgres";
  /** Runs `work` on one connection, so session-level locks hold for its whole duration. */
  withConnection<T>(work: (db: Db) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

const rowsOf = <T>(result: unknown): T[] => (Array.isArray(result) ? (result as T[]) : (result as { rows: T[] }).rows);

/** Rows of a raw query: postgres.js returns an array, PGlite an object with `rows`. */
export async function selectRows<T>(db: Db, query: SQL): Promise<T[]> {
  return rowsOf<T>(await db.execute(query));
}

interface Session {
  prepareQuery(query: { sql: string; params: unknown[] }, fields: undefined, name: string, arrayMode: false): { execute(values?: Record<string, unknown>): Promise<unknown> };
}
interface Dialect {
  sqlToQuery(query: SQL): { sql: string; params: unknown[] };
}
const internals = (db: Db) => db as unknown as { session: Session; dialect: Dialect };

/**
 * A statement prepared once per connection (a named statement on Postgres): for the queries
 * every update makes. `query` holds sql.placeholder()s, filled from `values` at each run.
 */
export function preparedStatement<T>(db: Db, name: string, query: SQL): (values: Record<string, unknown>) => Promise<T[]> {
  const { session, dialect } = internals(db);
  const prepared = session.prepareQuery(dialect.sqlToQuery(query), undefined, name, false);
  return async (values) => rowsOf<T>(await prepared.execute(values));
}

const drizzleOptions = { casing: "snake_case" } as const;

/** PGlite with the extensions the migrations need (pg_trgm for fuzzy partner search). */
export function createPglite(dataDir?: string, options: { sharedBuffers?: string } = {}): Promise<PGlite> {
  return PGlite.create({
    ...(dataDir ? { dataDir } : {}),
    extensions: { pg_trgm },
    ...(options.sharedBuffers ? { postgresqlconf: `shared_buffers=${options.sharedBuffers}` } : {}),
  });
}

export function openPglite(client: PGlite): Database {
  const db = drizzlePglite(client, drizzleOptions) as unknown as Db;
  return {
    db,
    driver: "pglite",
    withConnection: (work) => work(db),
    close: () => client.close(),
  };
}

/**
 * drizzle asks postgres.js for unnamed statements unless a query is given a name, so each
 * query is parsed, described and planned again every time (a round trip more). postgres.js's
 * own default is to prepare: each distinct query text once per connection, by its text.
 */
function preparingAlways(client: postgres.Sql): postgres.Sql {
  const unsafe = client.unsafe.bind(client);
  client.unsafe = ((query: string, params?: never[], queryOptions?: postgres.UnsafeQueryOptions) =>
    unsafe(query, params, { ...queryOptions, prepare: true })) as typeof client.unsafe;
  return client;
}

export function openPostgres(url: string, options: { max?: number } = {}): Database {
  const client = preparingAlways(postgres(url, { max: options.max ?? 10, onnotice: () => undefined, connect_timeout: 10 }));
  const db = drizzlePostgres(client, drizzleOptions) as unknown as Db;
  return {
    db,
    driver: "postgres",
    async withConnection(work) {
      // A client of its own with one connection (drizzle cannot wrap a reserved postgres.js one).
      const single = postgres(url, { max: 1, onnotice: () => undefined, connect_timeout: 10 });
      try {
        return await work(drizzlePostgres(single, drizzleOptions));
      } finally {
        await single.end({ timeout: 5 });
      }
    },
    close: () => client.end({ timeout: 5 }),
  };
}

/** host:port/database of a Postgres URL, for messages: never its password. */
function serverOf(url: string): string {
  try {
    const { host, pathname } = new URL(url);
    return `${host || "localhost"}${pathname}`;
  } catch {
    return "DATABASE_URL";
  }
}

/**
 * Opens the configured database: Postgres when a URL is given, otherwise the embedded PGlite
 * in `dataDir`. Retries an unreachable server with exponential back-off, then gives up.
 */
export async function openDatabase(options: {
  url: string | undefined;
  dataDir: string;
  attempts: number;
  logger: Logger;
  retryDelayMs?: number;
}): Promise<Database> {
  if (!options.url) {
    mkdirSync(options.dataDir, { recursive: true });
    if (!existsSync(join(options.dataDir, "PG_VERSION"))) {
      // A first start: a copy of the database made at build time, else a new one (initdb, a few seconds).
      const { copyTemplate } = await import("./pglite-template.js");
      const copied = copyTemplate(options.dataDir);
      options.logger.info(
        { dataDir: options.dataDir },
        copied ? "first start: the embedded database is copied from the prepared template" : "first start: creating the embedded database, this takes a few seconds",
      );
    }
    // 16 MB of shared buffers instead of 128 MB: ample for this bot, ~100 MB less resident memory.
    const client = await createPglite(options.dataDir, { sharedBuffers: "16MB" });
    return openPglite(client);
  }
  const database = openPostgres(options.url);
  try {
    await withRetries(`The database at ${serverOf(options.url)}`, () => database.db.execute(sql`select 1`), {
      attempts: options.attempts,
      delayMs: options.retryDelayMs ?? 500,
      hint: "Check DATABASE_URL, and that the Postgres server is running and accepts connections from here.",
      onFailure: (error, attempt, retryInMs) =>
        options.logger.warn(
          { attempt, of: options.attempts, err: explainFailure(error), ...(retryInMs === undefined ? {} : { retryInMs }) },
          retryInMs === undefined ? "database is not reachable: giving up" : "database is not reachable yet",
        ),
    });
    return database;
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }
}
