import { and, asc, eq, gte, inArray, isNotNull, lt, sql } from "drizzle-orm";
import { unionAll } from "drizzle-orm/pg-core";
import type { Db } from "../../core/db/client.js";
import { AGE_GROUPS, type AgeGroup, type FeedbackRound, feedbackPrompts, feedbackRounds, FOLLOW_UP_ANSWERS, type FollowUpAnswer, PARTICIPANT_ROLES, type ParticipantRole, participantFeedback } from "./schema.js";
import { partnerDisplayName, contacts, partners } from "../../partners/index.js";
import { eventPartners, events } from "../../events/index.js";
import { units } from "../../core/access/units-schema.js";

/** Ratings 1..5: index 0 holds how many gave 1, index 4 how many gave 5. */
export type Distribution = [number, number, number, number, number];

export interface PartnerComment {
  partnerName: string;
  /** Null when the contact's personal data was deleted: the answer stays, unattributed. */
  contactName: string | null;
  rating: number | null;
  wentWell: string | null;
  improve: string | null;
}

export interface ParticipantComment {
  rating: number;
  comment: string;
  role: ParticipantRole | null;
  ageGroup: AgeGroup | null;
}

export interface EventFeedbackSummary {
  eventId: number;
  partners: {
    /** Prompts sent to partner contacts. */
    sent: number;
    /** Prompts with a rating. */
    answered: number;
    /** answered / sent, 0..1; null when nothing was sent. */
    responseRate: number | null;
    /** Rounded to one decimal; null without answers. */
    average: number | null;
    distribution: Distribution;
    followUp: Record<FollowUpAnswer, number>;
    /** Answers with "what went well" or "what to improve", oldest first. */
    comments: PartnerComment[];
  };
  participants: {
    answers: number;
    average: number | null;
    distribution: Distribution;
    /** Answers with a comment, oldest first. */
    comments: ParticipantComment[];
    /** How many answered with each role; `unknown` counts those who did not say. */
    byRole: Record<ParticipantRole | "unknown", number>;
    byAgeGroup: Record<AgeGroup | "unknown", number>;
  };
}

/** The event's feedback round, if feedback was collected for it. */
export async function feedbackRoundOf(db: Db, eventId: number): Promise<FeedbackRound | undefined> {
  const [round] = await db.select().from(feedbackRounds).where(eq(feedbackRounds.eventId, eventId));
  return round;
}

/** Rounds to one decimal, the way averages are shown. */
export function roundAverage(value: number): number {
  return Math.round(value * 10) / 10;
}

function emptyDistribution(): Distribution {
  return [0, 0, 0, 0, 0];
}

/** Counts a rating in a distribution; anything outside 1..5 (the database forbids it) is ignored. */
function tally(distribution: Distribution, rating: number): void {
  const index = rating - 1;
  if (Number.isInteger(rating) && index >= 0 && index < distribution.length) distribution[index] = (distribution[index] ?? 0) + 1;
}

function countBy<K extends string>(keys: readonly K[]): Record<K | "unknown", number> {
  return Object.fromEntries([...keys, "unknown"].map((key) => [key, 0])) as Record<K | "unknown", number>;
}

function averageOf(distribution: Distribution): number | null {
  const count = distribution.reduce((a, b) => a + b, 0);
  if (count === 0) return null;
  return roundAverage(distribution.reduce((sum, n, i) => sum + n * (i + 1), 0) / count);
}

/**
 * Everything the feedback summary of one event shows: the partner contacts' answers (with the
 * partner's and, while it exists, the contact's name) and the anonymous participants' answers.
 * Two queries, whatever the number of answers.
 */
