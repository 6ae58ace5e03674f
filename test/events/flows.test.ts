import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eventDecisions, events } from "../../src/events/domain/schema.js";
import { feedbackRounds } from "../../src/feedback/domain/schema.js";
import { newRoundToken } from "../../src/feedback/domain/feedback.js";
import { decideEvent, getEvent, proposeEvent, recordOutcome } from "../../src/events/domain/events.js";
import { askHeldQuestions } from "../../src/events/held-questions-job.js";
import { eventDraft } from "../helpers/event-drafts.js";
import { askDeciders, eventWorld, jobDeps, pressIn } from "../helpers/event-world.js";
import { feedbackWorld } from "../helpers/feedback-world.js";
import { createHarness, type Harness } from "../helpers/harness.js";
import { command, makeUser, press, text, type TestUser } from "../helpers/updates.js";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

// The harness clock starts at 2026-12-01T02:00Z: Tuesday, 1 December 2026, 10:00 in Irkutsk.
const last = (user: TestUser) => h.telegram.lastMessageTo(user.id);
const say = (user: TestUser, body: string) => h.send(text(user, body));
const pick = (user: TestUser, id: string) => h.pressButton(user, `ask:pick:${id}`);

interface Shown {
  method: string;
  text: string;
  buttons: string[];
}

/** What the bot sent or edited in the user's chat while `act` ran: method, text (or caption), button labels. */
async function shownDuring(user: TestUser, act: () => Promise<void>): Promise<Shown[]> {
  const before = h.telegram.calls.length;
  await act();
  return h.telegram.calls
    .slice(before)
    .filter((c) => !c.error && Number(c.payload.chat_id) === user.id && (c.method.startsWith("send") || c.method.startsWith("edit")))
    .map((c) => {
      const markup = c.payload.reply_markup as { inline_keyboard?: { text: string }[][] } | undefined;
      return {
        method: c.method,
        text: typeof c.payload.text === "string" ? c.payload.text : typeof c.payload.caption === "string" ? c.payload.caption : "",
        buttons: (markup?.inline_keyboard ?? []).flat().map((b) => b.text),
      };
    });
}

const escapeRegExp = (raw: string) => raw.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

const T = {
  ru: {
    search: "школа",
    invalidDate: "31.02 10:00",
    past: "сегодня в 9:00",
    when: "25.12.2026 15:00",
    badDuration: "полчаса",
    until: "до 17:00",
    back: "« Назад",
    skip: "Пропустить ›",
    cancel: "Отмена",
    invalidDateText: "Такой даты нет в календаре. Проверьте число и месяц, например «28.02 10:00».",
    pastText: "Это время уже прошло (сейчас 1 декабря 2026, 10:00). Укажите, пожалуйста, будущие дату и время.",
    understood: "Понял: <b>пятница, 25 декабря 2026, 15:00</b>. Всё верно?",
    understoodButtons: ["✅ Верно", "✏️ Ввести заново", "Отмена"],
    badDurationText: "Не удалось понять длительность. Напишите, например, «45 мин», «2,5 ч» или «до 17:30».",
    badParticipantsText: "Напишите, пожалуйста, целое число от 1 до 5000.",
    summaryWhen: "Когда: 25 декабря 2026, 15:00–17:00 (2 ч)",
    cardWhen: "Когда: 25 декабря 2026, 15:00–17:00 (2 ч)",
  },
  en: {
    search: "школа",
    invalidDate: "31.02 10:00",
    past: "today 9:00",
    when: "25.12.2026 15:00",
    badDuration: "a while",
    until: "until 17:00",
    back: "« Back",
    skip: "Skip ›",
    cancel: "Cancel",
    invalidDateText: "There is no such date in the calendar. Please check the day and month, e.g. “28.02 10:00”.",
    pastText: "That time has already passed (it is now 1 December 2026, 10:00). Please give a future date and time.",
    understood: "Understood: <b>Friday, 25 December 2026, 15:00</b>. Is that right?",
    understoodButtons: ["✅ Correct", "✏️ Re-enter", "Cancel"],
    badDurationText: "I could not read the duration. Type, for example, “45 min”, “2.5 h” or “until 17:30”.",
    badParticipantsText: "Please type a whole number from 1 to 5000.",
    summaryWhen: "When: 25 December 2026, 15:00–17:00 (2 h)",
    cardWhen: "When: 25 December 2026, 15:00–17:00 (2 h)",
  },
} as const;

