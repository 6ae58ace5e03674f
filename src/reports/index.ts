/**
 * Reports: /report — its data, charts and workbook.
 * What other folders may use of this area; nothing else of it is imported from outside.
 */
import { createConversation } from "@grammyjs/conversations";
import { Composer } from "grammy";
import type { BotContext } from "../core/context.js";
import type { Job } from "../core/job.js";
import { REPORT_PERIOD_CONVERSATION, reportPeriodConversation } from "./period-dialog.js";
import { reportFeature } from "./report.js";
import { REPORT_STUDENTS_CONVERSATION, reportStudentsConversation } from "./students-dialog.js";

export { INDICATOR_LEVELS, type SelfAssessment, saveStudents, selfAssessment, studentsOf } from "./domain/self-assessment.js";



/** This area's dialogs: bot.ts registers every area's dialogs before any area's commands and buttons. */
export const dialogs = new Composer<BotContext>();
dialogs.use(createConversation(reportPeriodConversation, REPORT_PERIOD_CONVERSATION));
dialogs.use(createConversation(reportStudentsConversation, REPORT_STUDENTS_CONVERSATION));

/** This area's commands and buttons. */
export const composer = new Composer<BotContext>();
composer.use(
  reportFeature,
);

/** This area's scheduled jobs. */
export const jobs: readonly Job[] = [];

/** This area adds nothing to the areas below it. */
export function install(): void {}
