import { randomBytes } from "node:crypto";
import { and, asc, desc, eq, gt, isNull, lt, lte, sql } from "drizzle-orm";
import type { Db } from "../../core/db/client.js";
import { type Event, events } from "../../events/index.js";
import { type FeedbackPrompt, type FeedbackRound, FOLLOW_UP_ANSWERS, type FollowUpAnswer, feedbackPrompts, feedbackRounds } from "./schema.js";
import { type User, users } from "../../core/access/schema.js";
import { linkedContactsOfEvent } from "../../events/index.js";

/**
 * Partner feedback on a held event: the round opened when the event is recorded as held, one
 * prompt per linked partner contact, answers saved one by one as they arrive, and reminders
 * claimed once each.
 */

const DAY_MS = 24 * 60 * 60 * 1000;

/** Longest "what went well" / "what to improve" text kept, in characters. */
export const MAX_FEEDBACK_TEXT = 2000;

/** Least time between two reminders of one prompt, so a job that missed a day does not send two at once. */
export const MIN_REMINDER_GAP_MS = DAY_MS;

export const FEEDBACK_TEXT_FIELDS = ["wentWell", "improve"] as const;
export type FeedbackTextField = (typeof FEEDBACK_TEXT_FIELDS)[number];

export interface RoundSettings {
  /** Days the participants' link stays open. */
  linkDays: number;
  /** Days the partner prompts take answers. */
  promptDays: number;
}

export interface PromptRecipient {
  prompt: FeedbackPrompt;
  user: User;
}

const addDays = (date: Date, days: number) => new Date(date.getTime() + days * DAY_MS);

/** The participants' link token: 128 random bits, base64url. */
export function newRoundToken(): string {
  return randomBytes(16).toString("base64url");
}

/**
 * Opens the feedback round of a held event: the round, and a prompt for every contact of the
 * event's partners who is linked to an active bot user. Idempotent: a second call for the same
 * event returns the existing round and creates nothing (`created: false`, no prompts).
 */
export async function createFeedbackRound(
  db: Db,
  eventId: number,
  now: Date,
  settings: RoundSettings,
): Promise<{ round: FeedbackRound; created: boolean; prompts: PromptRecipient[] }> {
  return db.transaction(async (tx) => {
    const [round] = await tx
      .insert(feedbackRounds)
      .values({
        eventId,
        token: newRoundToken(),
        openedAt: now,
        linkClosesAt: addDays(now, settings.linkDays),
        promptsCloseAt: addDays(now, settings.promptDays),
      })
      .onConflictDoNothing({ target: feedbackRounds.eventId })
      .returning();
    if (!round) {
      const [existing] = await tx.select().from(feedbackRounds).where(eq(feedbackRounds.eventId, eventId));
      return { round: existing!, created: false, prompts: [] };
    }
    const linked = await linkedContactsOfEvent(tx, eventId);
    if (linked.length === 0) return { round, created: true, prompts: [] };
    const inserted = await tx
      .insert(feedbackPrompts)
      .values(linked.map((l) => ({ eventId, partnerId: l.partnerId, contactId: l.contactId, userId: l.user.id, createdAt: now })))
      .onConflictDoNothing()
      .returning();
    const prompts = inserted.flatMap((prompt) => {
      const user = linked.find((l) => l.contactId === prompt.contactId)?.user;
      return user ? [{ prompt, user }] : [];
    });
    return { round, created: true, prompts };
  });
}

export type AnswerRefusal = "not_found" | "forbidden" | "closed" | "invalid" | "too_long";

export type AnswerResult =
  | { ok: true; prompt: FeedbackPrompt; round: FeedbackRound; before: FeedbackPrompt }
  | { ok: false; reason: AnswerRefusal };

/**
 * Loads a prompt for an answer, locked, and checks on the server that it is this user's and
 * that its round still takes answers; then `validate` checks the value and `change` writes it.
 */
