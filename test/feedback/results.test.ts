import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { feedbackRounds } from "../../src/feedback/domain/schema.js";
import { units } from "../../src/core/access/units-schema.js";
import { proposeEvent } from "../../src/events/domain/events.js";
import { openPartnerCard } from "../helpers/bot-people.js";
import { eventDraft } from "../helpers/event-drafts.js";
import { lastAnswer, pressIn } from "../helpers/event-world.js";
import { addContact, addParticipant, addPrompt, AFTER_THE_EVENT, heldEventWithRound } from "../helpers/feedback-rows.js";
import { createHarness, type Harness } from "../helpers/harness.js";
import { command, type TestUser } from "../helpers/updates.js";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

const last = (user: TestUser) => h.telegram.lastMessageTo(user.id);
const at = (minutes: number) => new Date(AFTER_THE_EVENT.getTime() + minutes * 60_000);

/** Three of four partner contacts answered; four participants did. */
async function answered(language: "ru" | "en", overrides: Parameters<typeof heldEventWithRound>[2] = {}) {
  const world = await heldEventWithRound(h, language, overrides);
  const db = h.database.db;
  const { event, partner, contactRecord, adminRow } = world;
  const olga = await addContact(db, partner.id, "Ольга Молчанова", adminRow.id);
  const pavel = await addContact(db, partner.id, "Павел Орлов", adminRow.id);
  const nina = await addContact(db, partner.id, "Нина Тихая", adminRow.id);
  const base = { eventId: event.id, partnerId: partner.id };
  await addPrompt(db, { ...base, contactId: contactRecord.id, rating: 5, followUp: "yes", wentWell: "Роботы <ожили>", improve: "Больше времени", answeredAt: at(5) });
  await addPrompt(db, { ...base, contactId: olga.id, rating: 4, followUp: "maybe", answeredAt: at(6) });
  await addPrompt(db, { ...base, contactId: pavel.id, rating: 2, followUp: "no", improve: "Шумно в зале", answeredAt: at(7) });
  await addPrompt(db, { ...base, contactId: nina.id });
  await addParticipant(db, { eventId: event.id, rating: 5, comment: "Очень понравилось!", role: "student", ageGroup: "11_14" });
  await addParticipant(db, { eventId: event.id, rating: 5, role: "student", ageGroup: "11_14" });
  await addParticipant(db, { eventId: event.id, rating: 4, role: "parent", ageGroup: "18_plus" });
  await addParticipant(db, { eventId: event.id, rating: 3 });
  return world;
}

