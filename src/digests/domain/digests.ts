import { and, asc, desc, eq, gt, gte, inArray, isNotNull, isNull, lt, lte, ne, notInArray, or, type SQL, sql } from "drizzle-orm";
import { type AnyPgColumn, type AnyPgTable, unionAll } from "drizzle-orm/pg-core";
import { type Db, selectRows } from "../../core/db/client.js";
import { agreements, contacts, partnerDisplayName, partners, planItems, type Stage, stageChanges } from "../../partners/index.js";
import { digestSettings } from "./schema.js";
import { eventDecisions, eventPartners, events, type EventStatus } from "../../events/index.js";
import { feedbackPrompts, feedbackRounds, participantFeedback } from "../../feedback/index.js";
import { type Role, type User } from "../../core/access/schema.js";
import { units } from "../../core/access/units-schema.js";
import { addDays, daysBetween } from "../../partners/index.js";
import { localDate } from "../../core/dates.js";
import { academicYearAt, academicYearRange, attendanceOf, massEventCondition, winnersOf, zonedInstant } from "../../events/index.js";
import { type RatingAverage, roundAverage } from "../../feedback/index.js";

/**
 * The weekly digest: what one person should know this week, as data (src/digests/text.ts
 * renders it). Every section is filtered by the person, their units and a time range in SQL and
 * aggregated there, and holds at most SECTION_LIMIT items with the total count, so building a
 * digest costs a few small, indexed queries whatever the size of the institution.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** Items a section lists; the rest is counted ("and N more"). */
export const SECTION_LIMIT = 5;
/** Agreements ending within this many days are listed. */
export const AGREEMENT_DAYS = 30;
/** Partners in one stage for more than this many days are listed as stuck. */
export const STUCK_DAYS = 90;
/** A partner contact's joint events this many days ahead are listed. */
export const UPCOMING_DAYS = 14;
/** New feedback: answers given within this many days. */
export const FEEDBACK_DAYS = 7;
/** A rating at or below this is listed as low. */
export const LOW_RATING_MAX = 2;

export interface Section<T> {
  /** At most SECTION_LIMIT items. */
  items: T[];
  /** How many there are in all. */
  total: number;
}

export interface DigestEvent {
  id: number;
  title: string;
  startsAt: Date;
  endsAt: Date;
  status: EventStatus;
}

export interface AgreementEnding {
  agreementId: number;
  partnerId: number;
  partnerName: string;
  number: string;
  /** YYYY-MM-DD. */
  validTo: string;
  daysLeft: number;
}

export interface PlanItemDue {
  planItemId: number;
  title: string;
  /** YYYY-MM-DD; the first of the month when only the month is planned. */
  plannedOn: string;
  monthOnly: boolean;
  partnerId: number;
  partnerName: string;
}

export interface EventFeedbackNews {
  eventId: number;
  title: string;
  startsAt: Date;
  /** New answers of the anonymous participants and of the partner contacts, with their averages. */
  participants: RatingAverage | null;
  partners: RatingAverage | null;
  /** New answers rated LOW_RATING_MAX or lower. */
  low: number;
}

export interface LowRatingNews {
  eventId: number;
  title: string;
  rating: number;
  source: "participant" | "partner";
  /** The partner's name for a partner contact's answer. */
  partnerName: string | null;
  comment: string | null;
  at: Date;
}

export interface StuckPartner {
  partnerId: number;
  name: string;
  stage: Stage;
  /** When the partnership entered its stage. */
  since: Date;
  days: number;
}

export interface StaffSections {
  /** Their events (responsible or proposer) starting this week, Monday to Sunday. */
  thisWeek: Section<DigestEvent>;
  /** Proposed events they decide on (admins: all; a unit head: their unit's). */
  toDecide: Section<DigestEvent>;
  /** Approved events they answer for that have ended: "was it held?". */
  heldQuestions: Section<DigestEvent>;
  agreementsEnding: Section<AgreementEnding>;
  /** Joint-plan items planned for this month with no event proposed, approved or held. */
  planDue: Section<PlanItemDue>;
  /** Their events with new feedback in the last FEEDBACK_DAYS days. */
  feedback: Section<EventFeedbackNews>;
  lowRatings: Section<LowRatingNews>;
  stuck: Section<StuckPartner>;
}

