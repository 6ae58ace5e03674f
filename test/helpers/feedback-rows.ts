import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "../../src/core/db/client.js";
import { contacts } from "../../src/partners/domain/schema.js";
import { feedbackPrompts, feedbackRounds, participantFeedback } from "../../src/feedback/domain/schema.js";
import type { EventDraft } from "../../src/events/domain/events.js";
import { recordOutcome } from "../../src/events/domain/events.js";
import { eventWorld } from "./event-world.js";
import type { Harness } from "./harness.js";

const DAY_MS = 24 * 60 * 60 * 1000;

/** 10 December 17:30 in Irkutsk: half an hour after eventWorld's master class ended. */
export const AFTER_THE_EVENT = new Date("2026-12-10T09:30:00Z");

/**
 * eventWorld's master class, approved, held (recorded by the teacher after its end) and with a
 * feedback round: prompts close in 14 days. Whatever the held transaction opened (prompts, a
 * participants' link) is replaced by the test's own rows, and what it sent is flushed and
 * forgotten, so tests see only what they make.
 */
export async function heldEventWithRound(h: Harness, language: "ru" | "en" = "ru", overrides: Partial<EventDraft> = {}) {
  const db = h.database.db;
  const world = await eventWorld(h, language, overrides);
  await world.approve();
  h.clock.now = AFTER_THE_EVENT;
  const held = await recordOutcome(
    db,
    { user: world.teacherRow, role: "staff" },
    world.event.id,
    { held: true, report: { gifted: 8, disabilities: 2, careerGuidance: 5, other: 3, result: "Собрали трёх роботов" } },
    h.clock.now,
  );
  if (!held.ok) throw new Error(held.reason);
  const eventId = world.event.id;
  await db.delete(feedbackPrompts).where(eq(feedbackPrompts.eventId, eventId));
  await db.delete(participantFeedback).where(eq(participantFeedback.eventId, eventId));
  const times = { openedAt: h.clock.now, linkClosesAt: new Date(h.clock.now.getTime() + 7 * DAY_MS), promptsCloseAt: new Date(h.clock.now.getTime() + 14 * DAY_MS) };
  await db
    .insert(feedbackRounds)
    .values({ eventId, token: `test${randomBytes(8).toString("hex")}`, ...times })
    .onConflictDoUpdate({ target: feedbackRounds.eventId, set: { ...times, summarySentAt: null } });
  await h.flushOutbox();
  h.telegram.reset();
  return { ...world, event: held.event, promptsCloseAt: times.promptsCloseAt };
}

/** A partner contact not linked to the bot, straight into the database. */
export async function addContact(db: Db, partnerId: number, fullName: string, recordedBy: number) {
  const [row] = await db.insert(contacts).values({ partnerId, fullName, consentBasis: "bot", consentRecordedBy: recordedBy }).returning();
  return row!;
}

/** A partner prompt with the answers given, straight into the database. */
export async function addPrompt(db: Db, values: typeof feedbackPrompts.$inferInsert) {
  const [row] = await db.insert(feedbackPrompts).values(values).returning();
  return row!;
}

/** An anonymous participant's answer, straight into the database. */
export async function addParticipant(db: Db, values: Omit<typeof participantFeedback.$inferInsert, "voterHash">) {
  const [row] = await db
    .insert(participantFeedback)
    .values({ voterHash: randomBytes(16).toString("hex"), ...values })
    .returning();
  return row!;
}
