import { and, type AnyColumn, asc, desc, eq, gte, inArray, isNotNull, lt, lte, type SQL, sql } from "drizzle-orm";
import { unionAll } from "drizzle-orm/pg-core";
import type { Db } from "../../core/db/client.js";
import { agreements, type Focus, EVENT_FORMATS, type EventFormat, type OwnerKind, PARTNER_TYPES, type PartnerType, partners, STAGES, type Stage } from "../../partners/index.js";
import { type EventRow, eventRows, type EventStatus, eventPartners, events, HELD_STATUSES, type Participants } from "../../events/index.js";
import { type EventFeedbackRow, eventFeedbackRow, type FeedbackFigures, feedbackPrompts, feedbackTotalsByEvent, participantFeedback, promptTotalsByPartner } from "../../feedback/index.js";
import { units } from "../../core/access/units-schema.js";
import { users } from "../../core/access/schema.js";
import { addDays } from "../../partners/index.js";
import { startOfLocalDay } from "../../events/index.js";
import { localDate } from "../../core/dates.js";
import { feedbackAverages, type RatingAverage, roundAverage } from "../../feedback/index.js";
import { checkDate } from "../../core/validation.js";
import { type SelfAssessment, selfAssessment } from "./self-assessment.js";

// ---------------------------------------------------------------------------------------------
// Periods

export const REPORT_PRESETS = ["month", "quarter", "academic_year", "year"] as const;
export type ReportPreset = (typeof REPORT_PRESETS)[number];

/** The longest period a report covers. */
export const MAX_REPORT_YEARS = 5;

/**
 * A report's period: whole days in the institution's time zone, `firstDay` to `lastDay`
 * inclusive; `from`/`to` are the instants [from, to) those days span.
 */
export interface ReportPeriod {
  kind: ReportPreset | "custom";
  firstDay: string;
  lastDay: string;
  from: Date;
  to: Date;
}

const pad = (n: number) => String(n).padStart(2, "0");
const day = (year: number, month: number, date: number) => `${year}-${pad(month)}-${pad(date)}`;

/** The last day of a month (month 1..12). */
function lastDayOfMonth(year: number, month: number): string {
  return new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10);
}

/** The period of the given days, in `timeZone`. */
export function periodOf(kind: ReportPeriod["kind"], firstDay: string, lastDay: string, timeZone: string): ReportPeriod {
  return { kind, firstDay, lastDay, from: startOfLocalDay(firstDay, timeZone), to: startOfLocalDay(addDays(lastDay, 1), timeZone) };
}

/**
 * The period of a preset around today (in `timeZone`): this month, this calendar quarter, the
 * academic year (1 September – 31 August) containing today, or this calendar year.
 */
export function presetPeriod(preset: ReportPreset, now: Date, timeZone: string): ReportPeriod {
  const today = localDate(now, timeZone);
  const [year, month] = today.split("-").map(Number) as [number, number];
  switch (preset) {
    case "month":
      return periodOf(preset, day(year, month, 1), lastDayOfMonth(year, month), timeZone);
    case "quarter": {
      const first = Math.floor((month - 1) / 3) * 3 + 1;
      return periodOf(preset, day(year, first, 1), lastDayOfMonth(year, first + 2), timeZone);
    }
    case "academic_year": {
      const start = month >= 9 ? year : year - 1;
      return periodOf(preset, day(start, 9, 1), day(start + 1, 8, 31), timeZone);
    }
    case "year":
      return periodOf(preset, day(year, 1, 1), day(year, 12, 31), timeZone);
  }
}

export type PeriodRefusal =
  /** Not two dates. */
  | { ok: false; reason: "unreadable" }
  /** A day that does not exist (31.02) or a year out of range; `date` as typed. */
  | { ok: false; reason: "invalid_date"; date: string }
  /** The end is before the start; both as 'YYYY-MM-DD'. */
  | { ok: false; reason: "ends_before_start"; firstDay: string; lastDay: string }
  /** Longer than MAX_REPORT_YEARS. */
  | { ok: false; reason: "too_long"; firstDay: string; lastDay: string };

export type ParsedPeriod = { ok: true; period: ReportPeriod } | PeriodRefusal;

/** A date as people type it: 01.09.2026, 1.9.2026, 1/9/26, or ISO 2026-09-01. */
const DATE_TOKEN = /(?<![\d.,/])(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./]\d{1,2}[./](?:\d{4}|\d{2}))(?![\d./])/g;
/** What may stand around and between the two dates: dashes, «с … по …», "from … to …". */
const CONNECTORS = /(^|[\s\-–—−.…,:])(с|по|до|from|to|till|until)(?=$|[\s\-–—−.…,:])/giu;

