/**
 * Events: proposal, approval, partner answers, the calendar, .ics, reminders, "was it held?".
 * What other folders may use of this area; nothing else of it is imported from outside.
 */
import { createConversation } from "@grammyjs/conversations";
import { Composer } from "grammy";
import type { BotContext } from "../core/context.js";
import { guarded, type Job } from "../core/job.js";
import { eventAnswersFeature } from "./answers.js";
import { calendarFeature } from "./calendar.js";
import { eventCardFeature } from "./card.js";
import { EVENT_CANCEL_CONVERSATION, EVENT_DECISION_CONVERSATION, EVENT_HELD_CONVERSATION, EVENT_OTHER_TIME_CONVERSATION, EVENT_PLACE_CONVERSATION, EVENT_TIME_CONVERSATION } from "./event-action-dialogs.js";
import { eventCancelConversation, eventDecisionConversation, eventHeldConversation, eventOtherTimeConversation, eventPlaceConversation, eventTimeConversation } from "./event-action-dialogs.js";
import { EVENT_CONVERSATION, eventConversation } from "./event-dialog.js";
import { eventFormFeature } from "./form.js";
import { askHeldQuestions } from "./held-questions-job.js";
import { sendEventReminders } from "./reminders-job.js";
import { install } from "./contributions.js";

export { eventForAction } from "./card.js";
export { startOfLocalDay } from "./domain/calendar.js";
export { getEvent } from "./domain/events.js";
export { linkedContactsOfEvent } from "./domain/overview.js";
export { eventDecisions, eventPartners, events } from "./domain/schema.js";
export { EVENT_LEVELS } from "./domain/schema.js";
export type { AudienceCategory, Event, EventLevel, EventStatus } from "./domain/schema.js";
export { isCompetition } from "./domain/events.js";
export {
  academicYearAt,
  academicYearLabel,
  academicYearOf,
  academicYearRange,
  attendanceOf,
  competitionCondition,
  massEventCondition,
  winnersOf,
} from "./domain/mass-events.js";
export { levelLabel, levelOf } from "./text.js";
export { timeZoneOffset, zonedInstant } from "./domain/time.js";
export { type ByStart, eventColumns, type EventRow, eventRows, HELD_STATUSES, type Participants } from "./domain/table.js";
// Extension points.
export { eventCardButtons, type EventCardButton } from "./card.js";
export { afterHeld, type AfterHeld, type HeldReport, type HeldPhoto } from "./event-action-dialogs.js";

/** This area's dialogs: bot.ts registers every area's dialogs before any area's commands and buttons. */
export const dialogs = new Composer<BotContext>();
dialogs.use(createConversation(eventConversation, EVENT_CONVERSATION));
dialogs.use(createConversation(eventDecisionConversation, EVENT_DECISION_CONVERSATION));
dialogs.use(createConversation(eventOtherTimeConversation, EVENT_OTHER_TIME_CONVERSATION));
dialogs.use(createConversation(eventTimeConversation, EVENT_TIME_CONVERSATION));
dialogs.use(createConversation(eventPlaceConversation, EVENT_PLACE_CONVERSATION));
dialogs.use(createConversation(eventCancelConversation, EVENT_CANCEL_CONVERSATION));
dialogs.use(createConversation(eventHeldConversation, EVENT_HELD_CONVERSATION));

/** This area's commands and buttons. */
export const composer = new Composer<BotContext>();
composer.use(
  // Before the event card: it owns ev: but eventFormFeature answers ev:new / ev:plan and calendarFeature ev:ics.
  eventFormFeature, calendarFeature, eventCardFeature, eventAnswersFeature,
);

/** This area's scheduled jobs. */
export const jobs: readonly Job[] = [
  guarded("event-held-questions", "*/15 * * * *", "asking whether events were held failed", async (deps) => {
    const { asked } = await askHeldQuestions(deps, deps.now());
    if (asked > 0) deps.logger.info({ asked }, "asked whether events were held");
  }),
  guarded("event-reminders", "*/15 * * * *", "day-before event reminders failed", async (deps) => {
    const { queued } = await sendEventReminders(deps, deps.now());
    if (queued > 0) deps.logger.info({ queued }, "queued day-before event reminders");
  }),
];

/** Adds what this area contributes to the extension points of the areas below it (src/areas.ts). */
export { install };
