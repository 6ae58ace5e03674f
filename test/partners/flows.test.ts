import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { agreements, contacts, interactions, partners, planItems } from "../../src/partners/domain/schema.js";
import { users } from "../../src/core/access/schema.js";
import { addAgreement, addPlanItem } from "../../src/partners/domain/agreements.js";
import { decideEvent, proposeEvent } from "../../src/events/domain/events.js";
import { addInteraction } from "../../src/partners/domain/interactions.js";
import { createPartner, type PartnerDraft } from "../../src/partners/domain/partners.js";
import { addDepartment, openPartnerCard, registered } from "../helpers/bot-people.js";
import { addParticipant } from "../helpers/feedback-rows.js";
import { createHarness, type Harness } from "../helpers/harness.js";
import { partnerDraft } from "../helpers/partners.js";
import { command, makeUser, press, text, type TestUser } from "../helpers/updates.js";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());
// Telegram would have refused these: bad HTML, long texts, long callback data.
afterEach(() => expect(h.telegram.calls.filter((c) => c.error).map((c) => `${c.method}: ${c.error}`)).toEqual([]));

type Language = "ru" | "en";
const LANGUAGES: Language[] = ["ru", "en"];

const last = (user: TestUser) => h.telegram.lastMessageTo(user.id);
const say = (user: TestUser, body: string) => h.send(text(user, body));
/** Presses a button that is not on the last message (a card's button pressed later). */
const forge = (user: TestUser, data: string) => h.send(press(user, data, last(user)));
/** What the bot showed a user since `from` texts had been shown. */
const textsSince = (user: TestUser, from: number) => h.telegram.textsTo(user.id).slice(from);

const UNIVERSITY: Partial<PartnerDraft> = {
  fullName: "Иркутский государственный университет",
  shortName: "ИГУ",
  type: "university",
  ownerKind: "department",
  focuses: ["technical", "arts"],
  website: "https://isu.ru",
  address: "Иркутск, ул. Карла Маркса, 1",
  motivation: "Профориентация старшеклассников",
  tasks: "Лекции и экскурсии в лаборатории",
  notes: "Ректор любит робототехнику",
};

/** A department, its teacher (Мария Петрова) and an admin; the university owned by the department. */
async function teacherWithPartner(language: Language, overrides: Partial<PartnerDraft> = {}) {
  const db = h.database.db;
  const adminRow = await registered(h, h.admin, "admin");
  const unitId = await addDepartment(db, "Отдел техники");
  const teacher = makeUser({ first_name: "Мария", last_name: "Петрова", language_code: language });
  const teacherRow = await registered(h, teacher, "staff", unitId);
  const actor = { user: teacherRow, role: "staff" as const };
  const partner = await createPartner(db, actor, partnerDraft({ ...UNIVERSITY, ownerUnitId: unitId, ...overrides }));
  return { db, adminRow, unitId, teacher, teacherRow, actor, partner };
}

/**
 * The university with two contacts — Ирина Смирнова linked in the bot (role partner), Олег
 * Сидоров on paper —, a meeting logged, an approved and a proposed event to come, and a rated
 * event in the past.
 */