describe("the feedback results button", () => {
  it("shows the summary to the responsible person from the event card, in Russian", async () => {
    const { teacher, admin, event } = await answered("ru");
    h.clock.now = at(60);
    await h.send(pressIn(teacher, `ev:open:${event.id}`));
    expect(last(teacher).buttons).toContainEqual({ text: "📊 Итоги отзывов", data: `fr:show:${event.id}` });
    await h.pressButton(teacher, `fr:show:${event.id}`);
    expect(last(teacher).text).toBe(
      [
        "📊 <b>Отзывы о мероприятии «Мастер-класс по робототехнике»</b>",
        "10 декабря 2026, 15:00",
        "Отзывы партнёров принимаются до 24 декабря 2026, 17:30.",
        "",
        "<b>Партнёры</b>",
        "Ответили: 3 из 4 (75 %)",
        "Средняя оценка: <b>3,7</b> из 5",
        "5 ★ ▇▇▇▇▇▇▇▇▇▇ 1",
        "4 ★ ▇▇▇▇▇▇▇▇▇▇ 1",
        "3 ★ 0",
        "2 ★ ▇▇▇▇▇▇▇▇▇▇ 1",
        "1 ★ 0",
        "Готовы провести ещё одно совместное мероприятие: да — 1, возможно — 1, нет — 1",
        "<i>Что получилось:</i>",
        "• СОШ № 5, Ирина Смирнова: «Роботы &lt;ожили&gt;»",
        "<i>Что улучшить:</i>",
        "• СОШ № 5, Ирина Смирнова: «Больше времени»",
        "• СОШ № 5, Павел Орлов: «Шумно в зале»",
        "",
        "<b>Участники</b> (анонимно)",
        "Ответов: 4",
        "Средняя оценка: <b>4,3</b> из 5",
        "5 ★ ▇▇▇▇▇▇▇▇▇▇ 2",
        "4 ★ ▇▇▇▇▇ 1",
        "3 ★ ▇▇▇▇▇ 1",
        "2 ★ 0",
        "1 ★ 0",
        "Кто отвечал: учащиеся — 2, родители — 1, не указали — 1",
        "Возраст: 11–14 лет — 2, 18 лет и старше — 1, не указан — 1",
        "<i>Комментарии участников:</i>",
        "• 5 ★ «Очень понравилось!»",
      ].join("\n"),
    );
    expect(last(teacher).buttons.map((b) => b.data)).toEqual([`ev:open:${event.id}`]);

    // A decider runs the event too; after the prompts close the summary says so.
    h.clock.now = new Date("2026-12-25T00:00:00Z");
    await h.send(pressIn(admin, `fr:show:${event.id}`));
    expect(last(admin).text).toMatch(/^📊 <b>Итоги отзывов о мероприятии «Мастер-класс по робототехнике»<\/b>\n10 декабря 2026, 15:00\nПриём отзывов партнёров завершён\.\n\n<b>Партнёры<\/b>/);
    h.expectAllCallbacksAnswered();
  });

  it("says there is no feedback yet, then shows the answers, in English", async () => {
    const { teacher, event, partner, contactRecord } = await heldEventWithRound(h, "en");
    await addPrompt(h.database.db, { eventId: event.id, partnerId: partner.id, contactId: contactRecord.id });
    await h.send(pressIn(teacher, `fr:show:${event.id}`));
    expect(last(teacher).text).toBe(
      [
        "📊 <b>Feedback on “Мастер-класс по робототехнике”</b>",
        "10 December 2026, 15:00",
        "Partners can give feedback until 24 December 2026, 17:30.",
        "",
        "No feedback yet.",
        "",
        "<b>Partners</b>",
        "Answered: 0 of 1 (0%)",
        "No ratings yet.",
        "",
        "<b>Participants</b> (anonymous)",
        "No participant has answered yet.",
      ].join("\n"),
    );
    expect(lastAnswer(h)?.text).toBeUndefined();

    await addParticipant(h.database.db, { eventId: event.id, rating: 2, comment: "Too loud", role: "other", ageGroup: "7_10" });
    await h.send(pressIn(teacher, `fr:show:${event.id}`));
    expect(last(teacher).text).toContain(
      [
        "<b>Partners</b>",
        "Answered: 0 of 1 (0%)",
        "No ratings yet.",
        "",
        "<b>Participants</b> (anonymous)",
        "Answers: 1",
        "Average rating: <b>2.0</b> out of 5",
        "5 ★ 0",
        "4 ★ 0",
        "3 ★ 0",
        "2 ★ ▇▇▇▇▇▇▇▇▇▇ 1",
        "1 ★ 0",
        "Who answered: others — 1",
        "Age: 7–10 — 1",
        "<i>Participants' comments:</i>",
        "• 2 ★ “Too loud”",
      ].join("\n"),
    );
    expect(last(teacher).text).not.toContain("No feedback yet.");
    h.expectAllCallbacksAnswered();
  });

  it("shows English labels for every partner line", async () => {
    const { teacher, event } = await answered("en");
    await h.send(pressIn(teacher, `fr:show:${event.id}`));
    const shown = last(teacher).text;
    expect(shown).toContain("Answered: 3 of 4 (75%)\nAverage rating: <b>3.7</b> out of 5\n5 ★ ▇▇▇▇▇▇▇▇▇▇ 1");
    expect(shown).toContain("Would hold another joint event: yes — 1, maybe — 1, no — 1\n<i>What went well:</i>\n• СОШ № 5, Ирина Смирнова: “Роботы &lt;ожили&gt;”");
    expect(shown).toContain("<i>What to improve:</i>\n• СОШ № 5, Ирина Смирнова: “Больше времени”\n• СОШ № 5, Павел Орлов: “Шумно в зале”");
    expect(shown).toContain("Who answered: students — 2, parents — 1, not given — 1\nAge: 11–14 — 2, 18 and over — 1, not given — 1");
    h.expectAllCallbacksAnswered();
  });

  it("refuses other people's and forged presses politely, and is not on cards it does not concern", async () => {
    const { teacher, colleague, contact, event } = await answered("ru");
    for (const user of [colleague, contact]) {
      await h.send(pressIn(user, `ev:open:${event.id}`));
      expect(h.telegram.textsTo(user.id).join("\n")).not.toContain("Отзывы о мероприятии");
      if (user === colleague) expect(last(colleague).buttons.map((b) => b.data)).not.toContain(`fr:show:${event.id}`);
      await h.send(pressIn(user, `fr:show:${event.id}`));
      expect(lastAnswer(h)).toMatchObject({ text: "Это действие вам недоступно.", show_alert: true });
      expect(h.telegram.textsTo(user.id).join("\n")).not.toContain("Средняя оценка");
    }
    await h.send(pressIn(teacher, "fr:show:999"));
    expect(lastAnswer(h)).toMatchObject({ text: "Такого мероприятия нет.", show_alert: true });
    await h.send(pressIn(teacher, "fr:show:abc"));
    expect(lastAnswer(h)?.text).toBe("Эта кнопка уже не действует. Начните заново с нужной команды.");
    await h.send(pressIn(teacher, "fr:show:99999999999"));
    expect(lastAnswer(h)?.text).toBe("Эта кнопка уже не действует. Начните заново с нужной команды.");

    // Without a feedback round there is no button, and an old one says why.
    await h.database.db.delete(feedbackRounds).where(eq(feedbackRounds.eventId, event.id));
    await h.send(pressIn(teacher, `ev:open:${event.id}`));
    expect(last(teacher).buttons.map((b) => b.data)).not.toContain(`fr:show:${event.id}`);
    await h.send(pressIn(teacher, `fr:show:${event.id}`));
    expect(lastAnswer(h)).toMatchObject({ text: "По этому мероприятию отзывы не собирались.", show_alert: true });
    expect(h.telegram.textsTo(teacher.id).join("\n")).not.toContain("Средняя оценка");
    h.expectAllCallbacksAnswered();
  });

  it("keeps a summary with many long comments within one message", async () => {
    const { teacher, event, partner, adminRow } = await heldEventWithRound(h, "ru");
    const db = h.database.db;
    for (let i = 0; i < 6; i++) {
      const contact = await addContact(db, partner.id, `Контакт ${i}`, adminRow.id);
      await addPrompt(db, { eventId: event.id, partnerId: partner.id, contactId: contact.id, rating: 3, wentWell: "Хорошо & ".repeat(500), improve: "<плохо>".repeat(300), answeredAt: at(i) });
    }
    for (let i = 0; i < 40; i++) await addParticipant(db, { eventId: event.id, rating: 1 + (i % 5), comment: `Комментарий ${i} `.repeat(200) });
    await h.send(pressIn(teacher, `fr:show:${event.id}`));
    const shown = last(teacher).text;
    expect(shown.length).toBeLessThan(4096);
    expect(shown).toContain("Ответили: 6 из 6 (100 %)");
    expect(shown).toContain("<i>Что получилось:</i>\n• СОШ № 5, Контакт 0: «Хорошо &amp; Хорошо");
    expect(shown).toMatch(/<i>Что улучшить:<\/i>\n• СОШ № 5, Контакт 0: «&lt;плохо&gt;/);
    expect(shown).toMatch(/<i>Комментарии участников:<\/i>\n• 1 ★ «Комментарий 0 /);
    expect(shown).toMatch(/…и ещё 3\d комментари(я|ев)$/);
    expect(shown).toMatch(/…и ещё \d комментари(й|я|ев)\n<i>Что улучшить/);
    h.expectAllCallbacksAnswered();
  });
});

