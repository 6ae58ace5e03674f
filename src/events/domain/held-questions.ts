import { and, asc, eq, lte, sql } from "drizzle-orm";
import type { Db } from "../../core/db/client.js";
import { type Event, eventNotices, events } from "./schema.js";

/** Approved events that have ended and whose responsible person was not yet asked "was it held?". */
export async function eventsAwaitingHeldQuestion(db: Db, now: Date): Promise<Event[]> {
  return db
    .select()
    .from(events)
    .where(
      and(
        eq(events.status, "approved"),
        lte(events.endsAt, now),
        sql`not exists (select 1 from ${eventNotices} where ${eventNotices.eventId} = ${events.id} and ${eventNotices.kind} = 'held_question' and ${eventNotices.userId} = ${events.responsibleUserId} and ${eventNotices.forStartsAt} = ${events.startsAt})`,
      ),
    )
    .orderBy(asc(events.endsAt), asc(events.id));
}

/**
 * Claims the question for this event: false when another run already did. Call it in the
 * transaction that enqueues the question, so a claim never exists without its message.
 */
export async function claimHeldQuestion(db: Db, event: Pick<Event, "id" | "responsibleUserId" | "startsAt">): Promise<boolean> {
  const claimed = await db
    .insert(eventNotices)
    .values({ eventId: event.id, kind: "held_question", userId: event.responsibleUserId, forStartsAt: event.startsAt })
    .onConflictDoNothing()
    .returning({ eventId: eventNotices.eventId });
  return claimed.length > 0;
}