export async function eventFeedbackSummary(db: Db, eventId: number): Promise<EventFeedbackSummary> {
  const promptRows = await db
    .select({
      rating: feedbackPrompts.rating,
      followUp: feedbackPrompts.followUp,
      wentWell: feedbackPrompts.wentWell,
      improve: feedbackPrompts.improve,
      partnerName: partnerDisplayName,
      contactName: contacts.fullName,
    })
    .from(feedbackPrompts)
    .innerJoin(partners, eq(partners.id, feedbackPrompts.partnerId))
    .leftJoin(contacts, eq(contacts.id, feedbackPrompts.contactId))
    .where(eq(feedbackPrompts.eventId, eventId))
    .orderBy(asc(feedbackPrompts.answeredAt), asc(feedbackPrompts.id));
  const participantRows = await db
    .select({ rating: participantFeedback.rating, comment: participantFeedback.comment, role: participantFeedback.role, ageGroup: participantFeedback.ageGroup })
    .from(participantFeedback)
    .where(eq(participantFeedback.eventId, eventId))
    .orderBy(asc(participantFeedback.createdAt), asc(participantFeedback.id));

  const partnerDistribution = emptyDistribution();
  const followUp = Object.fromEntries(FOLLOW_UP_ANSWERS.map((a) => [a, 0])) as Record<FollowUpAnswer, number>;
  const partnerComments: PartnerComment[] = [];
  for (const row of promptRows) {
    if (row.rating !== null) tally(partnerDistribution, row.rating);
    if (row.followUp) followUp[row.followUp]++;
    const wentWell = row.wentWell?.trim() || null;
    const improve = row.improve?.trim() || null;
    if (wentWell || improve) {
      partnerComments.push({ partnerName: row.partnerName, contactName: row.contactName, rating: row.rating, wentWell, improve });
    }
  }
  const answered = partnerDistribution.reduce((a, b) => a + b, 0);

  const participantDistribution = emptyDistribution();
  const byRole = countBy(PARTICIPANT_ROLES);
  const byAgeGroup = countBy(AGE_GROUPS);
  const participantComments: ParticipantComment[] = [];
  for (const row of participantRows) {
    tally(participantDistribution, row.rating);
    byRole[row.role ?? "unknown"]++;
    byAgeGroup[row.ageGroup ?? "unknown"]++;
    const comment = row.comment?.trim();
    if (comment) participantComments.push({ rating: row.rating, comment, role: row.role, ageGroup: row.ageGroup });
  }

  return {
    eventId,
    partners: {
      sent: promptRows.length,
      answered,
      responseRate: promptRows.length === 0 ? null : answered / promptRows.length,
      average: averageOf(partnerDistribution),
      distribution: partnerDistribution,
      followUp,
      comments: partnerComments,
    },
    participants: {
      answers: participantRows.length,
      average: averageOf(participantDistribution),
      distribution: participantDistribution,
      comments: participantComments,
      byRole,
      byAgeGroup,
    },
  };
}

export interface RatingAverage {
  /** Rounded to one decimal. */
  average: number;
  count: number;
}

/** One source of answers in a period, with the previous period of the same length. */
export interface AverageTrend {
  current: RatingAverage | null;
  previous: RatingAverage | null;
  /** current − previous, of the rounded averages (as shown); null unless both exist. */
  change: number | null;
}

export interface FeedbackAverageRow {
  /** The partner's id, or the owning unit's id (null: events without an owning unit). */
  id: number | null;
  /** The partner's short (else full) name, or the unit's name; null for "no unit". */
  name: string | null;
  /** Partner contacts' ratings. */
  partners: AverageTrend;
  /** Anonymous participants' ratings (for a partner: of the events it took part in). */
  participants: AverageTrend;
}

export interface FeedbackAverages {
  by: "partner" | "unit";
  from: Date;
  to: Date;
  previousFrom: Date;
  previousTo: Date;
  /** Partners or units with answers in the period, by name. */
  rows: FeedbackAverageRow[];
}

export interface FeedbackAveragesQuery {
  by: "partner" | "unit";
  /** The period is [from, to): answers about events that started in it. */
  from: Date;
  to: Date;
  /** Only these partners (or units); all when omitted. */
  ids?: number[];
}

interface GroupRow {
  key: number | null;
  source: string;
  total: number;
  count: number;
}

/**
 * One grouped query for a period: partner contacts' and participants' ratings, grouped by
 * partner or by the event's owning unit. Events are picked by their start (indexed), answers
 * by event (both feedback tables are indexed on it).
 */
