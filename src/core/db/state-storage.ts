import { eq, type SQL, sql } from "drizzle-orm";
import type { StorageAdapter } from "grammy";
import type { Db } from "./client.js";
import { botState } from "./schema.js";
import { activeScope, DELETED, type UpdateScope } from "./update-scope.js";

export const SESSION_KEY_PREFIX = "session:";
export const CONVERSATION_KEY_PREFIX = "conversation:";

/**
 * grammY storage adapter over the bot_state table. Serves sessions and conversations alike
 * (they differ by key prefix), so both survive restarts and are shared between instances.
 *
 * While an update is handled, writes are held in the update's scope and committed with the end
 * of the update, in one transaction (writeState below): if handling dies half-way, the dialog is
 * still where it was before the update, so handling it again gives the same answer.
 */
export class DbStateStorage<T> implements StorageAdapter<T> {
  constructor(private readonly db: Db) {}

  async read(key: string): Promise<T | undefined> {
    const scope = activeScope();
    if (scope?.pendingState.has(key)) {
      const value = scope.pendingState.get(key);
      return value === DELETED ? undefined : (value as T);
    }
    // Read with the claim of the update (beginUpdate): once, as the handler may change the object.
    if (scope?.prefetched?.state.has(key)) {
      const value = scope.prefetched.state.get(key);
      scope.prefetched.state.delete(key);
      scope.readState.set(key, value === undefined ? "" : JSON.stringify(value));
      return value as T | undefined;
    }
    const [row] = await this.db.select({ value: botState.value }).from(botState).where(eq(botState.key, key));
    scope?.readState.set(key, row ? JSON.stringify(row.value) : "");
    return row?.value as T | undefined;
  }

  async write(key: string, value: T): Promise<void> {
    const scope = activeScope();
    if (scope) hold(scope, key, value, JSON.stringify(value));
    else await writeState(this.db, new Map([[key, value]]));
  }

  async delete(key: string): Promise<void> {
    const scope = activeScope();
    if (scope) hold(scope, key, DELETED, "");
    else await writeState(this.db, new Map([[key, DELETED]]));
  }
}

/** Holds a write for the end of the update; one that gives back what was read is dropped. */
function hold(scope: UpdateScope, key: string, value: unknown, json: string): void {
  if (scope.readState.get(key) === json) scope.pendingState.delete(key);
  else scope.pendingState.set(key, value);
}

/** The held state as parts of one statement (see finishUpdate): an upsert and a delete. */
export function stateChanges(state: Map<string, unknown>): SQL[] {
  const deleted = [...state].filter(([, value]) => value === DELETED).map(([key]) => key);
  const written = [...state].filter(([, value]) => value !== DELETED);
  const parts: SQL[] = [];
  if (written.length > 0) {
    const values = sql.join(
      written.map(([key, value]) => sql`(${key}, ${JSON.stringify(value)}::jsonb, now())`),
      sql`, `,
    );
    parts.push(sql`insert into bot_state (key, value, updated_at) values ${values}
      on conflict (key) do update set value = excluded.value, updated_at = excluded.updated_at`);
  }
  if (deleted.length > 0) parts.push(sql`delete from bot_state where key in (${sql.join(deleted.map((key) => sql`${key}`), sql`, `)})`);
  return parts;
}

/** Writes state at once (outside an update's handling). */
export async function writeState(db: Db, state: Map<string, unknown>): Promise<void> {
  for (const change of stateChanges(state)) await db.execute(change);
}
