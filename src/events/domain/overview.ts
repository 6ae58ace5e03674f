import { and, asc, desc, eq, inArray, isNotNull } from "drizzle-orm";
import type { Db } from "../../core/db/client.js";
import { type Decision, type Event, eventConfirmations, eventDecisions, eventPartners, events } from "./schema.js";
import { type User, users } from "../../core/access/schema.js";
import { contacts, partners, planItems } from "../../partners/index.js";
import { units } from "../../core/access/units-schema.js";
import type { ConfirmationAnswer } from "./schema.js";
import { eventPartnerIds } from "./events.js";
import { type Actor, partnerIdOfContactUser } from "../../partners/index.js";

export interface DecisionLine {
  decision: Decision;
  comment: string | null;
  decidedAt: Date;
  decidedBy: Pick<User, "firstName" | "lastName">;
}

export interface ConfirmationLine {
  contactName: string;
  partnerName: string;
  answer: ConfirmationAnswer;
  comment: string | null;
  answeredAt: Date;
}

/** Everything an event card shows, read in one place. */
export interface EventOverview {
  event: Event;
  partners: { id: number; name: string }[];
  responsible: User | undefined;
  proposer: User | undefined;
  unitName: string | null;
  planItemTitle: string | null;
  decisions: DecisionLine[];
  confirmations: ConfirmationLine[];
}

const DECISION_COLUMNS = {
  decision: eventDecisions.decision,
  comment: eventDecisions.comment,
  decidedAt: eventDecisions.decidedAt,
  decidedBy: { firstName: users.firstName, lastName: users.lastName },
};

const personOf = async (db: Db, id: number) => (await db.select().from(users).where(eq(users.id, id)))[0];

export async function eventOverview(db: Db, eventId: number): Promise<EventOverview | undefined> {
  const [event] = await db.select().from(events).where(eq(events.id, eventId));
  if (!event) return undefined;
  const partnerRows = await db
    .select({ id: partners.id, fullName: partners.fullName, shortName: partners.shortName })
    .from(eventPartners)
    .innerJoin(partners, eq(partners.id, eventPartners.partnerId))
    .where(eq(eventPartners.eventId, eventId))
    .orderBy(asc(partners.id));
  const [unit] = event.ownerUnitId ? await db.select({ name: units.name }).from(units).where(eq(units.id, event.ownerUnitId)) : [];
  const [planItem] = event.planItemId ? await db.select({ title: planItems.title }).from(planItems).where(eq(planItems.id, event.planItemId)) : [];
  const decisions = await db
    .select(DECISION_COLUMNS)
    .from(eventDecisions)
    .innerJoin(users, eq(users.id, eventDecisions.decidedBy))
    .where(eq(eventDecisions.eventId, eventId))
    .orderBy(asc(eventDecisions.decidedAt), asc(eventDecisions.id));
  const confirmations = await db
    .select({
      contactName: contacts.fullName,
      partnerName: partners.fullName,
      partnerShortName: partners.shortName,
      answer: eventConfirmations.answer,
      comment: eventConfirmations.comment,
      answeredAt: eventConfirmations.answeredAt,
    })
    .from(eventConfirmations)
    .innerJoin(contacts, eq(contacts.id, eventConfirmations.contactId))
    .innerJoin(partners, eq(partners.id, contacts.partnerId))
    .where(eq(eventConfirmations.eventId, eventId))
    .orderBy(asc(eventConfirmations.answeredAt));
  return {
    event,
    partners: partnerRows.map((p) => ({ id: p.id, name: p.shortName ?? p.fullName })),
    responsible: await personOf(db, event.responsibleUserId),
    proposer: await personOf(db, event.proposedBy),
    unitName: unit?.name ?? null,
    planItemTitle: planItem?.title ?? null,
    decisions,
    confirmations: confirmations.map(({ partnerShortName, ...c }) => ({ ...c, partnerName: partnerShortName ?? c.partnerName })),
  };
}

/** Staff and admins see every event; a partner contact sees only the events of their own organisation. */
export async function canViewEvent(db: Db, actor: Actor, eventId: number): Promise<boolean> {
  if (actor.role === "admin" || actor.role === "staff") return true;
  if (actor.role !== "partner") return false;
  const own = await partnerIdOfContactUser(db, actor.user.id);
  return own !== undefined && (await eventPartnerIds(db, eventId)).includes(own);
}

/** The last decision on an event and who made it: for "already decided" answers. */
export async function latestDecision(db: Db, eventId: number): Promise<DecisionLine | undefined> {
  const [row] = await db
    .select(DECISION_COLUMNS)
    .from(eventDecisions)
    .innerJoin(users, eq(users.id, eventDecisions.decidedBy))
    .where(eq(eventDecisions.eventId, eventId))
    .orderBy(desc(eventDecisions.decidedAt), desc(eventDecisions.id))
    .limit(1);
  return row;
}

/** Partner contacts linked to a bot user (active), of any of the event's partners. */
export async function linkedContactsOfEvent(db: Db, eventId: number) {
  const partnerIds = await eventPartnerIds(db, eventId);
  if (partnerIds.length === 0) return [];
  return db
    .select({ contactId: contacts.id, partnerId: contacts.partnerId, user: users })
    .from(contacts)
    .innerJoin(users, eq(users.id, contacts.userId))
    .where(and(inArray(contacts.partnerId, partnerIds), isNotNull(contacts.userId), eq(users.status, "active")))
    .orderBy(asc(contacts.id));
}
