import { InlineKeyboard } from "grammy";
import type { Db } from "../../core/db/client.js";
import { enqueueNotice, type NoticeDeps } from "../../core/outbox/notices.js";
import { claimAgreementReminder, dueAgreementReminders } from "../domain/agreements.js";
import { formatDay } from "../../core/dates.js";
import type { Logger } from "../../logger.js";

export interface ReminderDeps extends NoticeDeps {
  db: Db;
  logger: Logger;
  /** Tells the outbox sender that messages were enqueued. */
  wakeOutbox: () => void;
}

/**
 * Tells whoever answers for a partnership that its agreement ends in 30 or 7 days, or today.
 * Each reminder is claimed and written to the outbox in one transaction: however many instances
 * run this at once, one enqueues it, and a claim never exists without its message. The outbox
 * sender delivers it (retries, a recipient who blocked the bot).
 */
export async function sendAgreementReminders(deps: ReminderDeps, today: string): Promise<{ queued: number }> {
  let queued = 0;
  for (const due of await dueAgreementReminders(deps.db, today)) {
    const { recipient } = due;
    if (!recipient) {
      deps.logger.warn({ agreementId: due.agreementId }, "nobody active answers for this agreement: no reminder sent");
      continue;
    }
    try {
      const enqueued = await deps.db.transaction(async (tx) => {
        if (!(await claimAgreementReminder(tx, due.agreementId, due.daysBefore))) return false;
        return enqueueNotice(
          tx,
          deps,
          recipient,
          (t) => {
            const values = { number: due.number, name: due.partnerName, date: formatDay(due.validTo), count: due.daysLeft };
            return {
              text: due.daysLeft === 0 ? t("agreements.reminder_today", values) : t("agreements.reminder_days", values),
              keyboard: new InlineKeyboard().text(t("agreements.reminder_open"), `ag:list:${due.partnerId}`),
            };
          },
          `agreement:${due.agreementId}:${due.daysBefore}:u${recipient.id}`,
        );
      });
      if (enqueued) queued++;
    } catch (error) {
      // Nothing was claimed: the next run tries again. The others go on.
      deps.logger.error({ err: error, agreementId: due.agreementId, userId: recipient.id }, "could not enqueue an agreement reminder");
    }
  }
  if (queued > 0) deps.wakeOutbox();
  return { queued };
}