async function partnerWorld(language: Language) {
  const world = await teacherWithPartner(language);
  const { db, adminRow, teacherRow, actor, partner } = world;
  const person = makeUser({ first_name: "Ирина", last_name: "Смирнова", language_code: language });
  const personRow = await registered(h, person, "partner");
  await db.insert(contacts).values([
    {
      partnerId: partner.id,
      fullName: "Ирина Смирнова",
      position: "Методист",
      phone: "+73952123456",
      email: "smirnova@isu.ru",
      userId: personRow.id,
      consentBasis: "bot",
      consentRecordedBy: personRow.id,
    },
    {
      partnerId: partner.id,
      fullName: "Олег Сидоров",
      position: "Проректор",
      phone: "+79141234567",
      email: "sidorov@isu.ru",
      telegramUsername: "sidorov_isu",
      consentBasis: "paper",
      consentRecordedBy: adminRow.id,
    },
  ]);
  const logged = await addInteraction(db, actor, { partnerId: partner.id, kind: "meeting", occurredOn: "2026-11-20", text: "Обсудили летнюю школу", file: null });
  if (!logged.ok) throw new Error(logged.reason);

  const event = (title: string, startsAt: Date) => ({
    partnerIds: [partner.id],
    format: "master_class" as const,
    title,
    description: null,
    startsAt,
    endsAt: new Date(startsAt.getTime() + 2 * 3600_000),
    place: null,
    ageFrom: null,
    ageTo: null,
    categories: [],
    expectedParticipants: null,
    responsibleUserId: teacherRow.id,
    ownerUnitId: null,
    planItemId: null,
  });
  const approved = await proposeEvent(db, actor, event("Мастер-класс по робототехнике", new Date("2026-12-10T07:00:00Z")), h.clock.now);
  if (!approved.ok) throw new Error(approved.reason);
  const decided = await decideEvent(db, { user: adminRow, role: "admin" }, { eventId: approved.event.id, decision: "approved", comment: null });
  if (!decided.ok) throw new Error(decided.reason);
  const proposed = await proposeEvent(db, actor, event("Экскурсия в лабораторию", new Date("2026-12-15T07:00:00Z")), h.clock.now);
  if (!proposed.ok) throw new Error(proposed.reason);
  // A past event a participant rated: the ratings line is for staff only.
  const past = await proposeEvent(db, actor, event("Открытая лекция", new Date("2026-11-10T07:00:00Z")), new Date("2026-01-01T00:00:00Z"));
  if (!past.ok) throw new Error(past.reason);
  await addParticipant(db, { eventId: past.event.id, rating: 5 });
  return { ...world, person, personRow };
}

const CARD_FOR_PARTNER: Record<Language, string> = {
  ru: [
    "<b>Иркутский государственный университет</b> (ИГУ)",
    "Тип: Вуз",
    "Ответственный: Отдел техники (отдел)",
    "Направленность: техническая, художественная",
    "Сайт: https://isu.ru",
    "Адрес: Иркутск, ул. Карла Маркса, 1",
    "",
    "<b>Контактные лица</b> (2)",
    "• Ирина Смирнова — Методист",
    "• Олег Сидоров — Проректор",
    "",
    "Договоров пока нет.",
    "",
    "<b>Ближайшие мероприятия</b>",
    "• 10 декабря 2026, 15:00 — Мастер-класс по робототехнике · ✅ согласовано",
  ].join("\n"),
  en: [
    "<b>Иркутский государственный университет</b> (ИГУ)",
    "Type: University",
    "Owner: Отдел техники (department)",
    "Focus: technical, arts",
    "Website: https://isu.ru",
    "Address: Иркутск, ул. Карла Маркса, 1",
    "",
    "<b>Contact persons</b> (2)",
    "• Ирина Смирнова — Методист",
    "• Олег Сидоров — Проректор",
    "",
    "No agreements yet.",
    "",
    "<b>Upcoming events</b>",
    "• 10 December 2026, 15:00 — Мастер-класс по робототехнике · ✅ approved",
  ].join("\n"),
};

