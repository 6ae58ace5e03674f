import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { auditLog } from "../../src/core/audit-schema.js";
import { eventPartners, events } from "../../src/events/domain/schema.js";
import { addAgreement, addPlanItem } from "../../src/partners/domain/agreements.js";
import { type EventDraft, proposeEvent } from "../../src/events/domain/events.js";
import { changeStage, createPartner } from "../../src/partners/domain/partners.js";
import { addDepartment, openPartnerCard, registered } from "../helpers/bot-people.js";
import { eventDraft } from "../helpers/event-drafts.js";
import { createHarness, type Harness } from "../helpers/harness.js";
import { partnerDraft } from "../helpers/partners.js";
import { command, makeUser, press, text, type TestUser } from "../helpers/updates.js";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

// The harness clock starts at 2026-12-01T02:00Z: Tuesday, 1 December 2026, 10:00 in Irkutsk.
const last = (user: TestUser) => h.telegram.lastMessageTo(user.id);
/** Texts other parts of the bot own (button labels, the guest's refusal), read from the locales. */
const tr = (language: "ru" | "en", key: string) => h.i18n.fixedT(language)(key);
const lastText = (user: TestUser) => h.telegram.lastTextTo(user.id);
const say = (user: TestUser, body: string) => h.send(text(user, body));
const pick = (user: TestUser, id: string) => h.pressButton(user, `ask:pick:${id}`);
/** Messages the bot sent to a user (new ones, not edits). */
const sentTo = (user: TestUser) => h.telegram.sent("sendMessage").filter((m) => m.chat_id === user.id).length;
/**
 * A refused answer: the bot answers with ONE message, the refusal with its hint, carrying the
 * step's buttons (no second message repeating the question). Returns that message.
 */
async function refused(user: TestUser, body: string) {
  const before = sentTo(user);
  await say(user, body);
  expect(sentTo(user) - before).toBe(1);
  const answer = last(user);
  expect(answer.buttons.map((b) => b.data)).toContain("ask:cancel");
  return answer;
}

async function institution(language: "ru" | "en" = "ru") {
  await h.send(command(h.admin, "start"));
  const unitId = await addDepartment(h.database.db, "Отдел техники");
  const teacher = makeUser({ first_name: "Мария", last_name: "Петрова", language_code: language });
  const row = await registered(h, teacher, "staff", unitId);
  const colleague = makeUser({ first_name: "Олег", last_name: "Сидоров" });
  const colleagueRow = await registered(h, colleague, "staff", unitId);
  const actor = { user: row, role: "staff" as const };
  const university = await createPartner(
    h.database.db,
    actor,
    partnerDraft({ fullName: "Иркутский государственный университет", shortName: "ИГУ", type: "university", ownerKind: "department", ownerUnitId: unitId }),
  );
  const school = await createPartner(h.database.db, actor, partnerDraft({ ownerKind: "department", ownerUnitId: unitId }));
  return { unitId, teacher, row, colleagueRow, actor, university, school };
}

/** A one-hour round table on 25 December at 10:00 Irkutsk time. */
function draft(partnerId: number, responsibleUserId: number): EventDraft {
  const startsAt = new Date("2026-12-25T02:00:00Z");
  return eventDraft([partnerId], responsibleUserId, startsAt, {
    format: "round_table",
    title: "Круглый стол",
    endsAt: new Date(startsAt.getTime() + 3600_000),
    place: null,
  });
}

