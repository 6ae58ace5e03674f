import { eq } from "drizzle-orm";
import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { events } from "../../src/events/domain/schema.js";
import { feedbackPrompts, feedbackRounds, participantFeedback } from "../../src/feedback/domain/schema.js";
import { outbox } from "../../src/core/outbox/schema.js";
import { users } from "../../src/core/access/schema.js";
import { alertAbandonedLowRatings, closeFeedbackRounds, type FeedbackCloseDeps } from "../../src/feedback/close-job.js";
import { addContact, addParticipant, addPrompt, AFTER_THE_EVENT, heldEventWithRound } from "../helpers/feedback-rows.js";
import { createHarness, type Harness } from "../helpers/harness.js";
import type { TestUser } from "../helpers/updates.js";

let h: Harness;
let wakes = 0;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());
beforeEach(async () => {
  await h.reset();
  wakes = 0;
});

function deps(): FeedbackCloseDeps {
  return {
    db: h.database.db,
    logger: pino({ level: "silent" }),
    i18n: h.i18n,
    defaultLanguage: h.config.defaultLanguage,
    timeZone: h.config.timeZone,
    wakeOutbox: () => {
      wakes++;
    },
  };
}
const close = () => closeFeedbackRounds(deps(), h.clock.now);
const alert = () => alertAbandonedLowRatings(deps(), h.clock.now);
const minutesAfter = (minutes: number) => new Date(AFTER_THE_EVENT.getTime() + minutes * 60_000);
const summariesTo = (user: TestUser) => h.telegram.textsTo(user.id).filter((t) => t.startsWith("📊"));
const alertsTo = (user: TestUser) => h.telegram.textsTo(user.id).filter((t) => t.startsWith("⚠️"));

