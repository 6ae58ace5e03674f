import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { COMMANDS } from "../src/bot/commands.js";
import { createI18n, LOCALES_DIR } from "../src/bot/i18n.js";
import { LANGUAGES } from "../src/config.js";
import { DIRECTIONS, EVENT_FORMATS, INTERACTION_KINDS, OWNER_KINDS, PARTNER_TYPES, ROLES, STAGES } from "../src/db/schema/index.js";

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = ""): string[] {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === "string" ? [`${prefix}${key}`] : flatten(value, `${prefix}${key}.`),
  );
}

const PLURAL = /_(zero|one|two|few|many|other)$/;

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
      ["partners.directions", DIRECTIONS],
      ["partners.stages", STAGES],
      ["interactions.kinds", INTERACTION_KINDS],
      ["agreements.formats", EVENT_FORMATS],
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
