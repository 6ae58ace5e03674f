import { MAX_PARTICIPANTS } from "./events.js";
import { timeZoneOffset, zonedInstant } from "./time.js";

/** An event lasts from ten minutes to a day. */
export const MIN_DURATION_MINUTES = 10;
export const MAX_DURATION_MINUTES = 24 * 60;

export type EndRefusal = { ok: false; reason: "unreadable" | "ends_before_start" | "too_short" | "too_long" };

const HOURS = /^(ч|час|часа|часов|h|hr|hrs|hour|hours)\.?$/;
const MINUTES = /^(м|мин|минут|минуты|минута|m|min|mins|minute|minutes)\.?$/;

/**
 * When an event ends, typed as a duration («90», «45 мин», «1,5 ч», "2h 30m") or as the end
 * time on the start's day («до 17:00», "until 17.30").
 */
export function parseEventEnd(text: string, startsAt: Date, timeZone: string): { ok: true; endsAt: Date } | EndRefusal {
  const input = text.replace(/\s+/g, " ").trim().toLowerCase();
  const endTime = /^(?:до|по|until|till|to)?\s*(\d{1,2})[:.](\d{2})$/.exec(input);
  if (endTime) {
    const local = new Date(startsAt.getTime() + timeZoneOffset(startsAt, timeZone) * 60_000);
    const endsAt = zonedInstant(
      { year: local.getUTCFullYear(), month: local.getUTCMonth() + 1, day: local.getUTCDate(), hour: Number(endTime[1]), minute: Number(endTime[2]) },
      timeZone,
    );
    if (!endsAt) return { ok: false, reason: "unreadable" };
    return endsAt.getTime() <= startsAt.getTime() ? { ok: false, reason: "ends_before_start" } : { ok: true, endsAt };
  }
  const minutes = durationMinutes(input);
  if (minutes === undefined) return { ok: false, reason: "unreadable" };
  if (minutes < MIN_DURATION_MINUTES) return { ok: false, reason: minutes <= 0 ? "ends_before_start" : "too_short" };
  if (minutes > MAX_DURATION_MINUTES) return { ok: false, reason: "too_long" };
  return { ok: true, endsAt: new Date(startsAt.getTime() + minutes * 60_000) };
}

/** «90» (minutes), «1,5 ч», «2 часа 30 минут», "1h 30m"; undefined when it is not a duration. */
function durationMinutes(input: string): number | undefined {
  const parts = input.match(/-?\d+(?:[.,]\d+)?|[^\d\s.,-]+\.?/g);
  if (!parts || parts.join(" ").length === 0) return undefined;
  if (parts.length === 1) return /^-?\d+$/.test(parts[0]) ? Number(parts[0]) : undefined;
  let total = 0;
  for (let i = 0; i < parts.length; i += 2) {
    const amount = Number(parts[i]!.replace(",", "."));
    const unit = parts[i + 1];
    if (!Number.isFinite(amount) || unit === undefined) return undefined;
    if (HOURS.test(unit)) total += amount * 60;
    else if (MINUTES.test(unit)) total += amount;
    else return undefined;
  }
  return Math.round(total);
}

export type AgeRange = { from: number | null; to: number | null };

/** «10-14», «10–14 лет», «от 10 до 14», «12» (one age); ages 3 to 99. */
export function parseAgeRange(text: string): { ok: true; value: AgeRange } | { ok: false } {
  const numbers = text.match(/\d+/g)?.map(Number) ?? [];
  const rest = text.replace(/\d+/g, "").replace(/[\s\-–—]|от|до|лет|года?|from|to|years?|y\.?o\.?|\+/gi, "");
  if (rest !== "" || numbers.length === 0 || numbers.length > 2) return { ok: false };
  const [from, to = from] = numbers as [number, number?];
  if (from < 3 || to > 99 || to < from) return { ok: false };
  return { ok: true, value: { from, to } };
}

/** The expected number of participants: a whole number from 1 to MAX_PARTICIPANTS («1 500» too). */
export function parseParticipants(text: string): { ok: true; value: number } | { ok: false } {
  const digits = text.replace(/[\s\u00a0]/g, "");
  if (!/^\d{1,7}$/.test(digits)) return { ok: false };
  const value = Number(digits);
  return value >= 1 && value <= MAX_PARTICIPANTS ? { ok: true, value } : { ok: false };
}