describe("closing feedback rounds", () => {
  it("sends the summary once, when the prompts close, to the responsible person and the proposer in their languages", async () => {
    const world = await heldEventWithRound(h, "ru");
    const { teacher, colleague, colleagueRow, contact, admin, event, partner, contactRecord, promptsCloseAt } = world;
    const db = h.database.db;
    // The colleague answers for the event and reads English; the teacher proposed it.
    await db.update(events).set({ responsibleUserId: colleagueRow.id }).where(eq(events.id, event.id));
    await db.update(users).set({ language: "en" }).where(eq(users.id, colleagueRow.id));
    await addPrompt(db, { eventId: event.id, partnerId: partner.id, contactId: contactRecord.id, rating: 5, followUp: "yes", wentWell: "Спасибо!", answeredAt: minutesAfter(10) });
    await addParticipant(db, { eventId: event.id, rating: 4, role: "student" });

    h.clock.now = new Date(promptsCloseAt.getTime() - 60_000);
    expect(await close()).toEqual({ closed: 0, enqueued: 0 });
    h.clock.now = promptsCloseAt;
    const runs = await Promise.all([close(), close()]);
    expect(runs.reduce((sum, r) => sum + r.closed, 0)).toBe(1);
    expect(runs.reduce((sum, r) => sum + r.enqueued, 0)).toBe(2);
    expect(await close()).toEqual({ closed: 0, enqueued: 0 });
    h.clock.now = new Date(promptsCloseAt.getTime() + 15 * 60_000);
    expect(await close()).toEqual({ closed: 0, enqueued: 0 });
    expect(wakes).toBe(1);
    await h.flushOutbox();

    expect(summariesTo(teacher)).toHaveLength(1);
    expect(summariesTo(colleague)).toHaveLength(1);
    expect(summariesTo(contact)).toHaveLength(0);
    expect(summariesTo(admin)).toHaveLength(0);
    expect(summariesTo(teacher)[0]).toBe(
      [
        "📊 <b>Итоги отзывов о мероприятии «Мастер-класс по робототехнике»</b>",
        "10 декабря 2026, 15:00",
        "Приём отзывов партнёров завершён.",
        "",
        "<b>Партнёры</b>",
        "Ответили: 1 из 1 (100 %)",
        "Средняя оценка: <b>5,0</b> из 5",
        "5 ★ ▇▇▇▇▇▇▇▇▇▇ 1",
        "4 ★ 0",
        "3 ★ 0",
        "2 ★ 0",
        "1 ★ 0",
        "Готовы провести ещё одно совместное мероприятие: да — 1, возможно — 0, нет — 0",
        "<i>Что получилось:</i>",
        "• СОШ № 5, Ирина Смирнова: «Спасибо!»",
        "",
        "<b>Участники</b> (анонимно)",
        "Ответов: 1",
        "Средняя оценка: <b>4,0</b> из 5",
        "5 ★ 0",
        "4 ★ ▇▇▇▇▇▇▇▇▇▇ 1",
        "3 ★ 0",
        "2 ★ 0",
        "1 ★ 0",
        "Кто отвечал: учащиеся — 1",
      ].join("\n"),
    );
    expect(summariesTo(colleague)[0]).toMatch(
      /^📊 <b>Feedback results for “Мастер-класс по робототехнике”<\/b>\n10 December 2026, 15:00\nPartner feedback is now closed\.\n\n<b>Partners<\/b>\nAnswered: 1 of 1 \(100%\)\nAverage rating: <b>5\.0<\/b> out of 5\n/,
    );
    expect(h.telegram.lastMessageTo(teacher.id).buttons.map((b) => b.data)).toEqual([`ev:open:${event.id}`]);

    const [round] = await db.select().from(feedbackRounds).where(eq(feedbackRounds.eventId, event.id));
    expect(round!.summarySentAt).toEqual(promptsCloseAt);
    const keys = (await db.select({ key: outbox.dedupeKey }).from(outbox)).map((r) => r.key).filter((k) => k?.startsWith("fbsummary:"));
    expect(keys.sort()).toEqual([`fbsummary:${event.id}:u${colleagueRow.id}`, `fbsummary:${event.id}:u${world.teacherRow.id}`].sort());
  });

  it("closes a round nobody answered with a 'no feedback' summary, once, to one person when both roles are theirs", async () => {
    const { teacher, teacherRow, event, promptsCloseAt } = await heldEventWithRound(h, "en");
    h.clock.now = promptsCloseAt;
    expect(await close()).toEqual({ closed: 1, enqueued: 1 });
    expect(await close()).toEqual({ closed: 0, enqueued: 0 });
    await h.flushOutbox();
    expect(summariesTo(teacher)).toEqual([
      [
        "📊 <b>Feedback results for “Мастер-класс по робототехнике”</b>",
        "10 December 2026, 15:00",
        "Partner feedback is now closed.",
        "",
        "No feedback yet.",
        "",
        "<b>Partners</b>",
        "Partners were not asked: none of their contacts is connected to the bot.",
        "",
        "<b>Participants</b> (anonymous)",
        "No participant has answered yet.",
      ].join("\n"),
    ]);
    const keys = (await h.database.db.select({ key: outbox.dedupeKey }).from(outbox)).map((r) => r.key).filter((k) => k?.startsWith("fbsummary:"));
    expect(keys).toEqual([`fbsummary:${event.id}:u${teacherRow.id}`]);
  });
});

