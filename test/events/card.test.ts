import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { events } from "../../src/events/domain/schema.js";
import { units } from "../../src/core/access/units-schema.js";
import { getEvent } from "../../src/events/domain/events.js";
import { registered } from "../helpers/bot-people.js";
import { eventWorld, lastAnswer, pressIn } from "../helpers/event-world.js";
import { createHarness, type Harness } from "../helpers/harness.js";
import { makeUser, text, type TestUser } from "../helpers/updates.js";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

const last = (user: TestUser) => h.telegram.lastMessageTo(user.id);
const say = (user: TestUser, body: string) => h.send(text(user, body));

describe("the event card", () => {
  it("shows everything about the event in Russian, in Irkutsk time, with actions only for those who run it", async () => {
    const [unit] = await h.database.db.insert(units).values({ kind: "department", name: "Отдел техники" }).returning();
    const { teacher, colleague, contact, stranger, event } = await eventWorld(h, "ru", { ownerUnitId: unit!.id });
    await h.send(pressIn(teacher, `ev:open:${event.id}`));
    const card = last(teacher);
    expect(card.text).toBe(
      [
        "<b>Мастер-класс по робототехнике</b>",
        "Формат: Мастер-класс",
        "Партнёры: СОШ № 5",
        "Когда: 10 декабря 2026, 15:00–17:00 (2 ч)",
        "Место: Дворец творчества, каб. 12",
        "Аудитория: 10–14 лет, одарённые дети, профориентация, 15–17 лет",
        "Ожидается: 20 участников",
        "Ответственный: Мария Петрова",
        "Подразделение: Отдел техники",
        "",
        "<b>Статус:</b> 🕓 ждёт согласования",
      ].join("\n"),
    );
    expect(card.buttons.map((b) => b.data)).toEqual([`ev:time:${event.id}`, `ev:place:${event.id}`, `ev:cancel:${event.id}`, `ev:ics:${event.id}`]);

    await h.send(pressIn(colleague, `ev:open:${event.id}`));
    expect(last(colleague).text).toContain("<b>Мастер-класс по робототехнике</b>");
    expect(last(colleague).buttons.map((b) => b.data)).toEqual([`ev:ics:${event.id}`]);
    await h.send(pressIn(colleague, `ev:cancel:${event.id}`));
    expect(lastAnswer(h)).toMatchObject({ text: "Это действие вам недоступно.", show_alert: true });

    await h.send(pressIn(h.admin, `ev:open:${event.id}`));
    expect(last(h.admin).buttons.map((b) => b.data).slice(0, 3)).toEqual([`ea:ok:${event.id}`, `ea:no:${event.id}`, `ea:chg:${event.id}`]);

    await h.send(pressIn(contact, `ev:open:${event.id}`));
    expect(last(contact).text).toContain("<b>Статус:</b> 🕓 ждёт согласования");
    await h.send(pressIn(stranger, `ev:open:${event.id}`));
    expect(lastAnswer(h)).toMatchObject({ text: "Это действие вам недоступно.", show_alert: true });
    const guest = makeUser();
    await registered(h, guest, "guest");
    await h.send(pressIn(guest, `ev:open:${event.id}`));
    expect(lastAnswer(h)).toMatchObject({ text: "Это действие вам недоступно.", show_alert: true });
    h.expectAllCallbacksAnswered();
  });

  it("moves an approved event in English: the date understood is echoed, and it goes back for approval", async () => {
    const { admin, teacher, event, approve } = await eventWorld(h, "en");
    await approve();
    await h.send(pressIn(teacher, `ev:open:${event.id}`));
    expect(last(teacher).text).toContain("<b>Status:</b> ✅ approved");
    expect(last(teacher).text).toContain("The partners have not answered yet.");
    await h.pressButton(teacher, `ev:time:${event.id}`);
    expect(last(teacher).text).toContain("“Мастер-класс по робототехнике” now starts 10 December 2026, 15:00.");
    // A refused answer gets one message: the refusal with its hint and the step's Cancel, not the question again.
    const sentTo = () => h.telegram.sent("sendMessage").filter((m) => m.chat_id === teacher.id).length;
    let before = sentTo();
    await say(teacher, "someday soon");
    expect(sentTo() - before).toBe(1);
    expect(last(teacher).text).toBe("I couldn't read that date and time. Examples: 25.12 15:00, 25.12.2026 15:00, tomorrow 3pm, Friday at 10am.");
    expect(last(teacher).buttons.map((b) => b.data)).toEqual(["ask:cancel"]);
    before = sentTo();
    await say(teacher, "01.11.2026 10:00");
    expect(sentTo() - before).toBe(1);
    expect(last(teacher).text).toBe("That time has already passed (1 November 2026, 10:00). Please give a future date and time.");
    await say(teacher, "tomorrow 3pm");
    expect(last(teacher).text).toBe(
      "I understood: <b>2 December 2026, 15:00–17:00</b>. Save it?\nThe event is approved: after the change it goes back for approval.",
    );
    await h.pressButton(teacher, "ask:pick:confirm");
    expect(h.telegram.textsTo(teacher.id).at(-2)).toBe(
      "Saved. Since the date, time or place of an approved event changed, it has been sent back for approval; the deciders have been told.",
    );
    expect(last(teacher).text).toContain("When: 2 December 2026, 15:00–17:00 (2 h)");
    expect(last(teacher).text).toContain("<b>Status:</b> 🕓 awaiting approval");
    const moved = await getEvent(h.database.db, event.id);
    expect(moved).toMatchObject({ status: "proposed", startsAt: new Date("2026-12-02T07:00:00Z"), endsAt: new Date("2026-12-02T09:00:00Z") });
    expect(last(admin).text).toContain("🗳 <b>A changed event awaits your decision again</b>");
    expect(last(admin).buttons.map((b) => b.data)).toContain(`ea:ok:${event.id}`);
    h.expectAllCallbacksAnswered();
  });

  it("cancels with a reason; rejected and cancelled events stay visible with their status", async () => {
    const { teacher, event } = await eventWorld(h);
    await h.send(pressIn(teacher, `ev:open:${event.id}`));
    await h.pressButton(teacher, `ev:cancel:${event.id}`);
    expect(last(teacher).text).toBe("Почему «Мастер-класс по робототехнике» отменяется? Коротко напишите причину.");
    await say(teacher, "Карантин в школе");
    expect(h.telegram.textsTo(teacher.id).at(-2)).toBe("Мероприятие отменено.");
    expect(last(teacher).text).toContain("<b>Статус:</b> 🚫 отменено\nПричина: Карантин в школе");
    expect(last(teacher).buttons.map((b) => b.data)).toEqual([`ev:ics:${event.id}`]);
    expect(await getEvent(h.database.db, event.id)).toMatchObject({ status: "cancelled", cancelReason: "Карантин в школе" });

    await h.database.db.update(events).set({ status: "rejected" }).where(eq(events.id, event.id));
    await h.send(pressIn(teacher, `ev:open:${event.id}`));
    expect(last(teacher).text).toContain("<b>Статус:</b> ❌ отклонено");
    await h.send(pressIn(teacher, `ev:time:${event.id}`));
    expect(lastAnswer(h)).toMatchObject({ text: "Сейчас это невозможно: статус мероприятия — ❌ отклонено.", show_alert: true });
    h.expectAllCallbacksAnswered();
  });
});
