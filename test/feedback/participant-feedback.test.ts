import { createHmac } from "node:crypto";
import { createRequire } from "node:module";
import { eq } from "drizzle-orm";
import QRCode from "qrcode";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { noticeDepsOf } from "../../src/core/outbox/notices.js";
import { type Event, type EventStatus, events } from "../../src/events/domain/schema.js";
import { feedbackRounds, participantFeedback } from "../../src/feedback/domain/schema.js";
import { outbox } from "../../src/core/outbox/schema.js";
import { newRoundToken as newParticipantToken } from "../../src/feedback/domain/feedback.js";
import { voterHash } from "../../src/feedback/domain/participants.js";
import { alertAbandonedLowRatings } from "../../src/feedback/close-job.js";
import {
  QR_OPTIONS,
  enqueueParticipantLinkNotice,
  participantLink,
  participantQrPng,
} from "../../src/feedback/participant-link.js";
import { registered } from "../helpers/bot-people.js";
import { botDeps, eventWorld, jobDeps, lastAnswer, pressIn } from "../helpers/event-world.js";
import { BOT_INFO, isUploadedFile } from "../helpers/fake-telegram.js";
import { createHarness, type Harness } from "../helpers/harness.js";
import { command, makeUser, photo, press, sticker, text, type TestUser } from "../helpers/updates.js";

let h: Harness;
const sweep = () => alertAbandonedLowRatings(jobDeps(h), h.clock.now);
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

const DAY = 24 * 3600_000;
/** The day after the master class of eventWorld (10 December, 15:00–17:00 Irkutsk), 18:00 Irkutsk. */
const NEXT_DAY = new Date("2026-12-11T10:00:00Z");

const last = (user: TestUser) => h.telegram.lastMessageTo(user.id);
const say = (user: TestUser, body: string) => h.send(text(user, body));
const open = (user: TestUser, payload: string) => h.send(command(user, "start", payload));
const answers = () => h.database.db.select().from(participantFeedback).orderBy(participantFeedback.id);
const dataOf = (user: TestUser) => last(user).buttons.map((b) => b.data);

/** eventWorld's event, approved, recorded as held, with its feedback round open for 7 days from NEXT_DAY. */
async function heldWorld(language: "ru" | "en" = "ru") {
  const world = await eventWorld(h, language);
  await world.approve();
  const db = h.database.db;
  await db.update(events).set({ status: "held", participantsOther: 12, result: "Собрали робота" }).where(eq(events.id, world.event.id));
  h.clock.now = NEXT_DAY;
  const token = newParticipantToken();
  const linkClosesAt = new Date(NEXT_DAY.getTime() + 7 * DAY);
  await db.insert(feedbackRounds).values({ eventId: world.event.id, token, linkClosesAt, promptsCloseAt: new Date(NEXT_DAY.getTime() + 14 * DAY) });
  return { ...world, token, linkClosesAt, link: participantLink(BOT_INFO.username, token) };
}

/** Another event of the same people, stored directly with the given status. */
async function otherEvent(event: Event, title: string, status: EventStatus) {
  const [row] = await h.database.db
    .insert(events)
    .values({ ...event, id: undefined, title, status })
    .returning();
  return row!;
}

function guest(language: "ru" | "en" = "ru", overrides: Partial<TestUser> = {}) {
  return makeUser({ first_name: "Гость", last_name: "Анонимов", username: "guest_anon", language_code: language, ...overrides });
}

/** Nothing in the stored answer names the person: no Telegram id, first or last name, username. */
async function expectAnonymous(user: TestUser) {
  const rows = await answers();
  expect(rows.length).toBeGreaterThan(0);
  const identity = [String(user.id), user.first_name, user.last_name!, user.username!];
  for (const row of rows) {
    for (const [column, value] of Object.entries(row)) {
      const stored = value instanceof Date ? value.toISOString() : String(value);
      for (const part of identity) expect(stored, `${column} holds ${part}`).not.toContain(part);
    }
  }
}

