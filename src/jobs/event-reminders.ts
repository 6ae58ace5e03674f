import { type Api, GrammyError, InlineKeyboard } from "grammy";
import { formatDateTime } from "../bot/format.js";
import { clip } from "../bot/html.js";
import { pickLanguage, type I18n } from "../bot/i18n.js";
import type { Language } from "../config.js";
import type { Db } from "../db/client.js";
import { localHour, partnerNamesOfEvents } from "../domain/calendar.js";
import { claimEventReminder, dueEventReminders, markEventReminderUndelivered, releaseEventReminder } from "../domain/event-reminders.js";
import type { Logger } from "../logger.js";

export interface EventReminderDeps {
  db: Db;
  api: Api;
  i18n: I18n;
  logger: Logger;
  defaultLanguage: Language;
  timeZone: string;
  /** Reminders of tomorrow's events go out from this local hour on. */
  eventReminderHour: number;
}

/**
 * Reminds the responsible person and the partner contacts who confirmed of an approved event
 * the day before, from the configured hour. Each reminder is claimed in the database before it
 * is sent, so it goes out once across runs, restarts and instances; a failed delivery gives the
 * claim back for the next run, unless the person blocked the bot.
 */
export async function sendEventReminders(deps: EventReminderDeps, now: Date): Promise<{ sent: number }> {
  if (localHour(now, deps.timeZone) < deps.eventReminderHour) return { sent: 0 };
  const due = await dueEventReminders(deps.db, now, deps.timeZone);
  const partnerNames = await partnerNamesOfEvents(deps.db, [...new Set(due.map((d) => d.event.id))]);
  let sent = 0;
  for (const { event, recipient } of due) {
    if (!(await claimEventReminder(deps.db, event, recipient.id))) continue;
    const language = pickLanguage(recipient.language, recipient.telegramLanguage ?? undefined, deps.defaultLanguage);
    const t = deps.i18n.fixedT(language);
    const lines = [
      t("calendar.reminder", {
        when: formatDateTime(event.startsAt, language, deps.timeZone),
        title: clip(event.title, 200),
        format: t(`agreements.formats.${event.format}`),
      }),
    ];
    if (event.place) lines.push(t("calendar.reminder_place", { place: clip(event.place, 200) }));
    const partners = partnerNames.get(event.id) ?? [];
    if (partners.length > 0) lines.push(t("calendar.reminder_partners", { partners: clip(partners.join(", "), 300) }));
    try {
      await deps.api.sendMessage(recipient.telegramId, lines.join("\n"), {
        reply_markup: new InlineKeyboard().text(t("events.buttons.open"), `ev:open:${event.id}`).text(t("events.buttons.ics"), `ev:ics:${event.id}`),
      });
      sent++;
    } catch (error) {
      const blocked = error instanceof GrammyError && error.error_code === 403;
      if (blocked) await markEventReminderUndelivered(deps.db, event, recipient.id);
      else await releaseEventReminder(deps.db, event, recipient.id);
      deps.logger.warn({ err: error, eventId: event.id, userId: recipient.id, blocked }, "could not deliver an event reminder");
    }
  }
  return { sent };
}