describe("proposing an event", () => {
  it("walks /newevent in Russian: two partners, every bad answer re-asked, the date echoed, sent to the deciders", async () => {
    const { teacher, row, colleagueRow, unitId, university, school } = await institution();
    await h.send(command(teacher, "newevent"));
    expect(lastText(teacher)).toContain("С каким партнёром? Напишите часть названия");
    expect((await refused(teacher, "консерватория")).text).toContain("По запросу «консерватория» партнёров не нашлось. Попробуйте другую часть названия");
    await say(teacher, "университет");
    expect(last(teacher).buttons.map((b) => b.text)).toEqual(["ИГУ", "« Назад", "Отмена"]);
    await pick(teacher, `p${university.id}`);
    expect(lastText(teacher)).toContain("Партнёры: ИГУ");
    await pick(teacher, "add");
    await say(teacher, "школа");
    await pick(teacher, `p${school.id}`);
    expect(lastText(teacher)).toContain("Партнёры: ИГУ, СОШ № 5");
    await pick(teacher, "next");

    expect(last(teacher).buttons.map((b) => b.text)).toContain("Мастер-класс");
    await pick(teacher, "master_class");

    // The level, institutional by default, and the mark that the event will have winners.
    const level = last(teacher);
    expect(level.text).toBe(
      "Какой уровень у мероприятия? Если мероприятие проходит только у нас, выберите «Учреждение».\n\n" +
        "Если в нём будут победители и призёры (конкурс, соревнование), сначала отметьте «🏆 С победителями»: после мероприятия я спрошу, сколько учащихся Дворца ими стали.",
    );
    expect(level.buttons.map((b) => b.text)).toEqual([
      "✓ Учреждение",
      "Муниципальный",
      "Региональный",
      "Межрегиональный",
      "Федеральный",
      "Международный",
      "⬜ 🏆 С победителями",
      "« Назад",
      "Отмена",
    ]);
    // A text instead of a button: one polite message that asks again, with the buttons.
    const typed = await refused(teacher, "региональный");
    expect(typed.text).toBe("Пожалуйста, выберите уровень кнопкой ниже. Если мероприятие проходит только у нас, выберите «Учреждение».");
    expect(typed.buttons.map((b) => b.data)).toEqual([...level.buttons.map((b) => b.data)]);
    // The toggle is edited in place, on and off and on again.
    const messagesBefore = sentTo(teacher);
    await pick(teacher, "competition");
    expect(last(teacher).buttons.find((b) => b.data === "ask:pick:competition")!.text).toBe("✅ 🏆 С победителями");
    await pick(teacher, "competition");
    expect(last(teacher).buttons.find((b) => b.data === "ask:pick:competition")!.text).toBe("⬜ 🏆 С победителями");
    await pick(teacher, "competition");
    expect(sentTo(teacher)).toBe(messagesBefore);
    // The question before the re-ask is outdated now.
    await h.send(press(teacher, "ask:pick:federal", level));
    expect(h.telegram.sent("answerCallbackQuery").at(-1)).toMatchObject({ text: tr("ru", "common.button_outdated") });
    await pick(teacher, "regional");
    expect(lastText(teacher)).toContain("Название мероприятия");
    await say(teacher, "Мастер-класс по робототехнике");
    await say(teacher, "Собираем роботов <из конструктора>");

    const unreadable = await refused(teacher, "абракадабра");
    expect(unreadable.text).toContain("Не удалось понять дату и время");
    expect(unreadable.text).toContain("«завтра в 15:00»");
    expect(unreadable.buttons.map((b) => b.text)).toEqual(["« Назад", "Отмена"]);
    expect((await refused(teacher, "31.02 10:00")).text).toContain("Такой даты нет в календаре");
    expect((await refused(teacher, "сегодня в 9:00")).text).toContain("Это время уже прошло (сейчас 1 декабря 2026, 10:00)");
    expect((await refused(teacher, "25.12")).text).toContain("Укажите, пожалуйста, и время начала");
    await say(teacher, "25.12 15:00");
    expect(lastText(teacher)).toBe("Понял: <b>пятница, 25 декабря 2026, 15:00</b>. Всё верно?");
    expect(last(teacher).buttons.map((b) => b.text)).toEqual(["✅ Верно", "✏️ Ввести заново", "Отмена"]);
    await pick(teacher, "no");
    await say(teacher, "в пятницу в 10");
    expect(lastText(teacher)).toContain("пятница, 4 декабря 2026, 10:00");
    await pick(teacher, "no");
    await say(teacher, "25.12.2026 15:00");
    await pick(teacher, "yes");

    expect(last(teacher).buttons.map((b) => b.text).slice(0, 5)).toEqual(["1 ч", "1,5 ч", "2 ч", "3 ч", "✍️ Другая длительность"]);
    await pick(teacher, "typed");
    expect((await refused(teacher, "до 14:00")).text).toContain("не может закончиться раньше, чем начнётся");
    expect((await refused(teacher, "0")).text).toContain("не может закончиться раньше, чем начнётся");
    expect((await refused(teacher, "полчаса")).text).toContain("Не удалось понять длительность");
    await say(teacher, "до 17:30");

    await say(teacher, "Дворец творчества, каб. 12");
    const ages = await refused(teacher, "14-10");
    expect(ages.text).toContain("Не удалось понять возраст");
    expect(ages.buttons.map((b) => b.text)).toEqual([tr("ru", "common.back"), tr("ru", "ask.skip"), tr("ru", "common.cancel")]);
    await say(teacher, "10-14");
    await pick(teacher, "gifted");
    await pick(teacher, "career_guidance");
    await h.pressButton(teacher, "ask:done");
    expect((await refused(teacher, "0")).text).toBe("Напишите, пожалуйста, целое число от 1 до 5000.");
    expect((await refused(teacher, "100000")).text).toBe("Напишите, пожалуйста, целое число от 1 до 5000.");
    await say(teacher, "25");
    expect(last(teacher).buttons.map((b) => b.text)).toEqual(["Мария Петрова", "Анна Админова", "Олег Сидоров", "« Назад", "Отмена"]);
    await pick(teacher, `u${colleagueRow.id}`);
    expect(lastText(teacher)).toContain("По умолчанию — ваше: «Отдел техники»");
    await pick(teacher, `n${unitId}`);

    const summary = lastText(teacher);
    expect(summary).toContain("Партнёры: ИГУ, СОШ № 5\nФормат: Мастер-класс\nУровень: региональный\nКонкурс: да\nНазвание: Мастер-класс по робототехнике");
    expect(summary).toContain("Когда: 25 декабря 2026, 15:00–17:30 (2 ч 30 мин)");
    expect(summary).toContain(
      `Место: Дворец творчества, каб. 12\nВозраст: 10–14\nКатегории: Одарённые дети, ${tr("ru", "event_form.categories.career_guidance")}`,
    );
    expect(summary).toContain("Ожидается участников: 25\nОтветственный: Олег Сидоров\nПодразделение: Отдел техники");
    expect(summary).toContain("Описание: Собираем роботов &lt;из конструктора&gt;");
    await pick(teacher, "confirm");

    expect(lastText(teacher)).toBe("Мероприятие «Мастер-класс по робототехнике» отправлено на согласование. Я сообщу, когда его рассмотрят.");
    const [event] = await h.database.db.select().from(events);
    expect(event).toMatchObject({
      title: "Мастер-класс по робототехнике",
      format: "master_class",
      level: "regional",
      competition: true,
      status: "proposed",
      startsAt: new Date("2026-12-25T07:00:00Z"),
      endsAt: new Date("2026-12-25T09:30:00Z"),
      place: "Дворец творчества, каб. 12",
      ageFrom: 10,
      ageTo: 14,
      categories: ["gifted", "career_guidance"],
      expectedParticipants: 25,
      responsibleUserId: colleagueRow.id,
      ownerUnitId: unitId,
      proposedBy: row.id,
      planItemId: null,
    });
    expect(last(teacher).buttons.map((b) => b.data)).toEqual([`ev:open:${event!.id}`]);
    const linked = await h.database.db.select().from(eventPartners);
    expect(linked.map((l) => l.partnerId).sort()).toEqual([university.id, school.id].sort());
    // The admin is a decider: the approval request reaches them with its buttons, and says the level.
    expect(last(h.admin).buttons.map((b) => b.data)).toContain(`ea:ok:${event!.id}`);
    expect(last(h.admin).text).toContain("Формат: Мастер-класс\nУровень: региональный\nКонкурс: да\nПартнёры: ИГУ, СОШ № 5");
    expect((await h.database.db.select().from(auditLog)).map((a) => a.action)).toContain("event.proposed");
    h.expectAllCallbacksAnswered();
  });

  it("speaks English from the partner card, with the partner preselected, and Edit walks the form again", async () => {
    const { teacher, university, row, unitId } = await institution("en");
    await openPartnerCard(h, teacher, university.id);
    await h.pressButton(teacher, `ev:new:${university.id}`);
    expect(lastText(teacher)).toContain("<b>New joint event</b>\nPartners: ИГУ");
    expect(last(teacher).buttons.map((b) => b.text)).toEqual(["Next ›", "➕ Add a partner", "Cancel"]);
    await pick(teacher, "next");
    await pick(teacher, "consultation");
    expect(lastText(teacher)).toMatch(/^What is the level of the event\? If it takes place only at the Palace, choose “Institution”\./);
    expect(last(teacher).buttons.map((b) => b.text)).toEqual([
      "✓ Institution",
      "Municipal",
      "Regional",
      "Interregional",
      "Federal",
      "International",
      "⬜ 🏆 With winners",
      "« Back",
      "Cancel",
    ]);
    // Back returns to the format.
    await h.pressButton(teacher, "ask:back");
    expect(lastText(teacher)).toContain("What is the format of the event?");
    await pick(teacher, "consultation");
    await pick(teacher, "institutional");
    await say(teacher, "Career consultation");
    await h.pressButton(teacher, "ask:skip");
    const unreadable = await refused(teacher, "in a while");
    expect(unreadable.text).toContain("I could not read the date and time");
    expect(unreadable.buttons.map((b) => b.text)).toEqual(["« Back", "Cancel"]);
    await say(teacher, "tomorrow 3pm");
    expect(lastText(teacher)).toBe("Understood: <b>Wednesday, 2 December 2026, 15:00</b>. Is that right?");
    await pick(teacher, "yes");
    await pick(teacher, "90");
    await h.pressButton(teacher, "ask:skip");
    await h.pressButton(teacher, "ask:skip");
    const categories = last(teacher);
    await h.pressButton(teacher, "ask:done");
    expect(lastText(teacher)).toContain("Tick at least one");
    await h.send(press(teacher, "ask:pick:general", categories));
    await h.send(press(teacher, "ask:done", categories));
    await h.pressButton(teacher, "ask:skip");
    await pick(teacher, `u${row.id}`);
    await pick(teacher, "none");
    let summary = lastText(teacher);
    expect(summary).toContain("Partners: ИГУ\nFormat: Consultation\nLevel: institution\nTitle: Career consultation");
    expect(summary).toContain("When: 2 December 2026, 15:00–16:30 (1 h 30 min)");
    expect(summary).toContain("Place: not given\nAge: not given\nCategories: Everyone\nExpected participants: not given");
    expect(summary).toContain(`Unit: ${tr("en", "event_form.no_unit")}`);

    await pick(teacher, "edit");
    await pick(teacher, "next");
    await pick(teacher, "consultation");
    await pick(teacher, "competition");
    expect(last(teacher).buttons.find((b) => b.data === "ask:pick:competition")!.text).toBe("✅ 🏆 With winners");
    await pick(teacher, "federal");
    await say(teacher, "Career guidance consultation");
    await h.pressButton(teacher, "ask:skip");
    await say(teacher, "25.12 3pm");
    expect(lastText(teacher)).toContain("Friday, 25 December 2026, 15:00");
    await pick(teacher, "yes");
    await pick(teacher, "typed");
    await say(teacher, "45 min");
    await say(teacher, "ISU, room 101");
    await say(teacher, "15-17");
    await h.pressButton(teacher, "ask:done");
    expect((await refused(teacher, "5001")).text).toBe("Please type a whole number from 1 to 5000.");
    await say(teacher, "1 500");
    await pick(teacher, `u${row.id}`);
    await pick(teacher, `n${unitId}`);
    summary = lastText(teacher);
    expect(summary).toContain("Format: Consultation\nLevel: federal\nCompetition: yes\nTitle: Career guidance consultation");
    expect(summary).toContain("When: 25 December 2026, 15:00–15:45 (45 min)");
    expect(summary).toContain("Age: 15–17\nCategories: Everyone\nExpected participants: 1500");
    await pick(teacher, "confirm");
    expect(lastText(teacher)).toBe("The event “Career guidance consultation” has been sent for approval. I will let you know when it has been considered.");
    const [event] = await h.database.db.select().from(events);
    expect(event).toMatchObject({ title: "Career guidance consultation", level: "federal", competition: true, startsAt: new Date("2026-12-25T07:00:00Z"), endsAt: new Date("2026-12-25T07:45:00Z"), ownerUnitId: unitId });
    expect(event!.description).toBeNull();
    h.expectAllCallbacksAnswered();
  });

  it("starts from a joint-plan item in Russian: asks nothing the item says, shows it all in the summary, and warns about a same-day event", async () => {
    const { teacher, row, colleagueRow, actor, unitId, university } = await institution();
    const agreement = await addAgreement(
      h.database.db,
      actor,
      { partnerId: university.id, number: "12/2026", signedOn: "2026-11-20", validFrom: "2026-11-20", validTo: null, subject: "Сотрудничество", scan: null },
      "2026-12-01",
    );
    if (!agreement.ok) throw new Error(agreement.reason);
    const item = await addPlanItem(h.database.db, actor, {
      agreementId: agreement.agreement.id,
      title: "Экскурсия в лабораторию физики",
      format: "excursion",
      plannedOn: "2026-12-01",
      plannedMonthOnly: true,
      responsibleUserId: colleagueRow.id,
      responsibleName: null,
    });
    if (!item.ok) throw new Error(item.reason);
    const existing = await proposeEvent(h.database.db, actor, draft(university.id, row.id), h.clock.now);
    if (!existing.ok) throw new Error(existing.reason);

    await openPartnerCard(h, teacher, university.id);
    await h.pressButton(teacher, `ag:list:${university.id}`);
    expect(last(teacher).buttons.find((b) => b.data === `ev:plan:${item.planItem.id}`)?.text).toMatch(/^📅 Экскурсия/);
    await h.pressButton(teacher, `ev:plan:${item.planItem.id}`);
    // The partner, the format and the title come from the plan item: the first question is the level, with no Back.
    expect(lastText(teacher)).toMatch(
      /^<b>Новое совместное мероприятие<\/b>\nПункт плана: Экскурсия в лабораторию физики \(Экскурсия\)\n\nКакой уровень у мероприятия\?/,
    );
    expect(last(teacher).buttons.map((b) => b.data).slice(-2)).toEqual(["ask:pick:competition", "ask:cancel"]);
    await pick(teacher, "municipal");
    expect(lastText(teacher)).toContain("Коротко опишите мероприятие");
    expect(last(teacher).buttons.map((b) => b.text)).toEqual([tr("ru", "common.back"), tr("ru", "ask.skip"), tr("ru", "common.cancel")]);
    await h.pressButton(teacher, "ask:skip");
    // The planned month is said in the date question.
    expect(lastText(teacher)).toMatch(/^Срок по плану: декабрь 2026 г\. Когда начало\?/);
    await say(teacher, "25.12 в 15.00");
    expect(lastText(teacher)).toContain("пятница, 25 декабря 2026, 15:00");
    await pick(teacher, "yes");
    await pick(teacher, "120");
    await h.pressButton(teacher, "ask:skip");
    await say(teacher, "12");
    await pick(teacher, "general");
    await h.pressButton(teacher, "ask:done");
    await say(teacher, "30");
    // No responsible person, unit or plan item to choose: the plan item names them.

    const warning = last(teacher);
    expect(warning.text).toContain("В этот день с этим партнёром уже есть мероприятие:\n• Круглый стол — 25 декабря 2026, 10:00");
    expect(warning.buttons.map((b) => b.text)).toEqual(["Продолжить", "« Назад", "Отмена"]);
    await pick(teacher, "continue");
    const summary = lastText(teacher);
    expect(summary).toContain("Партнёры: ИГУ\nФормат: Экскурсия\nУровень: муниципальный\nНазвание: Экскурсия в лабораторию физики");
    expect(summary).toContain("Возраст: 12");
    expect(summary).toContain("Ответственный: Олег Сидоров\nПодразделение: Отдел техники");
    expect(summary).toContain("Пункт плана: Экскурсия в лабораторию физики");

    // Edit asks everything, the prefilled answers too.
    await pick(teacher, "edit");
    expect(lastText(teacher)).toContain("Партнёры: ИГУ");
    await pick(teacher, "next");
    expect(last(teacher).buttons.map((b) => b.data)).toContain("ask:pick:excursion");
    await pick(teacher, "excursion");
    // The level chosen before is ticked; after Edit the level question has Back.
    expect(last(teacher).buttons.map((b) => b.text).slice(0, 2)).toEqual(["Учреждение", "✓ Муниципальный"]);
    expect(last(teacher).buttons.map((b) => b.data)).toContain("ask:back");
    await pick(teacher, "municipal");
    await say(teacher, "Экскурсия в лабораторию оптики");
    await h.pressButton(teacher, "ask:skip");
    await say(teacher, "26.12 11:00");
    await pick(teacher, "yes");
    await pick(teacher, "60");
    await h.pressButton(teacher, "ask:skip");
    await h.pressButton(teacher, "ask:skip");
    await h.pressButton(teacher, "ask:done");
    await h.pressButton(teacher, "ask:skip");
    expect(lastText(teacher)).toContain(tr("ru", "event_form.ask_responsible"));
    await pick(teacher, `u${row.id}`);
    await pick(teacher, `n${unitId}`);
    expect(lastText(teacher)).toContain("Какой пункт плана совместных мероприятий выполняет это мероприятие?");
    await pick(teacher, `i${item.planItem.id}`);
    expect(lastText(teacher)).toContain("Ответственный: Мария Петрова");
    await pick(teacher, "confirm");
    const rows = await h.database.db.select().from(events);
    expect(rows).toHaveLength(2);
    expect(rows.find((e) => e.id !== existing.event.id)).toMatchObject({
      title: "Экскурсия в лабораторию оптики",
      format: "excursion",
      level: "municipal",
      competition: false,
      planItemId: item.planItem.id,
      responsibleUserId: row.id,
      ownerUnitId: unitId,
      startsAt: new Date("2026-12-26T03:00:00Z"),
    });
    h.expectAllCallbacksAnswered();
  });

  it("starts from a plan item with a planned day in English: a time alone is read on that day", async () => {
    const { teacher, row, actor, unitId, university } = await institution("en");
    const agreement = await addAgreement(
      h.database.db,
      actor,
      { partnerId: university.id, number: "7", signedOn: "2026-11-20", validFrom: "2026-11-20", validTo: null, subject: "Cooperation", scan: null },
      "2026-12-01",
    );
    if (!agreement.ok) throw new Error(agreement.reason);
    const item = await addPlanItem(h.database.db, actor, {
      agreementId: agreement.agreement.id,
      title: "Robotics contest",
      format: "contest",
      plannedOn: "2026-12-18",
      plannedMonthOnly: false,
      responsibleUserId: null,
      responsibleName: "Someone outside the bot",
    });
    if (!item.ok) throw new Error(item.reason);
    await openPartnerCard(h, teacher, university.id);
    await h.pressButton(teacher, `ag:list:${university.id}`);
    await h.pressButton(teacher, `ev:plan:${item.planItem.id}`);
    // A contest has winners by its format: no toggle.
    expect(lastText(teacher)).toBe(
      "<b>New joint event</b>\nPlan item: Robotics contest (Contest)\n\nWhat is the level of the event? If it takes place only at the Palace, choose “Institution”.",
    );
    expect(last(teacher).buttons.map((b) => b.text)).toEqual(["✓ Institution", "Municipal", "Regional", "Interregional", "Federal", "International", "Cancel"]);
    await pick(teacher, "international");
    await h.pressButton(teacher, "ask:skip");
    expect(lastText(teacher)).toMatch(/^Planned date: 18\.12\.2026\. What time does it start\?/);
    expect((await refused(teacher, "soonish")).text).toContain("I could not read the date and time");
    await say(teacher, "15:00");
    expect(lastText(teacher)).toBe("Understood: <b>Friday, 18 December 2026, 15:00</b>. Is that right?");
    await pick(teacher, "yes");
    await pick(teacher, "90");
    await h.pressButton(teacher, "ask:skip");
    await h.pressButton(teacher, "ask:skip");
    await pick(teacher, "general");
    await h.pressButton(teacher, "ask:done");
    await h.pressButton(teacher, "ask:skip");
    // The plan names nobody in the bot: the responsible person is asked; the unit comes from the partnership.
    expect(lastText(teacher)).toContain(tr("en", "event_form.ask_responsible"));
    await pick(teacher, `u${row.id}`);
    const summary = lastText(teacher);
    expect(summary).toContain("Partners: ИГУ\nFormat: Contest\nLevel: international\nTitle: Robotics contest");
    expect(summary).not.toContain("Competition: yes");
    expect(summary).toContain("When: 18 December 2026, 15:00–16:30 (1 h 30 min)");
    expect(summary).toContain("Unit: Отдел техники");
    await pick(teacher, "confirm");
    const [event] = await h.database.db.select().from(events);
    expect(event).toMatchObject({ format: "contest", level: "international", competition: true, title: "Robotics contest", startsAt: new Date("2026-12-18T07:00:00Z"), ownerUnitId: unitId, planItemId: item.planItem.id });
    h.expectAllCallbacksAnswered();
  });

  it("cancels at the same-day warning without saving", async () => {
    const { teacher, row, actor, university } = await institution("en");
    const existing = await proposeEvent(h.database.db, actor, draft(university.id, row.id), h.clock.now);
    if (!existing.ok) throw new Error(existing.reason);
    await openPartnerCard(h, teacher, university.id);
    await h.pressButton(teacher, `ev:new:${university.id}`);
    await pick(teacher, "next");
    await pick(teacher, "round_table");
    await pick(teacher, "institutional");
    await say(teacher, "Second round table");
    await h.pressButton(teacher, "ask:skip");
    await say(teacher, "25.12.2026 18:00");
    await pick(teacher, "yes");
    await pick(teacher, "60");
    await h.pressButton(teacher, "ask:skip");
    await h.pressButton(teacher, "ask:skip");
    await pick(teacher, "general");
    await h.pressButton(teacher, "ask:done");
    await h.pressButton(teacher, "ask:skip");
    await pick(teacher, `u${row.id}`);
    await pick(teacher, "none");
    expect(lastText(teacher)).toContain("There is already an event with this partner on that day:\n• Круглый стол — 25 December 2026, 10:00");
    await h.pressButton(teacher, "ask:cancel");
    expect(await h.database.db.select().from(events)).toHaveLength(1);
    h.expectAllCallbacksAnswered();
  });

  it("refuses guests, partner contacts and archived partners, forged buttons included", async () => {
    const { teacher, actor, university, school } = await institution();
    const guest = makeUser({ language_code: "en" });
    await h.send(command(guest, "start"));
    await h.send(command(guest, "newevent"));
    expect(lastText(guest)).toBe(tr("en", "access.denied_guest_command"));

    const contact = makeUser();
    await registered(h, contact, "partner");
    const forged = press(contact, `ev:new:${university.id}`, last(contact));
    await h.send(forged);
    expect(h.telegram.sent("answerCallbackQuery").at(-1)).toMatchObject({ text: "Это действие вам недоступно.", show_alert: true });
    await h.send(press(contact, "ev:plan:1", last(contact)));
    expect(h.telegram.sent("answerCallbackQuery").at(-1)).toMatchObject({ text: "Это действие вам недоступно.", show_alert: true });

    const archived = await changeStage(h.database.db, actor, { partnerId: school.id, to: "archived", comment: "Сотрудничество завершено" });
    if (!archived.ok) throw new Error(archived.reason);
    // The card of an archived partner (opened from an old list) offers no event.
    await openPartnerCard(h, teacher, university.id);
    expect(last(teacher).buttons.map((b) => b.data)).toContain(`ev:new:${university.id}`);
    await h.send(press(teacher, `pc:open:${school.id}`, last(teacher)));
    expect(last(teacher).text).toContain("Средняя общеобразовательная школа № 5");
    expect(last(teacher).buttons.map((b) => b.data)).not.toContain(`ev:new:${school.id}`);
    await h.send(press(teacher, `ev:new:${school.id}`, last(teacher)));
    const refusal = h.telegram.sent("answerCallbackQuery").at(-1);
    expect(refusal).toMatchObject({ show_alert: true });
    expect(String(refusal!.text)).toContain("Этот партнёр в архиве");
    await h.send(press(teacher, "ev:plan:999", last(teacher)));
    expect(h.telegram.sent("answerCallbackQuery").at(-1)).toMatchObject({ text: "Такого пункта плана нет: возможно, его удалили.", show_alert: true });

    await h.send(command(teacher, "newevent"));
    expect((await refused(teacher, "школа")).text).toContain("нашлись только партнёры из архива");
    await say(teacher, "/cancel");
    expect(await h.database.db.select().from(events)).toHaveLength(0);
    h.expectAllCallbacksAnswered();
  });
});