export interface WeekFigures {
  newPartners: number;
  eventsProposed: number;
  eventsApproved: number;
  eventsHeld: number;
  /** Participants of the events held, by category. */
  participants: { gifted: number; disabilities: number; careerGuidance: number; other: number; total: number };
  /** Answers given in the period: participants', partner contacts', and all together. */
  satisfaction: { participants: RatingAverage | null; partners: RatingAverage | null; overall: RatingAverage | null };
  /** Partner prompts of the rounds that closed in the period: sent, rated, rated / sent. */
  responseRate: { sent: number; answered: number; rate: number | null };
}

/**
 * The self-assessment figures of the academic year so far (1 September to now): mass events held
 * (1.11), the students who took part in them (1.8), their winners and prize-winners (1.9).
 */
export interface YearToDate {
  /** The calendar year the academic year starts in: 2026 for 2026/27. */
  academicYear: number;
  massEvents: number;
  participants: number;
  winners: number;
}

export interface InstitutionFigures {
  /** The past week is [from, to), the week before [previousFrom, from). */
  from: Date;
  to: Date;
  previousFrom: Date;
  current: WeekFigures;
  previous: WeekFigures;
  yearToDate: YearToDate;
}

export interface OpenPrompt {
  promptId: number;
  eventId: number;
  title: string;
  startsAt: Date;
  closesAt: Date;
}

export interface PartnerSections {
  /** Their organisation's approved events in the next UPCOMING_DAYS days. */
  upcoming: Section<DigestEvent>;
  /** Their feedback prompts not rated yet, round still open. */
  openPrompts: Section<OpenPrompt>;
}

export interface Digest {
  userId: number;
  role: Role;
  /** The Monday of the week (YYYY-MM-DD, in the institution's time zone). */
  weekStart: string;
  /** The institution's date when the digest was built. */
  today: string;
  now: Date;
  staff?: StaffSections;
  institution?: InstitutionFigures;
  partner?: PartnerSections;
}

export type DigestUser = Pick<User, "id" | "role" | "status" | "unitId">;

export interface DigestWeek {
  /** The institution's date. */
  today: string;
  /** ISO weekday of today: 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** The local hour, 0..23. */
  hour: number;
  /** The Monday of this week, YYYY-MM-DD. */
  weekStart: string;
  /** This week, Monday 00:00 to the next Monday 00:00, local time. */
  from: Date;
  to: Date;
}

/** ISO weekday (1 = Monday … 7 = Sunday) of a YYYY-MM-DD day. */
export function isoWeekday(day: string): number {
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return weekday === 0 ? 7 : weekday;
}

function localHour(now: Date, timeZone: string): number {
  const hour = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "numeric", hourCycle: "h23" }).format(now);
  return Number(hour);
}

/** Local midnight of a YYYY-MM-DD day in `timeZone`. */
export function startOfDay(day: string, timeZone: string): Date {
  const [year, month, date] = day.split("-").map(Number) as [number, number, number];
  const instant = zonedInstant({ year, month, day: date, hour: 0, minute: 0 }, timeZone);
  if (!instant) throw new Error(`not a day: ${day}`);
  return instant;
}

/** The week `now` falls in, Monday first, in the institution's time zone. */
export function digestWeek(now: Date, timeZone: string): DigestWeek {
  const today = localDate(now, timeZone);
  const weekday = isoWeekday(today);
  const weekStart = addDays(today, 1 - weekday);
  return {
    today,
    weekday,
    hour: localHour(now, timeZone),
    weekStart,
    from: startOfDay(weekStart, timeZone),
    to: startOfDay(addDays(weekStart, 7), timeZone),
  };
}

const ts = (date: Date) => sql`${date.toISOString()}::timestamptz`;
const windowCount = sql<number>`(count(*) over ())::int`;
const eventColumns = { id: events.id, title: events.title, startsAt: events.startsAt, endsAt: events.endsAt, status: events.status };

/** Rows carrying `total` (count(*) over ()) into a section. */
function section<R extends { total: number }, T>(rows: R[], map: (row: R) => T): Section<T> {
  return { items: rows.map(map), total: rows[0]?.total ?? 0 };
}

const eventSection = (rows: (DigestEvent & { total: number })[]): Section<DigestEvent> => section(rows, ({ total: _total, ...event }) => event);

function average(total: number, count: number): RatingAverage | null {
  return count > 0 ? { average: roundAverage(total / count), count } : null;
}