/** What the owning unit's staff see on the same card, and the partner's contact does not. */
const INTERNAL: Record<Language, string[]> = {
  ru: [
    "Этап: <b>Подготовительный</b>",
    "<b>Зачем нам этот партнёр:</b> Профориентация старшеклассников",
    "<b>Задачи партнёрства:</b> Лекции и экскурсии в лаборатории",
    "<b>Заметки:</b> Ректор любит робототехнику",
    "<b>Чек-лист этапов</b>\n✅ мотивация и задачи сформулированы\n⬜ подписан договор с планом совместных мероприятий\n✅ совместная деятельность за последние 6 месяцев",
    "💡 Можно переходить на этап «Организационный»",
    "⭐ Оценки за последние 90 дней: участники — 5,0 по 1 ответу",
    "<b>Последние взаимодействия</b>\n• 20.11.2026 — Встреча: Обсудили летнюю школу",
    "• Ирина Смирнова — Методист, +7 3952 12-34-56, smirnova@isu.ru",
    "• Олег Сидоров — Проректор, +7 914 123-45-67, sidorov@isu.ru, @sidorov_isu",
    "Экскурсия в лабораторию · 🕓 ждёт согласования",
  ],
  en: [
    "Stage: <b>Preparatory</b>",
    "<b>Why this partner:</b> Профориентация старшеклассников",
    "<b>Tasks of the partnership:</b> Лекции и экскурсии в лаборатории",
    "<b>Notes:</b> Ректор любит робототехнику",
    "<b>Stage checklist</b>\n✅ motivation and tasks written\n⬜ an agreement signed with a joint plan\n✅ a joint activity in the last 6 months",
    "💡 You can move to the “Organisational” stage",
    "⭐ Ratings over the last 90 days: participants 5.0 from 1 answer",
    "<b>Latest interactions</b>\n• 20.11.2026 — Meeting: Обсудили летнюю школу",
    "• Ирина Смирнова — Методист, +7 3952 12-34-56, smirnova@isu.ru",
    "• Олег Сидоров — Проректор, +7 914 123-45-67, sidorov@isu.ru, @sidorov_isu",
    "Экскурсия в лабораторию · 🕓 awaiting approval",
  ],
};

describe("a partner's contact opens their own card", () => {
  it.each(LANGUAGES)("sees only what is meant for the partner; the owning unit's staff see the rest (%s)", async (language) => {
    const { teacher, person, partner } = await partnerWorld(language);

    await h.send(command(person, "partners"));
    const own = last(person);
    expect(own.text).toBe(CARD_FOR_PARTNER[language]);
    for (const hidden of [...INTERNAL[language], "3952", "914", "@isu.ru", "⭐", "💡", "Обсудили", "Ректор"]) expect(own.text).not.toContain(hidden);
    expect(own.buttons.map((b) => b.data)).toEqual([`ag:list:${partner.id}`]);
    // The same card behind a button, and the stage's or the log's buttons refused if forged.
    await h.send(press(person, `pc:open:${partner.id}`));
    expect(last(person).text).toBe(CARD_FOR_PARTNER[language]);
    for (const data of [`st:menu:${partner.id}`, `ix:list:${partner.id}`, `pc:history:${partner.id}`, `pc:edit:${partner.id}`]) {
      const before = h.telegram.textsTo(person.id).length;
      await forge(person, data);
      expect(textsSince(person, before)).toEqual([]);
      expect(h.telegram.sent("answerCallbackQuery").at(-1)).toMatchObject({
        text: language === "ru" ? "Это действие вам недоступно." : "This action isn't available to you.",
        show_alert: true,
      });
    }
    // The contact list, if asked for, has names and positions only.
    await forge(person, `ct:list:${partner.id}`);
    expect(last(person).text).toBe(
      language === "ru"
        ? "<b>Контактные лица</b> — ИГУ\n\n1. <b>Ирина Смирнова</b>, Методист\n2. <b>Олег Сидоров</b>, Проректор\n\nТелефоны, e-mail и имена в Telegram видны только ответственным за партнёра."
        : "<b>Contact persons</b> — ИГУ\n\n1. <b>Ирина Смирнова</b>, Методист\n2. <b>Олег Сидоров</b>, Проректор\n\nPhones, e-mails and Telegram usernames are visible only to the partnership's owners.",
    );

    await openPartnerCard(h, teacher, partner.id);
    const staffCard = last(teacher).text;
    for (const shown of INTERNAL[language]) expect(staffCard).toContain(shown);
    expect(staffCard).toContain(language === "ru" ? "Ответственный: Отдел техники (отдел)" : "Owner: Отдел техники (department)");
    h.expectAllCallbacksAnswered();
  });
});

