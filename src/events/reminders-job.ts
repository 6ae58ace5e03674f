import { InlineKeyboard } from "grammy";
import { formatDateTime } from "../core/telegram/format.js";
import { clip } from "../core/telegram/html.js";
import type { Db } from "../core/db/client.js";
import { enqueueNotice, type NoticeDeps } from "../core/outbox/notices.js";
import { localHour, partnerNamesOfEvents } from "./domain/calendar.js";
import { claimEventReminder, dueEventReminders } from "./domain/reminders.js";
import type { Logger } from "../logger.js";

export interface EventReminderDeps extends NoticeDeps {
  db: Db;
  logger: Logger;
  /** Reminders of tomorrow's events go out from this local hour on. */
  eventReminderHour: number;
  /** Tells the outbox sender that messages were enqueued. */
  wakeOutbox: () => void;
}

/**
 * Reminds the responsible person and the partner contacts who confirmed of an approved event
 * the day before, from the configured hour. Each reminder is claimed and written to the outbox
 * in one transaction, so it is enqueued once across runs, restarts and instances, and a claim
 * never exists without its message. The outbox sender delivers it.
 */
export async function sendEventReminders(deps: EventReminderDeps, now: Date): Promise<{ queued: number }> {
  if (localHour(now, deps.timeZone) < deps.eventReminderHour) return { queued: 0 };
  const due = await dueEventReminders(deps.db, now, deps.timeZone);
  const partnerNames = await partnerNamesOfEvents(deps.db, [...new Set(due.map((d) => d.event.id))]);
  let queued = 0;
  for (const { event, recipient } of due) {
    try {
      const enqueued = await deps.db.transaction(async (tx) => {
        if (!(await claimEventReminder(tx, event, recipient.id))) return false;
        return enqueueNotice(
          tx,
          deps,
          recipient,
          (t, language) => {
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
            return {
              text: lines.join("\n"),
              keyboard: new InlineKeyboard()
                .text(t("events.buttons.open"), `ev:open:${event.id}`)
                .text(t("events.buttons.ics"), `ev:ics:${event.id}`),
            };
          },
          `event-reminder:${event.id}:${event.startsAt.getTime()}:u${recipient.id}`,
        );
      });
      if (enqueued) queued++;
    } catch (error) {
      // Nothing was claimed: the next run tries again. The others go on.
      deps.logger.error({ err: error, eventId: event.id, userId: recipient.id }, "could not enqueue an event reminder");
    }
  }
  if (queued > 0) deps.wakeOutbox();
  return { queued };
}