describe("/newevent: a refused answer is one message; one way to write a date and time", () => {
  it.each(["ru", "en"] as const)("in %s", async (language) => {
    const s = T[language];
    const { teacher, teacherRow, admin, partner } = await eventWorld(h, language);
    await h.send(command(teacher, "newevent"));
    await say(teacher, s.search);
    await pick(teacher, `p${partner.id}`);
    await pick(teacher, "next");
    await pick(teacher, "master_class");
    await pick(teacher, "institutional");
    await say(teacher, "Робототехника для всех");
    await h.pressButton(teacher, "ask:skip");

    // A date that does not exist, a past time: the reason alone, with the step's buttons.
    expect(await shownDuring(teacher, () => say(teacher, s.invalidDate))).toEqual([
      { method: "sendMessage", text: s.invalidDateText, buttons: [s.back, s.cancel] },
    ]);
    expect(await shownDuring(teacher, () => say(teacher, s.past))).toEqual([{ method: "sendMessage", text: s.pastText, buttons: [s.back, s.cancel] }]);
    // The buttons under the refusal work as the question's did.
    await h.pressButton(teacher, "ask:back");
    await h.pressButton(teacher, "ask:skip");
    expect(await shownDuring(teacher, () => say(teacher, s.when))).toEqual([{ method: "sendMessage", text: s.understood, buttons: s.understoodButtons }]);
    await pick(teacher, "yes");

    await pick(teacher, "typed");
    expect(await shownDuring(teacher, () => say(teacher, s.badDuration))).toEqual([
      { method: "sendMessage", text: s.badDurationText, buttons: [s.back, s.cancel] },
    ]);
    await say(teacher, s.until);
    await h.pressButton(teacher, "ask:skip"); // place
    await h.pressButton(teacher, "ask:skip"); // ages
    await pick(teacher, "general");
    await h.pressButton(teacher, "ask:done");
    for (const bad of ["0", "5001", "двадцать"]) {
      expect(await shownDuring(teacher, () => say(teacher, bad))).toEqual([
        { method: "sendMessage", text: s.badParticipantsText, buttons: [s.back, s.skip, s.cancel] },
      ]);
    }
    await say(teacher, "20");
    await pick(teacher, `u${teacherRow.id}`);
    await pick(teacher, "none");

    const summary = last(teacher).text;
    expect(summary).toContain(s.summaryWhen);
    expect(summary).not.toMatch(/\d\d\.\d\d\.\d{4}|дек\.|Dec\b/);
    await pick(teacher, "confirm");

    const [event] = await h.database.db.select().from(events).where(eq(events.title, "Робототехника для всех"));
    expect(event).toMatchObject({ startsAt: new Date("2026-12-25T07:00:00Z"), endsAt: new Date("2026-12-25T09:00:00Z"), expectedParticipants: 20 });
    // The approval request and the card write it the same way.
    const request = last(admin);
    expect(request.text).toContain(s.cardWhen);
    expect(request.buttons.length).toBeGreaterThan(0);
    await h.send(pressIn(teacher, `ev:open:${event!.id}`));
    expect(last(teacher).text).toContain(s.cardWhen);
    for (const shown of [request.text, last(teacher).text]) expect(shown).not.toMatch(/\d\d\.\d\d\.\d{4}|дек\.|Dec\b/);
    h.expectAllCallbacksAnswered();
  });
});

