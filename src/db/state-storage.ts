import { eq, sql } from "drizzle-orm";
import type { StorageAdapter } from "grammy";
import type { Db } from "./client.js";
import { botState } from "./schema/index.js";

export const SESSION_KEY_PREFIX = "session:";
export const CONVERSATION_KEY_PREFIX = "conversation:";

/**
 * grammY storage adapter over the bot_state table. Serves sessions and conversations alike
 * (they differ by key prefix), so both survive restarts and are shared between instances.
 */
export class DbStateStorage<T> implements StorageAdapter<T> {
  constructor(private readonly db: Db) {}

  async read(key: string): Promise<T | undefined> {
    const [row] = await this.db.select({ value: botState.value }).from(botState).where(eq(botState.key, key));
    return row?.value as T | undefined;
  }

  async write(key: string, value: T): Promise<void> {
    await this.db
      .insert(botState)
      .values({ key, value })
      .onConflictDoUpdate({ target: botState.key, set: { value, updatedAt: sql`now()` } });
  }

  async delete(key: string): Promise<void> {
    await this.db.delete(botState).where(eq(botState.key, key));
  }
}