describe("the next-stage hint", () => {
  const PARTLY: Record<Language, string> = {
    ru: "💡 Можно переходить на этап «Организационный»: мотивация и задачи сформулированы. Пока отмечены не все пункты чек-листа.",
    en: "💡 You can move to the “Organisational” stage: motivation and tasks written. Not every checklist item is ticked yet.",
  };
  const READY: Record<Language, string> = {
    ru: "💡 Всё готово для перехода на этап «Организационный».",
    en: "💡 Ready to move to the “Organisational” stage.",
  };
  const PARTLY_SYSTEM: Record<Language, string> = {
    ru: "💡 Можно переходить на этап «Системообразующий»: подписан договор с планом совместных мероприятий. Пока отмечены не все пункты чек-листа.",
    en: "💡 You can move to the “System-forming” stage: an agreement signed with a joint plan. Not every checklist item is ticked yet.",
  };

  it.each(LANGUAGES)("says «all ready» only when every checklist item is ticked (%s)", async (language) => {
    const { db, teacher, actor, partner } = await teacherWithPartner(language);
    await openPartnerCard(h, teacher, partner.id);
    expect(last(teacher).text).toContain(PARTLY[language]);
    expect(last(teacher).text).not.toContain(READY[language]);

    const agreement = await addAgreement(
      db,
      actor,
      { partnerId: partner.id, number: "12/2026", signedOn: "2026-11-02", validFrom: "2026-11-02", validTo: null, subject: "Профориентация", scan: null },
      "2026-12-01",
    );
    if (!agreement.ok) throw new Error(agreement.reason);
    const item = await addPlanItem(db, actor, {
      agreementId: agreement.agreement.id, title: "Лекция", format: "other", plannedOn: "2027-03-01", plannedMonthOnly: true, responsibleUserId: null, responsibleName: null,
    });
    if (!item.ok) throw new Error(item.reason);
    await openPartnerCard(h, teacher, partner.id);
    // Two of three: still not «all ready».
    expect(last(teacher).text).toContain(PARTLY[language]);

    const met = await addInteraction(db, actor, { partnerId: partner.id, kind: "meeting", occurredOn: "2026-11-25", text: "Встреча", file: null });
    if (!met.ok) throw new Error(met.reason);
    await openPartnerCard(h, teacher, partner.id);
    const ready = last(teacher).text;
    expect(ready).toContain(language === "ru" ? "✅ мотивация и задачи сформулированы\n✅ подписан договор с планом совместных мероприятий\n✅ совместная деятельность за последние 6 месяцев" : "✅ motivation and tasks written\n✅ an agreement signed with a joint plan\n✅ a joint activity in the last 6 months");
    expect(ready).toContain(READY[language]);
    expect(ready).not.toContain(PARTLY[language]);

    // On the organisational stage the move rests on the agreement; without recent activity it is «partly».
    await db.update(partners).set({ stage: "organisational" }).where(eq(partners.id, partner.id));
    await db.delete(interactions);
    await openPartnerCard(h, teacher, partner.id);
    expect(last(teacher).text).toContain(PARTLY_SYSTEM[language]);
    h.expectAllCallbacksAnswered();
  });
});

