import { AsyncLocalStorage } from "node:async_hooks";
import { eq, sql } from "drizzle-orm";
import type { Db } from "./client.js";
import type { Prefetched } from "./processed-updates.js";
import { updateEffects } from "./schema.js";

/**
 * The update being handled, for the code that makes its handling happen once (see
 * src/core/telegram/exactly-once.ts): its effects are journaled under (update id, seq), and the state
 * writes it makes (session, dialog) wait in `pendingState` until the update is finished.
 */
export interface UpdateScope {
  readonly updateId: number;
  /** The database itself, not the journaling view the bot uses. */
  readonly db: Db;
  /** True when an earlier handling of this update began and never finished. */
  readonly rerun: boolean;
  /** What the earlier handling journaled, by seq (loaded once when handling again). */
  readonly earlier: Map<number, unknown>;
  /** The number of effects (queries, transactions, Bot API calls) started so far. */
  seq: number;
  /**
   * Results not yet journaled: reads, and Telegram's answers. They go with the next journal row
   * (see journal()); an answer also before the next request to Telegram (see recordAnswers()).
   */
  readonly pendingReads: [number, unknown][];
  /** Whether pendingReads holds an answer of Telegram's (then it must be written before the next request). */
  unrecordedAnswer: boolean;
  /** Session and dialog state written while handling: key → value, or DELETED. */
  readonly pendingState: Map<string, unknown>;
  /** The state as read from the database (JSON; "" when absent): a write of the same is no write. */
  readonly readState: Map<string, string>;
  /** Whether journal rows were written (then they are deleted when the update finishes). */
  journaledAny: boolean;
  /** False once the update is finished: timers it left behind are not part of it. */
  open: boolean;
  /** What the start of the update read for its handling (user row, state), not read again. */
  prefetched?: Prefetched;
}

export const DELETED = Symbol("deleted");

const scopes = new AsyncLocalStorage<UpdateScope>();

export function runInScope<T>(scope: UpdateScope, work: () => Promise<T>): Promise<T> {
  return scopes.run(scope, work);
}

export function activeScope(): UpdateScope | undefined {
  const scope = scopes.getStore();
  return scope?.open ? scope : undefined;
}

/** Runs `work` outside any update (a job started from a handler is not part of the update). */
export function outsideScope<T>(work: () => T): T {
  return scopes.exit(work);
}

// Journaled results are JSON with tagged Dates, bigints and bytes, so they come back as they were.
const TAG = "$journal";

function encode(value: unknown, depth = 0): unknown {
  if (depth > 64) throw new Error("journaled result nested too deeply");
  if (value === null || value === undefined) return value ?? null;
  if (value instanceof Date) return { [TAG]: "date", v: value.toISOString() };
  if (typeof value === "bigint") return { [TAG]: "bigint", v: value.toString() };
  if (value instanceof Uint8Array) return { [TAG]: "bytes", v: Buffer.from(value).toString("base64") };
  if (Array.isArray(value)) return value.map((item) => encode(item, depth + 1));
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item !== undefined && typeof item !== "function") out[key] = encode(item, depth + 1);
    }
    return out;
  }
  if (typeof value === "function" || typeof value === "symbol") return null;
  return value;
}

function decode(value: unknown): unknown {
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(decode);
  const record = value as Record<string, unknown>;
  if (typeof record[TAG] === "string") {
    const v = record.v as string;
    if (record[TAG] === "date") return new Date(v);
    if (record[TAG] === "bigint") return BigInt(v);
    if (record[TAG] === "bytes") return Buffer.from(v, "base64");
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) out[key] = decode(item);
  return out;
}

/** Loads what an earlier handling of the update journaled. */
export async function loadJournal(db: Db, updateId: number): Promise<Map<number, unknown>> {
  const rows = await db.select({ seq: updateEffects.seq, result: updateEffects.result }).from(updateEffects).where(eq(updateEffects.updateId, updateId));
  return new Map(rows.map((row) => [row.seq, decode(row.result)]));
}

/** The result this effect had in an earlier handling of the update, if it got that far. */
export function journaled(scope: UpdateScope, seq: number): { found: false } | { found: true; value: unknown } {
  return scope.earlier.has(seq) ? { found: true, value: scope.earlier.get(seq) } : { found: false };
}

/**
 * Records an effect's result, with the reads made before it; `writer` is the effect's own
 * transaction when it has one. Reads need a record only once something was written after them:
 * until then, reading again gives the same answer.
 */
export async function journal(writer: Db, scope: UpdateScope, seq: number, value: unknown): Promise<void> {
  await writeRows(writer, scope, [...scope.pendingReads.splice(0), [seq, value]]);
}

/**
 * Writes the answers Telegram gave so far (with the reads before them) before the next request
 * goes out. The last answer of an update needs no row: the update's end commits what it did.
 */
