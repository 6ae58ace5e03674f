import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { contacts } from "../../src/partners/domain/schema.js";
import { events as eventsTable } from "../../src/events/domain/schema.js";
import { users } from "../../src/core/access/schema.js";
import { addAgreement, addPlanItem } from "../../src/partners/domain/agreements.js";
import { decideEvent, type EventDraft, proposeEvent, recordOutcome } from "../../src/events/domain/events.js";
import { type Actor, createPartner } from "../../src/partners/domain/partners.js";
import { addDepartment, openPartnerCard, registered } from "../helpers/bot-people.js";
import { isUploadedFile } from "../helpers/fake-telegram.js";
import { eventDraft } from "../helpers/event-drafts.js";
import { createHarness, type Harness } from "../helpers/harness.js";
import { partnerDraft } from "../helpers/partners.js";
import { command, makeUser, press, type TestUser } from "../helpers/updates.js";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

const last = (user: TestUser) => h.telegram.lastMessageTo(user.id);
const irkutsk = (day: string, time: string) => new Date(`${day}T${time}:00+08:00`);

/** Presses a button under the last message like a person, or forges the press when `data` is not there. */
const forge = (user: TestUser, data: string) => h.send(press(user, data, last(user)));

/**
 * «Today» is Tuesday 1 December 2026, 10:00 in Irkutsk: this week runs from Monday 30 November.
 * A teacher proposed three events with ИГУ and the admin one with СОШ № 5; two more are past.
 */
async function calendar(teacherLanguage: "ru" | "en" = "ru") {
  const unitId = await addDepartment(h.database.db, "Отдел техники");
  const adminRow = await registered(h, h.admin, "admin");
  const teacher = makeUser({ first_name: "Мария", last_name: "Петрова", language_code: teacherLanguage });
  const teacherRow = await registered(h, teacher, "staff", unitId);
  const admin: Actor = { user: adminRow, role: "admin" };
  const staff: Actor = { user: teacherRow, role: "staff" };
  const university = await createPartner(h.database.db, admin, partnerDraft({ fullName: "Иркутский государственный университет", shortName: "ИГУ", type: "university" }));
  const school = await createPartner(h.database.db, admin, partnerDraft());
  const make = async (actor: Actor, made: EventDraft, decision: "approved" | "rejected" | null, now = h.clock.now) => {
    const proposed = await proposeEvent(h.database.db, actor, made, now);
    if (!proposed.ok) throw new Error(proposed.reason);
    if (decision) await decideEvent(h.database.db, admin, { eventId: proposed.event.id, decision, comment: null });
    return proposed.event;
  };
  const longAgo = new Date("2026-11-01T02:00:00Z");
  const events = {
    sunday: await make(staff, eventDraft([university.id], teacherRow.id, irkutsk("2026-11-29", "23:30"), { title: "Воскресная выставка", format: "exhibition" }), "approved", longAgo),
    monday: await make(staff, eventDraft([university.id], teacherRow.id, irkutsk("2026-11-30", "00:30"), { title: "Ночная консультация", format: "consultation" }), "approved", longAgo),
    thursday: await make(staff, eventDraft([university.id], teacherRow.id, irkutsk("2026-12-03", "15:00")), "approved"),
    excursion: await make(admin, eventDraft([school.id], adminRow.id, irkutsk("2026-12-20", "11:00"), { title: "Экскурсия в музей", format: "excursion", ownerUnitId: unitId }), null),
    january: await make(staff, eventDraft([university.id], teacherRow.id, irkutsk("2027-01-15", "10:00"), { title: "Круглый стол", format: "round_table" }), "approved"),
    rejected: await make(staff, eventDraft([university.id], teacherRow.id, irkutsk("2026-12-04", "10:00"), { title: "Отклонённая встреча" }), "rejected"),
  };
  return { unitId, teacher, teacherRow, admin, staff, university, school, events };
}

