import { schedule, type ScheduledTask } from "node-cron";
import type { I18n } from "../bot/i18n.js";
import type { Config, Language } from "../config.js";
import type { Db } from "../db/client.js";
import { localDate } from "../domain/dates.js";
import { forgetAbandonedDialogs, forgetDeliveredMessages, forgetProcessedUpdates } from "../domain/housekeeping.js";
import type { Logger } from "../logger.js";
import { sendAgreementReminders } from "./agreement-reminders.js";
import { sendDigests } from "./digests.js";
import { sendFeedbackReminders } from "./feedback-reminders.js";
import { askHeldQuestions } from "./held-questions.js";
import { sendEventReminders } from "./event-reminders.js";
import { alertAbandonedLowRatings, closeFeedbackRounds } from "./feedback-close.js";

const DAY_MS = 24 * 60 * 60 * 1000;

export interface Jobs {
  stop(): Promise<void>;
}

/**
 * Scheduled housekeeping. Each job is idempotent, so several instances running it at the same
 * minute do no harm; jobs that must run once per slot (digests) will claim a row per slot.
 */
export interface JobDeps {
  db: Db;
  logger: Logger;
  timeZone: string;
  now: () => Date;
  i18n: I18n;
  defaultLanguage: Language;
  /** The local hour from which reminders of tomorrow's events go out. */
  eventReminderHour: number;
  feedback: Config["feedback"];
  /** Tells the outbox sender that messages were enqueued. */
  wakeOutbox: () => void;
}

export function startJobs(deps: JobDeps): Jobs {
  const tasks: ScheduledTask[] = [
    schedule(
      "17 * * * *",
      async () => {
        const forgotten = await forgetProcessedUpdates(deps.db, new Date(deps.now().getTime() - 3 * DAY_MS));
        deps.logger.debug({ forgotten }, "forgot old processed update ids");
      },
      { name: "forget-processed-updates", timezone: deps.timeZone, noOverlap: true },
    ),
    schedule(
      "47 3 * * *",
      async () => {
        const forgotten = await forgetAbandonedDialogs(deps.db, new Date(deps.now().getTime() - 7 * DAY_MS));
        deps.logger.info({ forgotten }, "forgot dialogs abandoned for a week");
        const messages = await forgetDeliveredMessages(deps.db, new Date(deps.now().getTime() - 30 * DAY_MS));
        deps.logger.info({ messages }, "forgot outbox copies older than 30 days");
      },
      { name: "forget-abandoned-dialogs", timezone: deps.timeZone, noOverlap: true },
    ),
    schedule(
      "0 9 * * *",
      async () => {
        try {
          const { queued } = await sendAgreementReminders(deps, localDate(deps.now(), deps.timeZone));
          deps.logger.info({ queued }, "queued agreement expiry reminders");
        } catch (error) {
          deps.logger.error({ err: error }, "agreement expiry reminders failed");
        }
      },
      { name: "agreement-reminders", timezone: deps.timeZone, noOverlap: true },
    ),
    schedule(
      "*/15 * * * *",
      async () => {
        try {
          const { asked } = await askHeldQuestions(deps, deps.now());
          if (asked > 0) deps.logger.info({ asked }, "asked whether events were held");
        } catch (error) {
          deps.logger.error({ err: error }, "asking whether events were held failed");
        }
      },
      { name: "event-held-questions", timezone: deps.timeZone, noOverlap: true },
    ),
    schedule(
      "*/15 * * * *",
      async () => {
        try {
          const { queued } = await sendEventReminders(deps, deps.now());
          if (queued > 0) deps.logger.info({ queued }, "queued day-before event reminders");
        } catch (error) {
          deps.logger.error({ err: error }, "day-before event reminders failed");
        }
      },
      { name: "event-reminders", timezone: deps.timeZone, noOverlap: true },
    ),
    schedule(
      "*/15 * * * *",
      async () => {
        try {
          const { closed, enqueued } = await closeFeedbackRounds(deps, deps.now());
          const { alerted } = await alertAbandonedLowRatings(deps, deps.now());
          if (closed + alerted > 0) deps.logger.info({ closed, enqueued, alerted }, "closed feedback rounds, alerted abandoned low ratings");
        } catch (error) {
          deps.logger.error({ err: error }, "closing feedback rounds failed");
        }
      },
      { name: "feedback-close", timezone: deps.timeZone, noOverlap: true },
    ),
    schedule(
      "*/15 * * * *",
      async () => {
        try {
          const { queued } = await sendFeedbackReminders(deps, deps.now());
          if (queued > 0) deps.logger.info({ queued }, "queued feedback reminders");
        } catch (error) {
          deps.logger.error({ err: error }, "feedback reminders failed");
        }
      },
      { name: "feedback-reminders", timezone: deps.timeZone, noOverlap: true },
    ),
    schedule(
      "*/5 * * * *",
      async () => {
        try {
          const { sent, empty } = await sendDigests(deps, deps.now());
          if (sent + empty > 0) deps.logger.info({ sent, empty }, "queued weekly digests");
        } catch (error) {
          deps.logger.error({ err: error }, "weekly digests failed");
        }
      },
      { name: "weekly-digests", timezone: deps.timeZone, noOverlap: true },
    ),
  ];
  return {
    async stop() {
      for (const task of tasks) await task.stop();
    },
  };
}