/** The units a staff member answers for (their unit and its associations) and the units they head. */
async function unitsOfUser(db: Db, user: DigestUser): Promise<{ own: number[]; headed: number[] }> {
  const rows = await db
    .select({ id: units.id, parentId: units.parentId, head: units.headUserId })
    .from(units)
    .where(
      or(eq(units.headUserId, user.id), user.unitId === null ? undefined : or(eq(units.id, user.unitId), eq(units.parentId, user.unitId))),
    );
  return {
    own: user.unitId === null ? [] : rows.filter((r) => r.id === user.unitId || r.parentId === user.unitId).map((r) => r.id),
    headed: rows.filter((r) => r.head === user.id).map((r) => r.id),
  };
}

async function staffSections(db: Db, user: DigestUser, now: Date, week: DigestWeek): Promise<StaffSections> {
  const me = user.id;
  const admin = user.role === "admin";
  const { own, headed } = await unitsOfUser(db, user);
  const mineEvent = or(eq(events.responsibleUserId, me), eq(events.proposedBy, me))!;
  const minePartner: SQL | undefined = admin
    ? undefined
    : own.length > 0
      ? or(eq(partners.ownerUserId, me), inArray(partners.ownerUnitId, own))
      : eq(partners.ownerUserId, me);
  const notArchived = ne(partners.stage, "archived");

  const thisWeek = db
    .select({ ...eventColumns, total: windowCount })
    .from(events)
    .where(and(gte(events.startsAt, week.from), lt(events.startsAt, week.to), mineEvent, notInArray(events.status, ["rejected", "cancelled"])))
    .orderBy(asc(events.startsAt), asc(events.id))
    .limit(SECTION_LIMIT);

  // Proposals are not bounded in time: the filter runs in a subquery fenced with OFFSET 0, so the
  // planner uses the status index for it rather than walking the start-time index through every
  // event (count(*) over () needs all the rows, LIMIT does not stop the walk early).
  const decides = admin || headed.length > 0;
  const proposals = db
    .select({ ...eventColumns, total: windowCount.as("total") })
    .from(events)
    .where(and(eq(events.status, "proposed"), admin ? undefined : inArray(events.ownerUnitId, headed)))
    .offset(0)
    .as("proposals");
  const toDecide = decides
    ? db.select().from(proposals).orderBy(asc(proposals.startsAt), asc(proposals.id)).limit(SECTION_LIMIT)
    : Promise.resolve([]);

  const heldQuestions = db
    .select({ ...eventColumns, total: windowCount })
    .from(events)
    .where(and(eq(events.responsibleUserId, me), eq(events.status, "approved"), lte(events.endsAt, now)))
    .orderBy(asc(events.endsAt), asc(events.id))
    .limit(SECTION_LIMIT);

  const agreementsEnding = db
    .select({
      agreementId: agreements.id,
      partnerId: partners.id,
      partnerName: partnerDisplayName,
      number: agreements.number,
      validTo: agreements.validTo,
      total: windowCount,
    })
    .from(agreements)
    .innerJoin(partners, eq(partners.id, agreements.partnerId))
    .where(and(gte(agreements.validTo, week.today), lte(agreements.validTo, addDays(week.today, AGREEMENT_DAYS)), notArchived, minePartner))
    .orderBy(asc(agreements.validTo), asc(agreements.id))
    .limit(SECTION_LIMIT);

  const monthStart = `${week.today.slice(0, 7)}-01`;
  const nextMonth = `${addDays(monthStart, 31).slice(0, 7)}-01`;
  const planDue = planItemsDue(db, { admin, me, minePartner, monthStart, nextMonth });

  const cutoff = new Date(now.getTime() - STUCK_DAYS * DAY_MS);
  const enteredStage = sql`coalesce(max(${stageChanges.changedAt}), ${partners.createdAt})`;
  const stuck = db
    .select({
      partnerId: partners.id,
      name: partnerDisplayName,
      stage: partners.stage,
      since: sql<Date>`${enteredStage}`.mapWith(partners.createdAt),
      total: windowCount,
    })
    .from(partners)
    .leftJoin(stageChanges, eq(stageChanges.partnerId, partners.id))
    .where(and(notArchived, minePartner))
    .groupBy(partners.id)
    .having(sql`${enteredStage} < ${ts(cutoff)}`)
    .orderBy(sql`${enteredStage} asc`, asc(partners.id))
    .limit(SECTION_LIMIT);

  const [weekRows, decideRows, heldRows, agreementRows, planRows, stuckRows, feedback] = await Promise.all([
    thisWeek,
    toDecide,
    heldQuestions,
    agreementsEnding,
    planDue,
    stuck,
    feedbackNews(db, mineEvent, now),
  ]);
  return {
    thisWeek: eventSection(weekRows),
    toDecide: eventSection(decideRows),
    heldQuestions: eventSection(heldRows),
    agreementsEnding: section(agreementRows, ({ total: _total, validTo, ...row }) => ({
      ...row,
      validTo: validTo!,
      daysLeft: daysBetween(week.today, validTo!),
    })),
    planDue: planRows,
    feedback: feedback.feedback,
    lowRatings: feedback.lowRatings,
    stuck: section(stuckRows, ({ total: _total, ...row }) => ({ ...row, days: Math.floor((now.getTime() - row.since.getTime()) / DAY_MS) })),
  };
}