describe("satisfaction on the partner and unit cards", () => {
  it("shows staff the partner's last 90 days with the trend, in Russian; the partner's own contact does not see it", async () => {
    const { teacher, teacherRow, contact, partner } = await answered("ru");
    await openPartnerCard(h, teacher, partner.id);
    expect(last(teacher).text).toContain("\n⭐ Оценки за последние 90 дней: партнёры — 3,7 по 3 ответам; участники — 4,3 по 4 ответам\n");

    // An event in the previous 90 days: partners rated it lower, participants higher.
    const earlier = await proposeEvent(h.database.db, { user: teacherRow, role: "staff" }, eventDraft([partner.id], teacherRow.id, new Date("2026-08-01T07:00:00Z")), new Date("2026-01-01T00:00:00Z"));
    if (!earlier.ok) throw new Error(earlier.reason);
    await addPrompt(h.database.db, { eventId: earlier.event.id, partnerId: partner.id, rating: 3 });
    await addParticipant(h.database.db, { eventId: earlier.event.id, rating: 5 });
    await openPartnerCard(h, teacher, partner.id);
    expect(last(teacher).text).toContain(
      "\n⭐ Оценки за последние 90 дней: партнёры — 3,7 по 3 ответам (▲ +0,7 к предыдущему периоду); участники — 4,3 по 4 ответам (▼ −0,7 к предыдущему периоду)\n",
    );

    await h.send(pressIn(contact, `pc:open:${partner.id}`));
    expect(last(contact).text).toContain("СОШ № 5");
    expect(last(contact).text).not.toContain("⭐");
    h.expectAllCallbacksAnswered();
  });

  it("shows one answer in English, and nothing without answers", async () => {
    const { teacher, event, partner, otherPartner, contactRecord } = await heldEventWithRound(h, "en");
    await openPartnerCard(h, teacher, partner.id);
    expect(last(teacher).text).not.toContain("⭐");
    await addPrompt(h.database.db, { eventId: event.id, partnerId: partner.id, contactId: contactRecord.id, rating: 4, answeredAt: at(1) });
    await openPartnerCard(h, teacher, partner.id);
    expect(last(teacher).text).toContain("\n⭐ Ratings over the last 90 days: partners 4.0 from 1 answer\n");
    await openPartnerCard(h, teacher, otherPartner.id);
    expect(last(teacher).text).not.toContain("⭐");
    h.expectAllCallbacksAnswered();
  });

  it("shows the admin a unit's averages on its card", async () => {
    const [unit] = await h.database.db.insert(units).values({ kind: "department", name: "Отдел техники" }).returning();
    await answered("ru", { ownerUnitId: unit!.id });
    await h.send(command(h.admin, "units"));
    await h.pressButton(h.admin, `un:open:${unit!.id}:0`);
    expect(last(h.admin).text).toContain("<b>Отдел техники</b>");
    expect(last(h.admin).text).toMatch(/\n⭐ Оценки за последние 90 дней: партнёры — 3,7 по 3 ответам; участники — 4,3 по 4 ответам$/);
    h.expectAllCallbacksAnswered();
  });
});
