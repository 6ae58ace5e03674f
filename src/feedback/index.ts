/**
 * Feedback: the partners' prompts, the anonymous participants' link and QR code, alerts, results, and their jobs.
 * What other folders may use of this area; nothing else of it is imported from outside.
 */
import { createConversation } from "@grammyjs/conversations";
import { Composer } from "grammy";
import type { BotContext } from "../core/context.js";
import { guarded, type Job } from "../core/job.js";
import { alertAbandonedLowRatings, closeFeedbackRounds } from "./close-job.js";
import { FEEDBACK_CONVERSATION, feedbackConversation } from "./feedback-dialog.js";
import { PARTICIPANT_COMMENT_CONVERSATION, participantCommentConversation } from "./participant-dialog.js";
import { participantFeedbackFeature } from "./participant-feedback.js";
import { feedbackFeature } from "./partner-feedback.js";
import { sendFeedbackReminders } from "./reminders-job.js";
import { feedbackResultsFeature } from "./results.js";
import { install } from "./contributions.js";

export { feedbackAverages, roundAverage } from "./domain/results.js";
export type { RatingAverage } from "./domain/results.js";
export { eventFeedbackColumns, eventFeedbackRow, type EventFeedbackRow, type FeedbackFigures, feedbackTotalsByEvent, figureColumns, promptTotalsByPartner, withFeedbackRound } from "./domain/table.js";
export { feedbackPrompts, feedbackRounds, participantFeedback } from "./domain/schema.js";
export { formatAverage } from "./results-text.js";

/** This area's dialogs: bot.ts registers every area's dialogs before any area's commands and buttons. */
export const dialogs = new Composer<BotContext>();
dialogs.use(createConversation(participantCommentConversation, PARTICIPANT_COMMENT_CONVERSATION));
dialogs.use(createConversation(feedbackConversation, FEEDBACK_CONVERSATION));

/** This area's commands and buttons. */
export const composer = new Composer<BotContext>();
composer.use(
  feedbackResultsFeature, feedbackFeature, participantFeedbackFeature,
);

/** This area's scheduled jobs. */
export const jobs: readonly Job[] = [
  guarded("feedback-close", "*/15 * * * *", "closing feedback rounds failed", async (deps) => {
    const { closed, enqueued } = await closeFeedbackRounds(deps, deps.now());
    const { alerted } = await alertAbandonedLowRatings(deps, deps.now());
    if (closed + alerted > 0) deps.logger.info({ closed, enqueued, alerted }, "closed feedback rounds, alerted abandoned low ratings");
  }),
  guarded("feedback-reminders", "*/15 * * * *", "feedback reminders failed", async (deps) => {
    const { queued } = await sendFeedbackReminders(deps, deps.now());
    if (queued > 0) deps.logger.info({ queued }, "queued feedback reminders");
  }),
];

/** Adds what this area contributes to the extension points of the areas below it (src/areas.ts). */
export { install };
