import { and, asc, eq, gte, inArray, notInArray, or, sql } from "drizzle-orm";
import type { Db } from "../../core/db/client.js";
import { type Event, type EventStatus, eventPartners, events } from "./schema.js";
import { contacts, partners } from "../../partners/index.js";
import { addDays } from "../../partners/index.js";
import { localDate } from "../../core/dates.js";
import { timeZoneOffset, zonedInstant } from "./time.js";

export const PERIODS = ["week", "month", "upcoming", "past"] as const;
export type Period = (typeof PERIODS)[number];

/** The instant a local day ('YYYY-MM-DD') begins in `timeZone`. */
export function startOfLocalDay(day: string, timeZone: string): Date {
  const [year, month, date] = day.split("-").map(Number) as [number, number, number];
  const start = zonedInstant({ year, month, day: date, hour: 0, minute: 0 }, timeZone);
  if (!start) throw new Error(`not a day: ${day}`);
  return start;
}

/** The local hour (0–23) at `now` in `timeZone`. */
export function localHour(now: Date, timeZone: string): number {
  return new Date(now.getTime() + timeZoneOffset(now, timeZone) * 60_000).getUTCHours();
}

/**
 * The time range of a period in the institution's time zone: weeks start on Monday, months on
 * the 1st; "upcoming" is from now on, "past" before now.
 */
export function periodRange(period: Period, now: Date, timeZone: string): { from?: Date; to?: Date } {
  const today = localDate(now, timeZone);
  switch (period) {
    case "week": {
      const weekday = (new Date(`${today}T00:00:00Z`).getUTCDay() + 6) % 7;
      const monday = addDays(today, -weekday);
      return { from: startOfLocalDay(monday, timeZone), to: startOfLocalDay(addDays(monday, 7), timeZone) };
    }
    case "month": {
      const [year, month] = today.split("-").map(Number) as [number, number];
      const next = month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, "0")}-01`;
      return { from: startOfLocalDay(`${today.slice(0, 7)}-01`, timeZone), to: startOfLocalDay(next, timeZone) };
    }
    case "upcoming":
      return { from: now };
    case "past":
      return { to: now };
  }
}

/** Partners that have at least one event, by name: the choices of the calendar's partner filter. */
export async function partnersWithEvents(db: Db, onlyPartnerId?: number) {
  return db
    .selectDistinct({ id: partners.id, fullName: partners.fullName, shortName: partners.shortName })
    .from(partners)
    .innerJoin(eventPartners, eq(eventPartners.partnerId, partners.id))
    .where(onlyPartnerId !== undefined ? eq(partners.id, onlyPartnerId) : undefined)
    .orderBy(asc(partners.fullName), asc(partners.id));
}

const NOT_GOING_AHEAD: EventStatus[] = ["rejected", "cancelled"];

/** A partner's next events that are still going ahead, soonest first: for the partner card. */
export async function upcomingEventsOfPartner(db: Db, partnerId: number, now: Date, limit = 3) {
  return db
    .select({ id: events.id, title: events.title, startsAt: events.startsAt, status: events.status })
    .from(events)
    .innerJoin(eventPartners, eq(eventPartners.eventId, events.id))
    .where(and(eq(eventPartners.partnerId, partnerId), gte(events.startsAt, now), notInArray(events.status, NOT_GOING_AHEAD)))
    .orderBy(asc(events.startsAt), asc(events.id))
    .limit(limit);
}

/**
 * Approved events from now on that a person is involved in: as the responsible person, as the
 * proposer, or as a linked contact of one of the partners. Feeds "all my upcoming" (.ics).
 */
export async function involvedUpcomingEvents(db: Db, userId: number, now: Date): Promise<Event[]> {
  const asContact = sql`exists (select 1 from ${eventPartners} inner join ${contacts} on ${contacts.partnerId} = ${eventPartners.partnerId}
    where ${eventPartners.eventId} = ${events.id} and ${contacts.userId} = ${userId})`;
  return db
    .select()
    .from(events)
    .where(
      and(
        eq(events.status, "approved"),
        gte(events.startsAt, now),
        or(eq(events.responsibleUserId, userId), eq(events.proposedBy, userId), asContact),
      ),
    )
    .orderBy(asc(events.startsAt), asc(events.id));
}

/** The names of the partners of some events, short names first: for calendar entries. */
export async function partnerNamesOfEvents(db: Db, eventIds: number[]): Promise<Map<number, string[]>> {
  const names = new Map<number, string[]>();
  if (eventIds.length === 0) return names;
  const rows = await db
    .select({ eventId: eventPartners.eventId, fullName: partners.fullName, shortName: partners.shortName })
    .from(eventPartners)
    .innerJoin(partners, eq(partners.id, eventPartners.partnerId))
    .where(inArray(eventPartners.eventId, eventIds))
    .orderBy(asc(partners.id));
  for (const row of rows) names.set(row.eventId, [...(names.get(row.eventId) ?? []), row.shortName ?? row.fullName]);
  return names;
}