describe("saving from the card: one short confirmation with a button back", () => {
  const CARD_MARK: Record<Language, string> = { ru: "<b>Чек-лист этапов</b>", en: "<b>Stage checklist</b>" };

  it.each(LANGUAGES)("an agreement, a plan item and an interaction, each dated in the past without a warning (%s)", async (language) => {
    const ru = language === "ru";
    const { teacher, partner } = await teacherWithPartner(language);
    await openPartnerCard(h, teacher, partner.id);

    // An agreement signed three months ago.
    await h.pressButton(teacher, `ag:list:${partner.id}`);
    await h.pressButton(teacher, `ag:add:${partner.id}`);
    await say(teacher, "12/2026");
    const signedPrompt = last(teacher).text;
    expect(signedPrompt).toBe(
      ru
        ? "Когда договор подписан? Напишите дату в виде ДД.ММ.ГГГГ, например 01.12.2026."
        : "When was the agreement signed? Type the date as DD.MM.YYYY, e.g. 01.12.2026.",
    );
    let before = h.telegram.textsTo(teacher.id).length;
    await say(teacher, "01.09.2026");
    expect(textsSince(teacher, before)).toEqual([
      ru
        ? "С какой даты действует договор? Напишите дату в виде ДД.ММ.ГГГГ; если со дня подписания — 01.09.2026."
        : "From which date is the agreement in force? Type the date as DD.MM.YYYY; if from the day it was signed, 01.09.2026.",
    ]);
    await say(teacher, "01.09.2026");
    await h.pressButton(teacher, "ask:skip"); // open-ended
    await say(teacher, "Профориентация школьников");
    await h.pressButton(teacher, "ask:skip"); // no scan
    before = h.telegram.textsTo(teacher.id).length;
    await h.pressButton(teacher, "ask:pick:confirm");
    const [agreement] = await h.database.db.select().from(agreements);
    expect(agreement).toMatchObject({ number: "12/2026", signedOn: "2026-09-01", validFrom: "2026-09-01", validTo: null });
    const savedAgreement = ru
      ? "✅ Договор № 12/2026 сохранён. Теперь к нему можно добавить план совместных мероприятий."
      : "✅ Agreement No. 12/2026 is saved. You can now add its plan of joint events.";
    expect(textsSince(teacher, before).join("\n")).not.toContain(CARD_MARK[language]);
    expect(textsSince(teacher, before).at(-1)).toBe(savedAgreement);
    expect(last(teacher).buttons).toEqual([
      { text: ru ? "➕ Добавить пункт плана" : "➕ Add a plan item", data: `ag:plan:${agreement!.id}` },
      { text: ru ? "« К карточке" : "« Back to the card", data: `pc:open:${partner.id}` },
    ]);

    // A plan item.
    await h.pressButton(teacher, `ag:plan:${agreement!.id}`);
    await say(teacher, "Мастер-класс по робототехнике");
    await h.pressButton(teacher, "ask:pick:master_class");
    await say(teacher, "03.2027");
    await h.pressButton(teacher, "ask:skip"); // nobody in charge yet
    before = h.telegram.textsTo(teacher.id).length;
    await h.pressButton(teacher, "ask:pick:confirm");
    const savedItem = ru ? "✅ Пункт плана добавлен к договору № 12/2026." : "✅ The plan item is added to agreement No. 12/2026.";
    expect(textsSince(teacher, before).at(-1)).toBe(savedItem);
    expect(textsSince(teacher, before).join("\n")).not.toContain(CARD_MARK[language]);
    expect(last(teacher).buttons.map((b) => b.data)).toEqual([`ag:plan:${agreement!.id}`, `ag:list:${partner.id}`, `pc:open:${partner.id}`]);
    expect(await h.database.db.select().from(planItems)).toEqual([
      expect.objectContaining({ agreementId: agreement!.id, title: "Мастер-класс по робототехнике", plannedOn: "2027-03-01", plannedMonthOnly: true }),
    ]);

    // An interaction three months ago.
    await h.pressButton(teacher, `pc:open:${partner.id}`);
    await h.pressButton(teacher, `ix:add:${partner.id}`);
    await h.pressButton(teacher, "ask:pick:meeting");
    expect(last(teacher).text).toBe(
      ru
        ? "Когда это было? Напишите дату в виде ДД.ММ.ГГГГ или слово «сегодня» или «вчера» (сегодня 01.12.2026)."
        : "When was it? Type the date as DD.MM.YYYY, or the word “today” or “yesterday” (today is 01.12.2026).",
    );
    before = h.telegram.textsTo(teacher.id).length;
    await say(teacher, "01.09.2026");
    expect(textsSince(teacher, before)).toEqual([
      ru ? "Коротко опишите, что обсудили или сделали (до 3000 символов)." : "Briefly describe what was discussed or done (up to 3000 characters).",
    ]);
    await say(teacher, "Обсудили план на год");
    await h.pressButton(teacher, "ask:skip"); // no file
    before = h.telegram.textsTo(teacher.id).length;
    await h.pressButton(teacher, "ask:pick:confirm");
    const savedInteraction = ru ? "✅ Взаимодействие записано." : "✅ The interaction is logged.";
    expect(textsSince(teacher, before).at(-1)).toBe(savedInteraction);
    expect(textsSince(teacher, before).join("\n")).not.toContain(CARD_MARK[language]);
    expect(last(teacher).buttons).toEqual([{ text: ru ? "« К карточке" : "« Back to the card", data: `pc:open:${partner.id}` }]);
    const [logged] = await h.database.db.select().from(interactions);
    expect(logged).toMatchObject({ kind: "meeting", occurredOn: "2026-09-01", text: "Обсудили план на год" });

    // The button opens the card, where all three are.
    await h.pressButton(teacher, `pc:open:${partner.id}`);
    const card = last(teacher).text;
    expect(card).toContain(CARD_MARK[language]);
    expect(card).toContain(ru ? "• № 12/2026 от 01.09.2026, бессрочный; пунктов плана: 1" : "• No. 12/2026 of 01.09.2026");
    expect(card).toContain(ru ? "• 01.09.2026 — Встреча: Обсудили план на год" : "• 01.09.2026 — Meeting: Обсудили план на год");
    h.expectAllCallbacksAnswered();
  });
});

