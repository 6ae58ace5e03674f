import { eq, inArray, sql } from "drizzle-orm";
import type { StorageAdapter } from "grammy";
import type { Db } from "./client.js";
import { botState } from "./schema/index.js";
import { activeScope, DELETED } from "./update-scope.js";

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
    const pending = activeScope()?.pendingState;
    if (pending?.has(key)) {
      const value = pending.get(key);
      return value === DELETED ? undefined : (value as T);
    }
    const [row] = await this.db.select({ value: botState.value }).from(botState).where(eq(botState.key, key));
    return row?.value as T | undefined;
  }

  async write(key: string, value: T): Promise<void> {
    const pending = activeScope()?.pendingState;
    if (pending) pending.set(key, value);
    else await writeState(this.db, new Map([[key, value]]));
  }

  async delete(key: string): Promise<void> {
    const pending = activeScope()?.pendingState;
    if (pending) pending.set(key, DELETED);
    else await writeState(this.db, new Map([[key, DELETED]]));
  }
}

/** Writes held state: one upsert for the values, one delete for the deleted keys. */
export async function writeState(db: Db, state: Map<string, unknown>): Promise<void> {
  const deleted = [...state].filter(([, value]) => value === DELETED).map(([key]) => key);
  const written = [...state].filter(([, value]) => value !== DELETED).map(([key, value]) => ({ key, value }));
  if (written.length > 0) {
    await db
      .insert(botState)
      .values(written)
      .onConflictDoUpdate({ target: botState.key, set: { value: sql`excluded.value`, updatedAt: sql`now()` } });
  }
  if (deleted.length > 0) await db.delete(botState).where(inArray(botState.key, deleted));
}
