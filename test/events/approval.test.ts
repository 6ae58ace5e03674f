import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { eventConfirmations, eventDecisions, events } from "../../src/events/domain/schema.js";
import { outbox } from "../../src/core/outbox/schema.js";
import { getEvent } from "../../src/events/domain/events.js";
import { askDeciders, askPartners, eventWorld, lastAnswer, pressIn } from "../helpers/event-world.js";
import { createHarness, type Harness } from "../helpers/harness.js";
import { makeUser, press, text, type TestUser } from "../helpers/updates.js";
import { registered } from "../helpers/bot-people.js";
import { failOutboxWrites } from "../helpers/outbox-failure.js";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

const last = (user: TestUser) => h.telegram.lastMessageTo(user.id);
const say = (user: TestUser, body: string) => h.send(text(user, body));
const statusOf = async (id: number) => (await getEvent(h.database.db, id))!.status;

describe("event approval", () => {
  it("approves with a comment in Russian: the proposer learns it, the decision is kept, partner contacts are asked", async () => {
    const world = await eventWorld(h);
    const { admin, teacher, contact, stranger, event } = world;
    await askDeciders(h, event.id);
    const request = last(admin);
    expect(request.text).toContain("🗳 <b>Мероприятие ждёт вашего решения</b>\nАвтор предложения: Мария Петрова.");
    expect(request.text).toContain("<b>Мастер-класс по робототехнике</b>\nФормат: Мастер-класс\nУровень: учреждения\nПартнёры: СОШ № 5");
    expect(request.text).toContain("Когда: 10 декабря 2026, 15:00–17:00 (2 ч)");
    expect(request.buttons.map((b) => b.data)).toEqual([`ea:ok:${event.id}`, `ea:no:${event.id}`, `ea:chg:${event.id}`, `ev:open:${event.id}`]);

    await h.pressButton(admin, `ea:ok:${event.id}`);
    expect(last(admin).text).toBe("Вы согласуете «Мастер-класс по робототехнике». Напишите комментарий для автора предложения или нажмите «Пропустить».");
    await say(admin, "Хорошая идея, <берите> 2 зала");
    expect(h.telegram.textsTo(admin.id).at(-2)).toContain("Мероприятие согласовано.");
    expect(last(admin).text).toContain("<b>Статус:</b> ✅ согласовано");
    expect(last(admin).text).toContain("<i>Решения:</i>\n• ");
    expect(last(admin).text).toContain("согласовано, Анна Админова\n  «Хорошая идея, &lt;берите&gt; 2 зала»");

    expect(h.telegram.lastTextTo(teacher.id)).toBe(
      "✅ Мероприятие «Мастер-класс по робототехнике» (10 декабря 2026, 15:00) согласовано. Согласующий: Анна Админова.\nКомментарий: Хорошая идея, &lt;берите&gt; 2 зала",
    );
    expect(last(contact).text).toContain("🤝 <b>Совместное мероприятие с Дворцом творчества</b>");
    expect(last(contact).buttons.map((b) => b.data)).toEqual([`ec:yes:${event.id}`, `ec:no:${event.id}`, `ec:alt:${event.id}`]);
    expect(h.telegram.textsTo(stranger.id).join("\n")).not.toContain("Мастер-класс");

    const [decision] = await h.database.db.select().from(eventDecisions).where(eq(eventDecisions.eventId, event.id));
    expect(decision).toMatchObject({ decision: "approved", comment: "Хорошая идея, <берите> 2 зала", decidedBy: world.adminRow.id });

    // The request message still has its buttons: a second press is told who decided.
    await h.send(press(admin, `ea:ok:${event.id}`, request));
    expect(lastAnswer(h)?.show_alert).toBe(true);
    expect(lastAnswer(h)?.text).toMatch(/^Решение уже принято: согласовано \(Анна Админова, \d+ декабря 2026, \d\d:\d\d\)\.$/);
    expect(await h.database.db.select().from(eventDecisions)).toHaveLength(1);
    h.expectAllCallbacksAnswered();
  });

  it("rejects without a comment and asks for changes in English; a changed proposal goes back to the deciders", async () => {
    const world = await eventWorld(h, "en");
    const { admin, teacher, event } = world;
    await askDeciders(h, event.id);
    expect(last(admin).text).toContain("🗳 <b>An event awaits your decision</b>\nProposed by Мария Петрова.");
    expect(last(admin).text).toContain("When: 10 December 2026, 15:00–17:00 (2 h)");
    expect(last(admin).text).toContain("Audience: ages 10–14, gifted children, career guidance, ages 15–17");
    expect(last(admin).text).toContain("Expected: 20 participants");
    await h.pressButton(admin, `ea:chg:${event.id}`);
    expect(last(admin).text).toBe("Sending “Мастер-класс по робототехнике” back for changes. Write what should change, or press Skip.");
    await say(admin, "Please move it to the assembly hall");
    expect(h.telegram.textsTo(admin.id).at(-2)).toBe("The event is sent back for changes. The proposer and the responsible person have been told.");
    expect(h.telegram.lastTextTo(teacher.id)).toContain("✏️ The event “Мастер-класс по робототехнике” (10 December 2026, 15:00) was sent back for changes by Анна Админова.");
    expect(h.telegram.lastTextTo(teacher.id)).toContain("\nComment: Please move it to the assembly hall");
    expect(await statusOf(event.id)).toBe("changes_requested");

    await h.send(pressIn(teacher, `ev:open:${event.id}`));
    expect(last(teacher).text).toContain("<b>Status:</b> ✏️ sent back for changes");
    await h.pressButton(teacher, `ev:place:${event.id}`);
    await say(teacher, "Assembly hall");
    expect(h.telegram.textsTo(teacher.id).at(-2)).toBe("Saved. The changed event has been sent for approval again; the deciders have been told.");
    expect(await statusOf(event.id)).toBe("proposed");
    expect(last(admin).text).toContain("🗳 <b>A changed event awaits your decision again</b>");
    expect(last(admin).text).toContain("Place: Assembly hall");

    await h.pressButton(admin, `ea:no:${event.id}`);
    await h.pressButton(admin, "ask:skip");
    expect(h.telegram.textsTo(admin.id).at(-2)).toBe("The event is rejected. The proposer and the responsible person have been told.");
    expect(h.telegram.lastTextTo(teacher.id)).toBe("❌ The event “Мастер-класс по робототехнике” (10 December 2026, 15:00) was rejected by Анна Админова.");
    expect(last(admin).text).toContain("<b>Status:</b> ❌ rejected");
    expect(await statusOf(event.id)).toBe("rejected");
    const decisions = await h.database.db.select().from(eventDecisions).orderBy(eventDecisions.id);
    expect(decisions.map((d) => [d.decision, d.comment])).toEqual([
      ["changes_requested", "Please move it to the assembly hall"],
      ["rejected", null],
    ]);
    h.expectAllCallbacksAnswered();
  });

  it("refuses Approve from a staff member, a partner contact, a guest and forged data", async () => {
    const { colleague, contact, event } = await eventWorld(h);
    const guest = makeUser();
    await registered(h, guest, "guest");
    for (const user of [colleague, contact, guest]) {
      await h.send(pressIn(user, `ea:ok:${event.id}`));
      expect(lastAnswer(h)).toEqual(expect.objectContaining({ text: "Это действие вам недоступно.", show_alert: true }));
      expect(h.telegram.lastTextTo(user.id)).not.toContain("Вы согласуете");
    }
    await h.send(pressIn(colleague, "ea:ok:abc"));
    expect(lastAnswer(h)?.text).toContain("Эта кнопка уже не действует");
    await h.send(pressIn(h.admin, "ea:ok:999999"));
    expect(lastAnswer(h)).toMatchObject({ text: "Такого мероприятия нет.", show_alert: true });
    expect(await statusOf(event.id)).toBe("proposed");
    expect(await h.database.db.select().from(eventDecisions)).toHaveLength(0);
    h.expectAllCallbacksAnswered();
  });

  it("keeps neither the decision nor any of its notices when one notice cannot be written, and works once it can", async () => {
    const { admin, teacher, contact, event } = await eventWorld(h);
    await askDeciders(h, event.id);
    const request = last(admin);
    const before = { teacher: h.telegram.textsTo(teacher.id).length, contact: h.telegram.textsTo(contact.id).length };
    // The proposer's notice is written first; the partner contact's request then fails.
    const undo = await failOutboxWrites(h.database.db, contact.id);
    try {
      await h.pressButton(admin, `ea:ok:${event.id}`);
      await h.pressButton(admin, "ask:skip");
    } finally {
      await undo();
    }
    // The press was answered before the failure, and a button is answered once: the apology comes as a message.
    expect(h.telegram.lastTextTo(admin.id)).toContain("Извините, что-то пошло не так");
    expect(await statusOf(event.id)).toBe("proposed");
    expect(await h.database.db.select().from(eventDecisions)).toEqual([]);
    const queued = await h.database.db.select({ chatId: outbox.chatId }).from(outbox);
    expect(queued.map((row) => row.chatId)).toEqual([admin.id]);
    expect(h.telegram.textsTo(teacher.id)).toHaveLength(before.teacher);
    expect(h.telegram.textsTo(contact.id)).toHaveLength(before.contact);

    // Nothing half-done is left behind: the same button works now, once.
    await h.send(press(admin, `ea:ok:${event.id}`, request));
    await h.pressButton(admin, "ask:skip");
    expect(await statusOf(event.id)).toBe("approved");
    expect(h.telegram.textsTo(teacher.id).slice(before.teacher)).toEqual([
      "✅ Мероприятие «Мастер-класс по робототехнике» (10 декабря 2026, 15:00) согласовано. Согласующий: Анна Админова.",
    ]);
    expect(h.telegram.textsTo(contact.id).slice(before.contact)).toEqual([expect.stringContaining("🤝 <b>Совместное мероприятие")]);
    expect(await h.database.db.select().from(eventDecisions)).toHaveLength(1);
    h.expectAllCallbacksAnswered();
  });

  it("tells an admin who is writing a comment that another decider was faster", async () => {
    const { admin, event } = await eventWorld(h);
    const second = makeUser({ first_name: "Борис", last_name: "Второв" });
    const secondRow = await registered(h, second, "admin");
    await askDeciders(h, event.id);
    await h.pressButton(admin, `ea:ok:${event.id}`);
    await h.pressButton(second, `ea:no:${event.id}`);
    await say(second, "Нет бюджета");
    await h.pressButton(admin, "ask:skip");
    expect(h.telegram.lastTextTo(admin.id)).toMatch(/^Решение уже принято: отклонено \(Борис Второв, .*\)\.$/);
    const decisions = await h.database.db.select().from(eventDecisions);
    expect(decisions).toEqual([expect.objectContaining({ decision: "rejected", decidedBy: secondRow.id })]);
    h.expectAllCallbacksAnswered();
  });
});

