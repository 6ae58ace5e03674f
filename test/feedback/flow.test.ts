import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { feedbackPrompts, feedbackRounds, participantFeedback } from "../../src/feedback/domain/schema.js";
import { closeFeedbackRounds } from "../../src/feedback/close-job.js";
import { sendFeedbackReminders } from "../../src/feedback/reminders-job.js";
import { askHeldQuestions } from "../../src/events/held-questions-job.js";
import { eventWorld, jobDeps } from "../helpers/event-world.js";
import { createHarness, type Harness } from "../helpers/harness.js";
import { command, makeUser, text, type TestUser } from "../helpers/updates.js";

/**
 * The whole feedback cycle through the bot: the teacher records the event as held; the partner
 * contact is asked, reminded while silent, and answers; a participant answers through the link;
 * the prompt closes and the summary arrives. In Russian and in English.
 */
let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

/** 10 December 17:30 in Irkutsk: half an hour after the master class ended. */
const AFTER_THE_EVENT = new Date("2026-12-10T09:30:00Z");
const DAY = 24 * 3600_000;
const last = (user: TestUser) => h.telegram.lastMessageTo(user.id);
const say = (user: TestUser, body: string) => h.send(text(user, body));
const later = (days: number) => new Date(AFTER_THE_EVENT.getTime() + days * DAY);

const WORDS = {
  ru: {
    held: "Спасибо! Мероприятие отмечено как проведённое: 10 участников.",
    asked: "Контактным лицам партнёров отправлен опрос об удовлетворённости (получателей: 1).",
    question: "Насколько вы довольны совместным мероприятием?",
    reminder: "Напоминаем об отзыве",
    rated: "<b>4 из 5</b>",
    summary: "Итоги отзывов о мероприятии «Мастер-класс по робототехнике»",
    answered: "Ответили: 1 из 1 (100 %)",
    comment: "Дети были в восторге",
  },
  en: {
    held: "Thank you! The event is recorded as held, with 10 participants.",
    asked: "A satisfaction survey was sent to the partner contacts (recipients: 1).",
    question: "How satisfied are you with the joint event?",
    reminder: "A reminder about your feedback",
    rated: "<b>4 out of 5</b>",
    summary: "Feedback results for “Мастер-класс по робототехнике”",
    answered: "Answered: 1 of 1 (100%)",
    comment: "The children loved it",
  },
} as const;

describe.each(["ru", "en"] as const)("the feedback cycle (%s)", (language) => {
  it("asks the partner after 'held', reminds only while silent, takes a participant's answer, and sums up at the close", async () => {
    const words = WORDS[language];
    const { teacher, contact, stranger, event, approve } = await eventWorld(h, language);
    await approve();
    h.clock.now = AFTER_THE_EVENT;
    await askHeldQuestions(jobDeps(h), h.clock.now);
    await h.flushOutbox();

    // The teacher records the event as held: 3 + 1 + 2 + 4 participants and a result.
    await h.pressButton(teacher, `eh:yes:${event.id}`);
    for (const n of ["3", "1", "2", "4"]) await say(teacher, n);
    await say(teacher, words.comment);
    const teacherTexts = h.telegram.textsTo(teacher.id);
    expect(teacherTexts.find((t) => t.startsWith(words.held))).toContain(words.asked);
    // The participants' link, and its QR code as a PNG, come right after.
    const [round] = await h.database.db.select().from(feedbackRounds).where(eq(feedbackRounds.eventId, event.id));
    expect(teacherTexts.some((t) => t.includes(`https://t.me/palace_partners_bot?start=pf_${round!.token}`))).toBe(true);
    expect(h.telegram.sent("sendPhoto").filter((p) => p.chat_id === teacher.id)).toHaveLength(1);

    // The partner's contact is asked, with one row 1–5; the contact of a partner not in the event is not.
    const [prompt] = await h.database.db.select().from(feedbackPrompts);
    expect(last(contact).text).toContain(words.question);
    expect(last(contact).buttons.map((b) => b.data)).toEqual([1, 2, 3, 4, 5].map((n) => `fb:r:${prompt!.id}:${n}`));
    expect(h.telegram.textsTo(stranger.id).some((t) => t.includes(words.question))).toBe(false);

    // Day 2: a reminder, since nothing was answered.
    h.clock.now = later(2);
    expect(await sendFeedbackReminders(jobDeps(h), h.clock.now)).toEqual({ queued: 1 });
    await h.flushOutbox();
    expect(last(contact).text).toContain(words.reminder);

    // One tap counts; the optional questions follow and each answer is kept.
    await h.pressButton(contact, `fb:r:${prompt!.id}:4`);
    expect(h.telegram.textsTo(contact.id).some((t) => t.includes(words.rated))).toBe(true);
    await h.pressButton(contact, "ask:pick:yes");
    await say(contact, words.comment);
    await h.pressButton(contact, "ask:skip");
    expect(await h.database.db.select().from(feedbackPrompts)).toEqual([
      expect.objectContaining({ rating: 4, followUp: "yes", wentWell: words.comment, improve: null, remindersSent: 1 }),
    ]);

    // Day 5: no second reminder, because the contact answered.
    h.clock.now = later(5);
    expect(await sendFeedbackReminders(jobDeps(h), h.clock.now)).toEqual({ queued: 0 });

    // A participant answers anonymously through the link: 5, no comment, no role, no age.
    h.clock.now = later(1);
    const pupil = makeUser({ first_name: "Ученик", language_code: language });
    await h.send(command(pupil, "start", `pf_${round!.token}`));
    await h.pressButton(pupil, `pf:r:${event.id}:5`);
    await h.pressButton(pupil, `pf:cs:${event.id}`);
    await h.pressButton(pupil, `pf:role:${event.id}:skip`);
    await h.pressButton(pupil, `pf:age:${event.id}:skip`);
    expect(await h.database.db.select({ rating: participantFeedback.rating }).from(participantFeedback)).toEqual([{ rating: 5 }]);

    // Day 14 and a bit: the prompt closes and the summary goes to the teacher (responsible and proposer), once.
    h.clock.now = later(14.1);
    expect(await closeFeedbackRounds(jobDeps(h), h.clock.now)).toMatchObject({ closed: 1 });
    expect(await closeFeedbackRounds(jobDeps(h), h.clock.now)).toMatchObject({ closed: 0 });
    await h.flushOutbox();
    const summaries = h.telegram.textsTo(teacher.id).filter((t) => t.includes(words.summary));
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toContain(words.answered);
    expect(summaries[0]).toContain(words.comment);
    h.expectAllCallbacksAnswered();
  });
});
