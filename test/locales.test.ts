import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../src/core/telegram/commands.js";
import { createI18n, LOCALES_DIR } from "../src/core/i18n.js";
import { LANGUAGES } from "../src/config.js";
import { EVENT_FORMATS, FOCUSES, INTERACTION_KINDS, OWNER_KINDS, PARTNER_TYPES, STAGES } from "../src/partners/domain/schema.js";
import { EVENT_STATUSES } from "../src/events/domain/schema.js";
import { ROLES } from "../src/core/access/schema.js";

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ""): string[] {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === "string" ? [`${prefix}${key}`] : flatten(value, `${prefix}${key}.`),
  );
}

const PLURAL = /_(zero|one|two|few|many|other)$/;

/** Every string of a language, by its full key ("events.card.when"), from every file. */
function stringsOf(language: string): Map<string, string> {
  const strings = new Map<string, string>();
  const walk = (tree: Tree, prefix: string) => {
    for (const [key, value] of Object.entries(tree)) {
      if (typeof value === "string") strings.set(`${prefix}${key}`, value);
      else walk(value, `${prefix}${key}.`);
    }
  };
  for (const file of readdirSync(join(LOCALES_DIR, language)).filter((f) => f.endsWith(".json"))) {
    walk(JSON.parse(readFileSync(join(LOCALES_DIR, language, file), "utf8")) as Tree, "");
  }
  return strings;
}

/** «принял(а)», «подключился(ась)», «Согласен(на)», «отказался(-ась)»: a word with its feminine ending in brackets. */
const GENDER_SLASH = /\p{Script=Cyrillic}\((?:-?\p{Script=Cyrillic}{1,4})\)/u;

/**
 * A placeholder followed by a lower-case word: «{{count}} символов». Unless the word is one of
 * these (prepositions, conjunctions, verbs, abbreviations that do not decline), it is a noun
 * counted by the placeholder, and the key needs plural forms.
 */
const NUMBER_THEN_WORD = /\{\{\s*(\w+)(?:\s*,\s*\w+)?\s*\}\}\s+([а-яё][а-яё-]*)/gu;
const NOT_COUNTED = new Set(["из", "по", "от", "до", "в", "во", "с", "со", "к", "и", "или", "не", "на", "за", "о", "об", "бессрочно", "просит", "предлагает", "готов", "сохранён", "длиннее", "теперь", "ч", "мин"]);
/** «2026 год» names a year, it does not count years. */
const NOT_COUNTED_KEYS = new Set(["report.presets.year"]);

/** "🕓 ждёт согласования" → "ждёт согласования". */
const withoutMark = (text: string) => text.replace(/^[^\p{L}]+/u, "").toLowerCase();

function keysOf(language: string): Map<string, string[]> {
  const files = new Map<string, string[]>();
  for (const file of readdirSync(join(LOCALES_DIR, language)).filter((f) => f.endsWith(".json"))) {
    files.set(file, flatten(JSON.parse(readFileSync(join(LOCALES_DIR, language, file), "utf8")) as Tree));
  }
  return files;
}

