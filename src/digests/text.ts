import { InlineKeyboard } from "grammy";
import type { Language } from "../config.js";
import { addDays } from "../partners/index.js";
import { academicYearLabel } from "../events/index.js";
import { formatDay } from "../core/dates.js";
import type { Digest, DigestPreferences, InstitutionFigures, Section, StaffSections, WeekFigures, YearToDate } from "./domain/digests.js";
import type { RatingAverage } from "../feedback/index.js";
import type { TFunction } from "../core/i18n.js";
import { formatDateTime } from "../core/telegram/format.js";
import { clip } from "../core/telegram/html.js";

/** Telegram's limit for one message, in parsed characters. */
const MESSAGE_LIMIT = 4096;
/** Items per section tried in turn until the whole digest fits one message. */
const ITEM_LIMITS = [5, 4, 3, 2, 1];
const TITLE_MAX = 70;
const NAME_MAX = 50;
const COMMENT_MAX = 150;

const LOCALES: Record<Language, string> = { ru: "ru-RU", en: "en-GB" };

/** The settings button under a digest (src/digests/digest.ts answers ds:show). */
export const DIGEST_SETTINGS_DATA = "ds:show";

interface Render {
  t: TFunction;
  language: Language;
  timeZone: string;
  limit: number;
}

const longDay = (r: Render, date: Date) =>
  new Intl.DateTimeFormat(LOCALES[r.language], { day: "numeric", month: "long", timeZone: r.timeZone }).format(date);
const dayWithYear = (r: Render, date: Date) =>
  new Intl.DateTimeFormat(LOCALES[r.language], { day: "numeric", month: "long", year: "numeric", timeZone: r.timeZone }).format(date);
const decimal = (r: Render, value: number) => new Intl.NumberFormat(LOCALES[r.language], { maximumFractionDigits: 1 }).format(value);