async function answer(
  db: Db,
  user: { id: number },
  promptId: number,
  now: Date,
  validate: () => AnswerRefusal | undefined,
  change: (prompt: FeedbackPrompt) => Partial<FeedbackPrompt> | undefined,
): Promise<AnswerResult> {
  if (!Number.isSafeInteger(promptId) || promptId <= 0) return { ok: false, reason: "not_found" };
  return db.transaction(async (tx) => {
    const [prompt] = await tx.select().from(feedbackPrompts).where(eq(feedbackPrompts.id, promptId)).for("update");
    if (!prompt) return { ok: false, reason: "not_found" } as const;
    if (prompt.userId !== user.id) return { ok: false, reason: "forbidden" } as const;
    const [round] = await tx.select().from(feedbackRounds).where(eq(feedbackRounds.eventId, prompt.eventId));
    if (!round) return { ok: false, reason: "not_found" } as const;
    if (now.getTime() >= round.promptsCloseAt.getTime()) return { ok: false, reason: "closed" } as const;
    const invalid = validate();
    if (invalid) return { ok: false, reason: invalid } as const;
    const set = change(prompt);
    if (!set) return { ok: true, prompt, round, before: prompt } as const;
    const [updated] = await tx
      .update(feedbackPrompts)
      .set({ ...set, updatedAt: now })
      .where(eq(feedbackPrompts.id, prompt.id))
      .returning();
    return { ok: true, prompt: updated!, round, before: prompt } as const;
  });
}

/** The overall rating, 1 to 5. Rating again while the round is open changes the same answer. */
export function ratePrompt(db: Db, user: { id: number }, promptId: number, rating: number, now: Date): Promise<AnswerResult> {
  return answer(
    db,
    user,
    promptId,
    now,
    () => (Number.isInteger(rating) && rating >= 1 && rating <= 5 ? undefined : "invalid"),
    (prompt) => (prompt.rating === rating ? undefined : { rating, answeredAt: prompt.answeredAt ?? now }),
  );
}

/** Would they hold another joint event: yes / maybe / no. */
export function setFollowUp(db: Db, user: { id: number }, promptId: number, value: string, now: Date): Promise<AnswerResult> {
  const valid = (FOLLOW_UP_ANSWERS as readonly string[]).includes(value);
  return answer(
    db,
    user,
    promptId,
    now,
    () => (valid ? undefined : "invalid"),
    (prompt) => (prompt.followUp === value ? undefined : { followUp: value as FollowUpAnswer }),
  );
}

/** Checks a free-text answer: trimmed, not blank, at most MAX_FEEDBACK_TEXT characters (never cut). */
export function checkFeedbackText(raw: string): { ok: true; value: string } | { ok: false; reason: "invalid" | "too_long"; length: number } {
  const value = raw.trim();
  const length = Array.from(value).length;
  if (length === 0) return { ok: false, reason: "invalid", length };
  if (length > MAX_FEEDBACK_TEXT) return { ok: false, reason: "too_long", length };
  return { ok: true, value };
}

/** "What went well" or "what to improve", in the person's words. */
export function setPromptText(
  db: Db,
  user: { id: number },
  promptId: number,
  field: FeedbackTextField,
  text: string,
  now: Date,
): Promise<AnswerResult> {
  const checked = checkFeedbackText(text);
  const known = (FEEDBACK_TEXT_FIELDS as readonly string[]).includes(field);
  return answer(
    db,
    user,
    promptId,
    now,
    () => (!known ? "invalid" : checked.ok ? undefined : checked.reason),
    (prompt) => (checked.ok && prompt[field] !== checked.value ? { [field]: checked.value } : undefined),
  );
}

/**
 * Marks a low rating as reported, once: returns the prompt when this call set `alertedAt` (the
 * caller then enqueues the alert in the same transaction), undefined when it was reported
 * before or the rating is not low.
 */
export async function claimLowRatingAlert(db: Db, promptId: number, threshold: number, now: Date): Promise<FeedbackPrompt | undefined> {
  const [claimed] = await db
    .update(feedbackPrompts)
    .set({ alertedAt: now })
    .where(and(eq(feedbackPrompts.id, promptId), isNull(feedbackPrompts.alertedAt), lte(feedbackPrompts.rating, threshold)))
    .returning();
  return claimed;
}

