import { lt, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { processedUpdates } from "../db/schema/index.js";

/** Claims an update id; false when another delivery of the same update was already claimed. */
export async function claimUpdate(db: Db, updateId: number): Promise<boolean> {
  const rows = await db
    .insert(processedUpdates)
    .values({ updateId })
    .onConflictDoNothing()
    .returning({ updateId: processedUpdates.updateId });
  return rows.length > 0;
}

/** Telegram keeps undelivered updates for 24 hours; ids older than a few days are safe to forget. */
export async function forgetProcessedUpdates(db: Db, olderThan: Date): Promise<number> {
  const rows = await db
    .delete(processedUpdates)
    .where(lt(processedUpdates.processedAt, olderThan))
    .returning({ id: processedUpdates.updateId });
  return rows.length;
}

export async function countProcessedUpdates(db: Db): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(processedUpdates);
  return row?.n ?? 0;
}
