import { eq } from "drizzle-orm";
import { enqueueHeldQuestion } from "./notices.js";
import type { Db } from "../core/db/client.js";
import { users } from "../core/access/schema.js";
import type { NoticeDeps } from "../core/outbox/notices.js";
import { claimHeldQuestion, eventsAwaitingHeldQuestion } from "./domain/held-questions.js";
import type { Logger } from "../logger.js";

export interface HeldQuestionDeps extends NoticeDeps {
  db: Db;
  logger: Logger;
  /** Tells the outbox sender that messages were enqueued. */
  wakeOutbox: () => void;
}

/**
 * Asks the responsible person of every approved event that has ended whether it was held. Each
 * question is claimed and written to the outbox in one transaction, so it is asked once however
 * often and wherever this runs, and a claim never exists without its message.
 */
export async function askHeldQuestions(deps: HeldQuestionDeps, now: Date): Promise<{ asked: number }> {
  let asked = 0;
  for (const event of await eventsAwaitingHeldQuestion(deps.db, now)) {
    try {
      const enqueued = await deps.db.transaction(async (tx) => {
        const [responsible] = await tx.select().from(users).where(eq(users.id, event.responsibleUserId));
        if (!responsible) return false;
        if (!(await claimHeldQuestion(tx, event))) return false;
        return enqueueHeldQuestion(tx, deps, event, responsible, `held-question:${event.id}:${event.startsAt.getTime()}:u${responsible.id}`);
      });
      if (enqueued) asked++;
    } catch (error) {
      // Nothing was claimed: the next run asks again. The others go on.
      deps.logger.error({ err: error, eventId: event.id }, "could not enqueue a held question");
    }
  }
  if (asked > 0) deps.wakeOutbox();
  return { asked };
}