const planItemColumns = {
  planItemId: planItems.id,
  title: planItems.title,
  plannedOn: planItems.plannedOn,
  monthOnly: planItems.plannedMonthOnly,
  partnerId: partners.id,
  partnerName: partnerDisplayName,
};

/**
 * Joint-plan items planned for this month with no event proposed, approved or held. An admin's
 * are all of them (one query, limited and counted). A staff member's are found from their own
 * side: the items of their partners' agreements (partners → agreements → items, by index) and
 * the items they answer for; few, so they are merged, sorted and counted here.
 */
async function planItemsDue(
  db: Db,
  q: { admin: boolean; me: number; minePartner: SQL | undefined; monthStart: string; nextMonth: string },
): Promise<Section<PlanItemDue>> {
  const dueThisMonth = and(
    gte(planItems.plannedOn, q.monthStart),
    lt(planItems.plannedOn, q.nextMonth),
    ne(partners.stage, "archived"),
    sql`not exists (select 1 from ${events} where ${events.planItemId} = ${planItems.id} and ${events.status} in ('proposed', 'changes_requested', 'approved', 'held', 'closed'))`,
  );
  if (q.admin) {
    const rows = await db
      .select({ ...planItemColumns, total: windowCount })
      .from(planItems)
      .innerJoin(agreements, eq(agreements.id, planItems.agreementId))
      .innerJoin(partners, eq(partners.id, agreements.partnerId))
      .where(dueThisMonth)
      .orderBy(asc(planItems.plannedOn), asc(planItems.id))
      .limit(SECTION_LIMIT);
    return section(rows, ({ total: _total, ...row }) => row);
  }
  const [ofPartners, answeredFor] = await Promise.all([
    db
      .select(planItemColumns)
      .from(partners)
      .innerJoin(agreements, eq(agreements.partnerId, partners.id))
      .innerJoin(planItems, eq(planItems.agreementId, agreements.id))
      .where(and(q.minePartner, dueThisMonth)),
    db
      .select(planItemColumns)
      .from(planItems)
      .innerJoin(agreements, eq(agreements.id, planItems.agreementId))
      .innerJoin(partners, eq(partners.id, agreements.partnerId))
      .where(and(eq(planItems.responsibleUserId, q.me), dueThisMonth)),
  ]);
  const items = [...new Map([...ofPartners, ...answeredFor].map((item) => [item.planItemId, item])).values()];
  items.sort((a, b) => a.plannedOn.localeCompare(b.plannedOn) || a.planItemId - b.planItemId);
  return { items: items.slice(0, SECTION_LIMIT), total: items.length };
}

/**
 * New feedback on the person's events: answers given in the last FEEDBACK_DAYS days. Only
 * events whose round was open in that time can have any, so those are found first (few), then
 * their answers are aggregated by event, and the low ones listed.
 */
