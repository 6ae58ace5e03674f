import { eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../core/db/client.js";
import type { TFunction } from "../../core/i18n.js";
import { type ColumnSpec, type TableColumn, tableColumns } from "../../core/tables.js";
import { type EventRow, events } from "../../events/index.js";
import { roundAverage } from "./results.js";
import { feedbackPrompts, feedbackRounds, participantFeedback } from "./schema.js";

/**
 * Feedback as tables: the totals per event and per partner that the report and the export both
 * read, and one list of columns for feedback per event (the report's sheet and the export's).
 */

/** Prompts to partner contacts: sent, answered with a rating, and the sum of those ratings. */
export interface PromptTotals {
  sent: number;
  answered: number;
  total: number;
}

/** Participants' anonymous answers: how many, and the sum of their ratings. */
export interface AnswerTotals {
  count: number;
  total: number;
}

export interface FeedbackTotals {
  prompts: Map<number, PromptTotals>;
  participants: Map<number, AnswerTotals>;
}

/** Events whose feedback round was opened (the condition, for eventRows). */
export const withFeedbackRound = sql`exists (select 1 from ${feedbackRounds} where ${feedbackRounds.eventId} = ${events.id})`;

const promptTotals = {
  sent: sql<number>`count(*)::int`,
  answered: sql<number>`count(${feedbackPrompts.rating})::int`,
  total: sql<number>`coalesce(sum(${feedbackPrompts.rating}), 0)::int`,
};

/** Prompts and participants' answers per event, for the events `where` selects. */
export async function feedbackTotalsByEvent(db: Db, where: SQL | undefined): Promise<FeedbackTotals> {
  const [promptRows, participantRows] = await Promise.all([
    db
      .select({ eventId: feedbackPrompts.eventId, ...promptTotals })
      .from(feedbackPrompts)
      .innerJoin(events, eq(events.id, feedbackPrompts.eventId))
      .where(where)
      .groupBy(feedbackPrompts.eventId),
    db
      .select({ eventId: participantFeedback.eventId, count: sql<number>`count(*)::int`, total: sql<number>`sum(${participantFeedback.rating})::int` })
      .from(participantFeedback)
      .innerJoin(events, eq(events.id, participantFeedback.eventId))
      .where(where)
      .groupBy(participantFeedback.eventId),
  ]);
  return {
    prompts: new Map(promptRows.map((r) => [r.eventId, { sent: Number(r.sent), answered: Number(r.answered), total: Number(r.total) }])),
    participants: new Map(participantRows.map((r) => [r.eventId, { count: Number(r.count), total: Number(r.total) }])),
  };
}

/** Prompts per partner, for the events `where` selects. */
export async function promptTotalsByPartner(db: Db, where: SQL | undefined): Promise<Map<number, PromptTotals>> {
  const rows = await db
    .select({ partnerId: feedbackPrompts.partnerId, ...promptTotals })
    .from(feedbackPrompts)
    .innerJoin(events, eq(events.id, feedbackPrompts.eventId))
    .where(where)
    .groupBy(feedbackPrompts.partnerId);
  return new Map(rows.map((r) => [r.partnerId, { sent: Number(r.sent), answered: Number(r.answered), total: Number(r.total) }]));
}

/** The figures of feedback per event or per partner, as both tables show them. */
export interface FeedbackFigures {
  promptsSent: number;
  /** Of them, answered with a rating. */
  partnerAnswers: number;
  /** answered / sent, 0..1; null without prompts. */
  responseRate: number | null;
  partnerAverage: number | null;
  participantAnswers: number;
  participantAverage: number | null;
}

export interface EventFeedbackRow extends FeedbackFigures {
  eventId: number;
  title: string;
  format: EventRow["format"];
  startsAt: Date;
  partners: string;
}

const average = (total: number, count: number): number | null => (count === 0 ? null : roundAverage(total / count));

/** An event's feedback row from its totals. */
export function eventFeedbackRow(event: EventRow, totals: FeedbackTotals): EventFeedbackRow {
  const prompts = totals.prompts.get(event.id);
  const answers = totals.participants.get(event.id);
  return {
    eventId: event.id,
    title: event.title,
    format: event.format,
    startsAt: event.startsAt,
    partners: event.partners,
    promptsSent: prompts?.sent ?? 0,
    partnerAnswers: prompts?.answered ?? 0,
    responseRate: prompts && prompts.sent > 0 ? prompts.answered / prompts.sent : null,
    partnerAverage: prompts ? average(prompts.total, prompts.answered) : null,
    participantAnswers: answers?.count ?? 0,
    participantAverage: answers ? average(answers.total, answers.count) : null,
  };
}

/** The columns of feedback figures, after the columns that name what they are about. */
export function figureColumns<R extends FeedbackFigures>(): ColumnSpec<R>[] {
  return [
    ["prompts_sent", "integer", 14, (r) => r.promptsSent],
    ["partner_answers", "integer", 14, (r) => r.partnerAnswers],
    ["response_rate", "percent", 14, (r) => r.responseRate],
    ["partner_average", "decimal", 14, (r) => r.partnerAverage],
    ["participant_answers", "integer", 14, (r) => r.participantAnswers],
    ["participant_average", "decimal", 14, (r) => r.participantAverage],
  ];
}

/** The columns of feedback per event, headed in the reader's language. */
export function eventFeedbackColumns(t: TFunction): TableColumn<EventFeedbackRow>[] {
  return tableColumns<EventFeedbackRow>(t, "feedback_results.columns", [
    ["event", "text", 40, (r) => r.title, "wrap"],
    ["date", "date", 14, (r) => r.startsAt],
    ["format", "text", 22, (r) => t(`agreements.formats.${r.format}`), "wrap"],
    ["partners", "text", 32, (r) => r.partners || null, "wrap"],
    ...figureColumns<EventFeedbackRow>(),
  ]);
}
