import { eq } from "drizzle-orm";
import { pino } from "pino";
import type { BotDeps } from "../../src/core/context.js";
import { enqueueApprovalRequests, enqueuePartnerRequests } from "../../src/events/notices.js";
import { noticeDepsOf } from "../../src/core/outbox/notices.js";
import type { JobDeps } from "../../src/core/job.js";
import { contacts } from "../../src/partners/domain/schema.js";
import { users } from "../../src/core/access/schema.js";
import { type EventDraft, decideEvent, proposeEvent } from "../../src/events/domain/events.js";
import { createPartner } from "../../src/partners/domain/partners.js";
import { registered } from "./bot-people.js";
import type { Harness } from "./harness.js";
import { partnerDraft } from "./partners.js";
import { makeUser, press, privateChat, type TestUser } from "./updates.js";

/** The bot's deps as the harness builds them, for calling notices directly. */
export function botDeps(h: Harness): BotDeps {
  return { config: h.config, db: h.database.db, logger: pino({ level: "silent" }), i18n: h.i18n, now: () => h.clock.now, wakeOutbox: () => undefined };
}

/** The scheduler's deps as the app builds them, over the harness's database, clock and config. */
export function jobDeps(h: Harness): JobDeps {
  return {
    db: h.database.db,
    logger: pino({ level: "silent" }),
    timeZone: h.config.timeZone,
    now: () => h.clock.now,
    i18n: h.i18n,
    defaultLanguage: h.config.defaultLanguage,
    eventReminderHour: h.config.eventReminderHour,
    feedback: h.config.feedback,
    wakeOutbox: () => undefined,
  };
}

/** The deciders' approval requests for an event, as a proposal sends them, delivered. */
export async function askDeciders(h: Harness, eventId: number): Promise<void> {
  await h.database.db.transaction((tx) => enqueueApprovalRequests(tx, noticeDepsOf(h), eventId));
  await h.flushOutbox();
}

/** The partner contacts' requests for an approved event, as an approval sends them, delivered. */
export async function askPartners(h: Harness, eventId: number): Promise<void> {
  await h.database.db.transaction((tx) => enqueuePartnerRequests(tx, noticeDepsOf(h), eventId));
  await h.flushOutbox();
}

export const TEN_DECEMBER_15 = new Date("2026-12-10T07:00:00Z"); // 15:00 in Irkutsk

/**
 * An admin (a decider), a teacher who proposes and answers for the event, a staff colleague, a
 * partner (СОШ № 5) with a contact linked in the bot, another partner with its own contact, and
 * a proposed master class on 10 December 15:00–17:00 (Irkutsk).
 */
export async function eventWorld(h: Harness, language: "ru" | "en" = "ru", overrides: Partial<EventDraft> = {}) {
  const db = h.database.db;
  const admin = h.admin;
  const adminRow = await registered(h, admin, "admin");
  const teacher = makeUser({ first_name: "Мария", last_name: "Петрова", language_code: language });
  const teacherRow = await registered(h, teacher, "staff");
  const colleague = makeUser({ first_name: "Олег", last_name: "Сидоров", language_code: language });
  const colleagueRow = await registered(h, colleague, "staff");
  const contact = makeUser({ first_name: "Ирина", last_name: "Смирнова", language_code: language });
  const contactRow = await registered(h, contact, "partner");
  const stranger = makeUser({ first_name: "Пётр", last_name: "Чужой", language_code: language });
  const strangerRow = await registered(h, stranger, "partner");
  await db.update(users).set({ language }).where(eq(users.id, adminRow.id));

  const adminActor = { user: { ...adminRow, language }, role: "admin" as const };
  const partner = await createPartner(db, adminActor, partnerDraft());
  const otherPartner = await createPartner(db, adminActor, partnerDraft({ fullName: "Лицей № 2", shortName: "Лицей № 2" }));
  const link = async (partnerId: number, userId: number, fullName: string) => {
    const [row] = await db
      .insert(contacts)
      .values({ partnerId, fullName, userId, consentBasis: "bot", consentRecordedBy: adminRow.id })
      .returning();
    return row!;
  };
  const contactRecord = await link(partner.id, contactRow.id, "Ирина Смирнова");
  await link(otherPartner.id, strangerRow.id, "Пётр Чужой");

  const proposed = await proposeEvent(
    db,
    { user: teacherRow, role: "staff" },
    {
      partnerIds: [partner.id],
      format: "master_class",
      title: "Мастер-класс по робототехнике",
      description: null,
      startsAt: TEN_DECEMBER_15,
      endsAt: new Date(TEN_DECEMBER_15.getTime() + 2 * 3600_000),
      place: "Дворец творчества, каб. 12",
      ageFrom: 10,
      ageTo: 14,
      categories: ["gifted", "career_guidance"],
      expectedParticipants: 20,
      responsibleUserId: teacherRow.id,
      ownerUnitId: null,
      planItemId: null,
      ...overrides,
    },
    h.clock.now,
  );
  if (!proposed.ok) throw new Error(proposed.reason);
  const event = proposed.event;
  const approve = async () => {
    const result = await decideEvent(db, adminActor, { eventId: event.id, decision: "approved", comment: null });
    if (!result.ok) throw new Error(result.reason);
  };
  return { admin, adminRow, teacher, teacherRow, colleague, colleagueRow, contact, contactRow, contactRecord, stranger, partner, otherPartner, event, approve };
}

/** The answer the bot gave to the last callback query a user sent. */
export function lastAnswer(h: Harness) {
  return h.telegram.sent("answerCallbackQuery").at(-1) as { text?: string; show_alert?: boolean } | undefined;
}

/** A press of a button with this data under some message in the user's chat: how forged data arrives. */
export function pressIn(user: TestUser, data: string) {
  return press(user, data, { message_id: 1, chat: privateChat(user) });
}

