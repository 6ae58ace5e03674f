import { and, asc, count, eq, gte, inArray } from "drizzle-orm";
import { jointActivities, partnerCardSections, planItemEvents } from "../partners/index.js";
import { upcomingEventsBlock } from "./calendar.js";
import { type EventStatus, eventPartners, events } from "./domain/schema.js";

const SCHEDULED: EventStatus[] = ["proposed", "changes_requested", "approved"];
const HELD: EventStatus[] = ["held", "closed"];

/** What the events area adds to the areas below it (see src/areas.ts). */
export function install(): void {
  // The partner card lists the next joint events; its own contacts see only the approved ones.
  partnerCardSections.add({ place: "events", lines: (ctx, partnerId) => upcomingEventsBlock(ctx, partnerId, { approvedOnly: ctx.role === "partner" }) });
  // Joint events held with the partner count as joint activity on its stage checklist.
  jointActivities.add(async (db, partnerId, since) => {
    const [held] = await db
      .select({ n: count() })
      .from(events)
      .innerJoin(eventPartners, eq(eventPartners.eventId, events.id))
      .where(and(eq(eventPartners.partnerId, partnerId), inArray(events.status, HELD), gte(events.startsAt, since)));
    return held?.n ?? 0;
  });
  // Plan vs fact: the events that carry out plan items.
  planItemEvents.add(async (db, planItemIds) => {
    const linked = await db
      .select({ planItemId: events.planItemId, status: events.status, startsAt: events.startsAt })
      .from(events)
      .where(and(inArray(events.planItemId, planItemIds), inArray(events.status, [...SCHEDULED, ...HELD])))
      .orderBy(asc(events.startsAt), asc(events.id));
    return linked.map((e) => ({ planItemId: e.planItemId!, state: HELD.includes(e.status) ? ("held" as const) : ("scheduled" as const), startsAt: e.startsAt }));
  });
}