async function feedbackNews(db: Db, mineEvent: SQL, now: Date): Promise<{ feedback: Section<EventFeedbackNews>; lowRatings: Section<LowRatingNews> }> {
  const from = new Date(now.getTime() - FEEDBACK_DAYS * DAY_MS);
  const empty = { feedback: { items: [], total: 0 }, lowRatings: { items: [], total: 0 } };
  const mine = await db
    .select({ id: events.id, title: events.title, startsAt: events.startsAt })
    .from(events)
    .innerJoin(feedbackRounds, eq(feedbackRounds.eventId, events.id))
    .where(
      and(
        mineEvent,
        lt(feedbackRounds.openedAt, now),
        or(gte(feedbackRounds.promptsCloseAt, from), gte(feedbackRounds.linkClosesAt, from)),
      ),
    );
  if (mine.length === 0) return empty;
  const ids = mine.map((e) => e.id);
  const participantsNew = and(inArray(participantFeedback.eventId, ids), gte(participantFeedback.createdAt, from), lt(participantFeedback.createdAt, now));
  const partnersNew = and(
    inArray(feedbackPrompts.eventId, ids),
    isNotNull(feedbackPrompts.rating),
    gte(feedbackPrompts.answeredAt, from),
    lt(feedbackPrompts.answeredAt, now),
  );
  const low = (rating: typeof participantFeedback.rating | typeof feedbackPrompts.rating) =>
    sql<number>`(count(*) filter (where ${rating} <= ${LOW_RATING_MAX}))::int`.as("low");
  const count = sql<number>`count(*)::int`.as("count");
  const [grouped, lowParticipants, lowPartners] = await Promise.all([
    unionAll(
      db
        .select({
          eventId: participantFeedback.eventId,
          source: sql<string>`'participant'`.as("source"),
          total: sql<number>`sum(${participantFeedback.rating})::int`.as("total"),
          count,
          low: low(participantFeedback.rating),
        })
        .from(participantFeedback)
        .where(participantsNew)
        .groupBy(participantFeedback.eventId),
      db
        .select({
          eventId: feedbackPrompts.eventId,
          source: sql<string>`'partner'`.as("source"),
          total: sql<number>`sum(${feedbackPrompts.rating})::int`.as("total"),
          count,
          low: low(feedbackPrompts.rating),
        })
        .from(feedbackPrompts)
        .where(partnersNew)
        .groupBy(feedbackPrompts.eventId),
    ),
    db
      .select({ eventId: participantFeedback.eventId, rating: participantFeedback.rating, comment: participantFeedback.comment, at: participantFeedback.createdAt })
      .from(participantFeedback)
      .where(and(participantsNew, lte(participantFeedback.rating, LOW_RATING_MAX)))
      .orderBy(desc(participantFeedback.createdAt), desc(participantFeedback.id))
      .limit(SECTION_LIMIT),
    db
      .select({
        eventId: feedbackPrompts.eventId,
        rating: feedbackPrompts.rating,
        comment: sql<string | null>`coalesce(${feedbackPrompts.improve}, ${feedbackPrompts.wentWell})`,
        at: feedbackPrompts.answeredAt,
        partnerName: partnerDisplayName,
      })
      .from(feedbackPrompts)
      .innerJoin(partners, eq(partners.id, feedbackPrompts.partnerId))
      .where(and(partnersNew, lte(feedbackPrompts.rating, LOW_RATING_MAX)))
      .orderBy(desc(feedbackPrompts.answeredAt), desc(feedbackPrompts.id))
      .limit(SECTION_LIMIT),
  ]);
  if (grouped.length === 0) return empty;

  const byId = new Map(mine.map((e) => [e.id, e]));
  const news = new Map<number, EventFeedbackNews>();
  let lowTotal = 0;
  for (const row of grouped) {
    const event = byId.get(row.eventId);
    if (!event) continue;
    const entry = news.get(row.eventId) ?? { eventId: event.id, title: event.title, startsAt: event.startsAt, participants: null, partners: null, low: 0 };
    const value = average(Number(row.total), Number(row.count));
    if (row.source === "participant") entry.participants = value;
    else entry.partners = value;
    entry.low += Number(row.low);
    lowTotal += Number(row.low);
    news.set(row.eventId, entry);
  }
  const items = [...news.values()].sort((a, b) => b.startsAt.getTime() - a.startsAt.getTime() || b.eventId - a.eventId);
  const lows: LowRatingNews[] = [
    ...lowParticipants.map((r) => ({ ...r, source: "participant" as const, partnerName: null })),
    ...lowPartners.map((r) => ({ ...r, rating: r.rating!, at: r.at!, source: "partner" as const })),
  ].map((r) => ({ ...r, title: byId.get(r.eventId)?.title ?? "", comment: r.comment?.trim() || null }));
  lows.sort((a, b) => b.at.getTime() - a.at.getTime());
  return {
    feedback: { items: items.slice(0, SECTION_LIMIT), total: items.length },
    lowRatings: { items: lows.slice(0, SECTION_LIMIT), total: lowTotal },
  };
}

function emptyFigures(): WeekFigures {
  return {
    newPartners: 0,
    eventsProposed: 0,
    eventsApproved: 0,
    eventsHeld: 0,
    participants: { gifted: 0, disabilities: 0, careerGuidance: 0, other: 0, total: 0 },
    satisfaction: { participants: null, partners: null, overall: null },
    responseRate: { sent: 0, answered: 0, rate: null },
  };
}

/**
 * Institution-wide figures for the past 7 days against the 7 before: one aggregate query per
 * kind of figure, each over a 14-day range of an indexed (or small) table.
 */
