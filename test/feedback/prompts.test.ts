import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { openFeedbackRound } from "../../src/feedback/prompts.js";
import { events } from "../../src/events/domain/schema.js";
import { feedbackPrompts, feedbackRounds } from "../../src/feedback/domain/schema.js";
import { outbox } from "../../src/core/outbox/schema.js";
import { lastAnswer, pressIn } from "../helpers/event-world.js";
import { afterOpening, AFTER_THE_EVENT, DAY_MS, feedbackDeps, feedbackWorld } from "../helpers/feedback-world.js";
import { createHarness, type Harness } from "../helpers/harness.js";
import { command, photo, press, sticker, text, type TestUser } from "../helpers/updates.js";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

const last = (user: TestUser) => h.telegram.lastMessageTo(user.id);
const say = (user: TestUser, body: string) => h.send(text(user, body));
const promptRow = async (id: number) => (await h.database.db.select().from(feedbackPrompts).where(eq(feedbackPrompts.id, id)))[0]!;
const row = (id: number) => [1, 2, 3, 4, 5].map((n) => `fb:r:${id}:${n}`);
const alertsTo = (user: TestUser) => h.telegram.textsTo(user.id).filter((t) => t.startsWith("⚠️"));

describe("partner feedback prompts", () => {
  it("go to each linked contact of the event's partners in their language, once, when the event is recorded as held", async () => {
    const world = await feedbackWorld(h);
    const { contact, english, stranger, gone, prompt, englishPrompt, event } = world;
    expect(world.opened.prompted).toBe(2);

    const ru = last(contact);
    expect(ru.text).toBe(
      "🙏 <b>Спасибо за совместное мероприятие!</b>\n«Мастер-класс по робототехнике», 10 декабря 2026, 15:00.\n\n" +
        "Насколько вы довольны совместным мероприятием?\n\n" +
        "Ответить можно до 24 декабря 2026, 17:30.\n\n" +
        // The legend is the last line, right above the row 1–5.
        "1 — совсем не довольны … 5 — полностью довольны",
    );
    expect(ru.buttons).toEqual([1, 2, 3, 4, 5].map((n) => ({ text: String(n), data: `fb:r:${prompt.id}:${n}` })));
    const [sent] = h.telegram.sent("sendMessage").filter((m) => m.chat_id === contact.id);
    expect((sent!.reply_markup as { inline_keyboard: unknown[][] }).inline_keyboard).toHaveLength(1);

    const en = last(english);
    expect(en.text).toBe(
      "🙏 <b>Thank you for the joint event!</b>\n“Мастер-класс по робототехнике”, 10 December 2026, 15:00.\n\n" +
        "How satisfied are you with the joint event?\n\n" +
        "You can answer until 24 December 2026, 17:30.\n\n" +
        "1 — not satisfied at all … 5 — completely satisfied",
    );
    expect(en.buttons.map((b) => b.data)).toEqual(row(englishPrompt.id));
    expect(h.telegram.textsTo(stranger.id)).toEqual([]);
    expect(h.telegram.textsTo(gone.id)).toEqual([]);

    const [round] = await h.database.db.select().from(feedbackRounds).where(eq(feedbackRounds.eventId, event.id));
    expect(round!.token).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(round!.linkClosesAt).toEqual(afterOpening(7));
    expect(round!.promptsCloseAt).toEqual(afterOpening(14));
    const prompts = await h.database.db.select().from(feedbackPrompts);
    expect(prompts).toHaveLength(2);
    expect(prompts.every((p) => p.rating === null && p.remindersSent === 0 && p.createdAt.getTime() === AFTER_THE_EVENT.getTime())).toBe(true);

    // Opening the round again (a repeated call) creates and sends nothing.
    const again = await h.database.db.transaction((tx) => openFeedbackRound(tx, feedbackDeps(h), event.id, afterOpening(1)));
    await h.flushOutbox();
    expect(again).toEqual({ round: round, prompted: 0 });
    expect(await h.database.db.select().from(feedbackPrompts)).toHaveLength(2);
    expect(h.telegram.textsTo(contact.id)).toHaveLength(1);
  });

  it("opens no round when the transaction that records the event as held rolls back", async () => {
    const { event } = await feedbackWorld(h);
    await h.database.db.delete(feedbackPrompts);
    await h.database.db.delete(feedbackRounds);
    await h.database.db.delete(outbox);
    await expect(
      h.database.db.transaction(async (tx) => {
        await openFeedbackRound(tx, feedbackDeps(h), event.id, h.clock.now);
        throw new Error("the held report failed");
      }),
    ).rejects.toThrow("the held report failed");
    expect(await h.database.db.select().from(feedbackRounds)).toEqual([]);
    expect(await h.database.db.select().from(feedbackPrompts)).toEqual([]);
    expect(await h.database.db.select().from(outbox)).toEqual([]);
    // Committed, the same call opens it.
    await h.database.db.transaction((tx) => openFeedbackRound(tx, feedbackDeps(h), event.id, h.clock.now));
    expect(await h.database.db.select().from(feedbackPrompts)).toHaveLength(2);
    expect(await h.database.db.select().from(outbox)).toHaveLength(2);
  });

  it("in Russian: one tap saves the rating, then each optional answer is saved as it arrives", async () => {
    const { contact, teacher, admin, prompt } = await feedbackWorld(h);
    await h.pressButton(contact, `fb:r:${prompt.id}:4`);
    expect(lastAnswer(h)?.text).toBe("Спасибо! Оценка 4 из 5 сохранена.");
    expect(await promptRow(prompt.id)).toMatchObject({ rating: 4, answeredAt: AFTER_THE_EVENT, followUp: null, wentWell: null, improve: null });
    const edit = h.telegram.sent("editMessageText").at(-1)!;
    expect(edit.text).toBe("🙏 <b>Спасибо за оценку!</b>\n«Мастер-класс по робототехнике», 10 декабря 2026, 15:00: <b>4 из 5</b>.");
    expect(edit.reply_markup).toBeUndefined();
    expect(last(contact).text).toBe(
      "Ещё несколько вопросов — по желанию, любой можно пропустить.\n\nХотели бы вы провести с нами ещё одно совместное мероприятие?",
    );
    expect(last(contact).buttons.map((b) => b.text)).toEqual(["Да", "Возможно", "Нет", "Пропустить ›", "Отмена"]);

    const followUpQuestion = last(contact);
    await say(contact, "да");
    expect(last(contact).text).toBe("Пожалуйста, выберите ответ кнопкой — «Да», «Возможно» или «Нет» — или нажмите «Пропустить».");
    // A button of some other message does not answer this question.
    await h.send(pressIn(contact, "ask:pick:maybe"));
    expect(lastAnswer(h)?.text).toContain("Эта кнопка уже не действует");
    expect((await promptRow(prompt.id)).followUp).toBeNull();

    h.clock.now = new Date(AFTER_THE_EVENT.getTime() + 60_000);
    await h.send(press(contact, "ask:pick:yes", followUpQuestion));
    expect(await promptRow(prompt.id)).toMatchObject({ rating: 4, followUp: "yes", updatedAt: h.clock.now });
    expect(last(contact).text).toBe("Что получилось хорошо? Напишите в свободной форме (до 2\u00a0000 символов) или нажмите «Пропустить».");

    await say(contact, "  Ребята собрали роботов & <показали> их родителям  ");
    expect((await promptRow(prompt.id)).wentWell).toBe("Ребята собрали роботов & <показали> их родителям");
    expect(last(contact).text).toBe("Что стоит улучшить? Напишите в свободной форме (до 2\u00a0000 символов) или нажмите «Пропустить».");

    await say(contact, "Больше времени на сборку");
    expect(await promptRow(prompt.id)).toMatchObject({ rating: 4, followUp: "yes", improve: "Больше времени на сборку", alertedAt: null });
    expect(last(contact).text).toBe("Спасибо за отзыв! Ваши ответы сохранены — они помогут нам сделать совместные мероприятия лучше.");
    expect(last(contact).buttons).toEqual([]);
    // A rating of 4 alerts nobody.
    expect(alertsTo(teacher)).toEqual([]);
    expect(alertsTo(admin)).toEqual([]);
    h.expectAllCallbacksAnswered();
  });

  it("in English: rating, then Skip, Skip and a comment; nothing is asked twice", async () => {
    const { english, englishPrompt } = await feedbackWorld(h, "en");
    await h.pressButton(english, `fb:r:${englishPrompt.id}:5`);
    expect(lastAnswer(h)?.text).toBe("Thank you! Your rating of 5 out of 5 is saved.");
    expect(h.telegram.sent("editMessageText").at(-1)!.text).toBe(
      "🙏 <b>Thank you for your rating!</b>\n“Мастер-класс по робототехнике”, 10 December 2026, 15:00: <b>5 out of 5</b>.",
    );
    expect(last(english).text).toBe("A few more questions, all optional: you can skip any of them.\n\nWould you like to hold another joint event with us?");
    expect(last(english).buttons.map((b) => b.text)).toEqual(["Yes", "Maybe", "No", "Skip ›", "Cancel"]);
    await h.pressButton(english, "ask:skip");
    expect(last(english).text).toBe("What went well? Write in your own words (up to 2,000 characters) or press Skip.");
    await h.pressButton(english, "ask:skip");
    expect(last(english).text).toBe("What could be improved? Write in your own words (up to 2,000 characters) or press Skip.");
    await say(english, "More hands-on time");
    expect(last(english).text).toBe("Thank you for your feedback! Your answers are saved — they help us make joint events better.");
    expect(await promptRow(englishPrompt.id)).toMatchObject({ rating: 5, followUp: null, wentWell: null, improve: "More hands-on time" });

    // Rating again from /feedback is not offered for an answered prompt; it is listed as answered.
    await h.send(command(english, "feedback"));
    expect(last(english).text).toBe(
      "📝 <b>Already answered — thank you!</b>\n• “Мастер-класс по робототехнике”, 10 December 2026, 15:00: 5 out of 5",
    );
    h.expectAllCallbacksAnswered();
  });

  it("alerts the proposer, the responsible person and the admins of a low rating with the comment, once", async () => {
    const world = await feedbackWorld(h);
    const { contact, teacher, colleague, colleagueRow, admin, stranger, prompt, event } = world;
    await h.database.db.update(events).set({ responsibleUserId: colleagueRow.id }).where(eq(events.id, event.id));
    await h.pressButton(contact, `fb:r:${prompt.id}:2`);
    // Nobody is alerted before the person is done with the comments.
    expect(alertsTo(teacher)).toEqual([]);
    await h.pressButton(contact, "ask:pick:no");
    await say(contact, "Хорошая площадка");
    expect(alertsTo(admin)).toEqual([]);
    await say(contact, "Начали на час позже, дети <устали>");
    const expected =
      "⚠️ <b>Низкая оценка: 2 из 5</b>\nМероприятие «Мастер-класс по робототехнике», 10 декабря 2026, 15:00.\n" +
      "Отзыв партнёра: СОШ № 5 (Ирина Смирнова).\nКомментарий: «Начали на час позже, дети &lt;устали&gt;»";
    for (const person of [teacher, colleague, admin]) expect(alertsTo(person)).toEqual([expected]);
    expect(alertsTo(stranger)).toEqual([]);
    expect(alertsTo(contact)).toEqual([]);
    const saved = await promptRow(prompt.id);
    expect(saved).toMatchObject({ rating: 2, followUp: "no", wentWell: "Хорошая площадка", improve: "Начали на час позже, дети <устали>" });
    expect(saved.alertedAt).toEqual(AFTER_THE_EVENT);

    // Rating 1 a day later on the old prompt message: the same answer changes, no second alert.
    h.clock.now = afterOpening(1);
    await h.send(pressIn(contact, `fb:r:${prompt.id}:1`));
    expect(lastAnswer(h)?.text).toBe("Оценка изменена: 1 из 5.");
    expect(last(contact).text).toContain("Спасибо за отзыв!");
    expect(await promptRow(prompt.id)).toMatchObject({ rating: 1, alertedAt: AFTER_THE_EVENT });
    for (const person of [teacher, colleague, admin]) expect(alertsTo(person)).toHaveLength(1);
    h.expectAllCallbacksAnswered();
  });

  it("alerts with 'what went well' when the improvement is skipped, and without a comment when the person stops", async () => {
    const { contact, english, teacher, prompt, englishPrompt } = await feedbackWorld(h);
    await h.pressButton(contact, `fb:r:${prompt.id}:1`);
    await h.pressButton(contact, "ask:skip");
    await say(contact, "Дети были довольны");
    await h.pressButton(contact, "ask:skip");
    expect(last(contact).text).toBe("Спасибо за отзыв! Ваши ответы сохранены — они помогут нам сделать совместные мероприятия лучше.");
    expect(alertsTo(teacher)).toHaveLength(1);
    expect(alertsTo(teacher)[0]).toContain("Низкая оценка: 1 из 5");
    expect(alertsTo(teacher)[0]).toContain("Комментарий: «Дети были довольны»");

    await h.pressButton(english, `fb:r:${englishPrompt.id}:2`);
    await h.pressButton(english, "ask:cancel");
    expect(last(english).text).toBe("All right, we'll skip the remaining questions. Your rating is saved — thank you!");
    expect(alertsTo(teacher)).toHaveLength(2);
    expect(alertsTo(teacher)[1]).toContain("Отзыв партнёра: СОШ № 5 (John Smith).\nКомментария нет.");
    expect((await promptRow(englishPrompt.id)).alertedAt).not.toBeNull();
    h.expectAllCallbacksAnswered();
  });
});

