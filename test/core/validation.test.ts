import { describe, expect, it } from "vitest";
import { checkDate, checkInn, checkMonth, checkName, checkText, checkWebsite } from "../../src/core/validation.js";

describe("validation", () => {
  it("names: trimmed and single-spaced, 1 and 1,000 characters and emoji-only refused", () => {
    expect(checkName("  СОШ   № 5 ", { min: 2, max: 300 })).toEqual({ ok: true, value: "СОШ № 5" });
    expect(checkName("Ш", { min: 2, max: 300 })).toEqual({ ok: false, error: "too_short" });
    expect(checkName("Ш".repeat(1000), { min: 2, max: 300 })).toEqual({ ok: false, error: "too_long" });
    expect(checkName("🎉🎉", { min: 1, max: 300 })).toEqual({ ok: false, error: "no_letters" });
    expect(checkText("   ", 100)).toEqual({ ok: false, error: "no_letters" });
  });

  it("INN: 10 and 12 digits with correct check digits only", () => {
    expect(checkInn("3808013278")).toEqual({ ok: true, value: "3808013278" });
    expect(checkInn("3808013277")).toEqual({ ok: false, error: "bad_inn" });
    expect(checkInn("500100732259")).toEqual({ ok: true, value: "500100732259" });
    expect(checkInn("500100732258")).toEqual({ ok: false, error: "bad_inn" });
    expect(checkInn("12345")).toEqual({ ok: false, error: "bad_inn" });
  });

  it("dates: DD.MM.YYYY, DD.MM.YY and ISO; 31.02 and 29.02 of a common year refused", () => {
    expect(checkDate("15.03.2027")).toEqual({ ok: true, value: "2027-03-15" });
    expect(checkDate("1.9.26")).toEqual({ ok: true, value: "2026-09-01" });
    expect(checkDate("2028-02-29")).toEqual({ ok: true, value: "2028-02-29" });
    expect(checkDate("31.02.2027")).toEqual({ ok: false, error: "bad_date" });
    expect(checkDate("29.02.2027")).toEqual({ ok: false, error: "bad_date" });
    expect(checkDate("31.02")).toEqual({ ok: false, error: "bad_date" });
    expect(checkMonth("03.2027")).toEqual({ ok: true, value: "2027-03-01" });
    expect(checkMonth("13.2027")).toEqual({ ok: false, error: "bad_month" });
  });

  it("websites get https:// and need a dotted host", () => {
    expect(checkWebsite("isu.ru")).toEqual({ ok: true, value: "https://isu.ru" });
    expect(checkWebsite("http://школа5.рф/about")).toEqual({ ok: true, value: "http://школа5.рф/about" });
    expect(checkWebsite("не сайт")).toEqual({ ok: false, error: "bad_url" });
  });
});