describe("participant feedback through the link", () => {
  it("takes a rating, a comment, a role and an age group in Russian; the answer is anonymous", async () => {
    const { event, token, teacher } = await heldWorld("ru");
    const anna = guest("ru", { id: 730_001 });
    await open(anna, `pf_${token}`);
    expect(last(anna).text).toBe(
      "📝 <b>Отзыв о мероприятии</b>\n«Мастер-класс по робототехнике», 10 декабря 2026, 15:00\n\n" +
        "Ваш ответ анонимный: мы не сохраняем ни имя, ни аккаунт Telegram.\n\nКак вам мероприятие? Оцените его от 1 до 5.\n\n" +
        // The legend, right above the row 1–5.
        "1 — совсем не понравилось … 5 — отлично",
    );
    expect(last(anna).buttons.map((b) => b.text)).toEqual(["1", "2", "3", "4", "5"]);
    expect(dataOf(anna)).toEqual([1, 2, 3, 4, 5].map((n) => `pf:r:${event.id}:${n}`));
    for (const data of dataOf(anna)) expect(data).not.toContain(String(anna.id));

    await h.pressButton(anna, `pf:r:${event.id}:4`);
    expect(h.telegram.textsTo(anna.id).at(-2)).toBe("📝 «Мастер-класс по робототехнике»\nВаша оценка: <b>4 из 5</b>. Спасибо!");
    expect(last(anna).text).toBe("Хотите что-нибудь добавить? Напишите комментарий одним сообщением (до 1000 символов) или нажмите «Пропустить».");
    expect(dataOf(anna)).toEqual([`pf:cs:${event.id}`]);
    // One tap already counts.
    expect(await answers()).toEqual([expect.objectContaining({ eventId: event.id, rating: 4, comment: null, role: null, ageGroup: null })]);

    await say(anna, "  Очень понравилось, <спасибо> & ждём ещё!  ");
    expect(last(anna).text).toBe("Спасибо, комментарий сохранён.\n\nКто вы? Это необязательно, но поможет нам лучше понять отзывы.");
    expect(last(anna).buttons.map((b) => b.text)).toEqual(["Учащийся", "Родитель", "Педагог", "Другое", "Пропустить ›"]);
    await h.pressButton(anna, `pf:role:${event.id}:parent`);
    expect(h.telegram.textsTo(anna.id).at(-2)).toBe("Кто вы? Это необязательно, но поможет нам лучше понять отзывы.\n\nВаш ответ: <b>Родитель</b>");
    expect(last(anna).text).toBe("Сколько вам лет? Это тоже необязательно.");
    expect(last(anna).buttons.map((b) => b.text)).toEqual(["до 7 лет", "7–10 лет", "11–14 лет", "15–17 лет", "18 лет и старше", "Пропустить ›"]);
    await h.pressButton(anna, `pf:age:${event.id}:18_plus`);
    expect(last(anna).text).toBe("🙏 Спасибо за отзыв! Он поможет сделать наши занятия лучше.");

    const [row] = await answers();
    expect(row).toMatchObject({
      eventId: event.id,
      rating: 4,
      comment: "Очень понравилось, <спасибо> & ждём ещё!",
      role: "parent",
      ageGroup: "18_plus",
      alertedAt: null,
      createdAt: NEXT_DAY,
    });
    // The one-per-person key: HMAC-SHA-256 of "<event>:<telegram id>" under the configured secret.
    expect(row!.voterHash).toBe(createHmac("sha256", h.config.feedback.secret).update(`${event.id}:${anna.id}`).digest("base64url"));
    expect(row!.voterHash).toBe(voterHash(h.config.feedback.secret, event.id, anna.id));
    expect(row!.voterHash).not.toBe(voterHash("another secret, 16+ chars", event.id, anna.id));
    await expectAnonymous(anna);
    // A rating of 4 alerts nobody.
    expect(await h.database.db.select().from(outbox)).toEqual([]);
    expect(h.telegram.textsTo(teacher.id).join("\n")).not.toContain("Низкая оценка");
    h.expectAllCallbacksAnswered();
  });

  it("alerts a low rating with its comment in English, once, and lets the optional questions be skipped", async () => {
    const { event, token, teacher, admin } = await heldWorld("en");
    const sam = guest("en", { first_name: "Sam", last_name: "Guest", username: "sam_guest" });
    await open(sam, `pf_${token}`);
    expect(last(sam).text).toBe(
      "📝 <b>Your feedback on the event</b>\n“Мастер-класс по робототехнике”, 10 December 2026, 15:00\n\n" +
        "Your answer is anonymous: we store neither your name nor your Telegram account.\n\nHow did you like the event? Rate it from 1 to 5.\n\n" +
        "1 — did not like it at all … 5 — excellent",
    );
    await h.pressButton(sam, `pf:r:${event.id}:2`);
    expect(last(sam).text).toBe("Would you like to add anything? Write a comment in one message (up to 1000 characters) or press Skip.");
    // No alert before the comment step is answered: it goes with the comment.
    expect(h.telegram.textsTo(teacher.id).join("\n")).not.toContain("Low rating");

    await say(sam, "Too noisy & too short");
    expect(last(sam).text).toBe("Thank you, your comment is saved.\n\nWho are you? This is optional, but it helps us understand the feedback better.");
    const alert =
      "⚠️ <b>Low rating: 2 out of 5</b>\nEvent “Мастер-класс по робототехнике”, 10 December 2026, 15:00.\n" +
      "Anonymous feedback from a participant.\nComment: “Too noisy &amp; too short”";
    expect(h.telegram.lastTextTo(teacher.id)).toBe(alert);
    expect(h.telegram.lastTextTo(admin.id)).toBe(alert);
    expect(last(admin).buttons.map((b) => b.data)).toEqual([`ev:open:${event.id}`]);
    const [row] = await answers();
    expect(row).toMatchObject({ rating: 2, comment: "Too noisy & too short", alertedAt: NEXT_DAY });

    await h.pressButton(sam, `pf:role:${event.id}:skip`);
    expect(h.telegram.textsTo(sam.id).at(-2)).toBe("Who are you? This is optional, but it helps us understand the feedback better.\n\nSkipped.");
    expect(last(sam).text).toBe("How old are you? This is optional too.");
    expect(last(sam).buttons.map((b) => b.text)).toEqual(["under 7", "7–10", "11–14", "15–17", "18 or older", "Skip ›"]);
    await h.pressButton(sam, `pf:age:${event.id}:skip`);
    expect(last(sam).text).toBe("🙏 Thank you for your feedback! It helps us make our classes better.");
    expect(await answers()).toEqual([expect.objectContaining({ rating: 2, role: null, ageGroup: null })]);

    // The sweep for abandoned comment steps finds nothing: this alert went already.
    h.clock.now = new Date(NEXT_DAY.getTime() + DAY);
    expect(await sweep()).toEqual({ alerted: 0 });
    const alerts = (await h.database.db.select().from(outbox)).filter((m) => m.dedupeKey?.startsWith("low:participant:"));
    expect(alerts).toHaveLength(2); // the teacher (responsible and proposer) and the admin
    await expectAnonymous(sam);
    h.expectAllCallbacksAnswered();
  });

  it("alerts a skipped comment as 'no comment' once, even when Skip is pressed again after the conversation", async () => {
    const { event, token, teacher } = await heldWorld("ru");
    const pavel = guest("ru");
    await open(pavel, `pf_${token}`);
    await h.pressButton(pavel, `pf:r:${event.id}:1`);
    const prompt = last(pavel);
    await h.pressButton(pavel, `pf:cs:${event.id}`);
    expect(h.telegram.lastTextTo(teacher.id)).toBe(
      "⚠️ <b>Низкая оценка: 1 из 5</b>\nМероприятие «Мастер-класс по робототехнике», 10 декабря 2026, 15:00.\nАнонимный отзыв участника.\nКомментария нет.",
    );
    expect(last(pavel).text).toBe("Кто вы? Это необязательно, но поможет нам лучше понять отзывы.");
    // The Skip button again, now without a conversation: no second alert, and a text is no comment any more.
    await h.send(press(pavel, `pf:cs:${event.id}`, prompt));
    await say(pavel, "Забыл написать");
    expect(h.telegram.lastTextTo(pavel.id)).toBe("Я понимаю команды и кнопки. Посмотрите, что я умею, — /help.");
    const alerts = (await h.database.db.select().from(outbox)).filter((m) => m.dedupeKey?.startsWith("low:participant:"));
    expect(alerts.map((m) => m.chatId).sort()).toEqual([h.admin.id, teacher.id].sort());
    expect(await answers()).toEqual([expect.objectContaining({ rating: 1, comment: null })]);
    h.expectAllCallbacksAnswered();
  });

  it("counts two people once each, and tells a second answer from the same person it was already counted", async () => {
    const { event, token } = await heldWorld("ru");
    const anna = guest("ru", { username: "anna_g" });
    const boris = guest("en", { first_name: "Boris", username: "boris_g" });
    await open(anna, `pf_${token}`);
    const intro = last(anna);
    await h.pressButton(anna, `pf:r:${event.id}:5`);
    // An old rating button pressed during the comment step: refused politely, the step goes on.
    await h.send(press(anna, `pf:r:${event.id}:1`, intro));
    expect(lastAnswer(h)).toEqual(
      expect.objectContaining({ text: "Вы уже оставили отзыв об этом мероприятии — спасибо! Каждый участник отвечает один раз.", show_alert: true }),
    );
    await say(anna, "Спасибо!");
    expect(last(anna).text).toContain("Спасибо, комментарий сохранён.");
    await h.pressButton(anna, `pf:role:${event.id}:student`);
    await h.pressButton(anna, `pf:age:${event.id}:11_14`);

    // Opening the link again, and the old rating button after the end.
    await open(anna, `pf_${token}`);
    expect(h.telegram.lastTextTo(anna.id)).toBe("Вы уже оставили отзыв об этом мероприятии — спасибо! Каждый участник отвечает один раз.");
    expect(last(anna).buttons).toEqual([]);
    await h.send(press(anna, `pf:r:${event.id}:2`, intro));
    expect(lastAnswer(h)?.text).toBe("Вы уже оставили отзыв об этом мероприятии — спасибо! Каждый участник отвечает один раз.");

    await open(boris, `pf_${token}`);
    await h.pressButton(boris, `pf:r:${event.id}:3`);
    await h.pressButton(boris, `pf:cs:${event.id}`);
    await open(boris, `pf_${token}`);
    expect(h.telegram.lastTextTo(boris.id)).toBe("You have already left feedback on this event — thank you! Each participant answers once.");

    const rows = await answers();
    expect(rows.map((r) => [r.rating, r.comment, r.role, r.ageGroup])).toEqual([
      [5, "Спасибо!", "student", "11_14"],
      [3, null, null, null],
    ]);
    expect(new Set(rows.map((r) => r.voterHash)).size).toBe(2);
    await expectAnonymous(anna);
    await expectAnonymous(boris);
    h.expectAllCallbacksAnswered();
  });

  it.each(["ru", "en"] as const)("says the rating is kept when a command interrupts the comment step (%s)", async (language) => {
    const { event, token } = await heldWorld(language);
    const vera = guest(language, { username: `vera_${language}` });
    await open(vera, `pf_${token}`);
    await h.pressButton(vera, `pf:r:${event.id}:4`);
    await h.send(command(vera, "help"));
    const texts = h.telegram.textsTo(vera.id);
    expect(texts.at(-2)).toBe(
      language === "ru"
        ? "Остальные вопросы опроса пропущены. Ответы, которые вы уже дали, сохранены — спасибо!"
        : "The rest of the survey is skipped. The answers you gave are saved. Thank you!",
    );
    expect(await answers()).toEqual([expect.objectContaining({ rating: 4, comment: null })]);
    // The next text is not taken for a comment any more.
    await say(vera, "просто текст");
    expect(await answers()).toEqual([expect.objectContaining({ rating: 4, comment: null })]);
  });

  it("keeps one answer per person per event, while the same person may answer another event", async () => {
    const first = await heldWorld("ru");
    const second = { event: await otherEvent(first.event, "Экскурсия в планетарий", "held") };
    const token = newParticipantToken();
    await h.database.db
      .insert(feedbackRounds)
      .values({ eventId: second.event.id, token, linkClosesAt: new Date(NEXT_DAY.getTime() + DAY), promptsCloseAt: new Date(NEXT_DAY.getTime() + 2 * DAY) });
    const vera = guest("ru");
    await open(vera, `pf_${token}`);
    const secondIntro = last(vera);
    await open(vera, `pf_${first.token}`);
    await h.pressButton(vera, `pf:r:${first.event.id}:4`);
    // In the first event's comment step she rates the second event from its message: that starts its comment step.
    await h.send(press(vera, `pf:r:${second.event.id}:5`, secondIntro));
    expect(last(vera).buttons.map((b) => b.data)).toEqual([`pf:cs:${second.event.id}`]);
    await say(vera, "Планетарий — чудо");
    const rows = await answers();
    expect(rows.map((r) => [r.eventId, r.rating, r.comment])).toEqual([
      [first.event.id, 4, null],
      [second.event.id, 5, "Планетарий — чудо"],
    ]);
    expect(rows[0]!.voterHash).not.toBe(rows[1]!.voterHash);
    h.expectAllCallbacksAnswered();
  });
});

