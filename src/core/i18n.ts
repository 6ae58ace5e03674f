import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import i18next, { type Resource, type TFunction } from "i18next";
import { LANGUAGES, type Language } from "../config.js";
import { escapeHtml } from "./telegram/html.js";

export type { TFunction };

export const LOCALES_DIR = fileURLToPath(new URL("../../locales", import.meta.url));

/** Reads locales/<lang>/*.json; every file is merged into one namespace. */
export function readLocaleResources(dir = LOCALES_DIR): Resource {
  const resources: Resource = {};
  for (const language of LANGUAGES) {
    const translation: Record<string, unknown> = {};
    for (const file of readdirSync(join(dir, language)).filter((name) => name.endsWith(".json")).sort()) {
      Object.assign(translation, JSON.parse(readFileSync(join(dir, language, file), "utf8")) as Record<string, unknown>);
    }
    resources[language] = { translation };
  }
  return resources;
}

export interface I18n {
  /** A `t` bound to one language, for one update. */
  fixedT(language: Language): TFunction;
}

export async function createI18n(onMissingKey?: (language: string, key: string) => void): Promise<I18n> {
  const instance = i18next.createInstance();
  await instance.init({
    resources: readLocaleResources(),
    lng: "ru",
    fallbackLng: false,
    supportedLngs: [...LANGUAGES],
    initAsync: false,
    returnNull: false,
    // Replies are sent with parse_mode HTML: every interpolated value is escaped for it.
    interpolation: { escapeValue: true, escape: escapeHtml },
    saveMissing: onMissingKey !== undefined,
    missingKeyHandler: (languages, _ns, key) => onMissingKey?.(languages.join(","), key),
  });
  return { fixedT: (language) => instance.getFixedT(language) };
}

/** The user's saved choice, else Telegram's language when we have it, else the default. */
export function pickLanguage(saved: string | null | undefined, telegram: string | undefined, fallback: Language): Language {
  const known = (code: string | null | undefined): Language | undefined =>
    LANGUAGES.find((language) => code?.toLowerCase().split("-")[0] === language);
  return known(saved) ?? known(telegram) ?? fallback;
}
