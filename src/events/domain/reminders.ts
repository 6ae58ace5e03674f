import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "../../core/db/client.js";
import { type Event, eventConfirmations, eventNotices, events } from "./schema.js";
import { type User, users } from "../../core/access/schema.js";
import { contacts } from "../../partners/index.js";
import { addDays } from "../../partners/index.js";
import { localDate } from "../../core/dates.js";

export interface DueEventReminder {
  event: Event;
  recipient: User;
}

/**
 * Day-before reminders not yet claimed: for each approved event starting tomorrow (the
 * institution's date), its responsible person and the linked partner contacts who confirmed.
 */
export async function dueEventReminders(db: Db, now: Date, timeZone: string): Promise<DueEventReminder[]> {
  const tomorrow = addDays(localDate(now, timeZone), 1);
  const starting = await db
    .select()
    .from(events)
    .where(and(eq(events.status, "approved"), sql`(${events.startsAt} at time zone ${timeZone})::date = ${tomorrow}::date`))
    .orderBy(asc(events.startsAt), asc(events.id));
  const due: DueEventReminder[] = [];
  for (const event of starting) {
    const [responsible] = await db.select().from(users).where(and(eq(users.id, event.responsibleUserId), eq(users.status, "active")));
    const confirmed = await db
      .selectDistinct({ user: users })
      .from(eventConfirmations)
      .innerJoin(contacts, eq(contacts.id, eventConfirmations.contactId))
      .innerJoin(users, eq(users.id, contacts.userId))
      .where(and(eq(eventConfirmations.eventId, event.id), eq(eventConfirmations.answer, "confirmed"), eq(users.status, "active")));
    const recipients = [...(responsible ? [responsible] : []), ...confirmed.map((c) => c.user)];
    const claimed = await db
      .select({ userId: eventNotices.userId })
      .from(eventNotices)
      .where(and(eq(eventNotices.eventId, event.id), eq(eventNotices.kind, "reminder_day_before"), eq(eventNotices.forStartsAt, event.startsAt)));
    const seen = new Set(claimed.map((c) => c.userId));
    for (const recipient of recipients) {
      if (seen.has(recipient.id)) continue;
      seen.add(recipient.id);
      due.push({ event, recipient });
    }
  }
  return due;
}

/**
 * Claims a reminder: true for exactly one caller. Call it in the transaction that enqueues the
 * reminder, so a claim never exists without its message. The event row is locked and re-read,
 * so an event cancelled or moved since it was listed gets no stale reminder.
 */
export async function claimEventReminder(db: Db, event: Pick<Event, "id" | "startsAt">, userId: number): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [current] = await tx.select({ status: events.status, startsAt: events.startsAt }).from(events).where(eq(events.id, event.id)).for("update");
    if (!current || current.status !== "approved" || current.startsAt.getTime() !== event.startsAt.getTime()) return false;
    const claimed = await tx
      .insert(eventNotices)
      .values({ eventId: event.id, kind: "reminder_day_before", userId, forStartsAt: event.startsAt })
      .onConflictDoNothing()
      .returning({ eventId: eventNotices.eventId });
    return claimed.length > 0;
  });
}
