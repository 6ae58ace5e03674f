import type { Language } from "../config.js";
import { escapeHtml } from "./html.js";

export interface Named {
  firstName: string;
  lastName: string | null;
  username: string | null;
}

/** «Имя Фамилия», unescaped: for buttons and for i18n values (which i18next escapes). */
export function plainName(person: Pick<Named, "firstName" | "lastName">): string {
  return [person.firstName, person.lastName].filter(Boolean).join(" ");
}

/** «Имя Фамилия (@username)», escaped for HTML. */
export function displayName(person: Named): string {
  const name = plainName(person);
  return escapeHtml(person.username ? `${name} (@${person.username})` : name);
}

const LOCALES: Record<Language, string> = { ru: "ru-RU", en: "en-GB" };

export function formatDateTime(date: Date, language: Language, timeZone: string): string {
  return new Intl.DateTimeFormat(LOCALES[language], { dateStyle: "long", timeStyle: "short", timeZone }).format(date);
}
