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