describe("abandoned low ratings", () => {
  it("are alerted once, with whatever comment exists, after 30 minutes without a change", async () => {
    const { teacher, admin, contact, event, partner, contactRecord, adminRow } = await heldEventWithRound(h, "ru");
    const db = h.database.db;
    const olga = await addContact(db, partner.id, "Ольга Молчанова", adminRow.id);
    const kate = await addContact(db, partner.id, "Екатерина Добрая", adminRow.id);
    const base = { eventId: event.id, partnerId: partner.id };
    h.clock.now = minutesAfter(60);
    // Rated 2 fifty minutes ago, wrote what to improve, then stopped.
    const abandoned = await addPrompt(db, { ...base, contactId: contactRecord.id, rating: 2, improve: "Не хватило <ноутбуков>", createdAt: minutesAfter(0), answeredAt: minutesAfter(9), updatedAt: minutesAfter(10) });
    // Rated 1 ten minutes ago: perhaps still writing.
    const fresh = await addPrompt(db, { ...base, contactId: olga.id, rating: 1, createdAt: minutesAfter(0), answeredAt: minutesAfter(50) });
    // A good rating and an already alerted one: nothing to do.
    await addPrompt(db, { ...base, contactId: kate.id, rating: 4, createdAt: minutesAfter(0), answeredAt: minutesAfter(1) });
    await addPrompt(db, { ...base, contactId: null, rating: 1, createdAt: minutesAfter(0), answeredAt: minutesAfter(1), alertedAt: minutesAfter(2) });
    // Participants: one old without a comment, one fresh.
    const silent = await addParticipant(db, { eventId: event.id, rating: 1, createdAt: minutesAfter(5) });
    await addParticipant(db, { eventId: event.id, rating: 2, comment: "Скучно", createdAt: minutesAfter(45) });

    const runs = await Promise.all([alert(), alert()]);
    expect(runs.reduce((sum, r) => sum + r.alerted, 0)).toBe(2);
    expect(await alert()).toEqual({ alerted: 0 });
    await h.flushOutbox();
    for (const user of [teacher, admin]) {
      expect(alertsTo(user)).toEqual([
        [
          "⚠️ <b>Низкая оценка: 2 из 5</b>",
          "Мероприятие «Мастер-класс по робототехнике», 10 декабря 2026, 15:00.",
          "Отзыв партнёра: СОШ № 5 (Ирина Смирнова).",
          "Комментарий: «Не хватило &lt;ноутбуков&gt;»",
        ].join("\n"),
        [
          "⚠️ <b>Низкая оценка: 1 из 5</b>",
          "Мероприятие «Мастер-класс по робототехнике», 10 декабря 2026, 15:00.",
          "Анонимный отзыв участника.",
          "Комментария нет.",
        ].join("\n"),
      ]);
    }
    expect(alertsTo(contact)).toEqual([]);
    // The two runs at once claim rows one by one and may share the work: each run that alerted
    // wakes the outbox once, and every alert above went out once.
    expect(wakes).toBe(runs.filter((r) => r.alerted > 0).length);
    const alerted = async () => (await db.select({ id: feedbackPrompts.id, alertedAt: feedbackPrompts.alertedAt }).from(feedbackPrompts)).filter((p) => p.alertedAt);
    expect((await alerted()).map((p) => p.id)).toContain(abandoned.id);
    expect((await alerted()).map((p) => p.id)).not.toContain(fresh.id);
    const [silentNow] = await db.select().from(participantFeedback).where(eq(participantFeedback.id, silent.id));
    expect(silentNow!.alertedAt).toEqual(h.clock.now);

    // Half an hour later the fresh ones are abandoned too.
    h.clock.now = minutesAfter(90);
    expect(await alert()).toEqual({ alerted: 2 });
    expect(await alert()).toEqual({ alerted: 0 });
    await h.flushOutbox();
    expect(alertsTo(teacher)).toHaveLength(4);
    expect(alertsTo(teacher)[2]).toContain("Отзыв партнёра: СОШ № 5 (Ольга Молчанова).\nКомментария нет.");
    expect(alertsTo(teacher)[3]).toContain("Анонимный отзыв участника.\nКомментарий: «Скучно»");
  });

  it("are not alerted when the rating was raised meanwhile, and speak English to English speakers", async () => {
    const { teacher, event, partner, contactRecord } = await heldEventWithRound(h, "en");
    const db = h.database.db;
    h.clock.now = minutesAfter(60);
    const raised = await addPrompt(db, { eventId: event.id, partnerId: partner.id, contactId: contactRecord.id, rating: 2, wentWell: "The robots", createdAt: minutesAfter(0), answeredAt: minutesAfter(5) });
    await db.update(feedbackPrompts).set({ rating: 3, updatedAt: minutesAfter(6) }).where(eq(feedbackPrompts.id, raised.id));
    expect(await alert()).toEqual({ alerted: 0 });
    await db.update(feedbackPrompts).set({ rating: 2 }).where(eq(feedbackPrompts.id, raised.id));
    expect(await alert()).toEqual({ alerted: 1 });
    await h.flushOutbox();
    expect(alertsTo(teacher)).toEqual([
      [
        "⚠️ <b>Low rating: 2 out of 5</b>",
        "Event “Мастер-класс по робототехнике”, 10 December 2026, 15:00.",
        "Feedback from a partner: СОШ № 5 (Ирина Смирнова).",
        "Comment: “The robots”",
      ].join("\n"),
    ]);
    expect(await h.database.db.select().from(participantFeedback)).toEqual([]);
  });
});