describe("a phone is written one way everywhere", () => {
  const CASES: { language: Language; typed: string; stored: string; shown: string }[] = [
    { language: "ru", typed: "8 (3952) 12-34-56", stored: "+73952123456", shown: "+7 3952 12-34-56" },
    { language: "en", typed: "83952123456", stored: "+73952123456", shown: "+7 3952 12-34-56" },
    { language: "ru", typed: "89141234567", stored: "+79141234567", shown: "+7 914 123-45-67" },
    { language: "en", typed: "+7 (914) 123 45 67", stored: "+79141234567", shown: "+7 914 123-45-67" },
  ];

  it.each(CASES)("$typed ($language): stored $stored, shown $shown in the summary, the list, the contact and the card", async ({ language, typed, stored, shown }) => {
    const ru = language === "ru";
    const { teacher, partner } = await teacherWithPartner(language);
    await openPartnerCard(h, teacher, partner.id);
    await h.pressButton(teacher, `ct:list:${partner.id}`);
    await h.pressButton(teacher, `ct:add:${partner.id}`);
    await h.pressButton(teacher, "ask:pick:paper");
    await say(teacher, "Иванова Мария Петровна");
    await say(teacher, "Заместитель директора");
    await say(teacher, typed);
    await h.pressButton(teacher, "ask:skip"); // e-mail
    await h.pressButton(teacher, "ask:skip"); // Telegram
    expect(last(teacher).text).toContain(ru ? `<b>Телефон:</b> ${shown}` : `<b>Phone:</b> ${shown}`);
    await h.pressButton(teacher, "ask:pick:confirm");

    const [row] = await h.database.db.select().from(contacts).where(eq(contacts.partnerId, partner.id));
    expect(row!.phone).toBe(stored);
    // The list comes right after the confirmation.
    expect(last(teacher).text).toContain(`1. <b>Иванова Мария Петровна</b>, Заместитель директора\n   ${shown}\n`);
    await h.pressButton(teacher, `ct:open:${row!.id}`);
    expect(last(teacher).text).toContain(ru ? `\nТелефон: ${shown}\n` : `\nPhone: ${shown}\n`);
    // Editing shows the current value the same way.
    await h.pressButton(teacher, `ct:edit:${row!.id}`);
    await h.pressButton(teacher, "ask:pick:phone");
    expect(last(teacher).text).toContain(ru ? `Сейчас: ${shown}` : `Now: ${shown}`);
    await h.pressButton(teacher, "ask:cancel");
    await forge(teacher, `pc:open:${partner.id}`);
    expect(last(teacher).text).toContain(`• Иванова Мария Петровна — Заместитель директора, ${shown}\n`);
    h.expectAllCallbacksAnswered();
  });
});