describe("participant feedback: bad input", () => {
  it("refuses forged, truncated and unknown tokens politely, in both languages", async () => {
    const { token } = await heldWorld("ru");
    const ru = guest("ru");
    const en = guest("en");
    const forged = ["abc", token.slice(0, -1), `${token}A`, newParticipantToken(), `${token.slice(0, -1)}!`, `${token.slice(0, -1)}=`, ""];
    for (const bad of forged) {
      await open(ru, `pf_${bad}`);
      expect(h.telegram.lastTextTo(ru.id)).toBe(
        "Эта ссылка для отзыва недействительна. Проверьте, пожалуйста, что она скопирована целиком, или отсканируйте QR-код ещё раз.",
      );
      expect(last(ru).buttons).toEqual([]);
    }
    await open(en, `pf_${token.slice(0, 10)}`);
    expect(h.telegram.lastTextTo(en.id)).toBe("This feedback link is not valid. Please check that it was copied in full, or scan the QR code again.");
    expect(await answers()).toEqual([]);
    // The real token still works.
    await open(ru, `pf_${token}`);
    expect(last(ru).buttons).toHaveLength(5);
  });

  it("answers a closed link clearly and saves nothing after it closes", async () => {
    const { event, token, linkClosesAt } = await heldWorld("ru");
    const early = guest("ru");
    await open(early, `pf_${token}`);
    await h.pressButton(early, `pf:r:${event.id}:3`);
    await h.pressButton(early, `pf:cs:${event.id}`);
    const roleQuestion = last(early);

    h.clock.now = linkClosesAt;
    const late = guest("ru");
    await open(late, `pf_${token}`);
    expect(h.telegram.lastTextTo(late.id)).toBe(
      "Приём отзывов о мероприятии «Мастер-класс по робототехнике» завершён 18 декабря 2026, 18:00. Спасибо, что хотели поделиться мнением!",
    );
    expect(last(late).buttons).toEqual([]);
    await h.send(pressIn(late, `pf:r:${event.id}:5`));
    expect(lastAnswer(h)).toMatchObject({ show_alert: true });
    expect(lastAnswer(h)?.text).toContain("завершён 18 декабря 2026, 18:00");
    // The one who rated in time cannot add a role after the close.
    await h.send(press(early, `pf:role:${event.id}:teacher`, roleQuestion));
    expect(lastAnswer(h)?.text).toContain("Приём отзывов о мероприятии «Мастер-класс по робототехнике» завершён");

    const en = guest("en");
    await open(en, `pf_${token}`);
    expect(h.telegram.lastTextTo(en.id)).toBe(
      "Feedback on “Мастер-класс по робототехнике” closed on 18 December 2026, 18:00. Thank you for wanting to share your view!",
    );
    expect(await answers()).toEqual([expect.objectContaining({ rating: 3, role: null })]);
    h.expectAllCallbacksAnswered();
  });

  it("refuses ratings of 0, 6 and 'abc' and other forged buttons, answering each and saving nothing", async () => {
    const { event, token } = await heldWorld("ru");
    const mark = guest("ru");
    await open(mark, `pf_${token}`);
    const forged = [
      `pf:r:${event.id}:0`,
      `pf:r:${event.id}:6`,
      `pf:r:${event.id}:abc`,
      `pf:r:${event.id}:-1`,
      `pf:r:${event.id}:4.5`,
      `pf:r:${event.id}:04`,
      `pf:r:${event.id}:`,
      `pf:r:999999:3`,
      `pf:r:${event.id}`,
      `pf:role:${event.id}:parent`, // before any rating
      `pf:cs:${event.id}`,
      `pf:qq:${event.id}`,
    ];
    for (const data of forged) {
      await h.send(pressIn(mark, data));
      expect(lastAnswer(h), data).toMatchObject({ text: "Эта кнопка не работает. Откройте, пожалуйста, ссылку для отзыва ещё раз.", show_alert: true });
    }
    expect(await answers()).toEqual([]);
    // An event without a round: nothing to rate.
    const other = { event: await otherEvent(event, "Без отзывов", "held") };
    await h.send(pressIn(mark, `pf:r:${other.event.id}:5`));
    expect(lastAnswer(h)?.text).toBe("Эта кнопка не работает. Откройте, пожалуйста, ссылку для отзыва ещё раз.");

    await h.pressButton(mark, `pf:r:${event.id}:5`);
    await h.pressButton(mark, "pf:cs:" + String(event.id));
    for (const data of [`pf:role:${event.id}:king`, `pf:age:${event.id}:99`, `pf:age:${event.id}:parent`, `pf:role:${event.id}:18_plus`]) {
      await h.send(pressIn(mark, data));
      expect(lastAnswer(h)?.text, data).toBe("Эта кнопка не работает. Откройте, пожалуйста, ссылку для отзыва ещё раз.");
    }
    expect(await answers()).toEqual([expect.objectContaining({ rating: 5, role: null, ageGroup: null })]);
    h.expectAllCallbacksAnswered();
  });

  it("refuses a 10,000-character comment with the limit, a sticker and a photo, and re-asks each time", async () => {
    const { event, token } = await heldWorld("ru");
    const lena = guest("ru");
    await open(lena, `pf_${token}`);
    await h.pressButton(lena, `pf:r:${event.id}:3`);

    await say(lena, "я".repeat(10_000));
    expect(last(lena).text).toBe(
      "Комментарий получился длинным: 10000 символов, а можно не больше 1000. Сократите его, пожалуйста, и отправьте ещё раз — или нажмите «Пропустить».",
    );
    expect(dataOf(lena)).toEqual([`pf:cs:${event.id}`]);
    await h.send(sticker(lena));
    expect(last(lena).text).toBe(
      "Комментарий я принимаю только текстом: стикеры, фото и файлы не сохраняются. Напишите, пожалуйста, пару слов или нажмите «Пропустить».",
    );
    expect(dataOf(lena)).toEqual([`pf:cs:${event.id}`]);
    await h.send(photo(lena, "вот фото"));
    expect(last(lena).text).toContain("Комментарий я принимаю только текстом");
    await say(lena, "!!! ???");
    expect(last(lena).text).toBe("В комментарии нужны слова. Напишите его, пожалуйста, ещё раз или нажмите «Пропустить».");
    await say(lena, "ю".repeat(1001));
    // 1001 is declined as one: «1001 символ», not «1001 символов».
    expect(last(lena).text).toContain("Комментарий получился длинным: 1001 символ, а можно не больше 1000.");
    expect(await answers()).toEqual([expect.objectContaining({ rating: 3, comment: null })]);

    // Exactly the limit is fine.
    await say(lena, "ж".repeat(1000));
    expect(last(lena).text).toContain("Спасибо, комментарий сохранён.");
    expect((await answers())[0]!.comment).toHaveLength(1000);
    h.expectAllCallbacksAnswered();
  });

  it("refuses the same things in English", async () => {
    const { event, token } = await heldWorld("en");
    const kim = guest("en");
    await open(kim, `pf_${token}`);
    await h.send(pressIn(kim, `pf:r:${event.id}:6`));
    expect(lastAnswer(h)?.text).toBe("This button doesn't work. Please open the feedback link again.");
    await h.pressButton(kim, `pf:r:${event.id}:4`);
    await say(kim, "x".repeat(10_000));
    expect(last(kim).text).toBe("Your comment is long: 10000 characters, and the limit is 1000. Please shorten it and send it again, or press Skip.");
    await h.send(sticker(kim));
    expect(last(kim).text).toBe("I take comments as text only: stickers, photos and files are not saved. Please write a few words or press Skip.");
    await h.pressButton(kim, `pf:cs:${event.id}`);
    expect(last(kim).text).toBe("Who are you? This is optional, but it helps us understand the feedback better.");
    await h.pressButton(kim, `pf:role:${event.id}:teacher`);
    expect(h.telegram.textsTo(kim.id).at(-2)).toContain("Your answer: <b>Teacher</b>");
    await h.send(pressIn(kim, `pf:r:${event.id}:5`));
    expect(lastAnswer(h)?.text).toBe("You have already left feedback on this event — thank you! Each participant answers once.");
    expect(await answers()).toEqual([expect.objectContaining({ rating: 4, comment: null, role: "teacher" })]);
    h.expectAllCallbacksAnswered();
  });
});

