import { eq } from "drizzle-orm";
import { InlineKeyboard } from "grammy";
import type { Language } from "../config.js";
import type { Db } from "../core/db/client.js";
import { AGE_GROUPS, PARTICIPANT_ROLES } from "./domain/schema.js";
import { type Event, events } from "../events/index.js";
import { enqueueNotice, type NoticeDeps } from "../core/outbox/notices.js";
import { type AverageTrend, type Distribution, type EventFeedbackSummary, eventFeedbackSummary, type FeedbackAverageRow, SATISFACTION_DAYS } from "./domain/results.js";
import { eventPeople } from "./alerts.js";
import { formatDateTime } from "../core/telegram/format.js";
import { clip } from "../core/telegram/html.js";
import type { TFunction } from "../core/i18n.js";

/** The summary stays well inside one Telegram message (4,096 characters once parsed). */
const MAX_SUMMARY_LENGTH = 3800;
/** Comments are quoted up to this many characters each. */
const PARTNER_COMMENT_CHARS = 300;
const PARTICIPANT_COMMENT_CHARS = 200;
/** The longest bar of the distribution chart. */
const BAR_WIDTH = 10;

const LOCALES: Record<Language, string> = { ru: "ru-RU", en: "en-GB" };

/** An average with one decimal, the way the language writes it: 4,6 or 4.6. */
export function formatAverage(value: number, language: Language): string {
  return new Intl.NumberFormat(LOCALES[language], { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(value);
}

/** "▲ +0,3", "▼ −0,2" or "no change". */
export function formatChange(t: TFunction, language: Language, change: number): string {
  if (change === 0) return t("feedback_results.trend_same");
  const value = formatAverage(Math.abs(change), language);
  return t(change > 0 ? "feedback_results.trend_up" : "feedback_results.trend_down", { value });
}

/** The rating distribution as a small bar chart, 5 at the top: "5 ★ ▇▇▇▇▇▇ 3". */
export function distributionChart(distribution: Distribution): string[] {
  const max = Math.max(...distribution);
  const lines: string[] = [];
  for (let rating = 5; rating >= 1; rating--) {
    const count = distribution[rating - 1] ?? 0;
    const width = count === 0 ? 0 : Math.max(1, Math.round((count / max) * BAR_WIDTH));
    lines.push(`${rating} ★ ${"▇".repeat(width)}${width > 0 ? " " : ""}${count}`);
  }
  return lines;
}

/** Adds as many lines as fit in `budget` characters; the rest are counted. */
function fit(lines: string[], budget: number): { shown: string[]; omitted: number; used: number } {
  const shown: string[] = [];
  let used = 0;
  for (const line of lines) {
    if (used + line.length + 1 > budget) break;
    shown.push(line);
    used += line.length + 1;
  }
  return { shown, omitted: lines.length - shown.length, used };
}

export interface SummaryOptions {
  /** The closing summary (feedback closed) or a look while answers still come in. */
  closing: boolean;
  /** While partner prompts are open: until when they take answers. */
  acceptingUntil: Date | null;
}

/**
 * The feedback summary of one event as Telegram HTML in one language: partner response rate,
 * average and distribution, follow-up answers and comments; then the anonymous participants'.
 * Comments are clipped and, past the length budget, counted instead of quoted.
 */
export function renderFeedbackSummary(
  t: TFunction,
  language: Language,
  timeZone: string,
  event: Pick<Event, "title" | "startsAt">,
  summary: EventFeedbackSummary,
  options: SummaryOptions,
): string {
  const { partners, participants } = summary;
  const head = [
    t(options.closing ? "feedback_results.title_closing" : "feedback_results.title", {
      title: clip(event.title, 200),
      start: formatDateTime(event.startsAt, language, timeZone),
    }),
  ];
  if (!options.closing && options.acceptingUntil) {
    head.push(t("feedback_results.accepting_until", { date: formatDateTime(options.acceptingUntil, language, timeZone) }));
  }
  if (partners.answered === 0 && participants.answers === 0) head.push("", t("feedback_results.no_answers"));

  const partnerStats = ["", t("feedback_results.partners_title")];
  if (partners.sent === 0) partnerStats.push(t("feedback_results.partners_not_asked"));
  else {
    partnerStats.push(
      t("feedback_results.partners_answered", {
        answered: partners.answered,
        sent: partners.sent,
        percent: Math.round((partners.responseRate ?? 0) * 100),
      }),
    );
    if (partners.average === null) partnerStats.push(t("feedback_results.no_ratings"));
    else {
      partnerStats.push(t("feedback_results.average", { average: formatAverage(partners.average, language) }), ...distributionChart(partners.distribution));
    }
    const { yes, maybe, no } = partners.followUp;
    if (yes + maybe + no > 0) partnerStats.push(t("feedback_results.follow_up", { yes, maybe, no }));
  }

  const participantStats = ["", t("feedback_results.participants_title")];
  if (participants.answers === 0) participantStats.push(t("feedback_results.participants_none"));
  else {
    participantStats.push(
      t("feedback_results.participants_answers", { count: participants.answers }),
      t("feedback_results.average", { average: formatAverage(participants.average ?? 0, language) }),
      ...distributionChart(participants.distribution),
    );
    const list = <K extends string>(counts: Record<K, number>, keys: readonly K[], prefix: string) =>
      keys.filter((key) => counts[key] > 0).map((key) => `${t(`${prefix}.${key}`)} — ${counts[key]}`);
    const roles = list(participants.byRole, [...PARTICIPANT_ROLES, "unknown"] as const, "feedback_results.roles");
    if (participants.byRole.unknown < participants.answers) participantStats.push(t("feedback_results.by_role", { list: roles.join(", ") }));
    const ages = list(participants.byAgeGroup, [...AGE_GROUPS, "unknown"] as const, "feedback_results.age_groups");
    if (participants.byAgeGroup.unknown < participants.answers) participantStats.push(t("feedback_results.by_age", { list: ages.join(", ") }));
  }

  // The figures always fit; the comments share what is left, partners' first (there are few).
  let budget = MAX_SUMMARY_LENGTH - [...head, ...partnerStats, ...participantStats].join("\n").length;
  const commentBlock = (title: string, lines: string[], share: number): string[] => {
    if (lines.length === 0) return [];
    const allowed = Math.min(budget, share) - title.length - 60;
    const { shown, omitted, used } = fit(lines, Math.max(0, allowed));
    budget -= used + title.length + 1;
    const block = [title, ...shown];
    if (omitted > 0) {
      const more = t("feedback_results.more_comments", { count: omitted });
      block.push(more);
      budget -= more.length + 1;
    }
    return block;
  };
  const who = (c: EventFeedbackSummary["partners"]["comments"][number]) =>
    c.contactName ? `${clip(c.partnerName, 100)}, ${clip(c.contactName, 100)}` : clip(c.partnerName, 100);
  const partnerLines = (field: "wentWell" | "improve") =>
    partners.comments.flatMap((c) => {
      const text = c[field];
      return text ? [t("feedback_results.partner_comment", { who: who(c), text: clip(text, PARTNER_COMMENT_CHARS) })] : [];
    });
  const half = Math.floor(budget / 2);
  const wentWell = commentBlock(t("feedback_results.went_well_title"), partnerLines("wentWell"), Math.floor(half / 2));
  const improve = commentBlock(t("feedback_results.improve_title"), partnerLines("improve"), half - Math.floor(half / 2));
  const participantComments = commentBlock(
    t("feedback_results.participant_comments_title"),
    participants.comments.map((c) => t("feedback_results.participant_comment", { rating: c.rating, text: clip(c.comment, PARTICIPANT_COMMENT_CHARS) })),
    budget,
  );

  return [...head, ...partnerStats, ...wentWell, ...improve, ...participantStats, ...participantComments].join("\n");
}

/** The event's card button under the summary. */
function openButton(t: TFunction, eventId: number): InlineKeyboard {
  return new InlineKeyboard().text(t("events.buttons.open"), `ev:open:${eventId}`);
}

/**
 * Enqueues the closing summary to the event's responsible person and proposer, each in their
 * language, in the caller's transaction. `dedupeKey` is suffixed with `:u<userId>` per
 * recipient. Returns how many messages were written.
 */
export async function enqueueFeedbackSummary(tx: Db, deps: NoticeDeps, eventId: number, dedupeKey: string): Promise<number> {
  const [event] = await tx.select({ id: events.id, title: events.title, startsAt: events.startsAt }).from(events).where(eq(events.id, eventId));
  if (!event) return 0;
  const summary = await eventFeedbackSummary(tx, eventId);
  let written = 0;
  for (const recipient of await eventPeople(tx, eventId)) {
    const sent = await enqueueNotice(
      tx,
      deps,
      recipient,
      (t, language) => ({
        text: renderFeedbackSummary(t, language, deps.timeZone, event, summary, { closing: true, acceptingUntil: null }),
        keyboard: openButton(t, event.id),
      }),
      `${dedupeKey}:u${recipient.id}`,
    );
    if (sent) written++;
  }
  return written;
}

function trendText(t: TFunction, language: Language, trend: AverageTrend): string {
  return trend.change === null ? "" : t("feedback_results.trend", { change: formatChange(t, language, trend.change) });
}

/**
 * One line for a card: "⭐ Ratings over 90 days: partners 4.6 from 12 answers (▲ +0.3 vs the
 * previous 90 days); participants 4.8 from 40 answers". Null when nobody answered.
 */
export function satisfactionLine(t: TFunction, language: Language, row: FeedbackAverageRow | null): string | null {
  if (!row) return null;
  const parts: string[] = [];
  for (const source of ["partners", "participants"] as const) {
    const current = row[source].current;
    if (!current) continue;
    parts.push(
      t(`feedback_results.satisfaction_${source}`, {
        count: current.count,
        average: formatAverage(current.average, language),
        trend: trendText(t, language, row[source]),
      }),
    );
  }
  return parts.length === 0 ? null : t("feedback_results.satisfaction", { count: SATISFACTION_DAYS, parts: parts.join("; ") });
}
