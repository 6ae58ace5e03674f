import { and, asc, eq, isNull, lte, sql } from "drizzle-orm";
import { LOW_RATING, enqueueLowRatingAlert } from "./alerts.js";
import { enqueueFeedbackSummary } from "./results-text.js";
import type { Db } from "../core/db/client.js";
import { partnerDisplayName, contacts, partners } from "../partners/index.js";
import { feedbackPrompts, feedbackRounds, participantFeedback } from "./domain/schema.js";
import type { NoticeDeps } from "../core/outbox/notices.js";
import type { Logger } from "../logger.js";

export interface FeedbackCloseDeps extends NoticeDeps {
  db: Db;
  logger: Logger;
  /** Tells the outbox sender that messages were enqueued. */
  wakeOutbox: () => void;
}

/** A low rating left without the rest of its answers this long is alerted with what there is. */
export const ABANDONED_AFTER_MS = 30 * 60 * 1000;

/** The dedupe key prefix of an event's closing summary; each recipient's key adds `:u<userId>`. */
export function summaryKey(eventId: number): string {
  return `fbsummary:${eventId}`;
}

/**
 * Sends the closing summary of every round whose partner prompts have closed. The round is
 * claimed (summarySentAt set where it was null) and the summary enqueued in one transaction, so
 * it goes once however often and on however many instances this runs.
 */
export async function closeFeedbackRounds(deps: FeedbackCloseDeps, now: Date): Promise<{ closed: number; enqueued: number }> {
  const due = await deps.db
    .select({ eventId: feedbackRounds.eventId })
    .from(feedbackRounds)
    .where(and(lte(feedbackRounds.promptsCloseAt, now), isNull(feedbackRounds.summarySentAt)))
    .orderBy(asc(feedbackRounds.promptsCloseAt));
  let closed = 0;
  let enqueued = 0;
  for (const { eventId } of due) {
    try {
      const written = await deps.db.transaction(async (tx) => {
        const claimed = await tx
          .update(feedbackRounds)
          .set({ summarySentAt: now })
          .where(and(eq(feedbackRounds.eventId, eventId), isNull(feedbackRounds.summarySentAt)))
          .returning({ eventId: feedbackRounds.eventId });
        if (claimed.length === 0) return undefined;
        return enqueueFeedbackSummary(tx, deps, eventId, summaryKey(eventId));
      });
      if (written === undefined) continue;
      closed++;
      enqueued += written;
    } catch (error) {
      // Nothing was claimed: the next run tries again. The others go on.
      deps.logger.error({ err: error, eventId }, "could not enqueue a feedback summary");
    }
  }
  if (enqueued > 0) deps.wakeOutbox();
  return { closed, enqueued };
}

/**
 * Alerts low ratings (≤ LOW_RATING) whose author stopped before the end of the questions: the
 * rating was saved, the alert that follows the last answer never came. After ABANDONED_AFTER_MS
 * without a change the alert goes with whatever comment exists. alertedAt is set by a
 * conditional update in the alert's transaction: one alert per answer.
 */
export async function alertAbandonedLowRatings(deps: FeedbackCloseDeps, now: Date): Promise<{ alerted: number }> {
  const cutoff = new Date(now.getTime() - ABANDONED_AFTER_MS);
  const prompts = await deps.db
    .select({
      id: feedbackPrompts.id,
      eventId: feedbackPrompts.eventId,
      partnerName: partnerDisplayName,
      contactName: contacts.fullName,
    })
    .from(feedbackPrompts)
    .innerJoin(partners, eq(partners.id, feedbackPrompts.partnerId))
    .leftJoin(contacts, eq(contacts.id, feedbackPrompts.contactId))
    .where(
      and(
        lte(feedbackPrompts.rating, LOW_RATING),
        isNull(feedbackPrompts.alertedAt),
        sql`coalesce(${feedbackPrompts.updatedAt}, ${feedbackPrompts.answeredAt}, ${feedbackPrompts.createdAt}) <= ${cutoff.toISOString()}::timestamptz`,
      ),
    );
  const participants = await deps.db
    .select({ id: participantFeedback.id })
    .from(participantFeedback)
    .where(
      and(
        lte(participantFeedback.rating, LOW_RATING),
        isNull(participantFeedback.alertedAt),
        sql`coalesce(${participantFeedback.updatedAt}, ${participantFeedback.createdAt}) <= ${cutoff.toISOString()}::timestamptz`,
      ),
    );

  let alerted = 0;
  const guarded = async (what: Record<string, unknown>, work: () => Promise<number>) => {
    try {
      alerted += await work();
    } catch (error) {
      deps.logger.error({ err: error, ...what }, "could not enqueue a low-rating alert");
    }
  };
  for (const prompt of prompts) {
    await guarded({ promptId: prompt.id }, () =>
      deps.db.transaction(async (tx) => {
        const [row] = await tx
          .update(feedbackPrompts)
          .set({ alertedAt: now })
          .where(and(eq(feedbackPrompts.id, prompt.id), isNull(feedbackPrompts.alertedAt), lte(feedbackPrompts.rating, LOW_RATING)))
          .returning({ rating: feedbackPrompts.rating, improve: feedbackPrompts.improve, wentWell: feedbackPrompts.wentWell });
        if (!row || row.rating === null) return 0;
        await enqueueLowRatingAlert(tx, deps, {
          eventId: prompt.eventId,
          rating: row.rating,
          // For a low rating "what to improve" says most; else whatever they wrote.
          comment: row.improve?.trim() || row.wentWell?.trim() || null,
          source: { kind: "partner", partnerName: prompt.partnerName, contactName: prompt.contactName },
          dedupeKey: `low:prompt:${prompt.id}`,
        });
        return 1;
      }),
    );
  }
  for (const participant of participants) {
    await guarded({ participantFeedbackId: participant.id }, () =>
      deps.db.transaction(async (tx) => {
        const [row] = await tx
          .update(participantFeedback)
          .set({ alertedAt: now })
          .where(and(eq(participantFeedback.id, participant.id), isNull(participantFeedback.alertedAt), lte(participantFeedback.rating, LOW_RATING)))
          .returning({ eventId: participantFeedback.eventId, rating: participantFeedback.rating, comment: participantFeedback.comment });
        if (!row) return 0;
        await enqueueLowRatingAlert(tx, deps, {
          eventId: row.eventId,
          rating: row.rating,
          comment: row.comment?.trim() || null,
          source: { kind: "participant" },
          dedupeKey: `low:participant:${participant.id}`,
        });
        return 1;
      }),
    );
  }
  if (alerted > 0) deps.wakeOutbox();
  return { alerted };
}