export async function institutionFigures(db: Db, now: Date, timeZone = "UTC"): Promise<InstitutionFigures> {
  const to = now;
  const from = new Date(now.getTime() - 7 * DAY_MS);
  const previousFrom = new Date(now.getTime() - 14 * DAY_MS);
  type Column = AnyPgColumn;
  const current = (column: Column) => sql`${column} >= ${ts(from)}`;
  const both = (column: Column) => and(sql`${column} >= ${ts(previousFrom)}`, sql`${column} < ${ts(to)}`);
  const split = (column: Column) => ({
    current: sql<number>`(count(*) filter (where ${current(column)}))::int`,
    previous: sql<number>`(count(*) filter (where not (${current(column)})))::int`,
  });
  const period = (column: Column) => sql<string>`case when ${current(column)} then 'current' else 'previous' end`.as("period");
  const sumIf = (value: AnyPgColumn, column: Column, inCurrent: boolean) =>
    sql<number>`coalesce(sum(${value}) filter (where ${inCurrent ? current(column) : sql`not (${current(column)})`}), 0)::int`;
  const roundOpenInRange = and(
    lt(feedbackRounds.openedAt, to),
    or(gte(feedbackRounds.promptsCloseAt, previousFrom), gte(feedbackRounds.linkClosesAt, previousFrom)),
  );
  // Answers given in the two weeks: only rounds open then can have any, so those are found first
  // (few) and each one's answers are read by event (both feedback tables are indexed on it), then
  // summed by week. A lateral subquery keeps the planner from scanning every answer by date.
  const answersInRange = (source: string, table: AnyPgTable, eventId: AnyPgColumn, rating: AnyPgColumn, at: AnyPgColumn) => sql`
    select ${source}::text as source, a.period, sum(a.total)::int as total, sum(a.count)::int as count
    from ${feedbackRounds}
    cross join lateral (
      select case when ${current(at)} then 'current' else 'previous' end as period, sum(${rating}) as total, count(*) as count
      from ${table}
      where ${eventId} = ${feedbackRounds.eventId} and ${rating} is not null and ${both(at)}
      group by 1
    ) a
    where ${roundOpenInRange}
    group by a.period`;

  const [yearToDate, partnerRows, proposedRows, approvedRows, heldRows, ratingRows, responseRows] = await Promise.all([
    academicYearToDate(db, now, timeZone),
    db.select(split(partners.createdAt)).from(partners).where(both(partners.createdAt)),
    db.select(split(events.createdAt)).from(events).where(both(events.createdAt)),
    db
      .select({
        current: sql<number>`(count(distinct ${eventDecisions.eventId}) filter (where ${current(eventDecisions.decidedAt)}))::int`,
        previous: sql<number>`(count(distinct ${eventDecisions.eventId}) filter (where not (${current(eventDecisions.decidedAt)})))::int`,
      })
      .from(eventDecisions)
      .where(and(eq(eventDecisions.decision, "approved"), both(eventDecisions.decidedAt))),
    db
      .select({
        ...split(events.startsAt),
        giftedCurrent: sumIf(events.participantsGifted, events.startsAt, true),
        giftedPrevious: sumIf(events.participantsGifted, events.startsAt, false),
        disabilitiesCurrent: sumIf(events.participantsDisabilities, events.startsAt, true),
        disabilitiesPrevious: sumIf(events.participantsDisabilities, events.startsAt, false),
        careerCurrent: sumIf(events.participantsCareerGuidance, events.startsAt, true),
        careerPrevious: sumIf(events.participantsCareerGuidance, events.startsAt, false),
        otherCurrent: sumIf(events.participantsOther, events.startsAt, true),
        otherPrevious: sumIf(events.participantsOther, events.startsAt, false),
      })
      .from(events)
      .where(and(inArray(events.status, ["held", "closed"]), both(events.startsAt))),
    selectRows<{ period: string; source: string; total: number; count: number }>(
      db,
      sql`${answersInRange("participant", participantFeedback, participantFeedback.eventId, participantFeedback.rating, participantFeedback.createdAt)}
        union all
        ${answersInRange("partner", feedbackPrompts, feedbackPrompts.eventId, feedbackPrompts.rating, feedbackPrompts.answeredAt)}`,
    ),
    db
      .select({
        period: period(feedbackRounds.promptsCloseAt),
        sent: sql<number>`count(*)::int`,
        answered: sql<number>`count(${feedbackPrompts.rating})::int`,
      })
      .from(feedbackRounds)
      .innerJoin(feedbackPrompts, eq(feedbackPrompts.eventId, feedbackRounds.eventId))
      .where(both(feedbackRounds.promptsCloseAt))
      .groupBy(sql`1`),
  ]);

  const figures = { current: emptyFigures(), previous: emptyFigures() };
  for (const key of ["current", "previous"] as const) {
    const f = figures[key];
    const suffix = key === "current" ? "Current" : "Previous";
    f.newPartners = Number(partnerRows[0]?.[key] ?? 0);
    f.eventsProposed = Number(proposedRows[0]?.[key] ?? 0);
    f.eventsApproved = Number(approvedRows[0]?.[key] ?? 0);
    const h = heldRows[0];
    f.eventsHeld = Number(h?.[key] ?? 0);
    const gifted = Number(h?.[`gifted${suffix}`] ?? 0);
    const disabilities = Number(h?.[`disabilities${suffix}`] ?? 0);
    const careerGuidance = Number(h?.[`career${suffix}`] ?? 0);
    const other = Number(h?.[`other${suffix}`] ?? 0);
    f.participants = { gifted, disabilities, careerGuidance, other, total: gifted + disabilities + careerGuidance + other };
    const rating = (source: string) => ratingRows.find((r) => r.period === key && r.source === source);
    const participants = rating("participant");
    const partnersRating = rating("partner");
    const total = Number(participants?.total ?? 0) + Number(partnersRating?.total ?? 0);
    const count = Number(participants?.count ?? 0) + Number(partnersRating?.count ?? 0);
    f.satisfaction = {
      participants: average(Number(participants?.total ?? 0), Number(participants?.count ?? 0)),
      partners: average(Number(partnersRating?.total ?? 0), Number(partnersRating?.count ?? 0)),
      overall: average(total, count),
    };
    const response = responseRows.find((r) => r.period === key);
    const sent = Number(response?.sent ?? 0);
    const answered = Number(response?.answered ?? 0);
    f.responseRate = { sent, answered, rate: sent > 0 ? answered / sent : null };
  }
  return { from, to, previousFrom, ...figures, yearToDate };
}

