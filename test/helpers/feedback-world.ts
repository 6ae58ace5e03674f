import { and, eq } from "drizzle-orm";
import { openFeedbackRound } from "../../src/feedback/prompts.js";
import { contacts } from "../../src/partners/domain/schema.js";
import { feedbackPrompts } from "../../src/feedback/domain/schema.js";
import { users } from "../../src/core/access/schema.js";
import { noticeDepsOf } from "../../src/core/outbox/notices.js";
import { decideEvent, type HeldReport, proposeEvent, recordOutcome } from "../../src/events/domain/events.js";
import { registered } from "./bot-people.js";
import { botDeps, eventWorld, TEN_DECEMBER_15 } from "./event-world.js";
import type { Harness } from "./harness.js";
import { makeUser } from "./updates.js";

/** 10 December 17:30 in Irkutsk: half an hour after the master class ended; the round opens then. */
export const AFTER_THE_EVENT = new Date("2026-12-10T09:30:00Z");
export const DAY_MS = 24 * 60 * 60 * 1000;
/** A moment `days` after the round opened. */
export const afterOpening = (days: number) => new Date(AFTER_THE_EVENT.getTime() + days * DAY_MS);

const REPORT: HeldReport = { gifted: 5, disabilities: 1, careerGuidance: 2, other: 4, result: "Собрали трёх роботов" };

export function feedbackDeps(h: Harness) {
  return { ...noticeDepsOf(botDeps(h)), feedback: h.config.feedback };
}

/** Records an event as held and opens its feedback round in one transaction, as the lead's code will. */
export async function holdAndOpen(h: Harness, actor: Parameters<typeof recordOutcome>[1], eventId: number) {
  const opened = await h.database.db.transaction(async (tx) => {
    const held = await recordOutcome(tx, actor, eventId, { held: true, report: REPORT }, h.clock.now);
    if (!held.ok) throw new Error(held.reason);
    return openFeedbackRound(tx, feedbackDeps(h), eventId, h.clock.now);
  });
  await h.flushOutbox();
  return opened;
}

/**
 * The event world with a second, English-speaking contact of the same partner, a contact not
 * linked in the bot and one whose user left; the master class approved, held at
 * AFTER_THE_EVENT and its round opened. `prompt` is the Russian contact's prompt.
 */
export async function feedbackWorld(h: Harness, language: "ru" | "en" = "ru", options: { secondEvent?: boolean } = {}) {
  const db = h.database.db;
  const world = await eventWorld(h, language);
  const adminActor = { user: world.adminRow, role: "admin" as const };
  const english = makeUser({ first_name: "John", last_name: "Smith", language_code: "en" });
  const englishRow = await registered(h, english, "partner");
  const gone = makeUser({ first_name: "Гоша", last_name: "Ушедший" });
  const goneRow = await registered(h, gone, "partner");
  await db.update(users).set({ status: "inactive" }).where(eq(users.id, goneRow.id));
  const consent = { consentBasis: "bot" as const, consentRecordedBy: world.adminRow.id, partnerId: world.partner.id };
  const [englishRecord] = await db.insert(contacts).values({ ...consent, fullName: "John Smith", userId: englishRow.id }).returning();
  await db.insert(contacts).values([
    { ...consent, fullName: "Не в боте" },
    { ...consent, fullName: "Гоша Ушедший", userId: goneRow.id },
  ]);
  await world.approve();
  const second = options.secondEvent ? await secondEvent(h, world, adminActor) : undefined;
  h.clock.now = AFTER_THE_EVENT;
  h.telegram.reset();
  const opened = await holdAndOpen(h, adminActor, world.event.id);
  if (second) await holdAndOpen(h, adminActor, second.id);
  const promptOf = async (contactId: number, eventId = world.event.id) =>
    (await db.select().from(feedbackPrompts).where(and(eq(feedbackPrompts.contactId, contactId), eq(feedbackPrompts.eventId, eventId))))[0]!;
  return {
    ...world,
    adminActor,
    english,
    englishRow,
    gone,
    opened,
    prompt: await promptOf(world.contactRecord.id),
    englishPrompt: await promptOf(englishRecord!.id),
    second,
    secondPrompt: second ? await promptOf(world.contactRecord.id, second.id) : undefined,
  };
}

/** A second, approved event with the same partner on 9 December. */
async function secondEvent(h: Harness, world: Awaited<ReturnType<typeof eventWorld>>, adminActor: Parameters<typeof recordOutcome>[1]) {
  const startsAt = new Date(TEN_DECEMBER_15.getTime() - DAY_MS);
  const proposed = await proposeEvent(
    h.database.db,
    { user: world.teacherRow, role: "staff" },
    {
      partnerIds: [world.partner.id],
      format: "excursion",
      title: "Экскурсия в планетарий",
      description: null,
      startsAt,
      endsAt: new Date(startsAt.getTime() + 2 * 3600_000),
      place: null,
      ageFrom: null,
      ageTo: null,
      categories: [],
      expectedParticipants: null,
      responsibleUserId: world.teacherRow.id,
      ownerUnitId: null,
      planItemId: null,
    },
    h.clock.now,
  );
  if (!proposed.ok) throw new Error(proposed.reason);
  const decided = await decideEvent(h.database.db, adminActor, { eventId: proposed.event.id, decision: "approved", comment: null });
  if (!decided.ok) throw new Error(decided.reason);
  return proposed.event;
}
