import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { events } from "../../src/events/domain/schema.js";
import { units } from "../../src/core/access/units-schema.js";
import { auditLog } from "../../src/core/audit-schema.js";
import { decideEvent, getEvent } from "../../src/events/domain/events.js";
import { registered } from "../helpers/bot-people.js";
import { askDeciders, eventWorld, lastAnswer, pressIn } from "../helpers/event-world.js";
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
        "Уровень: учреждения",
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
    expect(card.buttons.map((b) => b.data)).toEqual([`ev:time:${event.id}`, `ev:place:${event.id}`, `ev:level:${event.id}`, `ev:cancel:${event.id}`, `ev:ics:${event.id}`]);

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

  it("changes the level from the card in Russian: an approved event stays approved, the change is in the audit log, forged presses are refused", async () => {
    const { admin, teacher, colleague, stranger, event, approve } = await eventWorld(h);
    await approve();
    await h.send(pressIn(teacher, `ev:open:${event.id}`));
    expect(last(teacher).buttons.find((b) => b.data === `ev:level:${event.id}`)!.text).toBe("🏅 Изменить уровень");
    const toAdmin = h.telegram.textsTo(admin.id).length;
    const messages = h.telegram.sent("sendMessage").length;
    await h.pressButton(teacher, `ev:level:${event.id}`);
    // The card itself becomes the choice: no new message.
    expect(h.telegram.sent("sendMessage")).toHaveLength(messages);
    const picker = last(teacher);
    expect(picker.text).toBe(
      "Уровень мероприятия «Мастер-класс по робототехнике» сейчас: учреждения.\nВыберите новый. Согласованное мероприятие из-за смены уровня на согласование повторно не отправляется.",
    );
    expect(picker.buttons.map((b) => b.text)).toEqual(["✓ Учреждение", "Муниципальный", "Региональный", "Межрегиональный", "Федеральный", "Международный", "« Назад"]);
    expect(picker.buttons.map((b) => b.data)).toEqual([
      ...["institutional", "municipal", "regional", "interregional", "federal", "international"].map((level) => `ev:lvl:${event.id}:${level}`),
      `ev:open:${event.id}`,
    ]);

    // Forged presses: a colleague who does not run the event, a partner contact, an event that does not exist, a level that does not exist.
    await h.send(pressIn(colleague, `ev:lvl:${event.id}:federal`));
    expect(lastAnswer(h)).toMatchObject({ text: "Это действие вам недоступно.", show_alert: true });
    await h.send(pressIn(colleague, `ev:level:${event.id}`));
    expect(lastAnswer(h)).toMatchObject({ text: "Это действие вам недоступно.", show_alert: true });
    await h.send(pressIn(stranger, `ev:lvl:${event.id}:federal`));
    expect(lastAnswer(h)).toMatchObject({ text: "Это действие вам недоступно.", show_alert: true });
    await h.send(pressIn(teacher, "ev:lvl:999999:federal"));
    expect(lastAnswer(h)).toMatchObject({ text: "Такого мероприятия нет.", show_alert: true });
    await h.send(pressIn(teacher, `ev:lvl:${event.id}:galactic`));
    expect(lastAnswer(h)).toMatchObject({ text: "Эта кнопка уже не действует. Начните заново с нужной команды." });
    expect(await getEvent(h.database.db, event.id)).toMatchObject({ level: "institutional" });

    await h.pressButton(teacher, `ev:lvl:${event.id}:regional`);
    expect(lastAnswer(h)).toMatchObject({ text: "Сохранено. Уровень: региональный." });
    const card = last(teacher);
    expect(card.text).toContain("Формат: Мастер-класс\nУровень: региональный\nПартнёры: СОШ № 5");
    expect(card.text).toContain("<b>Статус:</b> ✅ согласовано");
    expect(h.telegram.sent("sendMessage")).toHaveLength(messages);
    expect(await getEvent(h.database.db, event.id)).toMatchObject({ level: "regional", status: "approved" });
    const audit = (await h.database.db.select().from(auditLog)).filter((a) => a.action === "event.updated");
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ entityId: String(event.id), before: { level: "institutional", status: "approved" }, after: { level: "regional", status: "approved" } });
    // The deciders are not asked again.
    await h.flushOutbox();
    expect(h.telegram.textsTo(admin.id)).toHaveLength(toAdmin);

    // The same level again changes nothing; Back returns to the card.
    await h.pressButton(teacher, `ev:level:${event.id}`);
    expect(last(teacher).buttons.map((b) => b.text).slice(2, 3)).toEqual(["✓ Региональный"]);
    await h.pressButton(teacher, `ev:lvl:${event.id}:regional`);
    expect((await h.database.db.select().from(auditLog)).filter((a) => a.action === "event.updated")).toHaveLength(1);
    await h.pressButton(teacher, `ev:level:${event.id}`);
    await h.pressButton(teacher, `ev:open:${event.id}`);
    expect(last(teacher).text).toContain("Уровень: региональный");

    // After the event the level is no longer changed, even by a forged press.
    h.clock.now = new Date("2026-12-10T09:30:00Z");
    await h.send(pressIn(teacher, `ev:open:${event.id}`));
    expect(last(teacher).buttons.map((b) => b.data)).not.toContain(`ev:level:${event.id}`);
    await h.send(pressIn(teacher, `ev:lvl:${event.id}:federal`));
    expect(lastAnswer(h)).toMatchObject({ text: "Сейчас это невозможно: статус мероприятия — ✅ согласовано.", show_alert: true });
    expect(await getEvent(h.database.db, event.id)).toMatchObject({ level: "regional" });
    h.expectAllCallbacksAnswered();
  });

  it("changes the level of a proposal sent back for changes in English: it goes back to the deciders", async () => {
    const { admin, adminRow, teacher, event } = await eventWorld(h, "en");
    const decided = await decideEvent(h.database.db, { user: { ...adminRow, language: "en" }, role: "admin" }, { eventId: event.id, decision: "changes_requested", comment: "Which level?" });
    if (!decided.ok) throw new Error(decided.reason);
    await h.send(pressIn(teacher, `ev:open:${event.id}`));
    await h.pressButton(teacher, `ev:level:${event.id}`);
    expect(last(teacher).text).toBe(
      "The level of “Мастер-класс по робототехнике” is now: institution.\nChoose the new one. An approved event does not go back for approval because of its level.",
    );
    expect(last(teacher).buttons.map((b) => b.text)).toEqual(["✓ Institution", "Municipal", "Regional", "Interregional", "Federal", "International", "« Back"]);
    await h.pressButton(teacher, `ev:lvl:${event.id}:international`);
    expect(lastAnswer(h)).toMatchObject({ text: "Saved. The changed event has been sent for approval again; the deciders have been told.", show_alert: true });
    expect(last(teacher).text).toContain("Format: Master class\nLevel: international\nPartners: СОШ № 5");
    expect(last(teacher).text).toContain("<b>Status:</b> 🕓 awaiting approval");
    expect(await getEvent(h.database.db, event.id)).toMatchObject({ level: "international", status: "proposed" });
    await h.flushOutbox();
    expect(last(admin).text).toContain("🗳 <b>A changed event awaits your decision again</b>");
    expect(last(admin).text).toContain("Level: international");
    h.expectAllCallbacksAnswered();
  });

  it.each([
    ["ru", "Формат: Совместное мероприятие\nУровень: межрегиональный\nКонкурс: да\nПартнёры: СОШ № 5"],
    ["en", "Format: Joint event\nLevel: interregional\nCompetition: yes\nPartners: СОШ № 5"],
  ] as const)("says that an event of another format is a competition; a contest needs no such line (%s)", async (language, lines) => {
    const { admin, teacher, event, teacherRow } = await eventWorld(h, language, { format: "joint_event", level: "interregional", competition: true });
    await h.send(pressIn(teacher, `ev:open:${event.id}`));
    expect(last(teacher).text).toContain(lines);
    // The deciders read it in their approval request.
    await askDeciders(h, event.id);
    expect(last(admin).text).toContain(lines);
    const [contest] = await h.database.db
      .insert(events)
      .values({ ...event, id: undefined, format: "contest", competition: true, level: "federal", proposedBy: teacherRow.id })
      .returning();
    await h.send(pressIn(teacher, `ev:open:${contest!.id}`));
    expect(last(teacher).text).toContain(language === "ru" ? "Уровень: федеральный\n" : "Level: federal\n");
    expect(last(teacher).text).not.toMatch(/Конкурс: да|Competition: yes/);
  });

  it("shows no result lines for an event held before results were asked: institutional, its winners and project students empty", async () => {
    const { teacher, event } = await eventWorld(h, "ru", { format: "contest" });
    // As the migration leaves an old contest: institutional, a competition, held, with attendance and no results.
    await h.database.db
      .update(events)
      .set({ status: "held", participantsGifted: 2, participantsDisabilities: 0, participantsCareerGuidance: 0, participantsOther: 8, result: "Прошёл хорошо" })
      .where(eq(events.id, event.id));
    expect(await getEvent(h.database.db, event.id)).toMatchObject({ level: "institutional", competition: true, winners: null, prizeWinners: null, projectStudents: null });
    await h.send(pressIn(teacher, `ev:open:${event.id}`));
    const card = last(teacher).text;
    expect(card).toContain("Уровень: учреждения");
    expect(card).toContain("Участвовали 10 человек (одарённые — 2, с ОВЗ — 0, профориентация 15–17 — 0, другие — 8)\nРезультат: Прошёл хорошо");
    expect(card).not.toContain("Победители");
    expect(card).not.toContain("призёры");
    expect(card).not.toContain("в проекте");
  });
});
