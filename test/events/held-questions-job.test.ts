import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eventNotices, events } from "../../src/events/domain/schema.js";
import { outbox } from "../../src/core/outbox/schema.js";
import { getEvent } from "../../src/events/domain/events.js";
import { askHeldQuestions } from "../../src/events/held-questions-job.js";
import { eventWorld, jobDeps, lastAnswer, pressIn } from "../helpers/event-world.js";
import { createHarness, type Harness } from "../helpers/harness.js";
import { failOutboxWrites } from "../helpers/outbox-failure.js";
import { text, type TestUser } from "../helpers/updates.js";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

const last = (user: TestUser) => h.telegram.lastMessageTo(user.id);
const say = (user: TestUser, body: string) => h.send(text(user, body));
const askOnly = () => askHeldQuestions(jobDeps(h), h.clock.now);
/** Runs the job and delivers what it enqueued. */
const runJob = async () => {
  const result = await askOnly();
  await h.flushOutbox();
  return result;
};
const heldQuestionsTo = (user: TestUser) => h.telegram.textsTo(user.id).filter((t) => t.startsWith("📋"));

/** 10 December 17:30 in Irkutsk: half an hour after the master class ended. */
const AFTER_THE_EVENT = new Date("2026-12-10T09:30:00Z");

describe("was it held?", () => {
  it("is asked once, after the end, even when the job runs twice at the same time", async () => {
    const { teacher, teacherRow, event, approve } = await eventWorld(h);
    await approve();
    h.clock.now = new Date("2026-12-10T08:59:00Z");
    expect(await runJob()).toEqual({ asked: 0 });
    h.clock.now = AFTER_THE_EVENT;
    const results = await Promise.all([askOnly(), askOnly()]);
    expect(results.reduce((sum, r) => sum + r.asked, 0)).toBe(1);
    expect(await runJob()).toEqual({ asked: 0 });
    expect(await h.database.db.select({ dedupeKey: outbox.dedupeKey }).from(outbox).where(eq(outbox.chatId, teacher.id))).toEqual([
      { dedupeKey: `held-question:${event.id}:${event.startsAt.getTime()}:u${teacherRow.id}` },
    ]);
    expect(heldQuestionsTo(teacher)).toEqual(["📋 Мероприятие «Мастер-класс по робототехнике» (10 декабря 2026, 15:00) завершилось. Оно состоялось?"]);
    expect(last(teacher).buttons.map((b) => b.data)).toEqual([`eh:yes:${event.id}`, `eh:no:${event.id}`, `ev:open:${event.id}`]);
    expect(await h.database.db.select().from(eventNotices)).toEqual([
      expect.objectContaining({ eventId: event.id, kind: "held_question", forStartsAt: event.startsAt, delivered: true }),
    ]);
  });

  it("records participants by category and a result in Russian, re-asking bad numbers and all zeros", async () => {
    const { teacher, colleague, event, approve } = await eventWorld(h);
    await approve();
    h.clock.now = AFTER_THE_EVENT;
    await runJob();
    await h.send(pressIn(colleague, `eh:yes:${event.id}`));
    expect(lastAnswer(h)).toMatchObject({ text: "Это действие вам недоступно.", show_alert: true });
    await h.pressButton(teacher, `eh:yes:${event.id}`);
    expect(last(teacher).text).toBe(
      "Отметим итоги мероприятия «Мастер-класс по робототехнике».\n\nСколько участвовало одарённых детей? Напишите целое число от 0 до 5000.",
    );
    for (const n of ["0", "0", "0", "0"]) await say(teacher, n);
    // A refused answer is one message: the reason, with the question it starts over from.
    expect(last(teacher).text).toBe(
      "Все четыре числа равны нулю, а у проведённого мероприятия есть участники. Давайте посчитаем заново.\n\n" +
        "Сколько участвовало одарённых детей? Напишите целое число от 0 до 5000.",
    );
    await say(teacher, "12");
    const sentBefore = h.telegram.textsTo(teacher.id).length;
    await say(teacher, "много");
    expect(h.telegram.textsTo(teacher.id).slice(sentBefore)).toEqual(["Напишите, пожалуйста, целое число от 0 до 5000, например 12."]);
    await say(teacher, "100000");
    expect(last(teacher).text).toBe("Напишите, пожалуйста, целое число от 0 до 5000, например 12.");
    await say(teacher, "3");
    await say(teacher, "5");
    await say(teacher, "1");
    expect(last(teacher).text).toContain("Каким получился результат?");
    const callsBefore = h.telegram.calls.length;
    await say(teacher, "Собрали трёх роботов, двое ребят записались в кружок");
    // Two messages: what was recorded with the participants' link, then the QR code with the way to the card.
    const toTeacher = h.telegram.calls.slice(callsBefore).filter((c) => !c.error && Number(c.payload.chat_id) === teacher.id && c.method.startsWith("send"));
    expect(toTeacher.map((c) => c.method)).toEqual(["sendMessage", "sendPhoto"]);
    const done = String(toTeacher[0]!.payload.text);
    expect(done).toContain(
      "Спасибо! Мероприятие отмечено как проведённое: 21 участник.\n\n" +
        "Контактным лицам партнёров отправлен опрос об удовлетворённости (получателей: 1). Итоги придут вам, когда опрос закроется.\n\n" +
        "👥 <b>Отзывы участников</b>\n",
    );
    expect(done).toContain("Ссылка для участников:\nhttps://t.me/palace_partners_bot?start=pf_");
    expect(toTeacher[1]!.payload.reply_markup).toMatchObject({ inline_keyboard: [[{ callback_data: `ev:open:${event.id}` }]] });
    await h.send(pressIn(teacher, `ev:open:${event.id}`));
    expect(last(teacher).text).toContain("<b>Статус:</b> 🏁 проведено");
    expect(last(teacher).text).toContain(
      "Участвовал 21 человек (одарённые — 12, с ОВЗ — 3, профориентация 15–17 — 5, другие — 1)\nРезультат: Собрали трёх роботов, двое ребят записались в кружок",
    );
    expect(await getEvent(h.database.db, event.id)).toMatchObject({
      status: "held",
      participantsGifted: 12,
      participantsDisabilities: 3,
      participantsCareerGuidance: 5,
      participantsOther: 1,
      result: "Собрали трёх роботов, двое ребят записались в кружок",
    });
    await h.send(pressIn(teacher, `eh:no:${event.id}`));
    expect(lastAnswer(h)).toMatchObject({ text: "Итоги этого мероприятия уже отмечены (статус: 🏁 проведено).", show_alert: true });
    h.expectAllCallbacksAnswered();
  });

  it.each([
    ["ru", "Запись итогов прервана: слишком много шагов туда и обратно. Ничего не сохранено — начните, пожалуйста, заново из карточки мероприятия."],
    ["en", "Recording the results was stopped: too many steps back and forth. Nothing was saved — please start again from the event card."],
  ] as const)("closes a results form that goes round too long in its own words, saving nothing (%s)", async (language, closing) => {
    const { teacher, event, approve } = await eventWorld(h, language);
    await approve();
    h.clock.now = AFTER_THE_EVENT;
    await h.send(pressIn(teacher, `eh:yes:${event.id}`));
    for (let i = 0; i < 60; i++) await say(teacher, "много");
    expect(last(teacher).text).toBe(closing);
    expect(await getEvent(h.database.db, event.id)).toMatchObject({ status: "approved", participantsGifted: null });
    // The dialog is over: the next text is not taken as a count.
    await say(teacher, "5");
    expect(await getEvent(h.database.db, event.id)).toMatchObject({ status: "approved" });
  });

  it("marks an event that was not held as cancelled, with the reason, in English", async () => {
    const { teacher, event, approve } = await eventWorld(h, "en");
    await approve();
    h.clock.now = AFTER_THE_EVENT;
    await runJob();
    expect(last(teacher).text).toBe("📋 The event “Мастер-класс по робототехнике” (10 December 2026, 15:00) has ended. Was it held?");
    // The card offers the same question after the end.
    await h.pressButton(teacher, `ev:open:${event.id}`);
    expect(last(teacher).buttons.map((b) => b.data)).toEqual([`ev:outcome:${event.id}`, `ev:ics:${event.id}`]);
    await h.pressButton(teacher, `ev:outcome:${event.id}`);
    expect(last(teacher).text).toBe("📋 The event “Мастер-класс по робототехнике” (10 December 2026, 15:00) has ended. Was it held?");
    await h.pressButton(teacher, `eh:no:${event.id}`);
    expect(last(teacher).text).toContain("Why was “Мастер-класс по робототехнике” not held?");
    await say(teacher, "The school bus broke down");
    expect(h.telegram.textsTo(teacher.id).at(-2)).toBe("Recorded: the event was not held and is marked as cancelled.");
    expect(last(teacher).text).toContain("<b>Status:</b> 🚫 cancelled\nReason: The school bus broke down");
    expect(await getEvent(h.database.db, event.id)).toMatchObject({ status: "cancelled", cancelReason: "The school bus broke down" });
    h.expectAllCallbacksAnswered();
  });

  it("is not asked about cancelled, rejected or never-approved events; Telegram's failures are retried by the outbox, not asked twice", async () => {
    const { teacher, event, approve } = await eventWorld(h);
    h.clock.now = AFTER_THE_EVENT;
    expect(await runJob()).toEqual({ asked: 0 });
    await approve();
    await h.database.db.update(events).set({ status: "cancelled", cancelReason: "Карантин" }).where(eq(events.id, event.id));
    expect(await runJob()).toEqual({ asked: 0 });
    expect(heldQuestionsTo(teacher)).toEqual([]);

    await h.database.db.update(events).set({ status: "approved" }).where(eq(events.id, event.id));
    h.telegram.failNext("sendMessage", { error_code: 502, description: "Bad Gateway" });
    expect(await runJob()).toEqual({ asked: 1 });
    expect(heldQuestionsTo(teacher)).toEqual([]);
    expect(await runJob()).toEqual({ asked: 0 });
    h.clock.now = new Date(AFTER_THE_EVENT.getTime() + 60_000);
    await h.flushOutbox();
    expect(heldQuestionsTo(teacher)).toHaveLength(1);
    expect(await h.database.db.select().from(eventNotices)).toHaveLength(1);
  });

  it("is asked once of someone who blocked the bot, and the question written together with its claim", async () => {
    const { teacher, event, approve } = await eventWorld(h, "en");
    await approve();
    h.clock.now = AFTER_THE_EVENT;
    const undo = await failOutboxWrites(h.database.db, teacher.id);
    try {
      expect(await runJob()).toEqual({ asked: 0 });
    } finally {
      await undo();
    }
    // The question could not be written, so nothing was claimed: the next run asks.
    expect(await h.database.db.select().from(eventNotices)).toEqual([]);
    h.telegram.block(teacher.id);
    expect(await runJob()).toEqual({ asked: 1 });
    expect(await runJob()).toEqual({ asked: 0 });
    expect(heldQuestionsTo(teacher)).toEqual([]);
    expect(await h.database.db.select({ status: outbox.status }).from(outbox).where(eq(outbox.chatId, teacher.id))).toEqual([{ status: "blocked" }]);
    expect(await h.database.db.select().from(eventNotices)).toEqual([expect.objectContaining({ eventId: event.id, kind: "held_question" })]);
  });
});
