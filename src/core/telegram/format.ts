import type { Language } from "../../config.js";
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

/** «15:00», 24-hour, in `timeZone`. */
export function formatTime(date: Date, language: Language, timeZone: string): string {
  return new Intl.DateTimeFormat(LOCALES[language], { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone }).format(date);
}

/**
 * How the bot writes a date and time, everywhere: «25 декабря 2026, 15:00» / "25 December 2026,
 * 15:00", in `timeZone`; `weekday` puts the day of the week first («пятница, 25 декабря 2026, 15:00»).
 */
export function formatDateTime(date: Date, language: Language, timeZone: string, options: { weekday?: boolean } = {}): string {
  const day = new Intl.DateTimeFormat(LOCALES[language], {
    ...(options.weekday ? { weekday: "long" as const } : {}),
    day: "numeric",
    month: "long",
    year: "numeric",
    timeZone,
  })
    .format(date)
    .replace(/\s?г\.$/, "");
  return `${day}, ${formatTime(date, language, timeZone)}`;
}
