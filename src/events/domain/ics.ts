import ical, { type ICalLuxonDateTimeStub, ICalEventStatus } from "ical-generator";
import type { Event } from "./schema.js";
import { timeZoneOffset } from "./time.js";

export interface CalendarEntry {
  event: Pick<Event, "id" | "title" | "description" | "startsAt" | "endsAt" | "place" | "status" | "updatedAt">;
  partnerNames: string[];
}

export interface CalendarOptions {
  /** The calendar's name, shown by calendar apps. */
  name: string;
  timeZone: string;
  /** Makes each event's UID unique to this bot, e.g. the bot's username. */
  uidDomain: string;
  now: Date;
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** The wall-clock time of `date` in `timeZone`. */
function wallClock(date: Date, timeZone: string) {
  const local = new Date(date.getTime() + timeZoneOffset(date, timeZone) * 60_000);
  return {
    year: local.getUTCFullYear(),
    month: local.getUTCMonth() + 1,
    day: local.getUTCDate(),
    hour: local.getUTCHours(),
    minute: local.getUTCMinutes(),
    second: local.getUTCSeconds(),
  };
}

/**
 * ical-generator writes a native Date with a time zone in the *server's* local time; this stub
 * (the part of Luxon's DateTime it reads) gives it the wall-clock time in the institution's zone.
 */
function zoned(date: Date, timeZone: string): ICalLuxonDateTimeStub {
  const local = wallClock(date, timeZone);
  const stub: ICalLuxonDateTimeStub = {
    isValid: true,
    zone: { type: "iana" },
    setZone: () => stub,
    toJSDate: () => date,
    toJSON: () => date.toISOString(),
    toFormat(format: string) {
      if (format === "yyyyLLdd") return `${pad(local.year, 4)}${pad(local.month)}${pad(local.day)}`;
      if (format === "HHmmss") return `${pad(local.hour)}${pad(local.minute)}${pad(local.second)}`;
      throw new Error(`unexpected date format ${format}`);
    },
  };
  return stub;
}

const formatOffset = (minutes: number) => `${minutes < 0 ? "-" : "+"}${pad(Math.floor(Math.abs(minutes) / 60))}${pad(Math.abs(minutes) % 60)}`;

/**
 * A VTIMEZONE for a zone without daylight saving around `year` (Irkutsk has kept UTC+8 since
 * 2014). For a zone that changes its clocks none is written: calendar apps know IANA TZIDs.
 */
export function fixedOffsetTimezone(timeZone: string, year: number): string | null {
  const winter = timeZoneOffset(new Date(Date.UTC(year, 0, 15)), timeZone);
  const summer = timeZoneOffset(new Date(Date.UTC(year, 6, 15)), timeZone);
  if (winter !== summer) return null;
  const offset = formatOffset(winter);
  return [
    "BEGIN:VTIMEZONE",
    `TZID:${timeZone}`,
    `X-LIC-LOCATION:${timeZone}`,
    "BEGIN:STANDARD",
    `TZOFFSETFROM:${offset}`,
    `TZOFFSETTO:${offset}`,
    `TZNAME:${offset.slice(0, 3)}`,
    "DTSTART:19700101T000000",
    "END:STANDARD",
    "END:VTIMEZONE",
  ].join("\r\n");
}

const STATUS: Partial<Record<Event["status"], ICalEventStatus>> = {
  proposed: ICalEventStatus.TENTATIVE,
  changes_requested: ICalEventStatus.TENTATIVE,
  approved: ICalEventStatus.CONFIRMED,
  held: ICalEventStatus.CONFIRMED,
  closed: ICalEventStatus.CONFIRMED,
  cancelled: ICalEventStatus.CANCELLED,
  rejected: ICalEventStatus.CANCELLED,
};

/** An iCalendar file (RFC 5545) of events, with local times and TZID in the institution's zone. */
export function buildCalendar(entries: CalendarEntry[], options: CalendarOptions): string {
  const { timeZone } = options;
  const calendar = ical({ name: options.name, prodId: { company: "Дворец творчества", product: "partnership-bot", language: "RU" } });
  // No calendar-wide zone: with one, ical-generator writes DTSTAMP in local time, and RFC 5545 wants UTC.
  calendar.timezone({ name: null, generator: (tz) => fixedOffsetTimezone(tz, options.now.getUTCFullYear()) });
  for (const { event, partnerNames } of entries) {
    const description = [partnerNames.join(", "), event.description ?? ""].filter(Boolean).join("\n\n");
    calendar.createEvent({
      id: `event-${event.id}@${options.uidDomain}`,
      // Seconds of the last change: a later change has a higher sequence, so calendar apps keep the newer copy.
      sequence: Math.floor(event.updatedAt.getTime() / 1000) % 2_000_000_000,
      stamp: options.now,
      start: zoned(event.startsAt, timeZone),
      end: zoned(event.endsAt, timeZone),
      timezone: timeZone,
      summary: event.title,
      ...(description ? { description } : {}),
      ...(event.place ? { location: event.place } : {}),
      ...(STATUS[event.status] ? { status: STATUS[event.status]! } : {}),
    });
  }
  return calendar.toString();
}