describe("the participants' link and QR code for staff", () => {
  it("gives the responsible person the link and a QR PNG from the event card, in Russian", async () => {
    const { event, token, teacher, colleague } = await heldWorld("ru");
    await h.send(pressIn(teacher, `ev:open:${event.id}`));
    const card = last(teacher);
    expect(card.buttons).toContainEqual({ text: "👥 Отзывы участников", data: `pf:qr:${event.id}` });
    await h.pressButton(teacher, `pf:qr:${event.id}`);
    const link = `https://t.me/palace_partners_bot?start=pf_${token}`;
    expect(h.telegram.lastTextTo(teacher.id)).toBe(
      "👥 <b>Отзывы участников</b>\n«Мастер-класс по робототехнике», 10 декабря 2026, 15:00\n\nСсылка для участников:\n" +
        `${link}\n\nПокажите её на экране или распечатайте QR-код: участник откроет бота, оценит мероприятие от 1 до 5 и, если захочет, добавит комментарий. ` +
        "Ответы анонимные. Ссылка работает до 18 декабря 2026, 18:00.",
    );
    const [sent] = h.telegram.sent("sendPhoto");
    expect(sent).toMatchObject({ chat_id: teacher.id, caption: "QR-код для отзывов участников: «Мастер-класс по робототехнике»" });
    const file = sent!.photo;
    if (!isUploadedFile(file)) throw new Error("the QR code was not uploaded");
    expect(file.filename).toContain("feedback-qr.png");
    // The fake reads uploads as UTF-8: the PNG signature's first byte (0x89) becomes U+FFFD.
    expect(file.content.startsWith("\uFFFDPNG\r\n\u001a\n")).toBe(true);

    // Someone who does not manage the event sees no button and is refused when pressing it anyway.
    await h.send(pressIn(colleague, `ev:open:${event.id}`));
    expect(last(colleague).buttons.map((b) => b.data)).not.toContain(`pf:qr:${event.id}`);
    await h.send(pressIn(colleague, `pf:qr:${event.id}`));
    expect(lastAnswer(h)).toMatchObject({ text: "Это действие вам недоступно.", show_alert: true });
    expect(h.telegram.sent("sendPhoto")).toHaveLength(1);
    h.expectAllCallbacksAnswered();
  });

  it("refuses partner contacts, guests, events not held, without a round, or with the link closed (English)", async () => {
    const world = await heldWorld("en");
    const { event, teacher, contact, linkClosesAt } = world;
    const stranger = guest("en");
    await registered(h, stranger, "guest");
    for (const user of [contact, stranger]) {
      await h.send(pressIn(user, `pf:qr:${event.id}`));
      expect(lastAnswer(h)).toMatchObject({ text: "This action isn't available to you.", show_alert: true });
    }
    const other = { event: await otherEvent(event, "Not yet", "approved") };
    await h.send(pressIn(teacher, `pf:qr:${other.event.id}`));
    expect(lastAnswer(h)).toMatchObject({
      text: "The participants' feedback link appears once the event is recorded as held. Its status now: ✅ approved.",
      show_alert: true,
    });
    await h.database.db.update(events).set({ status: "held" }).where(eq(events.id, other.event.id));
    await h.send(pressIn(teacher, `pf:qr:${other.event.id}`));
    expect(lastAnswer(h)?.text).toBe("Participant feedback is not open for this event.");
    h.clock.now = linkClosesAt;
    await h.send(pressIn(teacher, `pf:qr:${event.id}`));
    expect(lastAnswer(h)?.text).toBe("The participants' feedback link closed on 18 December 2026, 18:00.");
    await h.send(pressIn(teacher, `ev:open:${event.id}`));
    expect(last(teacher).buttons.map((b) => b.data)).not.toContain(`pf:qr:${event.id}`);
    await h.send(pressIn(teacher, "pf:qr:abc"));
    expect(lastAnswer(h)?.text).toBe("This button doesn't work. Please open the feedback link again.");
    expect(h.telegram.sent("sendPhoto")).toEqual([]);
    h.expectAllCallbacksAnswered();
  });

  it("enqueues the link to the responsible person once, with a QR code button that sends the image", async () => {
    const { event, token, teacher } = await heldWorld("en");
    const deps = noticeDepsOf(botDeps(h));
    const written = await h.database.db.transaction((tx) => enqueueParticipantLinkNotice(tx, deps, event.id, BOT_INFO.username));
    expect(written).toBe(true);
    expect(await h.database.db.transaction((tx) => enqueueParticipantLinkNotice(tx, deps, event.id, BOT_INFO.username))).toBe(false);
    await h.flushOutbox();
    const notice = last(teacher);
    expect(notice.text).toContain(`Link for participants:\nhttps://t.me/palace_partners_bot?start=pf_${token}\n`);
    expect(notice.text).toContain("The link works until 18 December 2026, 18:00.\n\nTo get the QR code to show on screen or print, press the button below.");
    expect(notice.buttons).toEqual([{ text: "QR code", data: `pf:qr:${event.id}` }]);
    await h.pressButton(teacher, `pf:qr:${event.id}`);
    expect(h.telegram.sent("sendPhoto")).toEqual([expect.objectContaining({ chat_id: teacher.id, caption: "QR code for participant feedback: “Мастер-класс по робототехнике”" })]);
    // Without a round there is nothing to send.
    const other = { event: await otherEvent(event, "No round", "held") };
    expect(await h.database.db.transaction((tx) => enqueueParticipantLinkNotice(tx, deps, other.event.id, BOT_INFO.username))).toBe(false);
    h.expectAllCallbacksAnswered();
  });
});