describe("partner feedback: bad input", () => {
  it("refuses an answer to a closed prompt, before and during the questions, saving nothing", async () => {
    const { contact, english, prompt, englishPrompt } = await feedbackWorld(h);
    await h.pressButton(english, `fb:r:${englishPrompt.id}:3`);
    h.clock.now = afterOpening(14);
    await h.pressButton(contact, `fb:r:${prompt.id}:5`);
    expect(lastAnswer(h)).toEqual(expect.objectContaining({ text: "Этот опрос уже закрыт, ответы больше не принимаются. Спасибо!", show_alert: true }));
    expect((await promptRow(prompt.id)).rating).toBeNull();
    expect(last(contact).text).toContain("Насколько вы довольны");

    // The English contact was answering when the prompt closed.
    await h.pressButton(english, "ask:pick:yes");
    expect(last(english).text).toBe("This survey is closed and no longer takes answers. Thank you!");
    expect(await promptRow(englishPrompt.id)).toMatchObject({ rating: 3, followUp: null });
    await say(english, "Anything");
    expect(last(english).text).not.toContain("What went well");
    expect((await promptRow(englishPrompt.id)).wentWell).toBeNull();
    h.expectAllCallbacksAnswered();
  });

  it("counts a rating pressed twice once, and a second rating changes the same answer", async () => {
    const { contact, prompt } = await feedbackWorld(h);
    const message = last(contact);
    await h.send(press(contact, `fb:r:${prompt.id}:4`, message));
    const question = last(contact);
    const firstAnswered = (await promptRow(prompt.id)).answeredAt;
    h.clock.now = afterOpening(1);
    await h.send(press(contact, `fb:r:${prompt.id}:4`, message));
    expect(lastAnswer(h)?.text).toBe("Ваша оценка 4 из 5 уже сохранена.");
    await h.send(press(contact, `fb:r:${prompt.id}:3`, message));
    expect(lastAnswer(h)?.text).toBe("Оценка изменена: 3 из 5.");
    const rows = await h.database.db.select().from(feedbackPrompts).where(eq(feedbackPrompts.contactId, prompt.contactId!));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ rating: 3, answeredAt: firstAnswered, updatedAt: afterOpening(1) });
    // The questions were asked once and go on where they were.
    expect(h.telegram.textsTo(contact.id).filter((t) => t.includes("ещё одно совместное"))).toHaveLength(1);
    expect(h.telegram.sent("editMessageText").map((e) => e.text)).toEqual([
      expect.stringContaining("<b>4 из 5</b>"),
      expect.stringContaining("<b>3 из 5</b>"),
    ]);
    await h.send(press(contact, "ask:pick:maybe", question));
    expect((await promptRow(prompt.id)).followUp).toBe("maybe");
    h.expectAllCallbacksAnswered();
  });

  it("refuses forged ratings: 0, 6, abc, someone else's prompt and one that does not exist", async () => {
    const { contact, english, prompt, englishPrompt } = await feedbackWorld(h);
    const refused = async (data: string, expected: string) => {
      await h.send(pressIn(contact, data));
      expect(lastAnswer(h), data).toEqual(expect.objectContaining({ text: expected, show_alert: true }));
    };
    const invalid = "Эта кнопка не работает. Выберите оценку от 1 до 5 кнопкой в сообщении с опросом.";
    await refused(`fb:r:${prompt.id}:0`, invalid);
    await refused(`fb:r:${prompt.id}:6`, invalid);
    await refused(`fb:r:${prompt.id}:abc`, invalid);
    await refused(`fb:r:${prompt.id}`, invalid);
    await refused(`fb:r:${englishPrompt.id}:5`, "Этот опрос предназначен другому человеку.");
    await refused("fb:r:999999:5", "Такого опроса нет.");
    expect(h.telegram.sent("editMessageText")).toEqual([]);
    expect((await h.database.db.select().from(feedbackPrompts)).map((p) => p.rating)).toEqual([null, null]);

    // The same while answering the questions: refused, and the questions go on.
    await h.pressButton(contact, `fb:r:${prompt.id}:4`);
    await refused(`fb:r:${prompt.id}:9`, invalid);
    await refused(`fb:r:${englishPrompt.id}:1`, "Этот опрос предназначен другому человеку.");
    await refused("fb:r:x:1", invalid);
    expect((await promptRow(prompt.id)).rating).toBe(4);
    expect((await promptRow(englishPrompt.id)).rating).toBeNull();
    await h.pressButton(contact, "ask:pick:no");
    expect((await promptRow(prompt.id)).followUp).toBe("no");
    expect(h.telegram.textsTo(english.id)).toHaveLength(1);
    h.expectAllCallbacksAnswered();
  });

  it("refuses a 10,000-character comment with the limit and re-asks; a sticker or a photo gets a hint", async () => {
    const { contact, english, prompt, englishPrompt } = await feedbackWorld(h);
    await h.pressButton(contact, `fb:r:${prompt.id}:5`);
    await h.pressButton(contact, "ask:skip");
    await say(contact, "Очень ".repeat(1665) + "всё хорошо");
    expect(last(contact).text).toBe(
      "Текст слишком длинный: в нём 10\u00a0000 символов, а сохранить я могу не больше 2\u00a0000. Сократите его, пожалуйста, и отправьте снова — или нажмите «Пропустить».",
    );
    expect(last(contact).buttons.map((b) => b.data)).toEqual(["ask:skip", "ask:cancel"]);
    expect((await promptRow(prompt.id)).wentWell).toBeNull();
    await h.send(sticker(contact));
    expect(last(contact).text).toBe("Здесь я могу сохранить только текст. Напишите ответ словами или нажмите «Пропустить».");
    await h.send(photo(contact, "Вот фото"));
    expect(last(contact).text).toBe("Здесь я могу сохранить только текст. Напишите ответ словами или нажмите «Пропустить».");
    expect((await promptRow(prompt.id)).wentWell).toBeNull();
    // Skip on the hint works like Skip on the question.
    await h.pressButton(contact, "ask:skip");
    expect(last(contact).text).toContain("Что стоит улучшить?");
    await say(contact, "я".repeat(2000));
    expect((await promptRow(prompt.id)).improve).toHaveLength(2000);

    await h.pressButton(english, `fb:r:${englishPrompt.id}:4`);
    await h.pressButton(english, "ask:skip");
    await say(english, "x".repeat(2001));
    expect(last(english).text).toBe(
      "Your text is 2,001 characters long, and I can keep up to 2,000. Please shorten it and send it again, or press Skip.",
    );
    await h.send(sticker(english));
    expect(last(english).text).toBe("I can only save text here. Please write your answer in words, or press Skip.");
    await say(english, "Good robots");
    expect((await promptRow(englishPrompt.id)).wentWell).toBe("Good robots");
    h.expectAllCallbacksAnswered();
  });
});

