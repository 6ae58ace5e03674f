import { eq } from "drizzle-orm";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createI18n, type I18n } from "../../src/core/i18n.js";
import { contacts } from "../../src/partners/domain/schema.js";
import { eventConfirmations, eventNotices } from "../../src/events/domain/schema.js";
import { outbox } from "../../src/core/outbox/schema.js";
import { users } from "../../src/core/access/schema.js";
import { OutboxSender } from "../../src/core/outbox/sender.js";
import { decideEvent, proposeEvent, recordOutcome, updateEvent } from "../../src/events/domain/events.js";
import { type Actor, createPartner } from "../../src/partners/domain/partners.js";
import { type EventReminderDeps, sendEventReminders } from "../../src/events/reminders-job.js";
import { eventDraft } from "../helpers/event-drafts.js";
import { createTestDatabase, type TestDatabase } from "../helpers/db.js";
import { fakeApi, FakeTelegram } from "../helpers/fake-telegram.js";
import { failOutboxWrites } from "../helpers/outbox-failure.js";
import { partnerDraft } from "../helpers/partners.js";

let database: TestDatabase;
let i18n: I18n;
let telegram: FakeTelegram;
let deps: EventReminderDeps;
let sender: OutboxSender;
beforeAll(async () => {
  database = await createTestDatabase();
  i18n = await createI18n();
});
afterAll(async () => database.close());
beforeEach(async () => {
  await database.truncate();
  telegram = new FakeTelegram();
  const logger = pino({ level: "silent" });
  // The real outbox sender over the fake Telegram, as the harness has it; its clock is the job's.
  sender = new OutboxSender({ database, api: fakeApi(telegram), logger, now: () => clock.getTime(), perChatIntervalMs: 0, perSecond: 1_000_000 });
  deps = { db: database.db, i18n, logger, defaultLanguage: "ru", timeZone: "Asia/Irkutsk", eventReminderHour: 18, wakeOutbox: () => undefined };
});

let clock = new Date();
/** Runs the job at `now` and delivers what it enqueued. */
async function remind(now: Date) {
  clock = now;
  const result = await sendEventReminders(deps, now);
  await sender.flush();
  return result;
}

/** 10:00 in Irkutsk on 1 December 2026, when the event is proposed. */
const MORNING = new Date("2026-12-01T02:00:00Z");
/** Irkutsk time on 1 December 2026 (UTC+8). */
const irkutsk = (time: string, day = "2026-12-01") => new Date(`${day}T${time}:00+08:00`);

let nextTelegramId = 800_000;
async function person(role: "admin" | "staff" | "partner", language: { language?: string; telegramLanguage?: string } = {}) {
  const [user] = await database.db
    .insert(users)
    .values({ telegramId: nextTelegramId++, firstName: "Мария", role, ...language })
    .returning();
  return user!;
}

async function setting(responsibleLanguage: { language?: string; telegramLanguage?: string } = { telegramLanguage: "ru" }) {
  const admin: Actor = { user: await person("admin"), role: "admin" };
  const responsible = await person("staff", responsibleLanguage);
  const partner = await createPartner(database.db, admin, partnerDraft({ fullName: "Иркутский государственный университет", shortName: "ИГУ", type: "university" }));
  const contact = async (answer: "confirmed" | "declined" | null, language: { language?: string; telegramLanguage?: string } = {}) => {
    const user = await person("partner", language);
    const [row] = await database.db
      .insert(contacts)
      .values({ partnerId: partner.id, fullName: "Ольга Иванова", userId: user.id, consentBasis: "bot", consentRecordedBy: admin.user.id })
      .returning();
    return { user, contactId: row!.id, answer };
  };
  return { admin, responsible, partner, contact };
}

async function approvedEvent(admin: Actor, partnerId: number, responsibleUserId: number, startsAt: Date) {
  const proposed = await proposeEvent(database.db, admin, eventDraft([partnerId], responsibleUserId, startsAt, { title: "Мастер-класс <робототехника>" }), MORNING);
  if (!proposed.ok) throw new Error(proposed.reason);
  const approved = await decideEvent(database.db, admin, { eventId: proposed.event.id, decision: "approved", comment: null });
  if (!approved.ok) throw new Error(approved.reason);
  return approved.event;
}

async function answer(eventId: number, ...answers: { contactId: number; answer: "confirmed" | "declined" | null }[]) {
  for (const a of answers) {
    if (a.answer) await database.db.insert(eventConfirmations).values({ eventId, contactId: a.contactId, answer: a.answer });
  }
}