/** Plain length as Telegram counts it: tags dropped, an entity is one character. */
function parsedLength(html: string): number {
  return html.replace(/<[^>]+>/g, "").replace(/&(?:[a-z]+|#\d+|#x[0-9a-f]+);/gi, "x").length;
}

/** A section: its header with the total, up to `limit` lines, and "…and N more". Nothing when empty. */
function block<T>(
  r: Render,
  header: string,
  section: Section<T>,
  line: (item: T) => string,
  extra: { footer?: string; values?: Record<string, string> } = {},
): string[] {
  if (section.total === 0) return [];
  const items = section.items.slice(0, r.limit);
  const lines = ["", r.t(`digest.sections.${header}`, { ...extra.values, count: section.total }), ...items.map(line)];
  if (section.total > items.length) lines.push(r.t("digest.more", { count: section.total - items.length }));
  if (extra.footer) lines.push(extra.footer);
  return lines;
}

function eventLine(r: Render) {
  return (event: { title: string; startsAt: Date }) => r.t("digest.lines.event", { when: formatDateTime(event.startsAt, r.language, r.timeZone), title: clip(event.title, TITLE_MAX) });
}

function rating(r: Render, value: RatingAverage | null, who: "participants" | "partners"): string | null {
  return value ? r.t(`digest.lines.rating_${who}`, { average: decimal(r, value.average), count: value.count }) : null;
}

function staffBlocks(r: Render, staff: StaffSections, today: string): string[] {
  const month = new Intl.DateTimeFormat(LOCALES[r.language], { month: "long", timeZone: "UTC" }).format(new Date(`${today}T00:00:00Z`));
  return [
    ...block(r, "this_week", staff.thisWeek, eventLine(r)),
    ...block(r, "to_decide", staff.toDecide, eventLine(r)),
    ...block(r, "held", staff.heldQuestions, eventLine(r)),
    ...block(r, "agreements", staff.agreementsEnding, (a) =>
      r.t("digest.lines.agreement", {
        partner: clip(a.partnerName, NAME_MAX),
        number: clip(a.number, 30),
        date: formatDay(a.validTo),
        left: a.daysLeft === 0 ? r.t("digest.lines.ends_today") : r.t("digest.lines.days_left", { count: a.daysLeft }),
      }),
    ),
    ...block(
      r,
      "plan",
      staff.planDue,
      (item) =>
        r.t("digest.lines.plan", {
          partner: clip(item.partnerName, NAME_MAX),
          title: clip(item.title, TITLE_MAX),
          when: item.monthOnly ? r.t("digest.lines.plan_month") : formatDay(item.plannedOn),
        }),
      { values: { month } },
    ),
    ...block(r, "feedback", staff.feedback, (news) =>
      r.t("digest.lines.feedback", {
        title: clip(news.title, TITLE_MAX),
        date: longDay(r, news.startsAt),
        ratings: [rating(r, news.participants, "participants"), rating(r, news.partners, "partners")].filter((x) => x !== null).join("; "),
      }),
    ),
    ...block(r, "low", staff.lowRatings, (low) => {
      const who = low.source === "partner" && low.partnerName ? clip(low.partnerName, NAME_MAX) : r.t("digest.lines.participant");
      const values = { rating: low.rating, title: clip(low.title, TITLE_MAX), who };
      return low.comment
        ? r.t("digest.lines.low_comment", { ...values, comment: clip(low.comment, COMMENT_MAX) })
        : r.t("digest.lines.low", values);
    }),
    ...block(r, "stuck", staff.stuck, (p) =>
      r.t("digest.lines.stuck", {
        name: clip(p.name, NAME_MAX),
        stage: r.t(`partners.stages.${p.stage}`),
        date: dayWithYear(r, p.since),
        count: p.days,
      }),
    ),
  ];
}

function institutionBlock(r: Render, figures: InstitutionFigures): string[] {
  const { current: now, previous: before } = figures;
  const average = (value: RatingAverage | null) =>
    value ? r.t("digest.institution.average", { average: decimal(r, value.average), count: value.count }) : r.t("digest.institution.none");
  const rate = (f: WeekFigures) =>
    f.responseRate.rate === null
      ? r.t("digest.institution.none")
      : r.t("digest.institution.rate", { percent: Math.round(f.responseRate.rate * 100), answered: f.responseRate.answered, sent: f.responseRate.sent });
  return [
    "",
    r.t("digest.institution.title"),
    r.t("digest.institution.partners", { now: now.newPartners, before: before.newPartners }),
    r.t("digest.institution.events", {
      proposed: now.eventsProposed,
      proposedBefore: before.eventsProposed,
      approved: now.eventsApproved,
      approvedBefore: before.eventsApproved,
      held: now.eventsHeld,
      heldBefore: before.eventsHeld,
    }),
    r.t("digest.institution.participants", {
      total: now.participants.total,
      totalBefore: before.participants.total,
      gifted: now.participants.gifted,
      giftedBefore: before.participants.gifted,
      disabilities: now.participants.disabilities,
      disabilitiesBefore: before.participants.disabilities,
      career: now.participants.careerGuidance,
      careerBefore: before.participants.careerGuidance,
    }),
    r.t("digest.institution.satisfaction", { now: average(now.satisfaction.overall), before: average(before.satisfaction.overall) }),
    r.t("digest.institution.response", { now: rate(now), before: rate(before) }),
    yearToDateLine(r, figures.yearToDate),
  ];
}

/** «С начала учебного года 2026/27: 12 массовых мероприятий, 340 участников, 18 победителей и призёров». */
function yearToDateLine(r: Render, year: YearToDate): string {
  const years = academicYearLabel(year.academicYear);
  if (year.massEvents === 0) return r.t("digest.institution.year_none", { years });
  return r.t("digest.institution.year", {
    years,
    events: r.t("digest.institution.year_events", { count: year.massEvents }),
    participants: r.t("digest.institution.year_participants", { count: year.participants }),
    winners: r.t("digest.institution.year_winners", { count: year.winners }),
  });
}

/** «7–13 декабря», "7–13 December"; «30 ноября – 6 декабря» across two months. */
export function weekRange(language: Language, weekStart: string): string {
  const first = new Date(`${weekStart}T00:00:00Z`);
  const last = new Date(`${addDays(weekStart, 6)}T00:00:00Z`);
  const format = (date: Date, options: Intl.DateTimeFormatOptions) =>
    new Intl.DateTimeFormat(LOCALES[language], { ...options, timeZone: "UTC" }).format(date);
  const end = format(last, { day: "numeric", month: "long" });
  return first.getUTCMonth() === last.getUTCMonth()
    ? `${first.getUTCDate()}–${end}`
    : `${format(first, { day: "numeric", month: "long" })} – ${end}`;
}

function render(r: Render, digest: Digest): string {
  const lines = [r.t("digest.title", { range: weekRange(r.language, digest.weekStart) })];
  if (digest.staff) lines.push(...staffBlocks(r, digest.staff, digest.today));
  if (digest.partner) {
    lines.push(...block(r, "upcoming", digest.partner.upcoming, eventLine(r)));
    lines.push(
      ...block(
        r,
        "prompts",
        digest.partner.openPrompts,
        (p) => r.t("digest.lines.prompt", { title: clip(p.title, TITLE_MAX), date: longDay(r, p.startsAt), closes: longDay(r, p.closesAt) }),
        { footer: r.t("digest.lines.prompts_hint") },
      ),
    );
  }
  if (digest.institution) lines.push(...institutionBlock(r, digest.institution));
  return lines.join("\n");
}

/**
 * A digest as Telegram HTML in the reader's language: a header with the week, then each section
 * that has something, clipped titles, "…and N more" for long sections, and the institution's
 * figures for admins. Sections are shortened until it fits one message when they can.
 */
export function renderDigest(t: TFunction, language: Language, timeZone: string, digest: Digest): string {
  let text = "";
  for (const limit of ITEM_LIMITS) {
    text = render({ t, language, timeZone, limit }, digest);
    if (parsedLength(text) <= MESSAGE_LIMIT) return text;
  }
  return text;
}

/** The button under a digest: the digest settings. */
export function digestKeyboard(t: TFunction): InlineKeyboard {
  return new InlineKeyboard().text(t("digest.settings_button"), DIGEST_SETTINGS_DATA);
}

/** The hours offered as buttons in /settings; any other is typed. */
export const DIGEST_HOUR_BUTTONS = [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20];

export const hourLabel = (hour: number) => `${String(hour).padStart(2, "0")}:00`;

/**
 * The /settings message: the digest's state and buttons to turn it on or off, pick the weekday
 * (ds:day:1..7) and the hour (ds:hour:7..20, or ds:type to type another). The current choices
 * are ticked.
 */
export function digestSettingsView(t: TFunction, preferences: DigestPreferences): { text: string; keyboard: InlineKeyboard } {
  const text = [
    t("digest.settings.title"),
    "",
    preferences.enabled
      ? t("digest.settings.state_on", { weekday: t(`digest.settings.every.${preferences.weekday}`), hour: hourLabel(preferences.hour) })
      : t("digest.settings.state_off"),
    preferences.enabled ? t("digest.settings.hint") : null,
  ]
    .filter((line) => line !== null)
    .join("\n");
  const keyboard = new InlineKeyboard();
  if (!preferences.enabled) return { text, keyboard: keyboard.text(t("digest.settings.turn_on"), "ds:on") };
  const tick = (on: boolean, label: string) => (on ? `✅ ${label}` : label);
  for (let day = 1; day <= 7; day++) keyboard.text(tick(day === preferences.weekday, t(`digest.settings.weekdays.${day}`)), `ds:day:${day}`);
  keyboard.row();
  DIGEST_HOUR_BUTTONS.forEach((hour, i) => {
    keyboard.text(tick(hour === preferences.hour, hourLabel(hour)), `ds:hour:${hour}`);
    if (i % 5 === 4) keyboard.row();
  });
  // An hour typed earlier is shown ticked after the offered ones.
  if (!DIGEST_HOUR_BUTTONS.includes(preferences.hour)) keyboard.text(tick(true, hourLabel(preferences.hour)), `ds:hour:${preferences.hour}`);
  keyboard.row().text(t("digest.settings.type_hour"), "ds:type");
  keyboard.row().text(t("digest.settings.turn_off"), "ds:off");
  return { text, keyboard };
}
