import type { Language } from "../config.js";
import type { Event, EventLevel } from "./domain/schema.js";
import type { EventOverview } from "./domain/overview.js";
import { localDate } from "../core/dates.js";
import { formatDateTime, formatTime, plainName } from "../core/telegram/format.js";
import { clip, escapeHtml } from "../core/telegram/html.js";
import type { TFunction } from "../core/i18n.js";

/** A level as a button and a column say it: «Региональный», "Regional" (`events.levels.<level>`). */
export function levelLabel(t: TFunction, level: EventLevel): string {
  return t(`events.levels.${level}`);
}

/** A level as a line says it after «Уровень:»: «региональный», «учреждения» (`events.levels_of.<level>`). */
export function levelOf(t: TFunction, level: EventLevel): string {
  return t(`events.levels_of.${level}`);
}

/** «2 ч 30 мин» / "2 h 30 min". */
export function formatDuration(t: TFunction, event: Pick<Event, "startsAt" | "endsAt">): string {
  const minutes = Math.round((event.endsAt.getTime() - event.startsAt.getTime()) / 60_000);
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return t("events.duration_m", { m });
  return m === 0 ? t("events.duration_h", { h }) : t("events.duration_hm", { h, m });
}

/**
 * «10 декабря 2026, 15:00–17:00» in the institution's time zone (formatDateTime and the end's
 * time); «10 декабря 2026, 22:00 – 11 декабря 2026, 01:00» when it ends on another day.
 */
export function formatEventWhen(event: Pick<Event, "startsAt" | "endsAt">, language: Language, timeZone: string): string {
  const start = formatDateTime(event.startsAt, language, timeZone);
  if (localDate(event.startsAt, timeZone) === localDate(event.endsAt, timeZone)) return `${start}–${formatTime(event.endsAt, language, timeZone)}`;
  return `${start} – ${formatDateTime(event.endsAt, language, timeZone)}`;
}

/**
 * The event as described everywhere (card, approval request, partner request): HTML, every
 * user-written value escaped and clipped.
 */
export function eventSummary(t: TFunction, language: Language, timeZone: string, overview: EventOverview): string[] {
  const { event } = overview;
  const lines = [`<b>${escapeHtml(clip(event.title, 200))}</b>`];
  lines.push(t("events.card.format", { format: t(`agreements.formats.${event.format}`) }));
  lines.push(t("events.card.level", { level: levelOf(t, event.level) }));
  // A contest is one by its format; another format marked so says it.
  if (event.competition && event.format !== "contest") lines.push(t("events.card.competition"));
  lines.push(t("events.card.partners", { partners: clip(overview.partners.map((p) => p.name).join(", "), 400) }));
  lines.push(t("events.card.when", { when: formatEventWhen(event, language, timeZone), duration: formatDuration(t, event) }));
  lines.push(event.place ? t("events.card.place", { place: clip(event.place, 200) }) : t("events.card.place_none"));
  const audience = [
    event.ageFrom !== null && event.ageTo !== null
      ? t("events.card.ages", { from: event.ageFrom, count: event.ageTo })
      : event.ageFrom !== null
        ? t("events.card.ages_from", { count: event.ageFrom })
        : event.ageTo !== null
          ? t("events.card.ages_to", { count: event.ageTo })
          : null,
    ...event.categories.map((c) => t(`events.categories.${c}`)),
  ].filter((part): part is string => part !== null);
  if (audience.length > 0) lines.push(t("events.card.audience", { audience: audience.join(", ") }));
  if (event.expectedParticipants !== null) lines.push(t("events.card.expected", { count: event.expectedParticipants }));
  if (overview.responsible) lines.push(t("events.card.responsible", { name: plainName(overview.responsible) }));
  if (overview.unitName) lines.push(t("events.card.unit", { unit: clip(overview.unitName, 100) }));
  if (overview.planItemTitle) lines.push(t("events.card.plan_item", { title: clip(overview.planItemTitle, 200) }));
  if (event.description) lines.push("", escapeHtml(clip(event.description, 800)));
  return lines;
}