describe("/events", () => {
  it("lists this week, this month, upcoming and past in the institution's time zone, in Russian", async () => {
    const { events } = await calendar();
    await h.send(command(h.admin, "events"));
    let view = last(h.admin);
    expect(view.text).toContain("<b>Календарь мероприятий</b> — Предстоящие");
    expect(view.text).toContain("4 мероприятия");
    // Numbered lines with the date and time written as everywhere; the buttons are the numbers and titles.
    expect(view.text).toContain("1. ✅ 3 декабря 2026, 15:00 · Мастер-класс · Мастер-класс по робототехнике");
    expect(view.text).toContain("2. ❌ 4 декабря 2026, 10:00 · Мастер-класс · Отклонённая встреча");
    expect(view.text).toContain("3. 🕓 20 декабря 2026, 11:00 · Экскурсия · Экскурсия в музей");
    expect(view.text).toContain("🕓 ждёт согласования · ✏️ на доработке");
    expect(view.text).not.toContain("Ночная консультация");
    expect(view.buttons.map((b) => b.data)).toEqual(
      expect.arrayContaining([`ev:open:${events.thursday.id}`, `ev:open:${events.january.id}`, "el:ics"]),
    );
    expect(view.buttons.find((b) => b.data === `ev:open:${events.thursday.id}`)!.text).toBe("1. Мастер-класс по робо…");
    expect(view.buttons.find((b) => b.data === `ev:open:${events.excursion.id}`)!.text).toBe("3. Экскурсия в музей");
    for (const button of view.buttons) expect(Array.from(button.text).length).toBeLessThanOrEqual(24);

    await h.pressButton(h.admin, "el:v:w.0.0.0.0.0.0");
    view = last(h.admin);
    expect(view.text).toContain("— Эта неделя");
    expect(view.text).toContain("3 мероприятия");
    expect(view.text).toContain("30 ноября 2026, 00:30 · Консультация · Ночная консультация");
    expect(view.text).not.toContain("Воскресная выставка");
    expect(view.text).not.toContain("Экскурсия в музей");
    expect(view.buttons.find((b) => b.data.startsWith("el:v:w."))!.text).toBe("• Эта неделя");

    await h.pressButton(h.admin, "el:v:m.0.0.0.0.0.0");
    view = last(h.admin);
    expect(view.text).toContain("— Этот месяц");
    expect(view.text).toContain("Экскурсия в музей");
    expect(view.text).not.toContain("Ночная консультация");
    expect(view.text).not.toContain("Круглый стол");

    await h.pressButton(h.admin, "el:v:p.l.0.0.0.0.0");
    view = last(h.admin);
    expect(view.text).toContain("— Прошедшие");
    expect(view.text).toContain("2 мероприятия");
    expect(view.text.indexOf("Воскресная выставка")).toBeLessThan(view.text.indexOf("Ночная консультация"));
    expect(view.text).not.toContain("Мастер-класс по робототехнике");
    h.expectAllCallbacksAnswered();
  });

  it("filters by mine, unit, partner and format, with pages", async () => {
    const { teacher, unitId, school, university } = await calendar();
    await h.send(command(teacher, "events"));
    await h.pressButton(teacher, "el:v:u.0.1.0.0.0.0");
    let view = last(teacher);
    expect(view.text).toContain("Фильтры: Мои");
    expect(view.text).toContain("Мастер-класс по робототехнике");
    expect(view.text).not.toContain("Экскурсия в музей");
    expect(view.buttons.find((b) => b.data === "el:v:u.0.0.0.0.0.0")!.text).toBe("☑️ Мои");

    await h.pressButton(teacher, "el:v:u.0.0.0.0.0.0");
    expect(last(teacher).text).toContain("Экскурсия в музей");

    await h.pressButton(teacher, "el:f:u:0:u.0.0.0.0.0.0");
    expect(last(teacher).text).toBe("Мероприятия какого подразделения показать?");
    expect(last(teacher).buttons.map((b) => b.text)).toEqual(["Все", "Отдел техники", "« Назад"]);
    await h.pressButton(teacher, `el:v:u.0.0.${unitId}.0.0.0`);
    view = last(teacher);
    expect(view.text).toContain("Фильтры: Отдел техники");
    expect(view.text).toContain("1 мероприятие");
    expect(view.text).toContain("Экскурсия в музей");

    await h.pressButton(teacher, `el:f:p:0:u.0.0.${unitId}.0.0.0`);
    expect(last(teacher).buttons.map((b) => b.text)).toEqual(["Все", "ИГУ", "СОШ № 5", "« Назад"]);
    await h.pressButton(teacher, `el:v:u.0.0.${unitId}.${university.id}.0.0`);
    expect(last(teacher).text).toContain("Мероприятий нет.");
    await h.pressButton(teacher, `el:f:p:0:u.0.0.${unitId}.${university.id}.0.0`);
    await h.pressButton(teacher, `el:v:u.0.0.${unitId}.${school.id}.0.0`);
    expect(last(teacher).text).toContain("Фильтры: Отдел техники · СОШ № 5");

    await h.pressButton(teacher, `el:f:f:0:u.0.0.${unitId}.${school.id}.0.0`);
    expect(last(teacher).buttons.map((b) => b.text)).toContain("Экскурсия");
    await h.pressButton(teacher, `el:v:u.0.0.${unitId}.${school.id}.7.0`);
    expect(last(teacher).text).toContain("Фильтры: Отдел техники · СОШ № 5 · Экскурсия");
    expect(last(teacher).text).toContain("Экскурсия в музей");

    // Thirteen more events: 17 in all, three pages of eight.
    const [row] = await h.database.db.select().from(users).where(eq(users.telegramId, teacher.id));
    for (let i = 1; i <= 13; i++) {
      const made = await proposeEvent(h.database.db, { user: row!, role: "staff" }, eventDraft([university.id], row!.id, irkutsk("2027-02-01", `${String(i + 8).padStart(2, "0")}:00`), { title: `Занятие ${i}` }), h.clock.now);
      expect(made.ok).toBe(true);
    }
    await h.send(command(teacher, "events"));
    expect(last(teacher).text).toContain("17 мероприятий (стр. 1 из 3)");
    await h.pressButton(teacher, "el:v:u.1.0.0.0.0.0");
    expect(last(teacher).buttons.map((b) => b.text)).toEqual(expect.arrayContaining(["‹ Назад", "Дальше ›"]));
    await h.pressButton(teacher, "el:v:u.2.0.0.0.0.0");
    expect(last(teacher).text).toContain("(стр. 3 из 3)");
    expect(last(teacher).text).toContain("Занятие 13");
    // A page that no longer exists shows the last one.
    await forge(teacher, "el:v:u.9.0.0.0.0");
    expect(last(teacher).text).toContain("(стр. 3 из 3)");
    await forge(teacher, "el:v:x.0.0.0.0.0");
    expect(h.telegram.sent("answerCallbackQuery").at(-1)).toMatchObject({ text: "Эта кнопка уже не действует. Начните заново с нужной команды." });
    h.expectAllCallbacksAnswered();
  });

  it.each([
    ["ru", "🏅 Уровень", "Мероприятия какого уровня показать?", ["Все", "Учреждение", "Муниципальный", "Региональный", "Межрегиональный", "Федеральный", "Международный", "« Назад"], "Фильтры: уровень: региональный", "1 мероприятие", "Фильтры: Мои · уровень: учреждения", "Эта кнопка уже не действует. Начните заново с нужной команды."],
    ["en", "🏅 Level", "Events of which level?", ["All", "Institution", "Municipal", "Regional", "Interregional", "Federal", "International", "« Back"], "Filters: level: regional", "1 event", "Filters: Mine · level: institution", "This button no longer works. Please start again with the command you need."],
  ] as const)("filters by level, alone and with the other filters (%s)", async (language, button, question, choices, regionalFilter, one, mineInstitutional, outdated) => {
    const { teacher, events, staff, university } = await calendar(language);
    await h.database.db.update(eventsTable).set({ level: "regional" }).where(eq(eventsTable.id, events.thursday.id));
    await h.database.db.update(eventsTable).set({ level: "federal" }).where(eq(eventsTable.id, events.excursion.id));
    await h.send(command(teacher, "events"));
    const view = last(teacher);
    expect(view.buttons.find((b) => b.data === "el:f:l:0:u.0.0.0.0.0.0")!.text).toBe(button);
    await h.pressButton(teacher, "el:f:l:0:u.0.0.0.0.0.0");
    expect(last(teacher).text).toBe(question);
    expect(last(teacher).buttons.map((b) => b.text)).toEqual(choices);
    expect(last(teacher).buttons.map((b) => b.data).slice(0, 4)).toEqual(["el:v:u.0.0.0.0.0.0", "el:v:u.0.0.0.0.0.1", "el:v:u.0.0.0.0.0.2", "el:v:u.0.0.0.0.0.3"]);
    await h.pressButton(teacher, "el:v:u.0.0.0.0.0.3");
    let list = last(teacher).text;
    expect(list).toContain(regionalFilter);
    expect(list).toContain(one);
    expect(list).toContain("Мастер-класс по робототехнике");
    expect(list).not.toContain("Экскурсия в музей");
    // Mine and institutional: the teacher's own events but the regional and the federal one (the admin's).
    await h.pressButton(teacher, "el:f:l:0:u.0.0.0.0.0.3");
    await h.pressButton(teacher, "el:v:u.0.0.0.0.0.1");
    await h.pressButton(teacher, "el:v:u.0.1.0.0.0.1");
    list = last(teacher).text;
    expect(list).toContain(mineInstitutional);
    expect(list).toContain("Отклонённая встреча");
    expect(list).toContain("Круглый стол");
    expect(list).not.toContain("Мастер-класс по робототехнике");
    expect(list).not.toContain("Экскурсия в музей");
    // A level filter survives paging and the period buttons.
    expect(last(teacher).buttons.find((b) => b.data.startsWith("el:v:p."))!.data).toBe("el:v:p.l.1.0.0.0.1");
    // A list drawn before levels existed (six fields) still works, with any level; a level that does not exist does not.
    await forge(teacher, "el:v:u.0.0.0.0.0");
    expect(last(teacher).text).toContain(language === "ru" ? "4 мероприятия" : "4 events");
    await forge(teacher, "el:v:u.0.0.0.0.0.7");
    expect(h.telegram.sent("answerCallbackQuery").at(-1)).toMatchObject({ text: outdated });
    // A partner contact may filter by level too, within their own organisation's events.
    const contact = makeUser({ first_name: "Olga", language_code: language });
    const contactRow = await registered(h, contact, "partner");
    await h.database.db.insert(contacts).values({ partnerId: university.id, fullName: "Ольга Иванова", userId: contactRow.id, consentBasis: "bot", consentRecordedBy: staff.user.id });
    await h.send(command(contact, "events"));
    await h.pressButton(contact, "el:f:l:0:u.0.0.0.0.0.0");
    await h.pressButton(contact, "el:v:u.0.0.0.0.0.3");
    expect(last(contact).text).toContain("Мастер-класс по робототехнике");
    expect(last(contact).text).toContain(one);
    h.expectAllCallbacksAnswered();
  });

  it("shows a partner contact only their own organisation's events, in English, and refuses the rest", async () => {
    const { school, events, admin } = await calendar();
    const contact = makeUser({ first_name: "Olga", language_code: "en" });
    const contactRow = await registered(h, contact, "partner");
    await h.database.db.insert(contacts).values({ partnerId: school.id, fullName: "Ольга Иванова", userId: contactRow.id, consentBasis: "bot", consentRecordedBy: admin.user.id });

    await h.send(command(contact, "events"));
    const view = last(contact);
    expect(view.text).toContain("<b>Events calendar</b> — Upcoming");
    expect(view.text).toContain("1 event");
    expect(view.text).toContain("1. 🕓 20 December 2026, 11:00 · Excursion · Экскурсия в музей");
    expect(view.text).not.toContain("Мастер-класс по робототехнике");
    expect(view.buttons.map((b) => b.text)).not.toContain("⬜ Mine");
    expect(view.buttons.map((b) => b.text)).toContain("🎨 Format");

    await h.pressButton(contact, "el:v:w.0.0.0.0.0.0");
    expect(last(contact).text).toContain("No events.");
    // Forged filters do not widen the view.
    await forge(contact, `el:v:u.0.0.0.${events.thursday.id}.0`);
    expect(last(contact).text).not.toContain("Мастер-класс по робототехнике");
    await forge(contact, "el:f:p:0:u.0.0.0.0.0");
    expect(h.telegram.sent("answerCallbackQuery").at(-1)).toMatchObject({ text: "This button no longer works. Please start again with the command you need." });
    await forge(contact, `ev:ics:${events.thursday.id}`);
    expect(h.telegram.sent("answerCallbackQuery").at(-1)).toMatchObject({ show_alert: true });
    expect(h.telegram.sent("sendDocument")).toHaveLength(0);

    await forge(contact, `ev:ics:${events.excursion.id}`);
    const [document] = h.telegram.sent("sendDocument");
    expect(document).toMatchObject({ chat_id: contact.id, caption: "“Экскурсия в музей”. Open the file to add the event to your calendar." });
    expect(isUploadedFile(document!.document) && document!.document.filename).toBe(`event-${events.excursion.id}.ics`);

    // Not approved yet, so not among "all my upcoming".
    await h.pressButton(contact, "el:ics");
    expect(h.telegram.sent("answerCallbackQuery").at(-1)).toMatchObject({ text: "You have no upcoming approved events.", show_alert: true });
    await h.send(command(makeUser(), "events"));
    h.expectAllCallbacksAnswered();
  });

  it("sends all my upcoming approved events as one .ics file with Irkutsk times", async () => {
    const { teacher, events } = await calendar("en");
    await h.send(command(teacher, "events"));
    expect(last(teacher).buttons.map((b) => b.text)).toContain("📅 All my upcoming (.ics)");
    await h.pressButton(teacher, "el:ics");
    const [sent] = h.telegram.sent("sendDocument");
    expect(sent).toMatchObject({ chat_id: teacher.id, caption: "2 upcoming events. Open the file to add them to your calendar." });
    const file = sent!.document;
    if (!isUploadedFile(file)) throw new Error("expected an uploaded file");
    expect(file.filename).toBe("my-events.ics");
    expect(file.content).toContain(`UID:event-${events.thursday.id}@palace_partners_bot`);
    expect(file.content).toContain("DTSTART;TZID=Asia/Irkutsk:20261203T150000");
    expect(file.content).toContain("DTSTART;TZID=Asia/Irkutsk:20270115T100000");
    expect(file.content).toContain("TZID:Asia/Irkutsk");
    expect(file.content).not.toContain("Экскурсия в музей");
    expect(file.content).not.toContain("Отклонённая встреча");
    h.expectAllCallbacksAnswered();
  });
});

