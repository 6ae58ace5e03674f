import * as chrono from "chrono-node";
import { localDate } from "../../core/dates.js";

export type EventTimeRefusal = {
  ok: false;
  /** unreadable: not a date at all; no_date / no_time: half of it is missing; invalid_date: «31.02». */
  reason: "unreadable" | "no_date" | "no_time" | "invalid_date";
};

export type ParsedEventTime = { ok: true; date: Date } | EventTimeRefusal;

export interface LocalDateTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/** Minutes `timeZone` is ahead of UTC at `instant` (480 for Asia/Irkutsk). */
export function timeZoneOffset(instant: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(part("year"), part("month") - 1, part("day"), part("hour"), part("minute"), part("second"));
  return Math.round((asUtc - Math.floor(instant.getTime() / 1000) * 1000) / 60_000);
}

/** The instant of a wall-clock time in `timeZone`; undefined for a day that does not exist (31.02). */
export function zonedInstant(local: LocalDateTime, timeZone: string): Date | undefined {
  const { year, month, day, hour, minute } = local;
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const check = new Date(wall);
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59) return undefined;
  // The offset at the guessed instant, corrected once in case the guess crossed a DST change.
  let instant = wall - timeZoneOffset(new Date(wall), timeZone) * 60_000;
  instant = wall - timeZoneOffset(new Date(instant), timeZone) * 60_000;
  return new Date(instant);
}

const PARSERS = { ru: chrono.ru, en: chrono.en.GB } as const;

/** The reading that covers most of the text, the person's language first; what is left over must hold no digits. */
function bestReading(text: string, now: Date, timeZone: string, language: "ru" | "en") {
  const reference = { instant: now, timezone: timeZoneOffset(now, timeZone) };
  const order = language === "ru" ? (["ru", "en"] as const) : (["en", "ru"] as const);
  let best: chrono.ParsedResult | undefined;
  for (const lang of order) {
    const [result] = PARSERS[lang].parse(text, reference, { forwardDate: true });
    if (result && (!best || result.text.length > best.text.length)) best = result;
  }
  if (!best) return undefined;
  const leftover = text.slice(0, best.index) + text.slice(best.index + best.text.length);
  return /\d/.test(leftover) ? undefined : best;
}

/** «15.00» is a time when it follows «в»/«at» or a date already given. */
const NUMERIC_DATE = /(?<![\d.:/])(\d{1,2})[./](\d{1,2})(?:[./](\d{4}|\d{2}))?(?![\d.:/])/g;

/**
 * Reads when an event starts, as people type it: «25.12 15:00», «25.12.2026 15:00», «завтра в
 * 15:00», «в пятницу в 10», "tomorrow 3pm", in the institution's `timeZone` and relative to
 * `now`. A day without a time, a time without a day and days that do not exist are refused.
 * Whether the moment is in the past is for the caller to decide.
 */
export function parseEventTime(text: string, now: Date, timeZone: string, language: "ru" | "en"): ParsedEventTime {
  const input = text.replace(/\s+/g, " ").trim().toLowerCase();
  if (input === "" || input.length > 100) return { ok: false, reason: "unreadable" };

  // chrono skips DD.MM without a year and reads «31.02 10:00» as just «10:00»: numeric dates are ours.
  let numeric: RegExpExecArray | undefined;
  for (const match of input.matchAll(NUMERIC_DATE)) {
    const afterPreposition = /(^|\s)(в|во|к|at)\s*$/.test(input.slice(0, match.index));
    if (match[3] === undefined && (numeric || afterPreposition)) continue;
    if (numeric) return { ok: false, reason: "unreadable" };
    numeric = match;
  }
  const times = (rest: string) => rest.replace(/(?<![\d.])(\d{1,2})\.(\d{2})(?![\d.])/g, "$1:$2");

  if (numeric) {
    const day = Number(numeric[1]);
    const month = Number(numeric[2]);
    const today = localDate(now, timeZone);
    let year = numeric[3] === undefined ? Number(today.slice(0, 4)) : Number(numeric[3]);
    if (numeric[3]?.length === 2) year += 2000;
    if (numeric[3] === undefined && `${year}-${pad(month)}-${pad(day)}` < today) year++;
    const rest = times(input.slice(0, numeric.index) + " " + input.slice(numeric.index + numeric[0].length)).trim();
    if (rest === "") return zonedInstant({ year, month, day, hour: 0, minute: 0 }, timeZone) ? { ok: false, reason: "no_time" } : invalid();
    const reading = bestReading(rest, now, timeZone, language);
    if (!reading) return { ok: false, reason: "unreadable" };
    const start = reading.start;
    if (start.isCertain("day") || start.isCertain("weekday")) return { ok: false, reason: "unreadable" };
    if (!start.isCertain("hour")) return { ok: false, reason: "no_time" };
    const date = zonedInstant({ year, month, day, hour: start.get("hour") ?? 0, minute: start.get("minute") ?? 0 }, timeZone);
    return date ? { ok: true, date } : invalid();
  }

  const reading = bestReading(times(input), now, timeZone, language);
  if (!reading) return { ok: false, reason: "unreadable" };
  const start = reading.start;
  const hasDay = start.isCertain("day") || start.isCertain("weekday");
  if (!hasDay) return { ok: false, reason: start.isCertain("hour") ? "no_date" : "unreadable" };
  if (!start.isCertain("hour")) return { ok: false, reason: "no_time" };
  const date = zonedInstant(
    {
      year: start.get("year") ?? 0,
      month: start.get("month") ?? 0,
      day: start.get("day") ?? 0,
      hour: start.get("hour") ?? 0,
      minute: start.get("minute") ?? 0,
    },
    timeZone,
  );
  return date ? { ok: true, date } : invalid();
}

const pad = (n: number) => String(n).padStart(2, "0");
const invalid = (): EventTimeRefusal => ({ ok: false, reason: "invalid_date" });
