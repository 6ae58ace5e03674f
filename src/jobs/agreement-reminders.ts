import { type Api, GrammyError, InlineKeyboard } from "grammy";
import { pickLanguage, type I18n } from "../bot/i18n.js";
import type { Language } from "../config.js";
import type { Db } from "../db/client.js";
import { claimAgreementReminder, dueAgreementReminders, releaseAgreementReminder } from "../domain/agreements.js";
import { formatDay } from "../domain/dates.js";
import type { Logger } from "../logger.js";

export interface ReminderDeps {
  db: Db;
  api: Api;
  i18n: I18n;
  logger: Logger;
  defaultLanguage: Language;
}

/**
 * Tells whoever answers for a partnership that its agreement ends in 30 or 7 days, or today.
 * Each reminder is claimed in the database before it is sent, so however many instances run
 * this at once, one sends it. A failed delivery gives the claim back for the next run, unless
 * the person blocked the bot.
 */
export async function sendAgreementReminders(deps: ReminderDeps, today: string): Promise<{ sent: number }> {
  let sent = 0;
  for (const due of await dueAgreementReminders(deps.db, today)) {
    const { recipient } = due;
    if (!recipient) {
      deps.logger.warn({ agreementId: due.agreementId }, "nobody active answers for this agreement: no reminder sent");
      continue;
    }
    if (!(await claimAgreementReminder(deps.db, due.agreementId, due.daysBefore))) continue;
    const t = deps.i18n.fixedT(pickLanguage(recipient.language, recipient.telegramLanguage ?? undefined, deps.defaultLanguage));
    const values = { number: due.number, name: due.partnerName, date: formatDay(due.validTo), count: due.daysLeft };
    const text = due.daysLeft === 0 ? t("agreements.reminder_today", values) : t("agreements.reminder_days", values);
    try {
      await deps.api.sendMessage(recipient.telegramId, text, {
        reply_markup: new InlineKeyboard().text(t("agreements.reminder_open"), `ag:list:${due.partnerId}`),
      });
      sent++;
    } catch (error) {
      const blocked = error instanceof GrammyError && error.error_code === 403;
      if (!blocked) await releaseAgreementReminder(deps.db, due.agreementId, due.daysBefore);
      deps.logger.warn({ err: error, agreementId: due.agreementId, userId: recipient.id, blocked }, "could not deliver an agreement reminder");
    }
  }
  return { sent };
}
