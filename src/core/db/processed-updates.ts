import { randomUUID } from "node:crypto";
import { type SQL, sql } from "drizzle-orm";
import type { Update } from "grammy/types";
import postgres from "postgres";
import { type Db, selectRows } from "./client.js";

/**
 * Who is handling an update. On Postgres an instance is alive while its liveness connection is
 * (`pid` and `since` name it in pg_stat_activity): a process killed with -9 loses its connection
 * at once, so its unfinished updates can be taken over without waiting for a lease to run out.
 * PGlite is opened by one process at a time: there, an owner other than this one is dead.
 */
export interface UpdateOwner {
  readonly id: string;
  pid: number | null;
  /** backend_start of the liveness connection, as Postgres prints it (microseconds kept). */
  since: string | null;
  close(): Promise<void>;
}

/** An owner with no liveness connection: for PGlite, and for tests that run one bot. */
export function localOwner(): UpdateOwner {
  return { id: randomUUID(), pid: null, since: null, close: () => Promise.resolve() };
}

/** An owner whose liveness is a connection of its own to Postgres, checked every 30 s. */
export async function postgresOwner(url: string, onChange?: (pid: number) => void): Promise<UpdateOwner> {
  const client = postgres(url, { max: 1, max_lifetime: 0, idle_timeout: 0, onnotice: () => undefined, connect_timeout: 10 });
  const identify = async () => {
    const [row] = await client<{ pid: number; since: string }[]>`
      select pid, backend_start::text as since from pg_stat_activity where pid = pg_backend_pid()`;
    if (!row) throw new Error("the liveness connection is missing from pg_stat_activity");
    return row;
  };
  const first = await identify();
  const owner: UpdateOwner = {
    id: randomUUID(),
    pid: first.pid,
    since: first.since,
    async close() {
      clearInterval(timer);
      await client.end({ timeout: 5 });
    },
  };
  // A dropped connection is reopened by the next query: from then on, claims name the new one.
  const timer = setInterval(() => {
    identify().then(
      (row) => {
        if (row.pid !== owner.pid) onChange?.(row.pid);
        owner.pid = row.pid;
        owner.since = row.since;
      },
      () => undefined,
    );
  }, 30_000);
  timer.unref();
  return owner;
}

/** The row's owner is gone: no owner at all, a local owner, or a connection no longer there. */
const OWNER_IS_DEAD = `(p.owner_pid is null or not exists (
  select 1 from pg_stat_activity a where a.pid = p.owner_pid and a.backend_start = p.owner_since))`;

export type Claim = { kind: "mine"; attempts: number } | { kind: "finished" } | { kind: "busy" };

function ownerValues(owner: UpdateOwner): SQL {
  return sql`'handling', ${owner.id}, ${owner.pid}, ${owner.since}::timestamptz`;
}

/** Takes over a row whose owner died, counting the attempt; keeps the update already stored. */
const TAKE_OVER = sql.raw(`on conflict (update_id) do update set
    owner = excluded.owner, owner_pid = excluded.owner_pid, owner_since = excluded.owner_since,
    attempts = p.attempts + 1, update = coalesce(p.update, excluded.update)
  where p.status = 'handling' and p.owner is distinct from excluded.owner and ${OWNER_IS_DEAD}`);

/**
 * Claims updates for `owner` and keeps them (the inbox), in one statement: new ones, and those
 * whose earlier owner died before finishing them. Returns the claimed ids with their attempt
 * numbers; the others are finished, or being handled by a live instance.
 */
export async function claimUpdates(db: Db, owner: UpdateOwner, updates: readonly Update[]): Promise<Map<number, number>> {
  if (updates.length === 0) return new Map();
  const values = sql.join(
    updates.map((u) => sql`(${u.update_id}, ${ownerValues(owner)}, ${JSON.stringify(u)}::jsonb)`),
    sql`, `,
  );
  const rows = await selectRows<{ update_id: string | number; attempts: number }>(
    db,
    sql`insert into processed_updates as p (update_id, status, owner, owner_pid, owner_since, update)
      values ${values} ${TAKE_OVER} returning p.update_id, p.attempts`,
  );
  return new Map(rows.map((r) => [Number(r.update_id), r.attempts]));
}

/** Claims one update: mine (with the attempt number), finished already, or busy elsewhere. */
export async function claimUpdate(db: Db, owner: UpdateOwner, update: Update): Promise<Claim> {
  const attempts = (await claimUpdates(db, owner, [update])).get(update.update_id);
  if (attempts !== undefined) return { kind: "mine", attempts };
  const [row] = await selectRows<{ status: string }>(db, sql`select status from processed_updates where update_id = ${update.update_id}`);
  // Finished between the two statements and forgotten: as good as finished.
  return !row || row.status !== "handling" ? { kind: "finished" } : { kind: "busy" };
}

/**
 * Finishes the update in one statement, so all of it happens or none: the state it changed
 * (`changes`, writable CTEs), its journal forgotten, its row marked finished (the stored text of
 * the update is dropped).
 */
export async function finishUpdate(
  db: Db,
  owner: UpdateOwner,
  updateId: number,
  status: "done" | "failed",
  options: { changes?: SQL[]; forgetJournal?: boolean } = {},
): Promise<void> {
  const steps = [...(options.changes ?? []), ...(options.forgetJournal ? [sql`delete from update_effects where update_id = ${updateId}`] : [])];
  const ctes = steps.length > 0 ? sql`with ${sql.join(steps.map((step, i) => sql`${sql.raw(`s${i}`)} as (${step})`), sql`, `)} ` : sql``;
  await db.execute(
    sql`${ctes}update processed_updates set status = ${status}, update = null, finished_at = now()
      where update_id = ${updateId} and owner = ${owner.id}`,
  );
}

/** Updates whose handling began and never finished, and whose owner is dead: oldest first. */
export async function unfinishedUpdates(db: Db, owner: UpdateOwner, limit = 1000): Promise<Update[]> {
  const rows = await selectRows<{ update: Update | string }>(
    db,
    sql`select p.update from processed_updates p
      where p.status = 'handling' and p.update is not null and p.owner is distinct from ${owner.id} and ${sql.raw(OWNER_IS_DEAD)}
      order by p.update_id limit ${limit}`,
  );
  return rows.map((r) => (typeof r.update === "string" ? (JSON.parse(r.update) as Update) : r.update));
}
