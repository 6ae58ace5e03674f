import { AsyncLocalStorage } from "node:async_hooks";
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "./client.js";
import { updateEffects } from "./schema/index.js";

/**
 * The update being handled, for the code that makes its handling happen once (see
 * src/bot/exactly-once.ts): its effects are journaled under (update id, seq), and the state
 * writes it makes (session, dialog) wait in `pendingState` until the update is finished.
 */
export interface UpdateScope {
  readonly updateId: number;
  /** The database itself, not the journaling view the bot uses. */
  readonly db: Db;
  /** True when an earlier handling of this update began and never finished. */
  readonly rerun: boolean;
  /** The number of effects (write transactions, Bot API calls) started so far. */
  seq: number;
  /** Session and dialog state written while handling: key → value, or DELETED. */
  readonly pendingState: Map<string, unknown>;
  /** False once the update is finished: timers it left behind are not part of it. */
  open: boolean;
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

/** The result this effect had in an earlier handling of the update, if it got that far. */
export async function journaled(scope: UpdateScope, seq: number): Promise<{ found: false } | { found: true; value: unknown }> {
  if (!scope.rerun) return { found: false };
  const [row] = await scope.db
    .select({ result: updateEffects.result })
    .from(updateEffects)
    .where(and(eq(updateEffects.updateId, scope.updateId), eq(updateEffects.seq, seq)));
  return row ? { found: true, value: decode(row.result) } : { found: false };
}

/** Records an effect's result; `writer` is the effect's own transaction when it has one. */
export async function journal(writer: Db, scope: UpdateScope, seq: number, value: unknown): Promise<void> {
  const result = encode(value);
  await writer
    .insert(updateEffects)
    .values({ updateId: scope.updateId, seq, result })
    .onConflictDoUpdate({ target: [updateEffects.updateId, updateEffects.seq], set: { result, createdAt: sql`now()` } });
}

/**
 * The database as the bot sees it: the same object, except that a transaction begun while an
 * update is handled is journaled. It commits together with its journal row, and when the same
 * update is handled again after a crash, it is not run again: its recorded result is returned.
 * Write transactions are the unit: every domain write the bot makes is one (a write outside a
 * transaction must be idempotent on its own, like an upsert or an insert on a unique key).
 */
export function journaledDb(db: Db): Db {
  const view = Object.create(db) as Db;
  const transaction = db.transaction.bind(db);
  view.transaction = (async (work: (tx: never) => Promise<unknown>, config?: unknown) => {
    const scope = activeScope();
    if (!scope) return transaction(work as never, config as never);
    const seq = scope.seq++;
    const earlier = await journaled(scope, seq);
    if (earlier.found) return earlier.value;
    return transaction(async (tx) => {
      const result = await work(tx as never);
      await journal(tx, scope, seq, result);
      return result;
    }, config as never);
  }) as Db["transaction"];
  return view;
}