describe("the owner is written one way everywhere", () => {
  type Kind = "department" | "teacher" | "institution";
  const OWNER: Record<Language, Record<Kind, string>> = {
    ru: { department: "Отдел техники (отдел)", teacher: "Мария Петрова (педагог)", institution: "учреждение в целом" },
    en: { department: "Отдел техники (department)", teacher: "Мария Петрова (teacher)", institution: "the institution" },
  };
  const CASES = LANGUAGES.flatMap((language) => (["department", "teacher", "institution"] as const).map((kind) => ({ language, kind })));

  it.each(CASES)("$kind ($language): the /newpartner summary and the card", async ({ language, kind }) => {
    const ru = language === "ru";
    const { unitId, teacherRow } = await teacherWithPartner("ru", { fullName: "Лицей № 2", shortName: null });
    await h.database.db.update(users).set({ language }).where(eq(users.telegramId, h.admin.id));
    await h.send(command(h.admin, "newpartner"));
    await say(h.admin, "Байкальский музей");
    await h.pressButton(h.admin, "ask:skip"); // short name
    await h.pressButton(h.admin, "ask:pick:culture_organisation");
    await h.pressButton(h.admin, `ask:pick:${kind}`);
    if (kind === "department") await h.pressButton(h.admin, `ask:pick:${unitId}`);
    if (kind === "teacher") await h.pressButton(h.admin, `ask:pick:${teacherRow.id}`);
    await h.pressButton(h.admin, "ask:pick:arts");
    await h.pressButton(h.admin, "ask:done");
    for (let i = 0; i < 6; i++) await h.pressButton(h.admin, "ask:skip"); // website … notes
    expect(last(h.admin).text).toContain(ru ? `<b>Ответственный:</b> ${OWNER[language][kind]}\n` : `<b>Owner:</b> ${OWNER[language][kind]}\n`);
    await h.pressButton(h.admin, "ask:pick:confirm");
    const [saved] = await h.database.db.select().from(partners).where(eq(partners.fullName, "Байкальский музей"));
    expect(saved).toMatchObject({
      ownerKind: kind,
      ownerUnitId: kind === "department" ? unitId : null,
      ownerUserId: kind === "teacher" ? teacherRow.id : null,
    });
    await h.pressButton(h.admin, `pc:open:${saved!.id}`);
    expect(last(h.admin).text).toContain(ru ? `\nОтветственный: ${OWNER[language][kind]}\n` : `\nOwner: ${OWNER[language][kind]}\n`);
    h.expectAllCallbacksAnswered();
  });
});

