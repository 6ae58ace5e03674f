import { describe, expect, it } from "vitest";
import { parseEventTime, timeZoneOffset } from "../../../src/events/domain/time.js";

const IRKUTSK = "Asia/Irkutsk";
// Tuesday, 1 December 2026, 10:00 in Irkutsk.
const NOW = new Date("2026-12-01T02:00:00Z");

const read = (text: string, language: "ru" | "en" = "ru", now = NOW) => {
  const parsed = parseEventTime(text, now, IRKUTSK, language);
  return parsed.ok ? parsed.date.toISOString() : parsed;
};

describe("parseEventTime", () => {
  it("reads the forms people type, in the institution's time zone", () => {
    expect(read("25.12 15:00")).toBe("2026-12-25T07:00:00.000Z");
    expect(read("25.12.2026 15:00")).toBe("2026-12-25T07:00:00.000Z");
    expect(read("25.12.26 в 15.30")).toBe("2026-12-25T07:30:00.000Z");
    expect(read("25.12 в 15")).toBe("2026-12-25T07:00:00.000Z");
    expect(read("завтра в 15:00")).toBe("2026-12-02T07:00:00.000Z");
    expect(read("Завтра в 15.00")).toBe("2026-12-02T07:00:00.000Z");
    expect(read("в пятницу в 10")).toBe("2026-12-04T02:00:00.000Z");
    expect(read("25 декабря в 15:00")).toBe("2026-12-25T07:00:00.000Z");
    expect(read("tomorrow 3pm", "en")).toBe("2026-12-02T07:00:00.000Z");
    expect(read("friday 10am", "en")).toBe("2026-12-04T02:00:00.000Z");
  });

  it("reads the other language too, and DD.MM in English", () => {
    expect(read("tomorrow 3pm", "ru")).toBe("2026-12-02T07:00:00.000Z");
    expect(read("завтра в 15:00", "en")).toBe("2026-12-02T07:00:00.000Z");
    expect(read("05.01 9:30", "en")).toBe("2027-01-05T01:30:00.000Z");
  });

  it("takes the next year for a day and month that have passed", () => {
    expect(read("15.01 10:00")).toBe("2027-01-15T02:00:00.000Z");
    // Today's date stays this year even when the hour has passed: the caller refuses the past.
    expect(read("01.12 09:00")).toBe("2026-12-01T01:00:00.000Z");
  });

  it("counts «tomorrow» from the institution's day, not UTC's", () => {
    // 04:00 on 2 December in Irkutsk is still 1 December in UTC.
    expect(read("завтра в 15:00", "ru", new Date("2026-12-01T20:00:00Z"))).toBe("2026-12-03T07:00:00.000Z");
  });

  it("refuses a day without a time, a time without a day, days that do not exist and nonsense", () => {
    expect(read("25.12")).toEqual({ ok: false, reason: "no_time" });
    expect(read("завтра")).toEqual({ ok: false, reason: "no_time" });
    expect(read("в пятницу")).toEqual({ ok: false, reason: "no_time" });
    expect(read("в 15:00")).toEqual({ ok: false, reason: "no_date" });
    expect(read("31.02 10:00")).toEqual({ ok: false, reason: "invalid_date" });
    expect(read("31.02.2027 10:00")).toEqual({ ok: false, reason: "invalid_date" });
    expect(read("31.02")).toEqual({ ok: false, reason: "invalid_date" });
    expect(read("13.13 10:00")).toEqual({ ok: false, reason: "invalid_date" });
    expect(read("25.12 25:00")).toEqual({ ok: false, reason: "unreadable" });
    expect(read("завтра в 25:00")).toEqual({ ok: false, reason: "unreadable" });
    expect(read("абракадабра")).toEqual({ ok: false, reason: "unreadable" });
    expect(read("25.12 завтра 10:00")).toEqual({ ok: false, reason: "unreadable" });
    expect(read("25.12.2026 26.12.2026 10:00")).toEqual({ ok: false, reason: "unreadable" });
    expect(read("")).toEqual({ ok: false, reason: "unreadable" });
  });

  it("computes the offset from the time-zone database", () => {
    expect(timeZoneOffset(NOW, IRKUTSK)).toBe(480);
    expect(timeZoneOffset(new Date("2026-07-01T12:00:00Z"), "Europe/Berlin")).toBe(120);
    expect(timeZoneOffset(new Date("2026-01-01T12:00:00Z"), "Europe/Berlin")).toBe(60);
    expect(parseEventTime("25.12 15:00", NOW, "Europe/Moscow", "ru")).toEqual({ ok: true, date: new Date("2026-12-25T12:00:00Z") });
  });
});