async function groupedRatings(db: Db, by: "partner" | "unit", from: Date, to: Date, ids: number[] | undefined): Promise<GroupRow[]> {
  const inPeriod = and(gte(events.startsAt, from), lt(events.startsAt, to));
  const total = (column: typeof feedbackPrompts.rating | typeof participantFeedback.rating) => sql<number>`sum(${column})::int`.as("total");
  const count = sql<number>`count(*)::int`.as("count");
  if (by === "partner") {
    const partnerAnswers = db
      .select({ key: sql<number | null>`${feedbackPrompts.partnerId}`.as("key"), source: sql<string>`'partner'`.as("source"), total: total(feedbackPrompts.rating), count })
      .from(feedbackPrompts)
      .innerJoin(events, eq(events.id, feedbackPrompts.eventId))
      .where(and(inPeriod, isNotNull(feedbackPrompts.rating), ids ? inArray(feedbackPrompts.partnerId, ids) : undefined))
      .groupBy(feedbackPrompts.partnerId);
    const participantAnswers = db
      .select({ key: sql<number | null>`${eventPartners.partnerId}`.as("key"), source: sql<string>`'participant'`.as("source"), total: total(participantFeedback.rating), count })
      .from(participantFeedback)
      .innerJoin(events, eq(events.id, participantFeedback.eventId))
      .innerJoin(eventPartners, eq(eventPartners.eventId, participantFeedback.eventId))
      .where(and(inPeriod, ids ? inArray(eventPartners.partnerId, ids) : undefined))
      .groupBy(eventPartners.partnerId);
    return unionAll(partnerAnswers, participantAnswers);
  }
  const unitFilter = ids ? inArray(events.ownerUnitId, ids) : undefined;
  const partnerAnswers = db
    .select({ key: sql<number | null>`${events.ownerUnitId}`.as("key"), source: sql<string>`'partner'`.as("source"), total: total(feedbackPrompts.rating), count })
    .from(feedbackPrompts)
    .innerJoin(events, eq(events.id, feedbackPrompts.eventId))
    .where(and(inPeriod, isNotNull(feedbackPrompts.rating), unitFilter))
    .groupBy(events.ownerUnitId);
  const participantAnswers = db
    .select({ key: sql<number | null>`${events.ownerUnitId}`.as("key"), source: sql<string>`'participant'`.as("source"), total: total(participantFeedback.rating), count })
    .from(participantFeedback)
    .innerJoin(events, eq(events.id, participantFeedback.eventId))
    .where(and(inPeriod, unitFilter))
    .groupBy(events.ownerUnitId);
  return unionAll(partnerAnswers, participantAnswers);
}

function trend(current: RatingAverage | null, previous: RatingAverage | null): AverageTrend {
  return { current, previous, change: current && previous ? roundAverage(current.average - previous.average) : null };
}

/**
 * Average ratings per partner (or per owning unit of the events) over [from, to), partner
 * contacts' and participants' answers apart, each with the previous period of the same length
 * for the trend. For digests and reports; one grouped query per period.
 */
export async function feedbackAverages(db: Db, query: FeedbackAveragesQuery): Promise<FeedbackAverages> {
  const { by, from, to, ids } = query;
  const length = to.getTime() - from.getTime();
  const previousFrom = new Date(from.getTime() - length);
  const previousTo = from;
  const result: FeedbackAverages = { by, from, to, previousFrom, previousTo, rows: [] };
  if (length <= 0 || ids?.length === 0) return result;

  const [current, previous] = await Promise.all([
    groupedRatings(db, by, from, to, ids),
    groupedRatings(db, by, previousFrom, previousTo, ids),
  ]);
  const keyOf = (key: number | null) => (key === null ? "none" : String(key));
  const table = (rows: GroupRow[]) =>
    new Map(rows.map((r) => [`${keyOf(r.key)}:${r.source}`, { average: roundAverage(Number(r.total) / Number(r.count)), count: Number(r.count) }]));
  const now = table(current);
  const before = table(previous);
  const keys = [...new Map(current.map((r) => [keyOf(r.key), r.key])).values()];

  const named = keys.filter((k): k is number => k !== null);
  const names = new Map<number, string>();
  if (named.length > 0) {
    const rows =
      by === "partner"
        ? await db
            .select({ id: partners.id, name: partnerDisplayName })
            .from(partners)
            .where(inArray(partners.id, named))
        : await db.select({ id: units.id, name: units.name }).from(units).where(inArray(units.id, named));
    for (const row of rows) names.set(row.id, row.name);
  }

  result.rows = keys
    .map((key) => ({
      id: key,
      name: key === null ? null : (names.get(key) ?? null),
      partners: trend(now.get(`${keyOf(key)}:partner`) ?? null, before.get(`${keyOf(key)}:partner`) ?? null),
      participants: trend(now.get(`${keyOf(key)}:participant`) ?? null, before.get(`${keyOf(key)}:participant`) ?? null),
    }))
    .sort((a, b) => (a.name === null ? 1 : b.name === null ? -1 : a.name.localeCompare(b.name, "ru")));
  return result;
}

/** The days the partner card and the unit card look back over. */
export const SATISFACTION_DAYS = 90;

/** One partner's (or unit's) averages over the last SATISFACTION_DAYS days, or null without answers. */
export async function recentSatisfaction(db: Db, by: "partner" | "unit", id: number, now: Date): Promise<FeedbackAverageRow | null> {
  const from = new Date(now.getTime() - SATISFACTION_DAYS * 24 * 60 * 60 * 1000);
  const { rows } = await feedbackAverages(db, { by, from, to: now, ids: [id] });
  return rows.find((r) => r.id === id) ?? null;
}