describe("/feedback", () => {
  it("lists the open prompts with the 1–5 row for unanswered ones; a rating there starts another prompt's questions", async () => {
    const { contact, stranger, prompt, secondPrompt } = await feedbackWorld(h, "ru", { secondEvent: true });
    await h.send(command(stranger, "feedback"));
    expect(last(stranger).text).toBe("Сейчас нет опросов, которые ждут вашего ответа. Спасибо!");

    await h.send(command(contact, "feedback"));
    const listed = h.telegram.textsTo(contact.id).slice(-2);
    expect(listed[0]).toContain("«Мастер-класс по робототехнике», 10 декабря 2026, 15:00.");
    expect(listed[1]).toContain("«Экскурсия в планетарий», 9 декабря 2026, 15:00.");
    expect(last(contact).buttons.map((b) => b.data)).toEqual(row(secondPrompt!.id));

    // Rating the master class, then — in the middle of its questions — the excursion from the list.
    await h.send(pressIn(contact, `fb:r:${prompt.id}:5`));
    await h.pressButton(contact, "ask:pick:yes");
    await h.send(pressIn(contact, `fb:r:${secondPrompt!.id}:3`));
    expect(lastAnswer(h)?.text).toBe("Спасибо! Оценка 3 из 5 сохранена.");
    expect(last(contact).text).toContain("ещё одно совместное мероприятие");
    await h.pressButton(contact, "ask:pick:no");
    expect(await promptRow(secondPrompt!.id)).toMatchObject({ rating: 3, followUp: "no" });
    expect(await promptRow(prompt.id)).toMatchObject({ rating: 5, followUp: "yes", wentWell: null });

    await h.send(command(contact, "feedback"));
    expect(last(contact).text).toBe(
      "📝 <b>Вы уже ответили — спасибо!</b>\n• «Мастер-класс по робототехнике», 10 декабря 2026, 15:00: 5 из 5\n" +
        "• «Экскурсия в планетарий», 9 декабря 2026, 15:00: 3 из 5",
    );
    h.clock.now = new Date(afterOpening(14).getTime() + DAY_MS);
    await h.send(command(contact, "feedback"));
    expect(last(contact).text).toBe("Сейчас нет опросов, которые ждут вашего ответа. Спасибо!");
    h.expectAllCallbacksAnswered();
  });
});
