import { createHmac } from "node:crypto";
import { and, eq, gt, isNull, lte, sql } from "drizzle-orm";
import type { Db } from "../../core/db/client.js";
import { AGE_GROUPS, type AgeGroup, type FeedbackRound, PARTICIPANT_ROLES, type ParticipantFeedback, type ParticipantRole, feedbackRounds, participantFeedback } from "./schema.js";

/**
 * Anonymous participant feedback. A participant is known only by `voterHash`, a keyed hash of
 * the event and their Telegram user id: one answer per person per event, and no Telegram id,
 * name or username is ever written to `participant_feedback`.
 */

/** A round's link token: 128 random bits in base64url, 22 characters (fits t.me `start=pf_…`). */
export const PARTICIPANT_TOKEN_PATTERN = /^[A-Za-z0-9_-]{22}$/;


export function isParticipantToken(token: string): boolean {
  return PARTICIPANT_TOKEN_PATTERN.test(token);
}

/** Longest participant comment kept, in characters. */
export const MAX_PARTICIPANT_COMMENT = 1000;

/** HMAC-SHA-256 of `<eventId>:<telegramUserId>` keyed with the feedback secret, base64url (43 characters). */
export function voterHash(secret: string, eventId: number, telegramUserId: number): string {
  return createHmac("sha256", secret).update(`${eventId}:${telegramUserId}`).digest("base64url");
}

/** The round behind a link token; a malformed token is refused before the database is asked. */
export async function findRoundByToken(db: Db, token: string): Promise<FeedbackRound | undefined> {
  if (!isParticipantToken(token)) return undefined;
  const [round] = await db.select().from(feedbackRounds).where(eq(feedbackRounds.token, token));
  return round;
}

export async function findRound(db: Db, eventId: number): Promise<FeedbackRound | undefined> {
  const [round] = await db.select().from(feedbackRounds).where(eq(feedbackRounds.eventId, eventId));
  return round;
}

export function isLinkOpen(round: Pick<FeedbackRound, "linkClosesAt">, now: Date): boolean {
  return now < round.linkClosesAt;
}

export async function findParticipantAnswer(db: Db, eventId: number, hash: string): Promise<ParticipantFeedback | undefined> {
  const [row] = await db
    .select()
    .from(participantFeedback)
    .where(and(eq(participantFeedback.eventId, eventId), eq(participantFeedback.voterHash, hash)));
  return row;
}

export function isRating(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 1 && value <= 5;
}

export type RatingResult =
  | { ok: true; answer: ParticipantFeedback }
  | { ok: false; reason: "bad_rating" | "no_round" | "closed" }
  | { ok: false; reason: "already_answered"; answer: ParticipantFeedback };

/**
 * The participant's rating: the first answer of this person for this event is stored, a second
 * one is not (the unique (event, voter hash) pair decides, also under concurrent presses).
 */
export async function answerRating(
  db: Db,
  input: { eventId: number; voterHash: string; rating: number; now: Date },
): Promise<RatingResult> {
  if (!isRating(input.rating)) return { ok: false, reason: "bad_rating" };
  const round = await findRound(db, input.eventId);
  if (!round) return { ok: false, reason: "no_round" };
  if (!isLinkOpen(round, input.now)) return { ok: false, reason: "closed" };
  const [inserted] = await db
    .insert(participantFeedback)
    .values({ eventId: input.eventId, voterHash: input.voterHash, rating: input.rating, createdAt: input.now })
    .onConflictDoNothing({ target: [participantFeedback.eventId, participantFeedback.voterHash] })
    .returning();
  if (inserted) return { ok: true, answer: inserted };
  const existing = await findParticipantAnswer(db, input.eventId, input.voterHash);
  if (!existing) throw new Error("participant answer neither inserted nor found");
  return { ok: false, reason: "already_answered", answer: existing };
}

export type UpdateResult = { ok: true; answer: ParticipantFeedback } | { ok: false; reason: "not_found" | "closed" };

/** Updates this person's answer to this event, only while the event's link is open. */
async function updateAnswer(
  db: Db,
  eventId: number,
  hash: string,
  set: Partial<Pick<ParticipantFeedback, "comment" | "role" | "ageGroup">>,
  now: Date,
): Promise<UpdateResult> {
  const [updated] = await db
    .update(participantFeedback)
    .set({ ...set, updatedAt: now })
    .where(
      and(
        eq(participantFeedback.eventId, eventId),
        eq(participantFeedback.voterHash, hash),
        sql`exists (select 1 from ${feedbackRounds} where ${feedbackRounds.eventId} = ${eventId} and ${feedbackRounds.linkClosesAt} > ${now.toISOString()}::timestamptz)`,
      ),
    )
    .returning();
  if (updated) return { ok: true, answer: updated };
  return { ok: false, reason: (await findParticipantAnswer(db, eventId, hash)) ? "closed" : "not_found" };
}

/** The comment, trimmed; an empty or over-long one is refused by the caller's check (see checkParticipantComment). */
export async function setParticipantComment(db: Db, eventId: number, hash: string, comment: string, now: Date): Promise<UpdateResult> {
  const value = comment.trim();
  if (value === "" || Array.from(value).length > MAX_PARTICIPANT_COMMENT) throw new Error("participant comment out of bounds");
  return updateAnswer(db, eventId, hash, { comment: value }, now);
}

export function isParticipantRole(value: string): value is ParticipantRole {
  return (PARTICIPANT_ROLES as readonly string[]).includes(value);
}

export function isAgeGroup(value: string): value is AgeGroup {
  return (AGE_GROUPS as readonly string[]).includes(value);
}

export async function setParticipantRole(db: Db, eventId: number, hash: string, role: ParticipantRole, now: Date): Promise<UpdateResult> {
  if (!isParticipantRole(role)) throw new Error(`unknown participant role ${String(role)}`);
  return updateAnswer(db, eventId, hash, { role }, now);
}

export async function setParticipantAgeGroup(db: Db, eventId: number, hash: string, ageGroup: AgeGroup, now: Date): Promise<UpdateResult> {
  if (!isAgeGroup(ageGroup)) throw new Error(`unknown age group ${String(ageGroup)}`);
  return updateAnswer(db, eventId, hash, { ageGroup }, now);
}

/**
 * Claims the low-rating alert of this answer: sets `alertedAt` when the rating is at most
 * `atMost` and no alert was claimed before. Returns the answer when this call claimed it; call it
 * in the transaction that enqueues the alert, so the alert goes exactly once.
 */
export async function claimParticipantAlert(
  db: Db,
  where: { id: number } | { eventId: number; voterHash: string },
  atMost: number,
  now: Date,
): Promise<ParticipantFeedback | undefined> {
  const which =
    "id" in where
      ? eq(participantFeedback.id, where.id)
      : and(eq(participantFeedback.eventId, where.eventId), eq(participantFeedback.voterHash, where.voterHash));
  const [claimed] = await db
    .update(participantFeedback)
    .set({ alertedAt: now })
    .where(and(which, lte(participantFeedback.rating, atMost), isNull(participantFeedback.alertedAt)))
    .returning();
  return claimed;
}


/** Whether the event has a round whose participants' link is still open (the event card's button). */
export async function hasOpenLink(db: Db, eventId: number, now: Date): Promise<boolean> {
  const [row] = await db
    .select({ eventId: feedbackRounds.eventId })
    .from(feedbackRounds)
    .where(and(eq(feedbackRounds.eventId, eventId), gt(feedbackRounds.linkClosesAt, now)));
  return row !== undefined;
}