describe("participant feedback pieces", () => {
  it("draws a QR code PNG that decodes to the link's modules", async () => {
    const link = participantLink(BOT_INFO.username, newParticipantToken());
    const png = await participantQrPng(link);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    // pngjs comes with qrcode; read the pixels back and compare each module with the symbol of the link.
    const { PNG } = createRequire(import.meta.url)("pngjs") as {
      PNG: { sync: { read(buffer: Buffer): { width: number; height: number; data: Buffer } } };
    };
    const image = PNG.sync.read(png);
    const symbol = QRCode.create(link, { errorCorrectionLevel: QR_OPTIONS.errorCorrectionLevel }).modules;
    const scale = QR_OPTIONS.width / (symbol.size + 2 * QR_OPTIONS.margin);
    expect(image.width).toBe(Math.floor((symbol.size + 2 * QR_OPTIONS.margin) * scale));
    let mismatches = 0;
    for (let row = 0; row < symbol.size; row++) {
      for (let col = 0; col < symbol.size; col++) {
        const x = Math.floor((QR_OPTIONS.margin + col + 0.5) * scale);
        const y = Math.floor((QR_OPTIONS.margin + row + 0.5) * scale);
        const dark = image.data[(y * image.width + x) * 4]! < 128;
        if (dark !== Boolean(symbol.data[row * symbol.size + col])) mismatches++;
      }
    }
    expect(mismatches).toBe(0);
    // The quiet zone is white; the text rendering of the same link is the same symbol.
    expect(image.data[0]).toBe(255);
    const utf8 = await QRCode.toString(link, { type: "utf8", errorCorrectionLevel: QR_OPTIONS.errorCorrectionLevel, margin: 0 });
    expect(utf8.trim().split("\n")).toHaveLength(Math.ceil(symbol.size / 2));
  });

  it("alerts a low rating whose comment step was abandoned, after half an hour, once", async () => {
    const { event, token, teacher } = await heldWorld("ru");
    const quiet = guest("ru");
    const fine = guest("ru", { username: "fine_g" });
    await open(quiet, `pf_${token}`);
    await h.pressButton(quiet, `pf:r:${event.id}:2`);
    await open(fine, `pf_${token}`);
    await h.pressButton(fine, `pf:r:${event.id}:3`);
    h.clock.now = new Date(NEXT_DAY.getTime() + 20 * 60_000);
    expect(await sweep()).toEqual({ alerted: 0 });
    h.clock.now = new Date(NEXT_DAY.getTime() + 31 * 60_000);
    expect(await sweep()).toEqual({ alerted: 1 });
    expect(await sweep()).toEqual({ alerted: 0 });
    await h.flushOutbox();
    expect(h.telegram.lastTextTo(teacher.id)).toContain("Низкая оценка: 2 из 5");
    expect(h.telegram.lastTextTo(teacher.id)).toContain("Комментария нет.");
    // Her late comment is still kept, without a second alert.
    await say(quiet, "Было скучно");
    const rows = await answers();
    expect(rows.map((r) => [r.rating, r.comment, r.alertedAt !== null])).toEqual([
      [2, "Было скучно", true],
      [3, null, false],
    ]);
    expect((await h.database.db.select().from(outbox)).filter((m) => m.dedupeKey?.startsWith("low:participant:"))).toHaveLength(2);
  });
});
