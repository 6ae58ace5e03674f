import { afterEach, describe, expect, it } from "vitest";
import { buildCalendar, type CalendarEntry, fixedOffsetTimezone } from "../../../src/events/domain/ics.js";

/** Unfolds an iCalendar text and reads its content lines as name, parameters and value. */
function parseIcs(text: string) {
  const lines = text.replace(/\r\n[ \t]/g, "").split("\r\n").filter(Boolean);
  return lines.map((line) => {
    const colon = line.indexOf(":");
    const [name, ...params] = line.slice(0, colon).split(";");
    return { name: name!, params: Object.fromEntries(params.map((p) => p.split("=") as [string, string])), value: line.slice(colon + 1) };
  });
}

/** The content lines of each VEVENT. */
function eventsOf(text: string) {
  const events: ReturnType<typeof parseIcs>[] = [];
  for (const line of parseIcs(text)) {
    if (line.name === "BEGIN" && line.value === "VEVENT") events.push([]);
    else if (events.length > 0 && !(line.name === "END" && line.value === "VCALENDAR")) events.at(-1)!.push(line);
  }
  return events;
}

const prop = (event: ReturnType<typeof parseIcs>, name: string) => event.find((l) => l.name === name);

function entry(overrides: Partial<CalendarEntry["event"]> = {}, partnerNames = ["ИГУ"]): CalendarEntry {
  return {
    event: {
      id: 7,
      title: "Мастер-класс; робототехника, 5–7 классы",
      description: "Собираем роботов",
      startsAt: new Date("2026-12-10T07:00:00Z"), // 15:00 in Irkutsk
      endsAt: new Date("2026-12-10T09:00:00Z"),
      place: "Дворец творчества, каб. 12",
      status: "approved",
      updatedAt: new Date("2026-12-01T02:00:00Z"),
      ...overrides,
    },
    partnerNames,
  };
}

const OPTIONS = { name: "Дворец творчества", timeZone: "Asia/Irkutsk", uidDomain: "palace_partners_bot", now: new Date("2026-12-01T02:00:00Z") };

const serverZone = process.env.TZ;
afterEach(() => {
  if (serverZone === undefined) delete process.env.TZ;
  else process.env.TZ = serverZone;
});

describe("the .ics calendar", () => {
  it("gives local times in the institution's time zone with TZID and a matching VTIMEZONE", () => {
    const text = buildCalendar([entry()], OPTIONS);
    const [event] = eventsOf(text);
    expect(prop(event!, "DTSTART")).toEqual({ name: "DTSTART", params: { TZID: "Asia/Irkutsk" }, value: "20261210T150000" });
    expect(prop(event!, "DTEND")).toEqual({ name: "DTEND", params: { TZID: "Asia/Irkutsk" }, value: "20261210T170000" });
    expect(prop(event!, "DTSTAMP")!.value).toBe("20261201T020000Z");
    expect(prop(event!, "UID")!.value).toBe("event-7@palace_partners_bot");
    expect(prop(event!, "SUMMARY")!.value).toBe("Мастер-класс\\; робототехника\\, 5–7 классы");
    expect(prop(event!, "LOCATION")!.value).toBe("Дворец творчества\\, каб. 12");
    expect(prop(event!, "DESCRIPTION")!.value).toBe("ИГУ\\n\\nСобираем роботов");
    expect(prop(event!, "STATUS")!.value).toBe("CONFIRMED");

    const lines = parseIcs(text);
    const zone = lines.slice(lines.findIndex((l) => l.value === "VTIMEZONE"));
    expect(zone.find((l) => l.name === "TZID")!.value).toBe("Asia/Irkutsk");
    expect(zone.find((l) => l.name === "TZOFFSETTO")!.value).toBe("+0800");
    expect(text.startsWith("BEGIN:VCALENDAR\r\n")).toBe(true);
    expect(text.trimEnd().endsWith("END:VCALENDAR")).toBe(true);
  });

  it("does not depend on the server's own time zone", () => {
    process.env.TZ = "America/New_York";
    const [event] = eventsOf(buildCalendar([entry()], OPTIONS));
    expect(prop(event!, "DTSTART")!.value).toBe("20261210T150000");
    expect(prop(event!, "DTSTAMP")!.value).toBe("20261201T020000Z");
  });

  it("holds several events, and writes no fixed VTIMEZONE for a zone with summer time", () => {
    const text = buildCalendar(
      [entry(), entry({ id: 8, title: "Экскурсия", description: null, place: null, startsAt: new Date("2026-07-10T12:00:00Z"), endsAt: new Date("2026-07-10T13:30:00Z"), status: "proposed" }, [])],
      { ...OPTIONS, timeZone: "Europe/Berlin" },
    );
    const events = eventsOf(text);
    expect(events).toHaveLength(2);
    expect(prop(events[1]!, "DTSTART")).toEqual({ name: "DTSTART", params: { TZID: "Europe/Berlin" }, value: "20260710T140000" });
    expect(prop(events[1]!, "STATUS")!.value).toBe("TENTATIVE");
    expect(prop(events[1]!, "LOCATION")).toBeUndefined();
    expect(prop(events[0]!, "DTSTART")!.value).toBe("20261210T080000");
    expect(text).not.toContain("BEGIN:VTIMEZONE");
    expect(fixedOffsetTimezone("Europe/Berlin", 2026)).toBeNull();
    expect(fixedOffsetTimezone("Asia/Kolkata", 2026)).toContain("TZOFFSETTO:+0530");
  });
});
