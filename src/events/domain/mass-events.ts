import { and, eq, inArray, ne, or, type SQL, sql } from "drizzle-orm";
import { localDate } from "../../core/dates.js";
import { startOfLocalDay } from "./calendar.js";
import { events } from "./schema.js";
import { HELD_STATUSES } from "./table.js";

/**
 * What the self-assessment indicators (order № 1324, приложение 5, 1.8–1.11) count of the joint
 * events, in one place for the /report sheet and the admins' digest (docs/DOMAIN.md):
 * - a mass event is a held event (held or closed) of any format but "project" and
 *   "consultation"; a competition (format contest, or marked competition) is one whatever its
 *   format, except a project: projects count under 1.10 only;
 * - its students are its attendance (the four participants_* columns); a project's are its
 *   projectStudents; its winners are winners + prize-winners.
 */
export function massEventCondition(): SQL {
  return and(inArray(events.status, HELD_STATUSES), ne(events.format, "project"), or(ne(events.format, "consultation"), eq(events.competition, true)))!;
}

/** A competition (SQL): the format contest, or an event marked so. */
export const competitionCondition = sql`(${events.competition} or ${events.format} = 'contest')`;

/** An event's attendance (SQL): its four participants_* columns, empty counted as 0. */
export const attendanceOf = sql`(coalesce(${events.participantsGifted}, 0) + coalesce(${events.participantsDisabilities}, 0) + coalesce(${events.participantsCareerGuidance}, 0) + coalesce(${events.participantsOther}, 0))`;

/** An event's winners and prize-winners together (SQL), empty counted as 0. */
export const winnersOf = sql`(coalesce(${events.winners}, 0) + coalesce(${events.prizeWinners}, 0))`;

/** The academic year (1 September – 31 August) a day 'YYYY-MM-DD' falls in, by its first year: 2026 for 2026/27. */
export function academicYearOf(day: string): number {
  const [year, month] = day.split("-").map(Number) as [number, number];
  return month >= 9 ? year : year - 1;
}

/** The academic year an instant falls in, in `timeZone`. */
export const academicYearAt = (instant: Date, timeZone: string): number => academicYearOf(localDate(instant, timeZone));

/** «2026/27». */
export const academicYearLabel = (year: number) => `${year}/${String((year + 1) % 100).padStart(2, "0")}`;

/** The instants an academic year spans, [1 September, next 1 September) in `timeZone`. */
export function academicYearRange(year: number, timeZone: string): { from: Date; to: Date } {
  return { from: startOfLocalDay(`${year}-09-01`, timeZone), to: startOfLocalDay(`${year + 1}-09-01`, timeZone) };
}