describe("events elsewhere", () => {
  it("show the next three on the partner card, and plan vs fact in the joint plan, in Russian", async () => {
    const { teacher, university, school, staff, admin, events } = await calendar();
    await recordOutcome(h.database.db, staff, events.sunday.id, { held: true, report: { gifted: 1, disabilities: 0, careerGuidance: 0, other: 5, result: "Хорошо" } }, h.clock.now);
    await openPartnerCard(h, teacher, university.id);
    const card = last(teacher).text;
    expect(card).toContain(
      "<b>Ближайшие мероприятия</b>\n• 3 декабря 2026, 15:00 — Мастер-класс по робототехнике · ✅ согласовано\n• 15 января 2027, 10:00 — Круглый стол · ✅ согласовано",
    );
    expect(card).not.toContain("Отклонённая встреча");
    expect(card).not.toContain("Ближайших совместных мероприятий нет.");

    const agreement = await addAgreement(h.database.db, admin, { partnerId: school.id, number: "5/2026", signedOn: "2026-11-02", validFrom: "2026-11-02", validTo: null, subject: "Экскурсии", scan: null }, "2026-12-01");
    if (!agreement.ok) throw new Error(agreement.reason);
    const item = async (title: string, plannedOn: string, monthOnly = false) => {
      const added = await addPlanItem(h.database.db, admin, { agreementId: agreement.agreement.id, title, format: "excursion", plannedOn, plannedMonthOnly: monthOnly, responsibleUserId: null, responsibleName: null });
      if (!added.ok) throw new Error(added.reason);
      return added.planItem;
    };
    const planned = await item("Экскурсия в музей", "2026-12-01", true);
    await item("Осенний конкурс", "2026-11-01", true);
    await item("Весенняя выставка", "2027-04-15");
    const linked = await proposeEvent(h.database.db, admin, eventDraft([school.id], admin.user.id, irkutsk("2026-12-22", "11:00"), { planItemId: planned.id }), h.clock.now);
    expect(linked.ok).toBe(true);

    await openPartnerCard(h, teacher, school.id);
    expect(last(teacher).text).toContain("• 20 декабря 2026, 11:00 — Экскурсия в музей · 🕓 ждёт согласования");
    await h.pressButton(teacher, `ag:list:${school.id}`);
    const plan = last(teacher).text;
    expect(plan).toContain("Осенний конкурс (Экскурсия) — ⚠️ просрочено");
    expect(plan).toContain("Экскурсия в музей (Экскурсия) — 🗓 назначено на 22.12.2026");
    expect(plan).toContain("Весенняя выставка (Экскурсия) — ⬜ запланировано");

    const lonely = await createPartner(h.database.db, admin, partnerDraft({ fullName: "Областная библиотека", shortName: null, type: "culture_organisation" }));
    await openPartnerCard(h, teacher, lonely.id);
    expect(last(teacher).text).toContain("Ближайших совместных мероприятий нет.");
    h.expectAllCallbacksAnswered();
  });

  it("show plan vs fact in English: held", async () => {
    const { teacher, university, staff, admin, events } = await calendar("en");
    const agreement = await addAgreement(h.database.db, admin, { partnerId: university.id, number: "7", signedOn: "2026-11-02", validFrom: "2026-11-02", validTo: null, subject: "Робототехника", scan: null }, "2026-12-01");
    if (!agreement.ok) throw new Error(agreement.reason);
    const added = await addPlanItem(h.database.db, admin, { agreementId: agreement.agreement.id, title: "Ночная консультация", format: "consultation", plannedOn: "2026-11-30", plannedMonthOnly: false, responsibleUserId: null, responsibleName: null });
    if (!added.ok) throw new Error(added.reason);
    const { events: eventsTable } = await import("../../src/schema.js");
    await h.database.db.update(eventsTable).set({ planItemId: added.planItem.id }).where(eq(eventsTable.id, events.monday.id));
    const held = await recordOutcome(h.database.db, staff, events.monday.id, { held: true, report: { gifted: 0, disabilities: 2, careerGuidance: 3, other: 0, result: "Ok" } }, h.clock.now);
    expect(held.ok).toBe(true);
    await openPartnerCard(h, teacher, university.id);
    await h.pressButton(teacher, `ag:list:${university.id}`);
    expect(last(teacher).text).toContain("Ночная консультация (Consultation) — ✅ held on 30.11.2026");
    h.expectAllCallbacksAnswered();
  });
});