describe("locales", () => {
  it("have the same files and keys in Russian and English (plural forms aside)", () => {
    const ru = keysOf("ru");
    const en = keysOf("en");
    expect([...en.keys()].sort()).toEqual([...ru.keys()].sort());
    for (const [file, keys] of ru) {
      const base = (list: string[]) => [...new Set(list.map((k) => k.replace(PLURAL, "")))].sort();
      expect(base(en.get(file)!), file).toEqual(base(keys));
    }
  });

  it("give every Russian plural its one/few/many/other forms and English its one/other", () => {
    const ru = [...keysOf("ru").values()].flat();
    const en = [...keysOf("en").values()].flat();
    for (const key of ru.filter((k) => k.endsWith("_other")).map((k) => k.replace(PLURAL, ""))) {
      for (const form of ["one", "few", "many", "other"]) expect(ru).toContain(`${key}_${form}`);
      for (const form of ["one", "other"]) expect(en).toContain(`${key}_${form}`);
    }
  });

  it("name every value of every enumeration the bot shows, in both languages", async () => {
    const missing: string[] = [];
    const i18n = await createI18n((language, key) => missing.push(`${language}:${key}`));
    const enumerations: [string, readonly string[]][] = [
      ["partners.types", PARTNER_TYPES],
      ["partners.owner_kinds", OWNER_KINDS],
      ["partners.focuses", FOCUSES],
      ["partners.focus_buttons", FOCUSES],
      ["partners.stages", STAGES],
      ["interactions.kinds", INTERACTION_KINDS],
      ["agreements.formats", EVENT_FORMATS],
      ["agreements.format_buttons", EVENT_FORMATS],
      ["events.statuses", EVENT_STATUSES],
      ["events.table_statuses", EVENT_STATUSES],
      ["roles", ROLES],
    ];
    for (const language of LANGUAGES) {
      const t = i18n.fixedT(language);
      for (const [prefix, values] of enumerations) for (const value of values) t(`${prefix}.${value}`);
    }
    expect(missing).toEqual([]);
  });

  it("decline Russian numbers correctly", async () => {
    const t = (await createI18n()).fixedT("ru");
    expect(t("staff.title", { count: 1 })).toContain("1 человек");
    expect(t("staff.title", { count: 3 })).toContain("3 человека");
    expect(t("staff.title", { count: 11 })).toContain("11 человек");
    expect(t("staff.title", { count: 22 })).toContain("22 человека");
    expect(t("participant.comment_too_long", { count: 22, max: 1000 })).toContain("22 символа,");
    expect(t("participant.comment_too_long", { count: 25, max: 1000 })).toContain("25 символов,");
    expect(t("participant.comment_too_long", { count: 1001, max: 1000 })).toContain("1001 символ,");
    expect(t("events.card.ages", { from: 5, count: 21 })).toBe("5–21 год");
    expect(t("events.card.ages_from", { count: 3 })).toBe("от 3 лет");
  });

  it("give every Russian count its plural forms: no placeholder is followed by a noun in a key without them", () => {
    const singular: string[] = [];
    for (const [key, text] of stringsOf("ru")) {
      if (PLURAL.test(key) || NOT_COUNTED_KEYS.has(key)) continue;
      for (const [whole, , word] of text.matchAll(NUMBER_THEN_WORD)) if (!NOT_COUNTED.has(word!)) singular.push(`${key}: ${whole}`);
    }
    expect(singular).toEqual([]);
  });

  it("catch a count without plural forms (the check above can fail)", () => {
    const text = "Комментарий получился длинным: {{length}} символов";
    expect([...text.matchAll(NUMBER_THEN_WORD)].map((m) => m[2])).toEqual(["символов"]);
    expect(GENDER_SLASH.test("{{name}} принял(а) приглашение")).toBe(true);
    expect(GENDER_SLASH.test("отказался(-ась)")).toBe(true);
    expect(GENDER_SLASH.test("Участники (анонимно)")).toBe(false);
  });

  it("write Russian without gender slashes such as «принял(а)»", () => {
    const slashed = [...stringsOf("ru")].filter(([, text]) => GENDER_SLASH.test(text)).map(([key, text]) => `${key}: ${text}`);
    expect(slashed).toEqual([]);
  });

  it("name each event status the same on the card, in exports and in reports", () => {
    for (const language of LANGUAGES) {
      const strings = stringsOf(language);
      for (const status of EVENT_STATUSES) {
        const names = ["events.statuses", "events.table_statuses"].map((prefix) => withoutMark(strings.get(`${prefix}.${status}`) ?? ""));
        expect(new Set(names).size, `${language} ${status}: ${names.join(" / ")}`).toBe(1);
      }
    }
    const ru = stringsOf("ru");
    expect(ru.get("events.statuses.closed")).toContain("проведено, отзывы собраны");
    expect(ru.get("events.statuses.changes_requested")).toContain("на доработке");
    // The audience category is named the same on the form's button and on the event card.
    expect(ru.get("event_form.categories.general")!.toLowerCase()).toBe(ru.get("events.categories.general"));
  });

  it("close each form that goes round too long in its own words, not the invite's", () => {
    // What each form is called in its closing text: the invite's text is not reused (issue 11).
    const forms: [string, Record<(typeof LANGUAGES)[number], string>][] = [
      ["invite.too_long", { ru: "приглашения", en: "invite" }],
      ["partners.new.too_long", { ru: "нового партнёра", en: "new partner" }],
      ["contacts.form.too_long", { ru: "контактного лица", en: "contact person" }],
      ["agreements.too_long", { ru: "договора", en: "agreement" }],
      ["agreements.plan_too_long", { ru: "пункта плана", en: "plan item" }],
      ["interactions.too_long", { ru: "взаимодействия", en: "interaction" }],
      ["event_form.too_long", { ru: "мероприятия", en: "event form" }],
      ["events.edit.too_long", { ru: "времени", en: "time" }],
      ["events.held.too_long", { ru: "итогов", en: "results" }],
    ];
    for (const language of LANGUAGES) {
      const strings = stringsOf(language);
      const texts = forms.map(([key]) => strings.get(key));
      expect(new Set(texts).size, language).toBe(forms.length);
      for (const [key, names] of forms) {
        const closing = strings.get(key) ?? "";
        expect(closing, `${language} ${key}`).toContain(names[language]);
        if (key !== "invite.too_long") expect(closing.toLowerCase(), `${language} ${key}`).not.toMatch(/приглашени|invite/);
      }
    }
  });

  it("quote in English with “…”, not «…» or straight quotes", () => {
    const quoted = [...stringsOf("en")].filter(([, text]) => /«(?! )|»|"/.test(text)).map(([key, text]) => `${key}: ${text}`);
    expect(quoted).toEqual([]);
  });

  it("have every key the code asks for, in both languages", async () => {
    const missing: string[] = [];
    const i18n = await createI18n((language, key) => missing.push(`${language}:${key}`));
    const used = new Set<string>();
    const walk = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? walk(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [],
      );
    for (const file of walk(join(LOCALES_DIR, "..", "src"))) {
      for (const match of readFileSync(file, "utf8").matchAll(/\bt\(\s*"([a-z_]+\.[a-z_.]+)"/g)) used.add(match[1]!);
    }
    for (const command of COMMANDS) used.add(`commands.${command.command}`);
    for (const role of ["admin", "staff", "partner", "guest"]) {
      used.add(`help.intro_${role}`).add(`help.outro_${role}`).add(`start.welcome_${role}`).add(`roles.${role}`);
    }
    for (const reason of ["malformed", "unknown", "used", "expired", "already_member"]) used.add(`start.invite_${reason}`);
    for (const reason of ["not_found", "self", "configured_admin", "unchanged"]) used.add(`staff.refused_${reason}`);
    expect(used.size).toBeGreaterThan(40);
    for (const language of LANGUAGES) {
      const t = i18n.fixedT(language);
      for (const key of used) t(key, { count: 2 });
    }
    expect(missing).toEqual([]);
  });
});