/** The academic year's mass events, their participants and winners, from 1 September to `now`. */
export async function academicYearToDate(db: Db, now: Date, timeZone: string): Promise<YearToDate> {
  const academicYear = academicYearAt(now, timeZone);
  const [row] = await db
    .select({
      massEvents: sql<number>`count(*)::int`,
      participants: sql<number>`(coalesce(sum(${attendanceOf}), 0))::int`,
      winners: sql<number>`(coalesce(sum(${winnersOf}), 0))::int`,
    })
    .from(events)
    .where(and(massEventCondition(), gte(events.startsAt, academicYearRange(academicYear, timeZone).from), lt(events.startsAt, now)));
  return { academicYear, massEvents: Number(row?.massEvents ?? 0), participants: Number(row?.participants ?? 0), winners: Number(row?.winners ?? 0) };
}

async function partnerSections(db: Db, user: DigestUser, now: Date): Promise<PartnerSections> {
  const theirPartners = db.select({ id: contacts.partnerId }).from(contacts).where(eq(contacts.userId, user.id));
  const upcoming = db
    .select({ ...eventColumns, total: windowCount })
    .from(events)
    .where(
      and(
        eq(events.status, "approved"),
        gte(events.startsAt, now),
        lt(events.startsAt, new Date(now.getTime() + UPCOMING_DAYS * DAY_MS)),
        sql`exists (select 1 from ${eventPartners} where ${eventPartners.eventId} = ${events.id} and ${inArray(eventPartners.partnerId, theirPartners)})`,
      ),
    )
    .orderBy(asc(events.startsAt), asc(events.id))
    .limit(SECTION_LIMIT);
  const openPrompts = db
    .select({
      promptId: feedbackPrompts.id,
      eventId: events.id,
      title: events.title,
      startsAt: events.startsAt,
      closesAt: feedbackRounds.promptsCloseAt,
      total: windowCount,
    })
    .from(feedbackPrompts)
    .innerJoin(feedbackRounds, eq(feedbackRounds.eventId, feedbackPrompts.eventId))
    .innerJoin(events, eq(events.id, feedbackPrompts.eventId))
    .where(and(eq(feedbackPrompts.userId, user.id), isNull(feedbackPrompts.rating), gt(feedbackRounds.promptsCloseAt, now)))
    .orderBy(asc(feedbackRounds.promptsCloseAt), asc(feedbackPrompts.id))
    .limit(SECTION_LIMIT);
  const [upcomingRows, promptRows] = await Promise.all([upcoming, openPrompts]);
  return { upcoming: eventSection(upcomingRows), openPrompts: section(promptRows, ({ total: _total, ...row }) => row) };
}

