import { and, asc, eq, inArray } from "drizzle-orm";
import type { Db } from "../../core/db/client.js";
import { type ConfirmationAnswer, type Event, eventConfirmations, events } from "./schema.js";
import { type Contact, contacts } from "../../partners/index.js";
import { recordAudit } from "../../core/audit.js";
import { eventPartnerIds } from "./events.js";
import type { Actor } from "../../partners/index.js";

/** Longest "suggest another time" text kept. */
export const MAX_CONFIRMATION_COMMENT = 500;

/** The contact record through which this bot user speaks for one of the event's partners. */
export async function contactOfUserForEvent(db: Db, userId: number, eventId: number): Promise<Contact | undefined> {
  const partnerIds = await eventPartnerIds(db, eventId);
  if (partnerIds.length === 0) return undefined;
  const [contact] = await db
    .select()
    .from(contacts)
    .where(and(eq(contacts.userId, userId), inArray(contacts.partnerId, partnerIds)))
    .orderBy(asc(contacts.id))
    .limit(1);
  return contact;
}

export type ConfirmationResult =
  | { ok: true; event: Event; contact: Contact }
  | { ok: false; reason: "not_found" | "forbidden" | "wrong_status" | "empty_comment" };

/**
 * A partner contact answers an approved event: confirm, decline, or suggest another time (with a
 * text). Only a contact linked to one of the event's partners may answer; the latest answer counts.
 */
export async function recordConfirmation(
  db: Db,
  actor: Actor,
  input: { eventId: number; answer: ConfirmationAnswer; comment: string | null },
  now: Date,
): Promise<ConfirmationResult> {
  const comment = input.comment?.trim() || null;
  if (input.answer === "other_time" && comment === null) return { ok: false, reason: "empty_comment" };
  return db.transaction(async (tx) => {
    const [event] = await tx.select().from(events).where(eq(events.id, input.eventId)).for("update");
    if (!event) return { ok: false, reason: "not_found" } as const;
    const contact = await contactOfUserForEvent(tx, actor.user.id, event.id);
    if (!contact) return { ok: false, reason: "forbidden" } as const;
    if (event.status !== "approved" || event.endsAt <= now) return { ok: false, reason: "wrong_status" } as const;
    const values = { answer: input.answer, comment, answeredAt: now };
    await tx
      .insert(eventConfirmations)
      .values({ eventId: event.id, contactId: contact.id, ...values })
      .onConflictDoUpdate({ target: [eventConfirmations.eventId, eventConfirmations.contactId], set: values });
    await recordAudit(tx, {
      actorUserId: actor.user.id,
      action: `event.partner_${input.answer}`,
      entityType: "event",
      entityId: event.id,
      after: { contactId: contact.id, answer: input.answer, comment },
    });
    return { ok: true, event, contact } as const;
  });
}
