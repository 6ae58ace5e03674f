import { enqueuePromptReminder } from "./prompts.js";
import { claimPromptReminder, duePromptReminders } from "./domain/feedback.js";
import type { JobDeps } from "../core/job.js";

export type FeedbackReminderDeps = Pick<JobDeps, "db" | "i18n" | "defaultLanguage" | "timeZone" | "feedback" | "wakeOutbox">;

/**
 * Reminds partner contacts who have not rated a held event yet, after the configured days (by
 * default 2 and 5), at most that many times, never after they answered or the prompt closed.
 * Each reminder is claimed (remindersSent n → n+1) and enqueued in one transaction, so it goes
 * out once however often and on however many instances this runs.
 */
export async function sendFeedbackReminders(deps: FeedbackReminderDeps, now: Date): Promise<{ queued: number }> {
  const notices = { i18n: deps.i18n, defaultLanguage: deps.defaultLanguage, timeZone: deps.timeZone };
  let queued = 0;
  for (const due of await duePromptReminders(deps.db, now, deps.feedback.reminderDays)) {
    const n = due.prompt.remindersSent + 1;
    const written = await deps.db.transaction(async (tx) => {
      if (!(await claimPromptReminder(tx, due.prompt.id, due.prompt.remindersSent, now))) return false;
      return enqueuePromptReminder(tx, notices, due, n, now);
    });
    if (written) queued++;
  }
  if (queued > 0) deps.wakeOutbox();
  return { queued };
}