/**
 * One person's digest by role: staff and admins get their own sections (admins also the
 * institution's figures), partner contacts theirs; guests and inactive people get nothing.
 * `now` is the clock; the week is Monday-first in `timeZone`.
 */
export async function buildDigest(db: Db, user: DigestUser, options: { now: Date; timeZone: string }): Promise<Digest> {
  const { now, timeZone } = options;
  const week = digestWeek(now, timeZone);
  const digest: Digest = { userId: user.id, role: user.role, weekStart: week.weekStart, today: week.today, now };
  if (user.status !== "active") return digest;
  if (user.role === "staff" || user.role === "admin") {
    const [staff, institution] = await Promise.all([
      staffSections(db, user, now, week),
      user.role === "admin" ? institutionFigures(db, now, timeZone) : Promise.resolve(undefined),
    ]);
    digest.staff = staff;
    if (institution) digest.institution = institution;
  } else if (user.role === "partner") {
    digest.partner = await partnerSections(db, user, now);
  }
  return digest;
}

function hasFigures(figures: WeekFigures): boolean {
  return (
    figures.newPartners + figures.eventsProposed + figures.eventsApproved + figures.eventsHeld + figures.participants.total > 0 ||
    figures.satisfaction.overall !== null ||
    figures.responseRate.sent > 0
  );
}

/** Nothing to tell: no section has anything, and the institution's figures (admins) are all zero. */
export function isEmpty(digest: Digest): boolean {
  const sectionsOf = (group: object | undefined) => (group ? (Object.values(group) as Section<unknown>[]) : []);
  const sections = [...sectionsOf(digest.staff), ...sectionsOf(digest.partner)];
  if (sections.some((s) => s.total > 0)) return false;
  const figures = digest.institution;
  return !figures || (!hasFigures(figures.current) && !hasFigures(figures.previous));
}

export interface DigestPreferences {
  enabled: boolean;
  /** ISO weekday: 1 = Monday … 7 = Sunday. */
  weekday: number;
  /** Local hour, 0..23. */
  hour: number;
}

/** What a person without a settings row gets: on, Monday, 09:00. */
export const DEFAULT_DIGEST_PREFERENCES: Readonly<DigestPreferences> = { enabled: true, weekday: 1, hour: 9 };

export const isDigestWeekday = (value: number) => Number.isInteger(value) && value >= 1 && value <= 7;
export const isDigestHour = (value: number) => Number.isInteger(value) && value >= 0 && value <= 23;

export async function digestPreferencesOf(db: Db, userId: number): Promise<DigestPreferences> {
  const [row] = await db
    .select({ enabled: digestSettings.enabled, weekday: digestSettings.weekday, hour: digestSettings.hour })
    .from(digestSettings)
    .where(eq(digestSettings.userId, userId));
  return row ?? { ...DEFAULT_DIGEST_PREFERENCES };
}

export type SaveDigestPreferences =
  | { ok: true; preferences: DigestPreferences; changed: boolean }
  | { ok: false; reason: "invalid" };

/** Changes a person's digest settings; a weekday outside 1..7 or an hour outside 0..23 is refused. */
export async function saveDigestPreferences(db: Db, userId: number, change: Partial<DigestPreferences>): Promise<SaveDigestPreferences> {
  if (change.weekday !== undefined && !isDigestWeekday(change.weekday)) return { ok: false, reason: "invalid" };
  if (change.hour !== undefined && !isDigestHour(change.hour)) return { ok: false, reason: "invalid" };
  if (change.enabled !== undefined && typeof change.enabled !== "boolean") return { ok: false, reason: "invalid" };
  return db.transaction(async (tx) => {
    const before = await digestPreferencesOf(tx, userId);
    const preferences = { ...before, ...change };
    const changed = preferences.enabled !== before.enabled || preferences.weekday !== before.weekday || preferences.hour !== before.hour;
    if (changed) {
      await tx
        .insert(digestSettings)
        .values({ userId, ...preferences })
        .onConflictDoUpdate({ target: digestSettings.userId, set: { ...change, updatedAt: sql`now()` } });
    }
    return { ok: true, preferences, changed } as const;
  });
}
