import { and, eq, inArray } from "drizzle-orm";
import { InlineKeyboard } from "grammy";
import type { Db } from "../core/db/client.js";
import { events } from "../events/index.js";
import { users } from "../core/access/schema.js";
import { enqueueNotice, type NoticeDeps, type Recipient } from "../core/outbox/notices.js";
import { formatDateTime } from "../core/telegram/format.js";
import { clip } from "../core/telegram/html.js";

/** A rating at or below this alerts the event's people and the admins at once. */
export const LOW_RATING = 2;

export interface LowRating {
  eventId: number;
  rating: number;
  comment: string | null;
  /** A partner contact (named) or an anonymous participant. */
  source: { kind: "partner"; partnerName: string; contactName: string | null } | { kind: "participant" };
  /** Makes the alert idempotent, e.g. `low:prompt:<id>` or `low:participant:<id>`. */
  dedupeKey: string;
}

/**
 * Those an event's feedback concerns: its responsible person and its proposer (the event's
 * owner), active only, without repeats.
 */
export async function eventPeople(db: Db, eventId: number): Promise<(Recipient & { role: string })[]> {
  const [event] = await db.select({ responsible: events.responsibleUserId, proposer: events.proposedBy }).from(events).where(eq(events.id, eventId));
  if (!event) return [];
  return db
    .select({ id: users.id, telegramId: users.telegramId, language: users.language, telegramLanguage: users.telegramLanguage, role: users.role })
    .from(users)
    .where(and(inArray(users.id, [event.responsible, event.proposer]), eq(users.status, "active")));
}

/**
 * Enqueues the low-rating alert, with the comment, to the event's responsible person, its
 * proposer and every active admin, in the caller's transaction. Returns how many were written
 * (0 when this alert was enqueued before).
 */
export async function enqueueLowRatingAlert(tx: Db, deps: NoticeDeps, alert: LowRating): Promise<number> {
  const [event] = await tx.select().from(events).where(eq(events.id, alert.eventId));
  if (!event) return 0;
  const admins = await tx
    .select({ id: users.id, telegramId: users.telegramId, language: users.language, telegramLanguage: users.telegramLanguage })
    .from(users)
    .where(and(eq(users.role, "admin"), eq(users.status, "active")));
  const recipients = [...(await eventPeople(tx, alert.eventId)), ...admins].filter((r, i, all) => all.findIndex((o) => o.id === r.id) === i);
  let written = 0;
  for (const recipient of recipients) {
    const sent = await enqueueNotice(
      tx,
      deps,
      recipient,
      (t, language) => ({
        text: [
          t("feedback_alerts.low_rating", {
            rating: alert.rating,
            title: clip(event.title, 200),
            start: formatDateTime(event.startsAt, language, deps.timeZone),
          }),
          alert.source.kind === "partner"
            ? t("feedback_alerts.from_partner", { partner: clip(alert.source.partnerName, 200), contact: clip(alert.source.contactName ?? "—", 100) })
            : t("feedback_alerts.from_participant"),
          alert.comment ? t("feedback_alerts.comment", { comment: clip(alert.comment, 1500) }) : t("feedback_alerts.no_comment"),
        ].join("\n"),
        keyboard: new InlineKeyboard().text(t("events.buttons.open"), `ev:open:${event.id}`),
      }),
      `${alert.dedupeKey}:u${recipient.id}`,
    );
    if (sent) written++;
  }
  return written;
}
