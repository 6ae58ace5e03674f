import { and, eq, gte, inArray, lt, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../core/db/client.js";
import { recordAudit } from "../../core/audit.js";
import { localDate } from "../../core/dates.js";
import {
  academicYearLabel,
  academicYearOf,
  academicYearRange,
  attendanceOf,
  competitionCondition,
  events,
  HELD_STATUSES,
  massEventCondition,
  winnersOf,
} from "../../events/index.js";

export { academicYearLabel, academicYearOf, academicYearRange, massEventCondition };
import { institutionStudents } from "./schema.js";

/**
 * The self-assessment indicators the partnership work produces (order of the Ministry of
 * Education and Science of Russia of 10.12.2013 № 1324, приложение № 5): 1.8 students who took
 * part in mass events, 1.9 their winners and prize-winners, 1.10 students in projects, 1.11 the
 * number of mass events, each in all and by level; and the gifted and ОВЗ participants of joint
 * events (the partnership's part of 1.5 and 1.6.1). Shares are of the academic year's total of
 * students (institution_students), which the bot does not know until an administrator gives it.
 *
 * The rules, in this one place:
 * - held events (held or closed) starting in the period count; cancelled, proposed, rejected do not;
 * - a mass event is a held event of any format but "project" and "consultation"; a competition
 *   (format contest, or marked competition) is a mass event whatever its format, except a project:
 *   projects count under 1.10 only;
 * - its students are its attendance (the four participants_* columns); a project's are its
 *   projectStudents;
 * - 1.9 is winners + prize-winners; a held competition with neither recorded counts 0 and is
 *   counted in `eventsWithoutResults`;
 * - the levels of the indicators are municipal … international (1.x.1–1.x.5); the institution's
 *   own ("institutional") events count in the totals only.
 */

/** The levels the indicators break their figures down by, 1.x.1 … 1.x.5. */
export const INDICATOR_LEVELS = ["municipal", "regional", "interregional", "federal", "international"] as const;
export type IndicatorLevel = (typeof INDICATOR_LEVELS)[number];
type EventLevel = (typeof events.level.enumValues)[number];

/** A figure and its share of the year's students in %, one decimal; undefined while the total is not given. */
export interface Count {
  value: number;
  share: number | undefined;
}

/** An indicator: its total (every level, the institution's own included) and 1.x.1–1.x.5. */
export interface Indicator {
  total: Count;
  byLevel: Record<IndicatorLevel, Count>;
}

export interface SelfAssessment {
  from: Date;
  to: Date;
  /** The academic year the period ends in: the calendar year it starts in (2026 for 2026/27). */
  academicYear: number;
  /** That year's total of students; undefined while not given. */
  students: number | undefined;
  /** 1.8: students who took part in mass events. */
  massParticipants: Indicator;
  /** 1.9: winners and prize-winners of mass events. */
  winners: Indicator;
  /** Held competitions with no results recorded (counted 0 in 1.9). */
  eventsWithoutResults: number;
  /** 1.10: students in projects. */
  projectStudents: Indicator;
  /** 1.11: mass events held (units: shares are always undefined). */
  massEvents: Indicator;
  /** Gifted participants of the held joint events (all formats): the partnership's part of 1.5. */
  gifted: Count;
  /** Participants with ОВЗ of the held joint events (all formats): the partnership's part of 1.6.1. */
  disabilities: Count;
}

/** The academic year a period [from, to) ends in: that of its last instant, in `timeZone`. */
export function academicYearOfPeriod(period: { to: Date }, timeZone: string): number {
  return academicYearOf(localDate(new Date(period.to.getTime() - 1), timeZone));
}

/** A share in %, one decimal: 12 of 340 → 3.5. Undefined without a total. */
export function shareOf(value: number, students: number | undefined): number | undefined {
  if (students === undefined || students <= 0) return undefined;
  return Math.round((value * 1000) / students) / 10;
}

interface Raw {
  massEvents: number;
  massParticipants: number;
  winners: number;
  projectStudents: number;
}

/**
 * The figures for the held events starting in [from, to): one grouped query by level, and the
 * year's total of students (`timeZone` places the period's end in its academic year; UTC by default).
 */
export async function selfAssessment(db: Db, period: { from: Date; to: Date; timeZone?: string }): Promise<SelfAssessment> {
  const { from, to } = period;
  const academicYear = academicYearOfPeriod(period, period.timeZone ?? "UTC");
  const mass = massEventCondition();
  const sum = (value: SQL, where: SQL) => sql<number>`(coalesce(sum(${value}) filter (where ${where}), 0))::int`;
  const [rows, students] = await Promise.all([
    db
      .select({
        level: events.level,
        massEvents: sql<number>`(count(*) filter (where ${mass}))::int`,
        massParticipants: sum(attendanceOf, mass),
        winners: sum(winnersOf, mass),
        withoutResults: sql<number>`(count(*) filter (where ${mass} and ${competitionCondition} and ${events.winners} is null and ${events.prizeWinners} is null))::int`,
        projectStudents: sum(sql`coalesce(${events.projectStudents}, 0)`, sql`${events.format} = 'project'`),
        gifted: sum(sql`coalesce(${events.participantsGifted}, 0)`, sql`true`),
        disabilities: sum(sql`coalesce(${events.participantsDisabilities}, 0)`, sql`true`),
      })
      .from(events)
      .where(and(inArray(events.status, HELD_STATUSES), gte(events.startsAt, from), lt(events.startsAt, to)))
      .groupBy(events.level),
    studentsOf(db, academicYear),
  ]);

  const totals: Raw = { massEvents: 0, massParticipants: 0, winners: 0, projectStudents: 0 };
  const levels = new Map<EventLevel, Raw>();
  let eventsWithoutResults = 0;
  let gifted = 0;
  let disabilities = 0;
  for (const row of rows) {
    const raw: Raw = {
      massEvents: Number(row.massEvents),
      massParticipants: Number(row.massParticipants),
      winners: Number(row.winners),
      projectStudents: Number(row.projectStudents),
    };
    levels.set(row.level, raw);
    for (const key of Object.keys(totals) as (keyof Raw)[]) totals[key] += raw[key];
    eventsWithoutResults += Number(row.withoutResults);
    gifted += Number(row.gifted);
    disabilities += Number(row.disabilities);
  }
  const count = (value: number, shared = true): Count => ({ value, share: shared ? shareOf(value, students) : undefined });
  const indicator = (key: keyof Raw, shared = true): Indicator => ({
    total: count(totals[key], shared),
    byLevel: Object.fromEntries(INDICATOR_LEVELS.map((level) => [level, count(levels.get(level)?.[key] ?? 0, shared)])) as Record<IndicatorLevel, Count>,
  });
  return {
    from,
    to,
    academicYear,
    students,
    massParticipants: indicator("massParticipants"),
    winners: indicator("winners"),
    eventsWithoutResults,
    projectStudents: indicator("projectStudents"),
    massEvents: indicator("massEvents", false),
    gifted: count(gifted),
    disabilities: count(disabilities),
  };
}

// ---------------------------------------------------------------------------------------------
// The total of students

/** The total of students given for an academic year, or undefined. */
export async function studentsOf(db: Db, academicYear: number): Promise<number | undefined> {
  const [row] = await db.select({ students: institutionStudents.students }).from(institutionStudents).where(eq(institutionStudents.academicYear, academicYear));
  return row?.students;
}

/** The most students one indicator counts in an academic year: a total smaller than it cannot be right. */
export type LargestFigure = { indicator: "mass_participants" | "project_students" | "gifted" | "disabilities"; value: number };

export async function largestFigureOfYear(db: Db, academicYear: number, timeZone: string): Promise<LargestFigure> {
  const year = await selfAssessment(db, { ...academicYearRange(academicYear, timeZone), timeZone });
  const candidates: LargestFigure[] = [
    { indicator: "mass_participants", value: year.massParticipants.total.value },
    { indicator: "project_students", value: year.projectStudents.total.value },
    { indicator: "gifted", value: year.gifted.value },
    { indicator: "disabilities", value: year.disabilities.value },
  ];
  return candidates.reduce((best, c) => (c.value > best.value ? c : best));
}

export const MAX_STUDENTS = 100_000;

export type ReadStudents = { ok: true; students: number } | { ok: false };

/** A typed total of students: a whole number 1–100 000; spaces between thousands allowed («1 200»). */
export function readStudents(text: string): ReadStudents {
  const compact = text.trim().replace(/[\s\u00a0\u202f]/g, "");
  if (!/^\d{1,6}$/.test(compact)) return { ok: false };
  const students = Number(compact);
  return students >= 1 && students <= MAX_STUDENTS ? { ok: true, students } : { ok: false };
}

export type SaveStudents = { ok: true; before: number | undefined } | { ok: false; reason: "smaller"; largest: LargestFigure };

/**
 * Saves an academic year's total of students (the latest answer counts), refusing one smaller
 * than the participants one indicator already counts that year. Audited.
 */
export async function saveStudents(
  db: Db,
  input: { academicYear: number; students: number; setBy: number | null; timeZone: string; now?: Date },
): Promise<SaveStudents> {
  const largest = await largestFigureOfYear(db, input.academicYear, input.timeZone);
  if (input.students < largest.value) return { ok: false, reason: "smaller", largest };
  const before = await studentsOf(db, input.academicYear);
  const setAt = input.now ?? new Date();
  await db.transaction(async (tx) => {
    await tx
      .insert(institutionStudents)
      .values({ academicYear: input.academicYear, students: input.students, setBy: input.setBy, setAt })
      .onConflictDoUpdate({ target: institutionStudents.academicYear, set: { students: input.students, setBy: input.setBy, setAt } });
    await recordAudit(tx, {
      actorUserId: input.setBy,
      action: "institution_students.set",
      entityType: "institution_students",
      entityId: input.academicYear,
      before: before === undefined ? null : { students: before },
      after: { students: input.students },
    });
  });
  return { ok: true, before };
}