describe("a form that goes round too long says so in its own words", () => {
  const CLOSED: Record<Language, Record<"partner" | "agreement" | "interaction" | "contact", string>> = {
    ru: {
      partner: "Форма нового партнёра закрыта: слишком много шагов туда и обратно. Ничего не сохранено — начните, пожалуйста, заново: /newpartner.",
      agreement: "Форма договора закрыта: слишком много шагов туда и обратно. Ничего не сохранено — начните, пожалуйста, заново из карточки партнёра.",
      interaction: "Форма взаимодействия закрыта: слишком много шагов туда и обратно. Ничего не сохранено — начните, пожалуйста, заново из карточки партнёра.",
      contact: "Форма контактного лица закрыта: слишком много шагов туда и обратно. Ничего не сохранено — начните, пожалуйста, заново из карточки партнёра.",
    },
    en: {
      partner: "The new partner form is closed: too many steps back and forth. Nothing was saved — please start again: /newpartner.",
      agreement: "The agreement form is closed: too many steps back and forth. Nothing was saved — please start again from the partner's card.",
      interaction: "The interaction form is closed: too many steps back and forth. Nothing was saved — please start again from the partner's card.",
      contact: "The contact person form is closed: too many steps back and forth. Nothing was saved — please start again from the partner's card.",
    },
  };
  const INVITE: Record<Language, string> = { ru: "приглашени", en: "invite" };

  it.each(LANGUAGES)("/newpartner, an agreement, an interaction and a contact, not the invite's text, saving nothing (%s)", async (language) => {
    const { teacher, partner } = await teacherWithPartner(language);
    const toCard = [{ text: language === "ru" ? "« К карточке" : "« Back to the card", data: `pc:open:${partner.id}` }];

    // /newpartner: the full name, then Back from the short name, forty times over.
    await h.send(command(teacher, "newpartner"));
    for (let i = 0; i < 40; i++) {
      await say(teacher, "Гимназия № 3");
      await h.pressButton(teacher, "ask:back");
    }
    expect(last(teacher).text).toBe(CLOSED[language].partner);
    // The dialog is over: the next text is no answer to it.
    await say(teacher, "Гимназия № 3");
    expect(last(teacher).text).not.toContain("Гимназия № 3");

    // An agreement: the number, then Back from the signing date.
    await openPartnerCard(h, teacher, partner.id);
    await h.pressButton(teacher, `ag:list:${partner.id}`);
    await h.pressButton(teacher, `ag:add:${partner.id}`);
    for (let i = 0; i < 30; i++) {
      await say(teacher, "12/2026");
      await h.pressButton(teacher, "ask:back");
    }
    expect(last(teacher).text).toBe(CLOSED[language].agreement);
    expect(last(teacher).buttons).toEqual(toCard);

    // An interaction: the kind, then Back from the date.
    await h.pressButton(teacher, `pc:open:${partner.id}`);
    await h.pressButton(teacher, `ix:add:${partner.id}`);
    for (let i = 0; i < 30; i++) {
      await h.pressButton(teacher, "ask:pick:meeting");
      await h.pressButton(teacher, "ask:back");
    }
    expect(last(teacher).text).toBe(CLOSED[language].interaction);
    expect(last(teacher).buttons).toEqual(toCard);

    // A contact person: the consent on paper, then Back from the full name.
    await h.pressButton(teacher, `pc:open:${partner.id}`);
    await h.pressButton(teacher, `ct:list:${partner.id}`);
    await h.pressButton(teacher, `ct:add:${partner.id}`);
    for (let i = 0; i < 30; i++) {
      await h.pressButton(teacher, "ask:pick:paper");
      await h.pressButton(teacher, "ask:back");
    }
    expect(last(teacher).text).toBe(CLOSED[language].contact);
    expect(last(teacher).buttons).toEqual(toCard);
    // The dialog is over: a name typed now is no answer to it.
    await say(teacher, "Иванова Мария Петровна");
    expect(last(teacher).text).toBe(h.i18n.fixedT(language)("fallback.text"));

    for (const closing of Object.values(CLOSED[language])) expect(closing.toLowerCase()).not.toContain(INVITE[language]);
    expect(await h.database.db.select().from(partners)).toHaveLength(1);
    expect(await h.database.db.select().from(agreements)).toEqual([]);
    expect(await h.database.db.select().from(interactions)).toEqual([]);
    expect(await h.database.db.select().from(contacts)).toEqual([]);
    h.expectAllCallbacksAnswered();
  });
});
