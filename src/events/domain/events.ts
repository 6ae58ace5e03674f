import { and, asc, eq, gte, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "../../core/db/client.js";
import { type AudienceCategory, type Decision, type Event, type EventLevel, type EventStatus, eventDecisions, eventPartners, events } from "./schema.js";
import { type EventFormat, partners } from "../../partners/index.js";
import { units } from "../../core/access/units-schema.js";
import { users } from "../../core/access/schema.js";
import { recordAudit } from "../../core/audit.js";
import type { Actor } from "../../partners/index.js";

export interface EventDraft {
  partnerIds: number[];
  format: EventFormat;
  title: string;
  description: string | null;
  startsAt: Date;
  endsAt: Date;
  place: string | null;
  ageFrom: number | null;
  ageTo: number | null;
  categories: AudienceCategory[];
  expectedParticipants: number | null;
  responsibleUserId: number;
  ownerUnitId: number | null;
  planItemId: number | null;
  /** Institutional when not given. */
  level?: EventLevel;
  /** Marked as a competition (winners are asked when it is held); a contest always is, a project never. */
  competition?: boolean;
}

/**
 * A competition: recording it as held asks for its winners and prize-winners. The format
 * "contest" always is one; any other format but "project" may be marked so.
 */
export function isCompetition(event: Pick<Event, "format" | "competition">): boolean {
  return event.format === "contest" || event.competition;
}

/** What the competition flag is stored as, for a format and the proposer's mark. */
export function competitionFlag(format: EventFormat, marked: boolean | undefined): boolean {
  return format === "contest" || (format !== "project" && marked === true);
}

export type EventRefusal = {
  ok: false;
  reason:
    | "not_found"
    | "forbidden"
    | "no_partners"
    | "archived_partner"
    | "in_the_past"
    | "ends_before_start"
    | "bad_participants"
    | "bad_ages"
    | "bad_results"
    | "wrong_status";
};

/** Limits for the expected and actual number of participants. */
export const MAX_PARTICIPANTS = 5000;

/** Checks that do not need the database. `now` is the institution's clock. */
export function checkEventDraft(draft: EventDraft, now: Date): EventRefusal | undefined {
  if (draft.partnerIds.length === 0) return { ok: false, reason: "no_partners" };
  if (draft.startsAt.getTime() <= now.getTime()) return { ok: false, reason: "in_the_past" };
  if (draft.endsAt.getTime() <= draft.startsAt.getTime()) return { ok: false, reason: "ends_before_start" };
  const n = draft.expectedParticipants;
  if (n !== null && (!Number.isInteger(n) || n < 1 || n > MAX_PARTICIPANTS)) return { ok: false, reason: "bad_participants" };
  const { ageFrom, ageTo } = draft;
  if ((ageFrom !== null && (ageFrom < 3 || ageFrom > 99)) || (ageTo !== null && (ageTo < 3 || ageTo > 99))) return { ok: false, reason: "bad_ages" };
  if (ageFrom !== null && ageTo !== null && ageTo < ageFrom) return { ok: false, reason: "bad_ages" };
  return undefined;
}

/** Events with any of these partners on the same calendar day (in `timeZone`), not rejected or cancelled. */
export async function sameDayEvents(db: Db, partnerIds: number[], startsAt: Date, timeZone: string, exceptEventId?: number) {
  if (partnerIds.length === 0) return [];
  const day = sql`(${events.startsAt} at time zone ${timeZone})::date = (${startsAt.toISOString()}::timestamptz at time zone ${timeZone})::date`;
  return db
    .selectDistinct({ id: events.id, title: events.title, startsAt: events.startsAt })
    .from(events)
    .innerJoin(eventPartners, eq(eventPartners.eventId, events.id))
    .where(
      and(
        inArray(eventPartners.partnerId, partnerIds),
        day,
        sql`${events.status} not in ('rejected', 'cancelled')`,
        exceptEventId !== undefined ? sql`${events.id} <> ${exceptEventId}` : undefined,
      ),
    );
}

/** Staff and admins propose events; the partners must exist and not be archived. */
export async function proposeEvent(
  db: Db,
  actor: Actor,
  draft: EventDraft,
  now: Date,
): Promise<{ ok: true; event: Event } | EventRefusal> {
  if (actor.role !== "staff" && actor.role !== "admin") return { ok: false, reason: "forbidden" };
  const invalid = checkEventDraft(draft, now);
  if (invalid) return invalid;
  return db.transaction(async (tx) => {
    const found = await tx.select({ id: partners.id, stage: partners.stage }).from(partners).where(inArray(partners.id, draft.partnerIds));
    if (found.length !== new Set(draft.partnerIds).size) return { ok: false, reason: "not_found" } as const;
    if (found.some((p) => p.stage === "archived")) return { ok: false, reason: "archived_partner" } as const;
    const { partnerIds, ...given } = draft;
    const fields = { ...given, level: given.level ?? ("institutional" as const), competition: competitionFlag(given.format, given.competition) };
    const [event] = await tx
      .insert(events)
      .values({ ...fields, status: "proposed", proposedBy: actor.user.id })
      .returning();
    if (!event) throw new Error("event insert returned no row");
    await tx.insert(eventPartners).values(partnerIds.map((partnerId) => ({ eventId: event.id, partnerId })));
    await recordAudit(tx, {
      actorUserId: actor.user.id,
      action: "event.proposed",
      entityType: "event",
      entityId: event.id,
      after: { ...fields, partnerIds, startsAt: fields.startsAt.toISOString(), endsAt: fields.endsAt.toISOString() },
    });
    return { ok: true, event } as const;
  });
}

export async function getEvent(db: Db, id: number): Promise<Event | undefined> {
  const [event] = await db.select().from(events).where(eq(events.id, id));
  return event;
}

export async function eventPartnerIds(db: Db, eventId: number): Promise<number[]> {
  const rows = await db.select({ id: eventPartners.partnerId }).from(eventPartners).where(eq(eventPartners.eventId, eventId));
  return rows.map((r) => r.id);
}

/** Who decides on a proposed event: the admins and the head of the owning unit. */
export async function canDecide(db: Db, actor: Actor, event: Event): Promise<boolean> {
  if (actor.role === "admin") return true;
  if (actor.role !== "staff" || event.ownerUnitId === null) return false;
  const [unit] = await db.select({ head: units.headUserId }).from(units).where(eq(units.id, event.ownerUnitId));
  return unit?.head === actor.user.id;
}

/** The deciders to notify: active admins and the owning unit's head. */
export async function decidersOf(db: Db, event: Event): Promise<(typeof users.$inferSelect)[]> {
  const admins = await db.select().from(users).where(and(eq(users.role, "admin"), eq(users.status, "active")));
  const [unit] = event.ownerUnitId ? await db.select({ head: units.headUserId }).from(units).where(eq(units.id, event.ownerUnitId)) : [];
  const head = unit?.head ? (await db.select().from(users).where(and(eq(users.id, unit.head), eq(users.status, "active"))))[0] : undefined;
  return head && !admins.some((a) => a.id === head.id) ? [...admins, head] : admins;
}

/** Those who run an event: its responsible person, its proposer, the deciders. */
export async function canManageEvent(db: Db, actor: Actor, event: Event): Promise<boolean> {
  if (actor.role !== "staff" && actor.role !== "admin") return false;
  return event.responsibleUserId === actor.user.id || event.proposedBy === actor.user.id || (await canDecide(db, actor, event));
}

/**
 * Approve, reject or ask for changes. Only a proposed event can be decided, so a second press
 * of Approve (or two admins at once) finds it no longer proposed.
 */
export async function decideEvent(
  db: Db,
  actor: Actor,
  input: { eventId: number; decision: Decision; comment: string | null },
): Promise<{ ok: true; event: Event } | EventRefusal> {
  return db.transaction(async (tx) => {
    const [event] = await tx.select().from(events).where(eq(events.id, input.eventId)).for("update");
    if (!event) return { ok: false, reason: "not_found" } as const;
    if (!(await canDecide(tx, actor, event))) return { ok: false, reason: "forbidden" } as const;
    if (event.status !== "proposed") return { ok: false, reason: "wrong_status" } as const;
    const [updated] = await tx
      .update(events)
      .set({ status: input.decision, updatedAt: sql`now()` })
      .where(eq(events.id, event.id))
      .returning();
    await tx.insert(eventDecisions).values({ eventId: event.id, decision: input.decision, comment: input.comment, decidedBy: actor.user.id });
    await recordAudit(tx, {
      actorUserId: actor.user.id,
      action: `event.${input.decision}`,
      entityType: "event",
      entityId: event.id,
      before: { status: event.status },
      after: { status: input.decision, comment: input.comment },
    });
    return { ok: true, event: updated! } as const;
  });
}

export type EventChanges = Partial<Omit<EventDraft, "partnerIds">>;

/**
 * Changes an event that is not over. Moving an approved event in time or place sends it back
 * for approval; a proposal returned with "changes requested" goes back to proposed.
 */
export async function updateEvent(
  db: Db,
  actor: Actor,
  eventId: number,
  changes: EventChanges,
  now: Date,
): Promise<{ ok: true; event: Event; needsApprovalAgain: boolean } | EventRefusal> {
  return db.transaction(async (tx) => {
    const [event] = await tx.select().from(events).where(eq(events.id, eventId)).for("update");
    if (!event) return { ok: false, reason: "not_found" } as const;
    if (!(await canManageEvent(tx, actor, event))) return { ok: false, reason: "forbidden" } as const;
    if (!["proposed", "changes_requested", "approved"].includes(event.status)) return { ok: false, reason: "wrong_status" } as const;
    const merged: EventDraft = { ...event, ...changes, partnerIds: await eventPartnerIds(tx, event.id) };
    const invalid = checkEventDraft(merged, now);
    if (invalid) return invalid;
    const moved =
      (changes.startsAt !== undefined && changes.startsAt.getTime() !== event.startsAt.getTime()) ||
      (changes.endsAt !== undefined && changes.endsAt.getTime() !== event.endsAt.getTime()) ||
      (changes.place !== undefined && changes.place !== event.place);
    const needsApprovalAgain = event.status === "approved" && moved;
    const status: EventStatus = needsApprovalAgain || event.status === "changes_requested" ? "proposed" : event.status;
    const [updated] = await tx
      .update(events)
      .set({ ...changes, status, updatedAt: sql`now()` })
      .where(eq(events.id, event.id))
      .returning();
    await recordAudit(tx, {
      actorUserId: actor.user.id,
      action: "event.updated",
      entityType: "event",
      entityId: event.id,
      before: { status: event.status, startsAt: event.startsAt.toISOString(), place: event.place, ...(changes.level !== undefined ? { level: event.level } : {}) },
      after: { ...changes, status },
    });
    return { ok: true, event: updated!, needsApprovalAgain } as const;
  });
}

export interface HeldReport {
  gifted: number;
  disabilities: number;
  careerGuidance: number;
  other: number;
  result: string;
  /** A competition's: the institution's students among the winners and the prize-winners. */
  winners?: number;
  prizeWinners?: number;
  /** A project's: how many of the institution's students took part. */
  projectStudents?: number;
}

/**
 * Why a competition's results cannot be recorded with these participants: winners or
 * prize-winners more than the participants, or both together more than them.
 */
export function resultsProblem(
  participants: number,
  results: { winners: number; prizeWinners?: number },
): "winners_over" | "prize_winners_over" | "together_over" | undefined {
  const count = (n: number) => Number.isInteger(n) && n >= 0;
  if (!count(results.winners) || results.winners > participants) return "winners_over";
  if (results.prizeWinners === undefined) return undefined;
  if (!count(results.prizeWinners) || results.prizeWinners > participants) return "prize_winners_over";
  if (results.winners + results.prizeWinners > participants) return "together_over";
  return undefined;
}

/** After the event: held (with participants by category and a result) or not held (cancelled). */
export async function recordOutcome(
  db: Db,
  actor: Actor,
  eventId: number,
  outcome: { held: true; report: HeldReport } | { held: false; reason: string },
  now: Date,
): Promise<{ ok: true; event: Event } | EventRefusal> {
  if (outcome.held) {
    const counts = [outcome.report.gifted, outcome.report.disabilities, outcome.report.careerGuidance, outcome.report.other];
    if (counts.some((n) => !Number.isInteger(n) || n < 0 || n > MAX_PARTICIPANTS) || counts.reduce((a, b) => a + b, 0) === 0) {
      return { ok: false, reason: "bad_participants" };
    }
  }
  return db.transaction(async (tx) => {
    const [event] = await tx.select().from(events).where(eq(events.id, eventId)).for("update");
    if (!event) return { ok: false, reason: "not_found" } as const;
    if (!(await canManageEvent(tx, actor, event))) return { ok: false, reason: "forbidden" } as const;
    const canRecord = outcome.held ? event.status === "approved" && event.endsAt <= now : event.status === "approved" || event.status === "proposed";
    if (!canRecord) return { ok: false, reason: "wrong_status" } as const;
    let results: { winners: number | null; prizeWinners: number | null; projectStudents: number | null } = { winners: null, prizeWinners: null, projectStudents: null };
    if (outcome.held) {
      // Results belong to competitions and projects only; given for another event they are not kept.
      const { report } = outcome;
      const participants = report.gifted + report.disabilities + report.careerGuidance + report.other;
      const competition = isCompetition(event);
      if (competition && (report.winners !== undefined || report.prizeWinners !== undefined)) {
        if (report.winners === undefined || report.prizeWinners === undefined || resultsProblem(participants, { winners: report.winners, prizeWinners: report.prizeWinners })) {
          return { ok: false, reason: "bad_results" } as const;
        }
      }
      const students = report.projectStudents;
      if (event.format === "project" && students !== undefined && (!Number.isInteger(students) || students < 0 || students > MAX_PARTICIPANTS)) {
        return { ok: false, reason: "bad_results" } as const;
      }
      results = {
        winners: competition ? (report.winners ?? null) : null,
        prizeWinners: competition ? (report.prizeWinners ?? null) : null,
        projectStudents: event.format === "project" ? (students ?? null) : null,
      };
    }
    const set = outcome.held
      ? {
          status: "held" as const,
          participantsGifted: outcome.report.gifted,
          participantsDisabilities: outcome.report.disabilities,
          participantsCareerGuidance: outcome.report.careerGuidance,
          participantsOther: outcome.report.other,
          result: outcome.report.result,
          ...results,
        }
      : { status: "cancelled" as const, cancelReason: outcome.reason };
    const [updated] = await tx
      .update(events)
      .set({ ...set, updatedAt: sql`now()` })
      .where(eq(events.id, event.id))
      .returning();
    await recordAudit(tx, {
      actorUserId: actor.user.id,
      action: outcome.held ? "event.held" : "event.cancelled",
      entityType: "event",
      entityId: event.id,
      before: { status: event.status },
      after: set,
    });
    return { ok: true, event: updated! } as const;
  });
}

export interface EventFilter {
  from?: Date;
  to?: Date;
  statuses?: EventStatus[];
  /** Events this user is responsible for or proposed. */
  mineFor?: number;
  unitId?: number;
  partnerId?: number;
  format?: EventFormat;
  level?: EventLevel;
}

export async function listEvents(db: Db, filter: EventFilter, page: number, pageSize: number) {
  const conditions = [
    filter.from ? gte(events.startsAt, filter.from) : undefined,
    filter.to ? lt(events.startsAt, filter.to) : undefined,
    filter.statuses ? inArray(events.status, filter.statuses) : undefined,
    filter.mineFor !== undefined ? sql`(${events.responsibleUserId} = ${filter.mineFor} or ${events.proposedBy} = ${filter.mineFor})` : undefined,
    filter.unitId !== undefined ? eq(events.ownerUnitId, filter.unitId) : undefined,
    filter.format ? eq(events.format, filter.format) : undefined,
    filter.level ? eq(events.level, filter.level) : undefined,
    filter.partnerId !== undefined
      ? sql`exists (select 1 from ${eventPartners} where ${eventPartners.eventId} = ${events.id} and ${eventPartners.partnerId} = ${filter.partnerId})`
      : undefined,
  ];
  const where = and(...conditions);
  const [total] = await db.select({ n: sql<number>`count(*)::int` }).from(events).where(where);
  const items = await db
    .select()
    .from(events)
    .where(where)
    .orderBy(asc(events.startsAt), asc(events.id))
    .limit(pageSize)
    .offset(page * pageSize);
  return { items, total: total?.n ?? 0 };
}