const messagesTo = (chatId: number) => telegram.sent("sendMessage").filter((m) => m.chat_id === chatId);

describe("day-before event reminders", () => {
  it("go from the configured hour to the responsible person and the contacts who confirmed, once, however often the job runs", async () => {
    const { admin, responsible, partner, contact } = await setting();
    const confirmed = await contact("confirmed");
    const declined = await contact("declined");
    const silent = await contact(null);
    const tomorrow = await approvedEvent(admin, partner.id, responsible.id, irkutsk("15:00", "2026-12-02"));
    await answer(tomorrow.id, confirmed, declined, silent);
    const later = await approvedEvent(admin, partner.id, responsible.id, irkutsk("15:00", "2026-12-03"));
    await answer(later.id, confirmed);

    expect(await remind(irkutsk("17:59"))).toEqual({ queued: 0 });
    const runs = await Promise.all([sendEventReminders(deps, irkutsk("18:00")), sendEventReminders(deps, irkutsk("18:00"))]);
    expect(runs.reduce((sum, r) => sum + r.queued, 0)).toBe(2);
    expect(await database.db.select({ key: outbox.dedupeKey }).from(outbox)).toEqual(
      expect.arrayContaining([
        { key: `event-reminder:${tomorrow.id}:${tomorrow.startsAt.getTime()}:u${responsible.id}` },
        { key: `event-reminder:${tomorrow.id}:${tomorrow.startsAt.getTime()}:u${confirmed.user.id}` },
      ]),
    );
    expect(await remind(irkutsk("18:15"))).toEqual({ queued: 0 });
    expect(await remind(irkutsk("23:45"))).toEqual({ queued: 0 });

    expect(messagesTo(responsible.telegramId)).toHaveLength(1);
    expect(messagesTo(confirmed.user.telegramId)).toHaveLength(1);
    expect(messagesTo(declined.user.telegramId)).toHaveLength(0);
    expect(messagesTo(silent.user.telegramId)).toHaveLength(0);
    const reminder = messagesTo(responsible.telegramId)[0]!;
    expect(reminder.text).toBe(
      "⏰ Напоминаем: завтра мероприятие «Мастер-класс &lt;робототехника&gt;» (Мастер-класс).\nКогда: 2 декабря 2026, 15:00\nГде: Дворец творчества, каб. 12\nПартнёры: ИГУ",
    );
    expect(reminder.reply_markup).toEqual({
      inline_keyboard: [
        [
          { text: "📋 Карточка мероприятия", callback_data: `ev:open:${tomorrow.id}` },
          { text: "📅 В календарь (.ics)", callback_data: `ev:ics:${tomorrow.id}` },
        ],
      ],
    });
    expect(await database.db.select().from(eventNotices)).toHaveLength(2);

    // The next evening it is the later event's turn.
    expect(await remind(irkutsk("18:00", "2026-12-02"))).toEqual({ queued: 2 });
    expect(messagesTo(confirmed.user.telegramId).at(-1)!.text).toContain("3 декабря 2026, 15:00");
  });

  it("are not sent for an event cancelled in the meantime", async () => {
    const { admin, responsible, partner, contact } = await setting();
    const confirmed = await contact("confirmed");
    const event = await approvedEvent(admin, partner.id, responsible.id, irkutsk("15:00", "2026-12-02"));
    await answer(event.id, confirmed);
    const cancelled = await recordOutcome(database.db, admin, event.id, { held: false, reason: "Карантин" }, irkutsk("12:00"));
    expect(cancelled.ok).toBe(true);
    expect(await remind(irkutsk("19:00"))).toEqual({ queued: 0 });
    expect(telegram.sent("sendMessage")).toHaveLength(0);
  });

  it("remind a rescheduled event for its new time only", async () => {
    const { admin, responsible, partner } = await setting();
    const event = await approvedEvent(admin, partner.id, responsible.id, irkutsk("15:00", "2026-12-02"));
    expect(await remind(irkutsk("18:00"))).toEqual({ queued: 1 });

    // Moved to the 4th the same evening: it goes back for approval and is approved again.
    const moved = await updateEvent(database.db, admin, event.id, { startsAt: irkutsk("11:00", "2026-12-04"), endsAt: irkutsk("13:00", "2026-12-04") }, irkutsk("19:00"));
    expect(moved.ok && moved.needsApprovalAgain).toBe(true);
    expect(await remind(irkutsk("19:15"))).toEqual({ queued: 0 });
    expect((await decideEvent(database.db, admin, { eventId: event.id, decision: "approved", comment: null })).ok).toBe(true);
    expect(await remind(irkutsk("18:00", "2026-12-02"))).toEqual({ queued: 0 });
    expect(await remind(irkutsk("18:00", "2026-12-03"))).toEqual({ queued: 1 });
    expect(await remind(irkutsk("18:30", "2026-12-03"))).toEqual({ queued: 0 });
    const texts = messagesTo(responsible.telegramId).map((m) => String(m.text));
    expect(texts).toHaveLength(2);
    expect(texts[1]).toContain("4 декабря 2026, 11:00");
  });

  it("speak each recipient's language, and honour another reminder hour", async () => {
    const { admin, responsible, partner, contact } = await setting({ language: "en", telegramLanguage: "ru" });
    const confirmed = await contact("confirmed", { telegramLanguage: "ru" });
    const event = await approvedEvent(admin, partner.id, responsible.id, irkutsk("15:00", "2026-12-02"));
    await answer(event.id, confirmed);
    deps = { ...deps, eventReminderHour: 9 };
    expect(await remind(irkutsk("08:45"))).toEqual({ queued: 0 });
    expect(await remind(irkutsk("09:00"))).toEqual({ queued: 2 });
    expect(messagesTo(responsible.telegramId)[0]!.text).toBe(
      "⏰ A reminder: “Мастер-класс &lt;робототехника&gt;” (Master class) is tomorrow.\nWhen: 2 December 2026, 15:00\nWhere: Дворец творчества, каб. 12\nPartners: ИГУ",
    );
    expect(messagesTo(confirmed.user.telegramId)[0]!.text).toContain("⏰ Напоминаем: завтра мероприятие");
  });

  it("go out once: a contact who blocked the bot does not stop the others and is not reminded again", async () => {
    const { admin, responsible, partner, contact } = await setting();
    const blocking = await contact("confirmed");
    const confirmed = await contact("confirmed");
    const event = await approvedEvent(admin, partner.id, responsible.id, irkutsk("15:00", "2026-12-02"));
    await answer(event.id, blocking, confirmed);
    telegram.block(blocking.user.telegramId);
    expect(await remind(irkutsk("18:00"))).toEqual({ queued: 3 });
    expect(messagesTo(responsible.telegramId)).toHaveLength(1);
    expect(messagesTo(confirmed.user.telegramId)).toHaveLength(1);
    expect(messagesTo(blocking.user.telegramId)).toHaveLength(0);
    expect(await remind(irkutsk("18:15"))).toEqual({ queued: 0 });
    expect(await remind(irkutsk("21:00"))).toEqual({ queued: 0 });
    expect(telegram.calls.filter((c) => c.method === "sendMessage" && c.payload.chat_id === blocking.user.telegramId)).toHaveLength(1);
    expect((await database.db.select({ userId: eventNotices.userId }).from(eventNotices)).map((n) => n.userId).sort()).toEqual(
      [responsible.id, blocking.user.id, confirmed.user.id].sort(),
    );
    expect(await database.db.select({ status: outbox.status }).from(outbox).where(eq(outbox.chatId, blocking.user.telegramId))).toEqual([
      { status: "blocked" },
    ]);
  });

  it("claim a reminder only together with its message, and keep a reminder Telegram failed for the outbox to retry", async () => {
    const { admin, responsible, partner, contact } = await setting();
    const confirmed = await contact("confirmed");
    const event = await approvedEvent(admin, partner.id, responsible.id, irkutsk("15:00", "2026-12-02"));
    await answer(event.id, confirmed);
    const undo = await failOutboxWrites(database.db, confirmed.user.telegramId);
    try {
      expect(await remind(irkutsk("18:00"))).toEqual({ queued: 1 });
    } finally {
      await undo();
    }
    expect((await database.db.select({ userId: eventNotices.userId }).from(eventNotices)).map((n) => n.userId)).toEqual([responsible.id]);
    telegram.failNext("sendMessage", { error_code: 500, description: "Internal Server Error" });
    expect(await remind(irkutsk("18:15"))).toEqual({ queued: 1 });
    expect(messagesTo(confirmed.user.telegramId)).toHaveLength(0);
    expect(await remind(irkutsk("18:30"))).toEqual({ queued: 0 });
    expect(messagesTo(confirmed.user.telegramId)).toHaveLength(1);
    expect(messagesTo(responsible.telegramId)).toHaveLength(1);
  });
});