/**
 * Reads a period typed as two dates: «01.09.2026 - 31.12.2026», «1.9.2026–31.12.2026», «с
 * 1.9.2026 по 31.12.2026», "2026-09-01 to 2026-12-31". Both days count. A day that does not
 * exist, an end before the start and a period over MAX_REPORT_YEARS are refused.
 */
export function parseReportPeriod(text: string, timeZone: string): ParsedPeriod {
  const input = text.trim();
  if (input.length === 0 || input.length > 100) return { ok: false, reason: "unreadable" };
  const tokens = [...input.matchAll(DATE_TOKEN)].map((m) => m[0]);
  const leftover = input.replace(DATE_TOKEN, " ").replace(CONNECTORS, "$1 ");
  if (tokens.length !== 2 || !/^[\s\-–—−.…,:]*$/u.test(leftover)) return { ok: false, reason: "unreadable" };
  const days: string[] = [];
  for (const token of tokens) {
    const checked = checkDate(token.replace(/\//g, "."));
    if (!checked.ok) return { ok: false, reason: "invalid_date", date: token };
    days.push(checked.value);
  }
  const [firstDay, lastDay] = days as [string, string];
  if (lastDay < firstDay) return { ok: false, reason: "ends_before_start", firstDay, lastDay };
  const [year, month, date] = firstDay.split("-").map(Number) as [number, number, number];
  const limit = new Date(Date.UTC(year + MAX_REPORT_YEARS, month - 1, date)).toISOString().slice(0, 10);
  if (addDays(lastDay, 1) > limit) return { ok: false, reason: "too_long", firstDay, lastDay };
  return { ok: true, period: periodOf("custom", firstDay, lastDay, timeZone) };
}

/** The months a period touches, as 'YYYY-MM', in order. */
export function monthsOf(period: Pick<ReportPeriod, "firstDay" | "lastDay">): string[] {
  const months: string[] = [];
  let [year, month] = period.firstDay.split("-").map(Number) as [number, number];
  const last = period.lastDay.slice(0, 7);
  for (;;) {
    const key = `${year}-${pad(month)}`;
    months.push(key);
    if (key >= last) return months;
    month++;
    if (month > 12) {
      month = 1;
      year++;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Figures

/** Event statuses as a report counts them. */
export const EVENT_BUCKETS = ["held", "approved", "proposed", "cancelled", "rejected"] as const;
export type EventBucket = (typeof EVENT_BUCKETS)[number];

const BUCKET_OF: Record<EventStatus, EventBucket> = {
  proposed: "proposed",
  changes_requested: "proposed",
  approved: "approved",
  held: "held",
  closed: "held",
  cancelled: "cancelled",
  rejected: "rejected",
};

/** held and closed count as held; proposed and changes requested as awaiting a decision. */
export function bucketOf(status: EventStatus): EventBucket {
  return BUCKET_OF[status];
}

export type { EventFeedbackRow, EventRow, Participants };

export interface MonthFormatCount {
  /** 'YYYY-MM' of the events' start, in the institution's time zone. */
  month: string;
  format: EventFormat;
  counts: Record<EventBucket, number>;
}

export interface MonthSatisfaction {
  month: string;
  partners: RatingAverage | null;
  participants: RatingAverage | null;
}

export interface ResponseRate {
  /** Prompts sent to partner contacts about events of the period. */
  sent: number;
  /** Of them, answered with a rating. */
  answered: number;
  /** answered / sent, 0..1; null when nothing was sent. */
  rate: number | null;
}

export interface PartnerReportRow {
  id: number;
  fullName: string;
  shortName: string | null;
  type: PartnerType;
  ownerKind: OwnerKind;
  ownerUnitName: string | null;
  ownerUserName: string | null;
  focuses: Focus[];
  stage: Stage;
  createdAt: Date;
  /** The latest agreement in force by the period's end (valid from on or before its last day). */
  agreement: { number: string; signedOn: string; validFrom: string; validTo: string | null } | null;
  /** Joint events of the period recorded as held. */
  heldEvents: number;
}

/** Participants' answers count those about the events this partner took part in. */
export interface PartnerFeedbackRow extends FeedbackFigures {
  partnerId: number;
  name: string;
}

export interface ReportData {
  period: ReportPeriod;
  months: string[];
  partners: {
    /** Partners registered by the end of the period and not archived (now). */
    registered: number;
    /** Registered within the period (any stage). */
    newInPeriod: number;
    /** Registered by the end of the period and archived (now). */
    archived: number;
    /** Of the registered, not archived, by type and by their current stage. */
    byType: Record<PartnerType, number>;
    byStage: Record<Exclude<Stage, "archived">, number>;
  };
  events: {
    /** Events starting in the period, whatever their status. */
    total: number;
    byStatus: Record<EventBucket, number>;
    byMonthFormat: MonthFormatCount[];
  };
  /** Participants of the period's held events. */
  participants: Participants;
  satisfaction: {
    partners: RatingAverage | null;
    participants: RatingAverage | null;
    responseRate: ResponseRate;
    byMonth: MonthSatisfaction[];
  };
  /** The self-assessment indicators of the period (order № 1324, 1.8–1.11 and the partnership's part of 1.5, 1.6.1). */
  selfAssessment: SelfAssessment;
  rows: {
    partners: PartnerReportRow[];
    events: EventRow[];
    eventFeedback: EventFeedbackRow[];
    partnerFeedback: PartnerFeedbackRow[];
  };
}

const zeroBuckets = (): Record<EventBucket, number> => Object.fromEntries(EVENT_BUCKETS.map((b) => [b, 0])) as Record<EventBucket, number>;

/**
 * The month of a timestamp in `timeZone` as 'YYYY-MM'. The zone is written into the SQL text
 * (checked by Intl, quotes doubled) rather than bound: a grouped expression must read the same
 * in SELECT and GROUP BY, and two bound parameters never do.
 */
function monthExpression(column: SQL | typeof events.startsAt, timeZone: string): SQL<string> {
  new Intl.DateTimeFormat("en", { timeZone }); // throws on an unknown zone
  return sql<string>`to_char(${column} at time zone ${sql.raw(`'${timeZone.replace(/'/g, "''")}'`)}, 'YYYY-MM')`;
}


/**
 * Everything a report shows for a period, with a fixed number of grouped queries whatever the
 * amount of data: partners, events by status and by format per month, participants reached by
 * category, satisfaction per month and the partners' response rate, and the workbook's rows.
 * Events (and the feedback about them) belong to the period by their start.
 */
export async function reportData(db: Db, period: ReportPeriod, timeZone: string): Promise<ReportData> {
  const { from, to } = period;
  const inPeriod = and(gte(events.startsAt, from), lt(events.startsAt, to));
  const months = monthsOf(period);

  // Partners by type and stage, with those registered in the period.
  const partnerGroups = await db
    .select({
      type: partners.type,
      stage: partners.stage,
      total: sql<number>`count(*)::int`,
      created: sql<number>`(count(*) filter (where ${partners.createdAt} >= ${from.toISOString()}::timestamptz))::int`,
    })
    .from(partners)
    .where(lt(partners.createdAt, to))
    .groupBy(partners.type, partners.stage);
  const byType = Object.fromEntries(PARTNER_TYPES.map((t) => [t, 0])) as Record<PartnerType, number>;
  const byStage = Object.fromEntries(STAGES.filter((s) => s !== "archived").map((s) => [s, 0])) as ReportData["partners"]["byStage"];
  let registered = 0;
  let archived = 0;
  let newInPeriod = 0;
  for (const row of partnerGroups) {
    newInPeriod += Number(row.created);
    if (row.stage === "archived") {
      archived += Number(row.total);
      continue;
    }
    registered += Number(row.total);
    byType[row.type] += Number(row.total);
    byStage[row.stage] += Number(row.total);
  }

  // Events by month, format and status, with the participants of those held.
  const month = monthExpression(events.startsAt, timeZone);
  const participantSum = (column: AnyColumn) =>
    sql<number>`(coalesce(sum(${column}) filter (where ${inArray(events.status, HELD_STATUSES)}), 0))::int`;
  const eventGroups = await db
    .select({
      month,
      format: events.format,
      status: events.status,
      count: sql<number>`count(*)::int`,
      gifted: participantSum(events.participantsGifted),
      disabilities: participantSum(events.participantsDisabilities),
      careerGuidance: participantSum(events.participantsCareerGuidance),
      other: participantSum(events.participantsOther),
    })
    .from(events)
    .where(inPeriod)
    .groupBy(month, events.format, events.status);
  const byStatus = zeroBuckets();
  const cells = new Map<string, MonthFormatCount>();
  const participants: Participants = { gifted: 0, disabilities: 0, careerGuidance: 0, other: 0, total: 0 };
  for (const row of eventGroups) {
    const bucket = bucketOf(row.status);
    const count = Number(row.count);
    byStatus[bucket] += count;
    const key = `${row.month}:${row.format}`;
    const cell = cells.get(key) ?? { month: row.month, format: row.format, counts: zeroBuckets() };
    cell.counts[bucket] += count;
    cells.set(key, cell);
    participants.gifted += Number(row.gifted);
    participants.disabilities += Number(row.disabilities);
    participants.careerGuidance += Number(row.careerGuidance);
    participants.other += Number(row.other);
  }
  participants.total = participants.gifted + participants.disabilities + participants.careerGuidance + participants.other;
  const byMonthFormat = [...cells.values()].sort(
    (a, b) => a.month.localeCompare(b.month) || EVENT_FORMATS.indexOf(a.format) - EVENT_FORMATS.indexOf(b.format),
  );

  // Ratings per month: partner contacts' and participants' answers apart.
  const promptMonth = monthExpression(events.startsAt, timeZone);
  const ratingGroups = await unionAll(
    db
      .select({
        month: promptMonth.as("month"),
        source: sql<string>`'partner'`.as("source"),
        total: sql<number>`sum(${feedbackPrompts.rating})::int`.as("total"),
        count: sql<number>`count(*)::int`.as("count"),
      })
      .from(feedbackPrompts)
      .innerJoin(events, eq(events.id, feedbackPrompts.eventId))
      .where(and(inPeriod, isNotNull(feedbackPrompts.rating)))
      .groupBy(promptMonth),
    db
      .select({
        month: promptMonth.as("month"),
        source: sql<string>`'participant'`.as("source"),
        total: sql<number>`sum(${participantFeedback.rating})::int`.as("total"),
        count: sql<number>`count(*)::int`.as("count"),
      })
      .from(participantFeedback)
      .innerJoin(events, eq(events.id, participantFeedback.eventId))
      .where(inPeriod)
      .groupBy(promptMonth),
  );
  const sums = { partner: { total: 0, count: 0 }, participant: { total: 0, count: 0 } };
  const monthly = new Map<string, MonthSatisfaction>(months.map((m) => [m, { month: m, partners: null, participants: null }]));
  for (const row of ratingGroups) {
    const source = row.source === "partner" ? "partner" : "participant";
    const total = Number(row.total);
    const count = Number(row.count);
    sums[source].total += total;
    sums[source].count += count;
    const entry = monthly.get(row.month);
    if (entry) entry[source === "partner" ? "partners" : "participants"] = { average: roundAverage(total / count), count };
  }
  const overall = (s: { total: number; count: number }): RatingAverage | null =>
    s.count === 0 ? null : { average: roundAverage(s.total / s.count), count: s.count };

  const [periodEvents, eventFeedback, partnerRows, partnerFeedback, assessment] = await Promise.all([
    eventRows(db, { where: inPeriod }),
    feedbackTotalsByEvent(db, inPeriod),
    partnerRowsOf(db, period, inPeriod),
    feedbackByPartner(db, period, inPeriod),
    selfAssessment(db, { from, to, timeZone }),
  ]);

  // Feedback per event: the period's held events and any event with prompts or answers.
  const eventFeedbackRows: EventFeedbackRow[] = [];
  const response = { sent: 0, answered: 0 };
  for (const event of periodEvents) {
    const prompts = eventFeedback.prompts.get(event.id);
    response.sent += prompts?.sent ?? 0;
    response.answered += prompts?.answered ?? 0;
    if (!prompts && !eventFeedback.participants.has(event.id) && !HELD_STATUSES.includes(event.status)) continue;
    eventFeedbackRows.push(eventFeedbackRow(event, eventFeedback));
  }

  const names = new Map(partnerRows.map((p) => [p.id, p.shortName ?? p.fullName]));
  const partnerFeedbackRows = partnerFeedback
    .map((row) => ({ ...row, name: row.name ?? names.get(row.partnerId) ?? String(row.partnerId) }))
    .sort((a, b) => a.name.localeCompare(b.name, "ru"));

  return {
    period,
    months,
    partners: { registered, newInPeriod, archived, byType, byStage },
    events: { total: EVENT_BUCKETS.reduce((sum, b) => sum + byStatus[b], 0), byStatus, byMonthFormat },
    participants,
    satisfaction: {
      partners: overall(sums.partner),
      participants: overall(sums.participant),
      responseRate: { ...response, rate: response.sent === 0 ? null : response.answered / response.sent },
      byMonth: [...monthly.values()],
    },
    selfAssessment: assessment,
    rows: { partners: partnerRows, events: periodEvents, eventFeedback: eventFeedbackRows, partnerFeedback: partnerFeedbackRows },
  };
}

/** Partners registered by the period's end: owner, stage, latest agreement, held events of the period. */
async function partnerRowsOf(db: Db, period: ReportPeriod, inPeriod: SQL | undefined): Promise<PartnerReportRow[]> {
  const latest = db
    .selectDistinctOn([agreements.partnerId], {
      partnerId: agreements.partnerId,
      number: agreements.number,
      signedOn: agreements.signedOn,
      validFrom: agreements.validFrom,
      validTo: agreements.validTo,
    })
    .from(agreements)
    .where(lte(agreements.validFrom, period.lastDay))
    .orderBy(agreements.partnerId, desc(agreements.validFrom), desc(agreements.id))
    .as("latest_agreement");
  const held = db
    .select({ partnerId: eventPartners.partnerId, count: sql<number>`count(*)::int`.as("held_count") })
    .from(eventPartners)
    .innerJoin(events, eq(events.id, eventPartners.eventId))
    .where(and(inPeriod, inArray(events.status, HELD_STATUSES)))
    .groupBy(eventPartners.partnerId)
    .as("held_events");
  const rows = await db
    .select({
      id: partners.id,
      fullName: partners.fullName,
      shortName: partners.shortName,
      type: partners.type,
      ownerKind: partners.ownerKind,
      ownerUnitName: units.name,
      ownerFirstName: users.firstName,
      ownerLastName: users.lastName,
      focuses: partners.focuses,
      stage: partners.stage,
      createdAt: partners.createdAt,
      number: latest.number,
      signedOn: latest.signedOn,
      validFrom: latest.validFrom,
      validTo: latest.validTo,
      heldEvents: held.count,
    })
    .from(partners)
    .leftJoin(units, eq(units.id, partners.ownerUnitId))
    .leftJoin(users, eq(users.id, partners.ownerUserId))
    .leftJoin(latest, eq(latest.partnerId, partners.id))
    .leftJoin(held, eq(held.partnerId, partners.id))
    .where(lt(partners.createdAt, period.to))
    .orderBy(asc(partners.fullName), asc(partners.id));
  return rows.map((row) => ({
    id: row.id,
    fullName: row.fullName,
    shortName: row.shortName,
    type: row.type,
    ownerKind: row.ownerKind,
    ownerUnitName: row.ownerUnitName,
    ownerUserName: row.ownerFirstName === null ? null : [row.ownerFirstName, row.ownerLastName].filter(Boolean).join(" "),
    focuses: row.focuses,
    stage: row.stage,
    createdAt: row.createdAt,
    agreement:
      row.number === null || row.signedOn === null || row.validFrom === null
        ? null
        : { number: row.number, signedOn: row.signedOn, validFrom: row.validFrom, validTo: row.validTo },
    heldEvents: Number(row.heldEvents ?? 0),
  }));
}

/**
 * Feedback per partner: averages from feedbackAverages (partner contacts' answers; participants'
 * answers about the events the partner took part in) and the prompts sent and answered.
 */
async function feedbackByPartner(db: Db, period: ReportPeriod, inPeriod: SQL | undefined): Promise<(Omit<PartnerFeedbackRow, "name"> & { name: string | null })[]> {
  const [averages, prompts] = await Promise.all([
    feedbackAverages(db, { by: "partner", from: period.from, to: period.to }),
    promptTotalsByPartner(db, inPeriod),
  ]);
  const rows = new Map<number, Omit<PartnerFeedbackRow, "name"> & { name: string | null }>();
  const row = (partnerId: number) => {
    let entry = rows.get(partnerId);
    if (!entry) {
      entry = { partnerId, name: null, promptsSent: 0, partnerAnswers: 0, responseRate: null, partnerAverage: null, participantAnswers: 0, participantAverage: null };
      rows.set(partnerId, entry);
    }
    return entry;
  };
  for (const [partnerId, p] of prompts) {
    const entry = row(partnerId);
    entry.promptsSent = p.sent;
    entry.partnerAnswers = p.answered;
    entry.responseRate = entry.promptsSent === 0 ? null : entry.partnerAnswers / entry.promptsSent;
  }
  for (const a of averages.rows) {
    if (a.id === null) continue;
    const entry = row(a.id);
    entry.name = a.name;
    entry.partnerAverage = a.partners.current?.average ?? null;
    entry.participantAnswers = a.participants.current?.count ?? 0;
    entry.participantAverage = a.participants.current?.average ?? null;
  }
  return [...rows.values()];
}