describe("changing an event's date and time", () => {
  it.each([
    [
      "ru",
      "сегодня в 9:00",
      "Это время уже прошло (1 декабря 2026, 09:00). Укажите, пожалуйста, дату и время в будущем.",
      ["Отмена"],
      "Я понял так: <b>25 декабря 2026, 15:00–17:00</b>. Сохранить?",
      ["✅ Сохранить", "✏️ Ввести заново", "Отмена"],
      "Когда: 25 декабря 2026, 15:00–17:00 (2 ч)",
    ],
    [
      "en",
      "today 9:00",
      "That time has already passed (1 December 2026, 09:00). Please give a future date and time.",
      ["Cancel"],
      "I understood: <b>25 December 2026, 15:00–17:00</b>. Save it?",
      ["✅ Save", "✏️ Type it again", "Cancel"],
      "When: 25 December 2026, 15:00–17:00 (2 h)",
    ],
  ] as const)("refuses a past time in one message and echoes the new time as everywhere (%s)", async (language, past, pastText, buttons, understood, understoodButtons, cardWhen) => {
    const { teacher, event } = await eventWorld(h, language);
    await h.send(pressIn(teacher, `ev:open:${event.id}`));
    await h.pressButton(teacher, `ev:time:${event.id}`);
    expect(await shownDuring(teacher, () => say(teacher, past))).toEqual([{ method: "sendMessage", text: pastText, buttons }]);
    expect(await shownDuring(teacher, () => say(teacher, "25.12.2026 15:00"))).toEqual([{ method: "sendMessage", text: understood, buttons: understoodButtons }]);
    await h.pressButton(teacher, "ask:pick:confirm");
    expect(last(teacher).text).toContain(cardWhen);
    expect(await getEvent(h.database.db, event.id)).toMatchObject({ startsAt: new Date("2026-12-25T07:00:00Z"), endsAt: new Date("2026-12-25T09:00:00Z") });
    h.expectAllCallbacksAnswered();
  });
});

describe("the decision comment step", () => {
  it.each([
    ["ru", "ok", "Вы согласуете «Мастер-класс по робототехнике». Напишите комментарий для автора предложения или нажмите «Пропустить».", ["Пропустить ›", "Отмена"], "Действие отменено, ничего не сохранено."],
    ["en", "no", "Rejecting “Мастер-класс по робототехнике”. Write the reason for the proposer, or press Skip.", ["Skip ›", "Cancel"], "Cancelled. Nothing was saved."],
    ["ru", "chg", "Вы отправляете «Мастер-класс по робототехнике» на доработку. Напишите, что нужно изменить, или нажмите «Пропустить».", ["Пропустить ›", "Отмена"], "Действие отменено, ничего не сохранено."],
  ] as const)("has Cancel, which records no decision (%s, %s)", async (language, action, prompt, buttons, cancelled) => {
    const { admin, teacher, event } = await eventWorld(h, language);
    await askDeciders(h, event.id);
    const request = last(admin);
    await h.pressButton(admin, `ea:${action}:${event.id}`);
    expect(last(admin)).toMatchObject({ text: prompt, buttons: buttons.map((label, i) => ({ text: label, data: i === 0 ? "ask:skip" : "ask:cancel" })) });
    const toTeacher = h.telegram.textsTo(teacher.id).length;
    expect(await shownDuring(admin, () => h.pressButton(admin, "ask:cancel"))).toEqual([{ method: "sendMessage", text: cancelled, buttons: [] }]);
    expect(await getEvent(h.database.db, event.id)).toMatchObject({ status: "proposed" });
    expect(await h.database.db.select().from(eventDecisions)).toEqual([]);
    expect(h.telegram.textsTo(teacher.id)).toHaveLength(toTeacher);
    // A text after Cancel is not taken as a comment; the request's buttons still work.
    await say(admin, "Передумал");
    expect(await h.database.db.select().from(eventDecisions)).toEqual([]);
    await h.send(press(admin, `ea:${action}:${event.id}`, request));
    expect(last(admin).text).toBe(prompt);
    h.expectAllCallbacksAnswered();
  });
});