export async function recordAnswers(scope: UpdateScope): Promise<void> {
  if (scope.unrecordedAnswer) await writeRows(scope.db, scope, scope.pendingReads.splice(0));
}

async function writeRows(writer: Db, scope: UpdateScope, entries: [number, unknown][]): Promise<void> {
  scope.journaledAny = true;
  scope.unrecordedAnswer = false;
  if (entries.length === 0) return;
  const rows = entries.map(([s, v]) => ({ updateId: scope.updateId, seq: s, result: encode(v) }));
  await writer
    .insert(updateEffects)
    .values(rows)
    .onConflictDoUpdate({ target: [updateEffects.updateId, updateEffects.seq], set: { result: sql`excluded.result`, createdAt: sql`now()` } });
}

/** Reads of more rows than this are not journaled: lists, reports and exports read again live. */
const MAX_JOURNALED_ROWS = 100;

/**
 * A read the start of the update made for the handler (the user row), taken as one of the
 * handler's own reads through the journaled Db: it has its place in the journal, so when the
 * update is handled again the handler sees what it saw the first time.
 */
export function prefetchedRead<T extends unknown[]>(rows: T): T {
  const scope = activeScope();
  if (!scope) return rows;
  const seq = scope.seq++;
  const earlier = journaled(scope, seq);
  if (earlier.found) return earlier.value as T;
  if (rows.length <= MAX_JOURNALED_ROWS) scope.pendingReads.push([seq, rows]);
  return rows;
}

/** Rows of a result: postgres.js gives an array, PGlite an object with `rows`. */
const rowCount = (result: unknown): number =>
  Array.isArray(result) ? result.length : Array.isArray((result as { rows?: unknown } | null)?.rows) ? (result as { rows: unknown[] }).rows.length : 1;

const isWrite = (query: string) => /\b(insert|update|delete)\b/i.test(query);

interface Prepared {
  execute: (placeholders?: unknown, token?: unknown) => Promise<unknown>;
  all: (placeholders?: unknown) => Promise<unknown>;
}

/** A prepared query whose execution, inside an update, is part of the update's journal. */
function journaledQuery<P extends Prepared>(prepared: P, query: string): P {
  const view = Object.create(prepared) as P;
  const run = (original: (placeholders?: unknown, token?: unknown) => Promise<unknown>) =>
    async (placeholders?: unknown, token?: unknown) => {
      const scope = activeScope();
      if (!scope) return original.call(prepared, placeholders, token);
      const seq = scope.seq++;
      const earlier = journaled(scope, seq);
      if (earlier.found) return earlier.value;
      const result = await original.call(prepared, placeholders, token);
      if (isWrite(query)) await journal(scope.db, scope, seq, result);
      else if (rowCount(result) <= MAX_JOURNALED_ROWS) scope.pendingReads.push([seq, result]);
      return result;
    };
  view.execute = run(prepared.execute);
  view.all = run(prepared.all);
  return view;
}

/**
 * The database as the bot sees it: the same object, except that while an update is handled,
 * what it does is journaled (src/core/telegram/exactly-once.ts). A transaction commits together with its
 * journal row; a write outside one is journaled right after it; a read's result goes with the
 * next journal row. When the same update is handled again after a crash, each of them, up to
 * where the first handling got, returns its recorded result instead of running again: nothing is
 * written twice, and the reads before a write see what they saw the first time, so the handler
 * takes the same path (an invite it redeemed is not "already used" to it).
 */
export function journaledDb(db: Db): Db {
  const view = Object.create(db) as Db & { session: { prepareQuery: (...args: unknown[]) => Prepared } };
  const realSession = (db as unknown as { session: { prepareQuery: (...args: unknown[]) => Prepared } }).session;
  const session = Object.create(realSession) as typeof realSession;
  session.prepareQuery = (...args: unknown[]) => journaledQuery(realSession.prepareQuery(...args), (args[0] as { sql: string }).sql);
  view.session = session;
  const transaction = db.transaction.bind(db);
  view.transaction = (async (work: (tx: never) => Promise<unknown>, config?: unknown) => {
    const scope = activeScope();
    if (!scope) return transaction(work as never, config as never);
    const seq = scope.seq++;
    const earlier = journaled(scope, seq);
    if (earlier.found) return earlier.value;
    const reads = [...scope.pendingReads];
    const unrecordedAnswer = scope.unrecordedAnswer;
    try {
      return await transaction(async (tx) => {
        const result = await work(tx as never);
        await journal(tx, scope, seq, result);
        return result;
      }, config as never);
    } catch (error) {
      // Rolled back with the journal row: what it carried still waits for one.
      scope.pendingReads.unshift(...reads.filter((entry) => !scope.pendingReads.includes(entry)));
      scope.unrecordedAnswer ||= unrecordedAnswer;
      throw error;
    }
  }) as Db["transaction"];
  return view;
}
