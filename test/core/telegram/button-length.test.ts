import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fitButton, fitLabel, MAX_BUTTON_LABEL } from "../../../src/core/telegram/button-label.js";
import { createI18n, LOCALES_DIR } from "../../../src/core/i18n.js";
import { LANGUAGES } from "../../../src/config.js";
import { createPartner } from "../../../src/partners/domain/partners.js";
import { units } from "../../../src/core/access/units-schema.js";
import { users } from "../../../src/core/access/schema.js";
import { eq } from "drizzle-orm";
import { eventWorld } from "../../helpers/event-world.js";
import { buttonViolations, MAX_BUTTON_TEXT } from "../../helpers/fake-telegram.js";
import { createHarness, type Harness } from "../../helpers/harness.js";
import { partnerDraft } from "../../helpers/partners.js";
import { command, press, privateChat } from "../../helpers/updates.js";

/**
 * Inline buttons fit a phone: at most 24 characters. Every label the code takes from the
 * locales is checked in both languages, and the main screens are driven to see what the bot
 * really sends (the fake Bot API also fails any test that sends a longer button).
 */

const SRC = join(LOCALES_DIR, "..", "src");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith(".ts") ? [join(dir, entry.name)] : [],
  );
}

/** Where a button label is made: a keyboard's text or url button, a choice's label, a confirm/edit label, a picker option. */
const BUTTON_START = /\.(?:text|url)\(|\blabel:|confirmLabel:|editLabel:|row\.push\(\[|\(\w+\)\s*=>\s*\[\w+,\s*|fitButton\(|fitLabel\(/g;
/** The locale key of a t("…") call; a template key keeps its `${…}` part ("partners.stages.${v}"). */
const T_KEY = /\bt\(\s*["`]([a-z_]+\.[a-z_.]*(?:\$\{[^}]*\}[a-z_.]*)?)["`]/;

/**
 * The locale keys used as button labels, each with the characters the code adds around it
 * (`${t("partners.list.filter_type")} ▾` adds two).
 */
function buttonKeys(): Map<string, number> {
  const keys = new Map<string, number>();
  for (const file of sourceFiles(SRC)) {
    const source = readFileSync(file, "utf8");
    // Only files that make buttons: a keyboard or a step of the form kit (charts have labels too).
    if (!/InlineKeyboard|Keyboard\b|\bask(?:Choice|Many|Confirm)\b|\bChoice\b|Button/.test(source)) continue;
    for (const line of source.split("\n")) {
      for (const start of line.matchAll(BUTTON_START)) {
        const rest = line.slice(start.index);
        const found = T_KEY.exec(rest);
        if (!found || found.index > 120) continue;
        // A template literal label: the text outside ${…} and one character per other ${…} count too.
        const template = /^[^`"]*`((?:[^`$]|\$(?!\{)|\$\{(?:[^{}]|\{[^{}]*\})*\})*)`/.exec(rest)?.[1];
        const extra =
          template && template.includes(found[0])
            ? [...template.replace(/\$\{(?:[^{}]|\{[^{}]*\})*\}/g, (part) => (part.includes(found[0]) ? "" : "x"))].length
            : 0;
        keys.set(found[1]!, Math.max(keys.get(found[1]!) ?? 0, extra));
      }
    }
  }
  return keys;
}

/** Multiple-choice steps (askMany) put a mark and a space before each label. */
const MULTIPLE_CHOICE = ["partners.focus_buttons.", "event_form.categories."];

type Tree = { [key: string]: string | Tree };
function flatKeys(tree: Tree, prefix = ""): string[] {
  return Object.entries(tree).flatMap(([key, value]) => (typeof value === "string" ? [`${prefix}${key}`] : flatKeys(value, `${prefix}${key}.`)));
}
function localeKeys(language: string): string[] {
  return readdirSync(join(LOCALES_DIR, language))
    .filter((f) => f.endsWith(".json"))
    .flatMap((f) => flatKeys(JSON.parse(readFileSync(join(LOCALES_DIR, language, f), "utf8")) as Tree))
    .map((key) => key.replace(/_(one|few|many|other)$/, ""));
}

/** Values for the placeholders of labels: long numbers; names and titles are fitted in code, so empty here. */
const SAMPLE = { count: 5000, number: "12/2026", n: 10, years: "2026/2027", year: 2026, page: 10, pages: 10, title: "", name: "", interpolation: { escapeValue: false } };

describe("button labels", () => {
  it("fit 24 characters in every language, for every locale key the code puts on a button", async () => {
    const i18n = await createI18n();
    const used = buttonKeys();
    // The scan finds the labels: a few known ones prove it, and there are many.
    for (const key of ["partners.new.similar_continue", "participant.buttons.card", "event_form.propose_for_item", "events.buttons.other_time", "contacts.consent.accept", "partners.list.filter_type"]) {
      expect([...used.keys()], key).toContain(key);
    }
    expect(used.get("partners.list.filter_type")).toBe(2); // `${…} ▾`
    expect(used.size).toBeGreaterThan(120);
    const tooLong: string[] = [];
    for (const language of LANGUAGES) {
      const t = i18n.fixedT(language);
      const all = [...new Set(localeKeys(language))];
      for (const [pattern, extra] of used) {
        const prefix = pattern.split("${")[0]!;
        // `partners.stages.${v}`: every key under it; `event_form.duration_${m}`: the numbered ones (minutes).
        const under = (key: string) => (prefix.endsWith("_") ? /^\d+$/ : /^[^.]+$/).test(key.slice(prefix.length));
        const keys = pattern.includes("${") ? all.filter((key) => key.startsWith(prefix) && under(key)) : [pattern];
        expect(keys.length, pattern).toBeGreaterThan(0);
        for (const key of keys) {
          const label = t(key, SAMPLE);
          const mark = MULTIPLE_CHOICE.some((p) => key.startsWith(p)) ? 2 : 0;
          if ([...label].length + extra + mark > MAX_BUTTON_LABEL) tooLong.push(`${language} ${key}: ${label} (${[...label].length + extra + mark})`);
        }
      }
    }
    expect(tooLong).toEqual([]);
  });

  it("are cut with “…” when they carry a name or a title, keeping the fixed part", () => {
    expect(fitButton("🟢 Мария Ивановна Петрова-Водкина")).toBe("🟢 Мария Ивановна Петров…");
    expect([...fitButton("🟢 Мария Ивановна Петрова-Водкина")].length).toBe(24);
    expect(fitButton("✅ Сохранить")).toBe("✅ Сохранить");
    const label = fitLabel((title) => `📅 ${title}`, "Экскурсия в лабораторию физики ИГУ");
    expect(label).toBe("📅 Экскурсия в лаборатор…");
    expect([...label].length).toBeLessThanOrEqual(24);
    expect(fitLabel((n) => `📎 Скан № ${n}`, "123/456-789/2026-ПР")).toMatch(/^📎 Скан № 123\/456-789\/20…$/);
  });
});

describe("the fake Bot API", () => {
  it("records a button longer than 24 characters, so that the test sending it fails", async () => {
    const h = await createHarness();
    try {
      await h.bot.api.sendMessage(1, "x", { reply_markup: { inline_keyboard: [[{ text: "👥 Отзывы участников: ссылка и QR-код", callback_data: "x" }]] } });
      await h.bot.api.sendMessage(1, "x", { reply_markup: { keyboard: [[{ text: "Это другая организация — продолжить" }]] } });
      await h.bot.api.sendMessage(1, "x", { reply_markup: { inline_keyboard: [["a".repeat(MAX_BUTTON_TEXT)].map((text) => ({ text, callback_data: "y" }))] } });
      expect(buttonViolations.splice(0)).toEqual([
        { method: "sendMessage", text: "👥 Отзывы участников: ссылка и QR-код", length: 36 },
        { method: "sendMessage", text: "Это другая организация — продолжить", length: 35 },
      ]);
    } finally {
      await h.close();
    }
  });
});

describe("the main screens", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h.close());
  beforeEach(async () => h.reset());

  /** Every button the bot sent since the test began, by label. */
  const sentButtons = () =>
    h.telegram.calls
      .filter((call) => !call.error)
      .flatMap((call) => {
        const markup = call.payload.reply_markup as { inline_keyboard?: { text: string }[][]; keyboard?: ({ text: string } | string)[][] } | undefined;
        return [...(markup?.inline_keyboard ?? []), ...(markup?.keyboard ?? [])].flat().map((b) => (typeof b === "string" ? b : b.text));
      });

  for (const language of LANGUAGES) {
    it(`fit a phone: /partners, a card, /events, an event card, /staff, /units, /settings and /report (${language})`, async () => {
      const { admin, adminRow, teacherRow, partner, event } = await eventWorld(h, language);
      // Long names and titles, as people type them, are cut in the buttons.
      const [department] = await h.database.db.insert(units).values({ kind: "department", name: "Отдел декоративно-прикладного и технического творчества" }).returning();
      await h.database.db.update(users).set({ unitId: department!.id, firstName: "Анастасия-Александра", lastName: "Константинопольская" }).where(eq(users.id, teacherRow.id));
      await createPartner(h.database.db, { user: { ...adminRow, language }, role: "admin" }, partnerDraft({ fullName: "Муниципальное бюджетное общеобразовательное учреждение «Гимназия № 44»", shortName: null }));

      const open = (data: string) => h.send(press(admin, data, { message_id: 1, chat: privateChat(admin) }));
      await h.send(command(admin, "partners"));
      await open(`pc:open:${partner.id}`);
      await open("pl:f:focus");
      await h.send(command(admin, "events"));
      await open(`ev:open:${event.id}`);
      await h.send(command(admin, "staff"));
      await h.send(command(admin, "units"));
      await h.send(command(admin, "settings"));
      await h.send(command(admin, "report"));

      const labels = sentButtons();
      expect(labels.length).toBeGreaterThan(40);
      expect(labels.filter((label) => [...label].length > MAX_BUTTON_LABEL)).toEqual([]);
      // The long ones were cut, not left out.
      expect(labels.some((label) => label.startsWith("🏛 Отдел декоративно-") && label.endsWith("…"))).toBe(true);
      expect(labels.some((label) => label.includes("Муниципальное") && label.endsWith("…"))).toBe(true);
      h.expectAllCallbacksAnswered();
    });
  }
});
