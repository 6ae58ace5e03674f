import { and, inArray, like, lt } from "drizzle-orm";
import type { Job } from "./job.js";
import type { Db } from "./db/client.js";
import { botState, processedUpdates, updateEffects } from "./db/schema.js";
import { outbox } from "./outbox/schema.js";
import { CONVERSATION_KEY_PREFIX } from "./db/state-storage.js";

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

/**
 * Telegram keeps undelivered updates for 24 hours; ids older than a few days are safe to forget,
 * with the journal of what handling them did.
 */
export async function forgetProcessedUpdates(db: Db, olderThan: Date): Promise<number> {
  const rows = await db
    .delete(processedUpdates)
    .where(lt(processedUpdates.processedAt, olderThan))
    .returning({ id: processedUpdates.updateId });
  await db.delete(updateEffects).where(lt(updateEffects.createdAt, olderThan));
  return rows.length;
}

/**
 * The outbox keeps a copy of every message the bot sent on its own initiative (names, event
 * titles). Once delivered (or given up) it is needed only to look into a recent problem: forget
 * it after `olderThan`, as /privacy promises. Pending and in-flight rows are never touched.
 */
export async function forgetDeliveredMessages(db: Db, olderThan: Date): Promise<number> {
  const rows = await db
    .delete(outbox)
    .where(and(inArray(outbox.status, ["sent", "failed", "blocked"]), lt(outbox.createdAt, olderThan)))
    .returning({ id: outbox.id });
  return rows.length;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The core's own jobs: forgetting what is no longer needed. */
export const housekeepingJobs: readonly Job[] = [
  {
    name: "forget-processed-updates",
    cron: "17 * * * *",
    async run(deps) {
      const forgotten = await forgetProcessedUpdates(deps.db, new Date(deps.now().getTime() - 3 * DAY_MS));
      deps.logger.debug({ forgotten }, "forgot old processed update ids");
    },
  },
  {
    name: "forget-abandoned-dialogs",
    cron: "47 3 * * *",
    async run(deps) {
      const forgotten = await forgetAbandonedDialogs(deps.db, new Date(deps.now().getTime() - 7 * DAY_MS));
      deps.logger.info({ forgotten }, "forgot dialogs abandoned for a week");
      const messages = await forgetDeliveredMessages(deps.db, new Date(deps.now().getTime() - 30 * DAY_MS));
      deps.logger.info({ messages }, "forgot outbox copies older than 30 days");
    },
  },
];
