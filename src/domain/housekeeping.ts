import { and, like, lt } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { botState, processedUpdates } from "../db/schema/index.js";
import { CONVERSATION_KEY_PREFIX } from "../db/state-storage.js";

/**
 * Dialogs left half-way keep the updates they received (answers, typed text). After `olderThan`
 * nobody is coming back to them: forget them, as /privacy promises.
 */
export async function forgetAbandonedDialogs(db: Db, olderThan: Date): Promise<number> {
  const rows = await db
    .delete(botState)
    .where(and(like(botState.key, `${CONVERSATION_KEY_PREFIX}%`), lt(botState.updatedAt, olderThan)))
    .returning({ key: botState.key });
  return rows.length;
}

/** Telegram keeps undelivered updates for 24 hours; ids older than a few days are safe to forget. */
export async function forgetProcessedUpdates(db: Db, olderThan: Date): Promise<number> {
  const rows = await db
    .delete(processedUpdates)
    .where(lt(processedUpdates.processedAt, olderThan))
    .returning({ id: processedUpdates.updateId });
  return rows.length;
}