export interface PromptView {
  prompt: FeedbackPrompt;
  round: FeedbackRound;
  event: Pick<Event, "id" | "title" | "startsAt">;
}

const eventColumns = { id: events.id, title: events.title, startsAt: events.startsAt };

/** One prompt with its round and event, for showing it. */
export async function promptView(db: Db, promptId: number): Promise<PromptView | undefined> {
  const [row] = await db
    .select({ prompt: feedbackPrompts, round: feedbackRounds, event: eventColumns })
    .from(feedbackPrompts)
    .innerJoin(feedbackRounds, eq(feedbackRounds.eventId, feedbackPrompts.eventId))
    .innerJoin(events, eq(events.id, feedbackPrompts.eventId))
    .where(eq(feedbackPrompts.id, promptId));
  return row;
}

/** A person's prompts that still take answers, the latest events first. */
export async function openPromptsOfUser(db: Db, userId: number, now: Date, limit = 10): Promise<PromptView[]> {
  return db
    .select({ prompt: feedbackPrompts, round: feedbackRounds, event: eventColumns })
    .from(feedbackPrompts)
    .innerJoin(feedbackRounds, eq(feedbackRounds.eventId, feedbackPrompts.eventId))
    .innerJoin(events, eq(events.id, feedbackPrompts.eventId))
    .where(and(eq(feedbackPrompts.userId, userId), gt(feedbackRounds.promptsCloseAt, now)))
    .orderBy(desc(events.startsAt), asc(feedbackPrompts.id))
    .limit(limit);
}

export interface DueReminder extends PromptView {
  user: User;
}

/**
 * Prompts due a reminder: not rated, round still open, fewer reminders than configured, and
 * `reminderDays[remindersSent]` days past the prompt (at least a day after the previous one).
 */
export async function duePromptReminders(db: Db, now: Date, reminderDays: readonly number[]): Promise<DueReminder[]> {
  if (reminderDays.length === 0) return [];
  const rows = await db
    .select({ prompt: feedbackPrompts, round: feedbackRounds, event: eventColumns, user: users })
    .from(feedbackPrompts)
    .innerJoin(feedbackRounds, eq(feedbackRounds.eventId, feedbackPrompts.eventId))
    .innerJoin(events, eq(events.id, feedbackPrompts.eventId))
    .innerJoin(users, eq(users.id, feedbackPrompts.userId))
    .where(
      and(
        isNull(feedbackPrompts.rating),
        gt(feedbackRounds.promptsCloseAt, now),
        lt(feedbackPrompts.remindersSent, reminderDays.length),
        eq(users.status, "active"),
      ),
    )
    .orderBy(asc(feedbackPrompts.id));
  return rows.filter(({ prompt }) => {
    const days = reminderDays[prompt.remindersSent];
    if (days === undefined || now.getTime() < addDays(prompt.createdAt, days).getTime()) return false;
    return prompt.lastRemindedAt === null || now.getTime() - prompt.lastRemindedAt.getTime() >= MIN_REMINDER_GAP_MS;
  });
}

/**
 * Claims the next reminder of a prompt by raising `remindersSent` from `sentBefore` to
 * `sentBefore + 1`, only while it is still unrated: of two instances claiming the same
 * reminder, one wins. Run it in the transaction that enqueues the reminder.
 */
export async function claimPromptReminder(db: Db, promptId: number, sentBefore: number, now: Date): Promise<boolean> {
  const claimed = await db
    .update(feedbackPrompts)
    .set({ remindersSent: sql`${feedbackPrompts.remindersSent} + 1`, lastRemindedAt: now })
    .where(and(eq(feedbackPrompts.id, promptId), eq(feedbackPrompts.remindersSent, sentBefore), isNull(feedbackPrompts.rating)))
    .returning({ id: feedbackPrompts.id });
  return claimed.length > 0;
}