describe("partner confirmation", () => {
  it("lets the partner's contact confirm, then suggest another time; the responsible person is told each answer", async () => {
    const { teacher, contact, contactRecord, event, approve } = await eventWorld(h);
    await approve();
    await askPartners(h, event.id);
    const request = last(contact);
    await h.pressButton(contact, `ec:yes:${event.id}`);
    expect(h.telegram.lastTextTo(contact.id)).toBe(
      "Спасибо! Ваше подтверждение участия в «Мастер-класс по робототехнике» сохранено, организатор получил уведомление.",
    );
    expect(h.telegram.lastTextTo(teacher.id)).toBe(
      "✅ Ирина Смирнова (СОШ № 5): участие в мероприятии «Мастер-класс по робототехнике» (10 декабря 2026, 15:00) подтверждено.",
    );
    await h.send(press(contact, `ec:alt:${event.id}`, request));
    expect(h.telegram.lastTextTo(contact.id)).toContain("Какие дата и время подойдут вам для «Мастер-класс по робототехнике»?");
    await say(contact, "11.12 в 16:00 или любой будний день после 14:00");
    expect(h.telegram.lastTextTo(contact.id)).toBe("Спасибо! Ваше предложение по «Мастер-класс по робототехнике» передано организатору.");
    expect(h.telegram.lastTextTo(teacher.id)).toBe(
      "🕒 Ирина Смирнова (СОШ № 5) предлагает другое время для мероприятия «Мастер-класс по робототехнике» (10 декабря 2026, 15:00): 11.12 в 16:00 или любой будний день после 14:00",
    );
    const answers = await h.database.db.select().from(eventConfirmations);
    expect(answers).toEqual([
      expect.objectContaining({ contactId: contactRecord.id, answer: "other_time", comment: "11.12 в 16:00 или любой будний день после 14:00" }),
    ]);
    await h.send(pressIn(teacher, `ev:open:${event.id}`));
    expect(last(teacher).text).toContain("<i>Ответы партнёров:</i>\n• Ирина Смирнова (СОШ № 5): 🕒 предлагает другое время\n  «11.12 в 16:00 или любой будний день после 14:00»");
    h.expectAllCallbacksAnswered();
  });

  it("records a decline in English and refuses answers from others and for events no longer open", async () => {
    const { teacher, colleague, contact, stranger, event, approve } = await eventWorld(h, "en");
    await h.send(pressIn(contact, `ec:yes:${event.id}`));
    expect(lastAnswer(h)).toMatchObject({ text: "This event is no longer awaiting answers.", show_alert: true });
    await approve();
    await askPartners(h, event.id);
    expect(last(contact).text).toContain("🤝 <b>A joint event with the Palace of Creativity</b>");
    for (const user of [colleague, stranger, teacher]) {
      await h.send(pressIn(user, `ec:yes:${event.id}`));
      expect(lastAnswer(h)).toMatchObject({ text: "This action isn't available to you.", show_alert: true });
    }
    await h.pressButton(contact, `ec:no:${event.id}`);
    expect(h.telegram.lastTextTo(contact.id)).toBe("Your answer is saved: you will not take part in “Мастер-класс по робототехнике”. The organiser has been told.");
    expect(h.telegram.lastTextTo(teacher.id)).toBe("❌ Ирина Смирнова (СОШ № 5) won't take part in the event “Мастер-класс по робототехнике” (10 December 2026, 15:00).");
    expect(await h.database.db.select().from(eventConfirmations)).toEqual([expect.objectContaining({ answer: "declined" })]);
    await h.database.db.update(events).set({ status: "cancelled" }).where(eq(events.id, event.id));
    await h.send(pressIn(contact, `ec:yes:${event.id}`));
    expect(lastAnswer(h)).toMatchObject({ text: "This event is no longer awaiting answers.", show_alert: true });
    expect(await h.database.db.select().from(eventConfirmations)).toEqual([expect.objectContaining({ answer: "declined" })]);
    h.expectAllCallbacksAnswered();
  });
});
