import { randomUUID } from "node:crypto";
import { getTableColumns, type SQL, sql } from "drizzle-orm";
import type { Update } from "grammy/types";
import postgres from "postgres";
import { type User, users } from "../access/schema.js";
import { type Db, preparedStatement, selectRows } from "./client.js";
import { botState } from "./schema.js";

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

// ————————————————————————————————————————— the start of an update, in one round trip

/** What an update's handling will read first: its sender's user row and its chat's state rows. */
export interface PrefetchPlan {
  /** The sender, when their user row is read (private chats). */
  telegramId: number | null;
  /** The key of the sender's "blocked the bot" mark, read with the user. */
  blockedKey: string | null;
  /** Up to two state keys (session, dialog). */
  stateKeys: readonly string[];
}

/** A user row as syncUser reads it: the user and their "blocked the bot" mark. */
export interface UserRow {
  user: User;
  blocked: unknown;
}

export interface Prefetched {
  /** The sender's row (none: empty), when the plan named a sender. */
  userRows: UserRow[] | undefined;
  /** The state rows by key (absent: undefined). */
  state: Map<string, unknown>;
}

const P = (name: string) => sql.placeholder(name);
const USER_COLUMNS = Object.entries(getTableColumns(users));

/** The user's columns, as u_<key>, and the state values, as s0 and s1. */
const PREFETCH_COLUMNS = sql.join(
  [
    ...USER_COLUMNS.map(([key, column]) => sql`${column} as ${sql.identifier(`u_${key}`)}`),
    sql`b.value as blocked`,
    sql`(select value from bot_state where key = ${P("key0")}::text) as s0`,
    sql`(select value from bot_state where key = ${P("key1")}::text) as s1`,
  ],
  sql`, `,
);
const PREFETCH_FROM = sql`(select 1) as one
  left join ${users} on ${users.telegramId} = ${P("telegramId")}::bigint
  left join bot_state b on b.key = ${P("blockedKey")}::text`;

/** Claims the update (as claimUpdates does) and reads what its handling needs first. */
const BEGIN = sql`with claim as (
    insert into processed_updates as p (update_id, status, owner, owner_pid, owner_since, update)
    values (${P("updateId")}::bigint, 'handling', ${P("owner")}::text, ${P("pid")}::int, ${P("since")}::timestamptz, ${P("update")}::jsonb)
    ${TAKE_OVER} returning p.attempts)
  select (select attempts from claim) as attempts,
    (select status from processed_updates where update_id = ${P("updateId")}::bigint) as prior_status,
    ${PREFETCH_COLUMNS}
  from ${PREFETCH_FROM}`;

/** Reads what an update's handling needs first (the update was claimed already). */
const PREFETCH = sql`select ${PREFETCH_COLUMNS} from ${PREFETCH_FROM}`;

type BeginRow = Record<string, unknown> & { attempts: number | null; prior_status: string | null; blocked: unknown; s0: unknown; s1: unknown };

const statements = new WeakMap<Db, { begin: (v: Record<string, unknown>) => Promise<BeginRow[]>; prefetch: (v: Record<string, unknown>) => Promise<BeginRow[]> }>();

function statementsOf(db: Db) {
  let found = statements.get(db);
  if (!found) {
    found = { begin: preparedStatement<BeginRow>(db, "begin_update", BEGIN), prefetch: preparedStatement<BeginRow>(db, "prefetch_update", PREFETCH) };
    statements.set(db, found);
  }
  return found;
}

/** A column's value as drizzle gives it; SQL null (or a column not selected) as null. */
const fromDriver = (column: { mapFromDriverValue(value: unknown): unknown }, raw: unknown): unknown =>
  raw === null || raw === undefined ? null : column.mapFromDriverValue(raw);

function prefetchedOf(row: BeginRow, plan: PrefetchPlan): Prefetched {
  let userRows: UserRow[] | undefined;
  if (plan.telegramId !== null) {
    if (row.u_id === null || row.u_id === undefined) userRows = [];
    else {
      const user = Object.fromEntries(USER_COLUMNS.map(([key, column]) => [key, fromDriver(column, row[`u_${key}`])])) as User;
      userRows = [{ user, blocked: fromDriver(botState.value, row.blocked) }];
    }
  }
  const state = new Map<string, unknown>();
  plan.stateKeys.forEach((key, i) => state.set(key, fromDriver(botState.value, row[`s${i}`]) ?? undefined));
  return { userRows, state };
}

const planValues = (plan: PrefetchPlan) => ({
  telegramId: plan.telegramId,
  blockedKey: plan.blockedKey,
  key0: plan.stateKeys[0] ?? null,
  key1: plan.stateKeys[1] ?? null,
});

/**
 * Claims one update and reads what its handling needs first (the sender's user row, the chat's
 * session and dialog state), in one statement. The reads see the database as it was before the
 * claim, which changes none of them.
 */
export async function beginUpdate(db: Db, owner: UpdateOwner, update: Update, plan: PrefetchPlan): Promise<{ claim: Claim; prefetched: Prefetched }> {
  const [row] = await statementsOf(db).begin({
    updateId: update.update_id,
    owner: owner.id,
    pid: owner.pid,
    since: owner.since,
    update: JSON.stringify(update),
    ...planValues(plan),
  });
  if (!row) throw new Error("beginning an update returned no row");
  const claim: Claim =
    row.attempts !== null ? { kind: "mine", attempts: Number(row.attempts) } : row.prior_status === "handling" ? { kind: "busy" } : { kind: "finished" };
  return { claim, prefetched: prefetchedOf(row, plan) };
}

/** Reads what the handling of an update claimed already (by getUpdates) needs first. */
export async function prefetchUpdate(db: Db, plan: PrefetchPlan): Promise<Prefetched> {
  if (plan.telegramId === null && plan.stateKeys.length === 0) return { userRows: undefined, state: new Map() };
  const [row] = await statementsOf(db).prefetch(planValues(plan));
  if (!row) throw new Error("prefetching an update returned no row");
  return prefetchedOf(row, plan);
}