describe("the 1–5 rating row explains itself", () => {
  it.each([
    ["ru", "1 — совсем не довольны … 5 — полностью довольны"],
    ["en", "1 — not satisfied at all … 5 — completely satisfied"],
  ] as const)("in the partner's feedback prompt (%s)", async (language, legend) => {
    // feedbackWorld's contact reads the bot in `language`.
    const { contact, prompt } = await feedbackWorld(h, language);
    const shown = last(contact);
    // The legend is the last line of the message, right above the one row of buttons.
    expect(shown.text.split("\n\n").at(-1)).toBe(legend);
    expect(shown.buttons).toEqual([1, 2, 3, 4, 5].map((n) => ({ text: String(n), data: `fb:r:${prompt.id}:${n}` })));
  });

  it.each([
    ["ru", "1 — совсем не понравилось … 5 — отлично", "Как вам мероприятие? Оцените его от 1 до 5."],
    ["en", "1 — did not like it at all … 5 — excellent", "How did you like the event? Rate it from 1 to 5."],
  ] as const)("in the participants' anonymous survey (%s)", async (language, legend, question) => {
    const world = await eventWorld(h, language);
    await world.approve();
    await h.database.db.update(events).set({ status: "held", participantsOther: 12 }).where(eq(events.id, world.event.id));
    h.clock.now = new Date("2026-12-11T10:00:00Z");
    const token = newRoundToken();
    await h.database.db.insert(feedbackRounds).values({
      eventId: world.event.id,
      token,
      linkClosesAt: new Date("2026-12-18T10:00:00Z"),
      promptsCloseAt: new Date("2026-12-25T10:00:00Z"),
    });
    const guest = makeUser({ language_code: language });
    await h.send(command(guest, "start", `pf_${token}`));
    const shown = last(guest);
    expect(shown.text.endsWith(`${question}\n\n${legend}`)).toBe(true);
    expect(shown.buttons.map((b) => b.text)).toEqual(["1", "2", "3", "4", "5"]);
    expect(shown.buttons.map((b) => b.data)).toEqual([1, 2, 3, 4, 5].map((n) => `pf:r:${world.event.id}:${n}`));
  });
});

describe("recording “held”", () => {
  it("ends in two messages in English: the result with the participants' link, then the QR code with a button to the card", async () => {
    const { teacher, event, approve } = await eventWorld(h, "en");
    await approve();
    h.clock.now = new Date("2026-12-10T09:30:00Z");
    await askHeldQuestions(jobDeps(h), h.clock.now);
    await h.flushOutbox();
    expect(last(teacher).text).toBe("📋 The event “Мастер-класс по робототехнике” (10 December 2026, 15:00) has ended. Was it held?");
    await h.pressButton(teacher, `eh:yes:${event.id}`);
    expect(last(teacher).text).toBe(
      "Let's record how “Мастер-класс по робототехнике” went.\n\nHow many gifted children took part? Type a whole number from 0 to 5000.",
    );
    expect(await shownDuring(teacher, () => say(teacher, "lots"))).toEqual([
      { method: "sendMessage", text: "Please type a whole number from 0 to 5000, e.g. 12.", buttons: ["Cancel"] },
    ]);
    for (const n of ["12", "3", "5", "1"]) await say(teacher, n);
    expect(last(teacher).text).toBe("In a few sentences: what was the result? (up to 1500 characters)");
    const shown = await shownDuring(teacher, () => say(teacher, "Three robots built; two children joined the club"));
    expect(shown.map((m) => m.method)).toEqual(["sendMessage", "sendPhoto"]);
    expect(shown[0]!.text).toMatch(
      new RegExp(
        "^" +
          escapeRegExp(
            "Thank you! The event is recorded as held, with 21 participants.\n\n" +
              "A satisfaction survey was sent to the partner contacts (recipients: 1). You will get the results when the survey closes.\n\n" +
              "👥 <b>Participant feedback</b>\n“Мастер-класс по робототехнике”, 10 December 2026, 15:00\n\nLink for participants:\n",
          ) +
          "https://t\\.me/palace_partners_bot\\?start=pf_[A-Za-z0-9_-]{22}" +
          escapeRegExp(
            "\n\nShow it on screen or print the QR code: a participant opens the bot, rates the event from 1 to 5 and may add a comment. " +
              "Answers are anonymous. The link works until 17 December 2026, 17:30.",
          ) +
          "$",
      ),
    );
    expect(shown[0]!.buttons).toEqual([]);
    expect(shown[1]).toEqual({ method: "sendPhoto", text: "QR code for participant feedback: “Мастер-класс по робототехнике”", buttons: ["📋 Event card"] });
    const photo = h.telegram.sent("sendPhoto").at(-1)!;
    expect(photo.reply_markup).toMatchObject({ inline_keyboard: [[{ callback_data: `ev:open:${event.id}` }]] });
    expect(await getEvent(h.database.db, event.id)).toMatchObject({ status: "held", participantsGifted: 12, participantsDisabilities: 3, participantsCareerGuidance: 5, participantsOther: 1 });
    h.expectAllCallbacksAnswered();
  });
});

describe("event statuses are named the same on the card and in the calendar", () => {
  it.each([
    ["ru", "📁 проведено, отзывы собраны", "✏️ на доработке", "Статус", "Мастер-класс", "Прошедшие", "Предстоящие"],
    ["en", "📁 held, feedback collected", "✏️ sent back for changes", "Status", "Master class", "Past", "Upcoming"],
  ] as const)("in %s", async (language, closedName, changesName, statusLabel, format, past, upcoming) => {
    const world = await eventWorld(h, language);
    const { adminRow, teacher, teacherRow, partner, event } = world;
    const db = h.database.db;
    const adminActor = { user: { ...adminRow, language }, role: "admin" as const };
    const proposed = await proposeEvent(
      db,
      { user: teacherRow, role: "staff" },
      eventDraft([partner.id], teacherRow.id, new Date("2026-12-20T03:00:00Z"), { title: "Круглый стол", format: "round_table" }),
      h.clock.now,
    );
    if (!proposed.ok) throw new Error(proposed.reason);
    const sentBack = proposed.event;
    const decided = await decideEvent(db, adminActor, { eventId: sentBack.id, decision: "changes_requested", comment: null });
    if (!decided.ok) throw new Error(decided.reason);
    await world.approve();
    h.clock.now = new Date("2026-12-11T10:00:00Z");
    const held = await recordOutcome(
      db,
      adminActor,
      event.id,
      { held: true, report: { gifted: 1, disabilities: 0, careerGuidance: 0, other: 2, result: "Собрали робота" } },
      h.clock.now,
    );
    if (!held.ok) throw new Error(held.reason);
    // Its feedback round has closed (jobs/feedback-close.ts sets this status).
    await db.update(events).set({ status: "closed" }).where(eq(events.id, event.id));

    await h.send(pressIn(teacher, `ev:open:${event.id}`));
    expect(last(teacher).text).toContain(`<b>${statusLabel}:</b> ${closedName}`);
    await h.send(pressIn(teacher, `ev:open:${sentBack.id}`));
    expect(last(teacher).text).toContain(`<b>${statusLabel}:</b> ${changesName}`);

    const legend = `<i>${STATUS_NAMES[language].join(" · ")}</i>`;
    await h.send(command(teacher, "events"));
    let list = last(teacher).text;
    expect(list).toContain(`— ${upcoming}`);
    expect(list).toContain(`1. ✏️ 20 ${language === "ru" ? "декабря" : "December"} 2026, 11:00 · ${language === "ru" ? "Круглый стол" : "Round table"} · Круглый стол`);
    expect(list.endsWith(legend)).toBe(true);
    await h.pressButton(teacher, "el:v:p.l.0.0.0.0.0");
    list = last(teacher).text;
    expect(list).toContain(`— ${past}`);
    expect(list).toContain(`📁 10 ${language === "ru" ? "декабря" : "December"} 2026, 15:00 · ${format} · Мастер-класс по робототехнике`);
    expect(list.endsWith(legend)).toBe(true);
    h.expectAllCallbacksAnswered();
  });
});

const STATUS_NAMES = {
  ru: ["🕓 ждёт согласования", "✏️ на доработке", "✅ согласовано", "❌ отклонено", "🚫 отменено", "🏁 проведено", "📁 проведено, отзывы собраны"],
  en: ["🕓 awaiting approval", "✏️ sent back for changes", "✅ approved", "❌ rejected", "🚫 cancelled", "🏁 held", "📁 held, feedback collected"],
};
