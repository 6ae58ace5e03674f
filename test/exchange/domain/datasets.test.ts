import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { contacts, partners } from "../../../src/partners/domain/schema.js";
import { events } from "../../../src/events/domain/schema.js";
import type { Actor } from "../../../src/partners/domain/partners.js";
import { availableDatasets, buildDataset, type DatasetName } from "../../../src/exchange/domain/datasets.js";
import { createHarness, type Harness } from "../../helpers/harness.js";
import { registered } from "../../helpers/bot-people.js";
import { makeUser } from "../../helpers/updates.js";
import { ANSWERED_AT, CREATED_AT, EXHIBITION_AT, exportWorld, nudgeStart, PAPER_CONSENT_AT, PARTICIPANT_AT, part, rowsOf, STAGE_CHANGED_AT } from "../export-world.js";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

const build = (name: DatasetName, actor: Actor, language: "ru" | "en" = "ru", pageSize?: number) =>
  buildDataset(name, { db: h.database.db, actor, t: h.i18n.fixedT(language), ...(pageSize ? { pageSize } : {}) });

const headersOf = async (name: DatasetName, actor: Actor, language: "ru" | "en") =>
  (await build(name, actor, language))!.parts.map((p) => [p.title, p.columns.map((c) => c.header)]);

describe("the partners dataset", () => {
  it("has one row per partner with localised values, owners, the stage and its date, and every agreement (Russian)", async () => {
    const w = await exportWorld(h, "ru");
    const dataset = await build("partners", w.adminActor);
    const rows = await rowsOf(part(dataset, "partners"));
    expect(await part(dataset, "partners").count()).toBe(4);
    expect(rows).toEqual([
      ["Средняя общеобразовательная школа № 5", "СОШ № 5", "Школа", null, "Учреждение в целом", null, null, "Подготовительный", CREATED_AT, null, null, null, null, CREATED_AT],
      ["Лицей № 2", "Лицей № 2", "Школа", null, "Учреждение в целом", null, null, "Подготовительный", CREATED_AT, null, null, null, null, CREATED_AT],
      [
        "ООО «Технопарк; Иркутск»",
        "Технопарк",
        "Предприятие",
        "Техническая, Естественнонаучная",
        "Творческое объединение",
        "Робототехника",
        null,
        "Организационный",
        STAGE_CHANGED_AT,
        "3808000000",
        "https://technopark.example",
        "Иркутск, ул. Ленина, 1",
        "№ 15 от 01.09.2026, действует с 01.09.2026 по 31.08.2027\n№ 16-А от 05.10.2026, действует с 05.10.2026 бессрочно",
        CREATED_AT,
      ],
      ["Музей истории города", null, "Учреждение культуры", null, "Педагог", null, "Мария Петрова", "Подготовительный", CREATED_AT, null, null, null, null, CREATED_AT],
    ]);
  });

  it("speaks English in headers and values, and pages give the same rows as one read", async () => {
    const w = await exportWorld(h, "en");
    const dataset = await build("partners", w.adminActor, "en", 3);
    const pages: number[] = [];
    for await (const page of part(dataset, "partners").pages()) pages.push(page.length);
    expect(pages).toEqual([3, 1]);
    const rows = await rowsOf(part(dataset, "partners"));
    expect(rows[2]!.slice(2, 8)).toEqual(["Business", "Technical, Natural science", "Creative association", "Робототехника", null, "Organisational"]);
    expect(rows[2]![12]).toBe("No. 15 of 01.09.2026, valid 01.09.2026 – 31.08.2027\nNo. 16-А of 05.10.2026, valid from 05.10.2026, open-ended");
    expect(rows).toEqual(await rowsOf(part(await build("partners", w.adminActor, "en"), "partners")));
    expect(await headersOf("partners", w.adminActor, "en")).toEqual([
      [
        "Partners",
        ["Full name", "Short name", "Type", "Focus", "Owner", "Owner unit", "Owner (person)", "Stage", "Stage since", "INN (tax ID)", "Website", "Address", "Agreements", "Added"],
      ],
    ]);
  });
});

describe("the contacts dataset (personal data)", () => {
  it("gives admins every contact with the consent, Russian", async () => {
    const w = await exportWorld(h, "ru");
    const rows = await rowsOf(part(await build("contacts", w.adminActor), "contacts"));
    expect(rows).toEqual([
      ["СОШ № 5", "Ирина Смирнова", null, null, null, null, "Дано в боте", expect.any(Date)],
      ["СОШ № 5", "Не ответил", null, null, null, null, "Ждём согласия в боте", null],
      ["Лицей № 2", "Пётр Чужой", null, null, null, null, "Дано в боте", expect.any(Date)],
      ["Технопарк", "Иван Петров", "Директор", "+7 3952 12-34-56", "ivan@technopark.example", "@ivan_tech", "Подписано на бумаге", PAPER_CONSENT_AT],
      ["Музей истории города", "Анна Музейная", "Хранитель; экскурсовод", null, null, null, "Ждём согласия в боте", null],
    ]);
    expect(await headersOf("contacts", w.adminActor, "ru")).toEqual([
      ["Контакты", ["Партнёр", "ФИО", "Должность", "Телефон", "Эл. почта", "Telegram", "Согласие на обработку данных", "Дата согласия"]],
    ]);
  });

  it("gives staff only the contacts of partners they may edit; others none (English)", async () => {
    const w = await exportWorld(h, "en");
    // Oleg's department owns Технопарк through its association.
    const oleg = { user: w.colleagueRow, role: "staff" as const };
    expect(await availableDatasets(h.database.db, oleg)).toEqual(["partners", "contacts", "events", "feedback"]);
    const olegRows = await rowsOf(part(await build("contacts", oleg, "en"), "contacts"));
    expect(olegRows.map((r) => r.slice(0, 2))).toEqual([["Технопарк", "Иван Петров"]]);
    expect(olegRows[0]![6]).toBe("Signed on paper");
    expect(await part(await build("contacts", oleg, "en"), "contacts").count()).toBe(1);

    // Maria owns the museum herself.
    const maria = { user: w.teacherRow, role: "staff" as const };
    expect((await rowsOf(part(await build("contacts", maria, "en"), "contacts"))).map((r) => [r[1], r[6], r[7]])).toEqual([
      ["Анна Музейная", "Awaiting consent in the bot", null],
    ]);

    // Vera's department owns nothing: no contacts for her, neither offered nor built.
    const vera = { user: w.outsiderRow, role: "staff" as const };
    expect(await availableDatasets(h.database.db, vera)).toEqual(["partners", "events", "feedback"]);
    expect(await build("contacts", vera, "en")).toBeUndefined();

    // Partner contacts and guests export nothing at all.
    const contact = { user: w.contactRow, role: "partner" as const };
    expect(await availableDatasets(h.database.db, contact)).toEqual([]);
    expect(await build("partners", contact, "en")).toBeUndefined();
    const guest = await registered(h, makeUser(), "guest");
    expect(await build("events", { user: guest, role: "guest" }, "en")).toBeUndefined();
  });
});

describe("the events dataset", () => {
  it("lists events by start with partners, people, units and participants by category (Russian and English)", async () => {
    const w = await exportWorld(h, "ru");
    const rows = await rowsOf(part(await build("events", w.adminActor), "events"));
    const start = w.event.startsAt;
    expect(rows).toEqual([
      [
        "Мастер-класс по робототехнике",
        "Мастер-класс",
        "Учреждение",
        start,
        new Date(start.getTime() + 2 * 3600_000),
        "Дворец творчества, каб. 12",
        "Проведено",
        "СОШ № 5",
        "Мария Петрова",
        null,
        8,
        2,
        5,
        3,
        18,
        null,
        null,
        null,
        "Собрали трёх роботов",
      ],
      [
        "Выставка «Роботы»",
        "Выставка",
        "Учреждение",
        EXHIBITION_AT,
        new Date(EXHIBITION_AT.getTime() + 3 * 3600_000),
        null,
        "Ждёт согласования",
        "Музей истории города, Технопарк",
        "Олег Сидоров",
        "Технический отдел",
        ...Array<null>(9).fill(null),
      ],
    ]);
    const english = await rowsOf(part(await build("events", w.adminActor, "en"), "events"));
    expect(english.map((r) => [r[1], r[2], r[6]])).toEqual([
      ["Master class", "Institution", "Held"],
      ["Exhibition", "Institution", "Awaiting approval"],
    ]);
    const headers = (await headersOf("events", w.adminActor, "en"))[0]![1]!;
    expect(headers).toContain("Career guidance, ages 15–17");
    expect(headers.slice(1, 3)).toEqual(["Format", "Level"]);
    expect(headers.slice(14, 18)).toEqual(["Participants in total", "Winners among students", "Prize-winners among students", "Students in the project"]);
  });

  it("pages through events sharing a start without losing or repeating one, even with microseconds", async () => {
    const w = await exportWorld(h, "ru");
    const [first] = await h.database.db.select().from(events).where(eq(events.id, w.exhibition.id));
    const copies = await h.database.db
      .insert(events)
      .values([1, 2, 3].map((n) => ({ ...first!, id: undefined, title: `Копия ${n}` })))
      .returning();
    await nudgeStart(h, copies[1]!.id);
    const titles = (await rowsOf(part(await build("events", w.adminActor, "ru", 1), "events"))).map((r) => r[0]);
    expect(titles).toEqual(["Мастер-класс по робототехнике", "Выставка «Роботы»", "Копия 1", "Копия 3", "Копия 2"]);
  });
});

describe("the feedback dataset", () => {
  it("summarises each event, then lists partner answers and anonymous participant answers (Russian)", async () => {
    const w = await exportWorld(h, "ru");
    const dataset = await build("feedback", w.adminActor);
    expect(dataset!.parts.map((p) => p.key)).toEqual(["summary", "partner-answers", "participant-answers"]);
    const start = w.event.startsAt;
    expect(await rowsOf(part(dataset, "summary"))).toEqual([["Мастер-класс по робототехнике", start, "Мастер-класс", "СОШ № 5", 2, 1, 0.5, 5, 2, 3.5]]);
    expect(await rowsOf(part(dataset, "partner-answers"))).toEqual([
      ["Мастер-класс по робототехнике", start, "СОШ № 5", "Ирина Смирнова", 5, "Да", 'Дети в восторге, "роботы" ожили', "Больше времени\nна сборку", ANSWERED_AT],
    ]);
    expect(await rowsOf(part(dataset, "participant-answers"))).toEqual([
      ["Мастер-класс по робототехнике", start, 4, "Понравилось!", "Учащийся", "11–14 лет", PARTICIPANT_AT],
      ["Мастер-класс по робототехнике", start, 3, null, null, null, new Date(PARTICIPANT_AT.getTime() + 60_000)],
    ]);
    expect(await headersOf("feedback", w.adminActor, "ru")).toEqual([
      ["Отзывы по мероприятиям", ["Мероприятие", "Дата", "Формат", "Партнёры", "Опросов отправлено партнёрам", "Ответов партнёров", "Доля ответивших партнёров", "Средняя оценка партнёров", "Ответов участников", "Средняя оценка участников"]],
      ["Ответы партнёров", ["Мероприятие", "Дата мероприятия", "Партнёр", "Контактное лицо", "Оценка", "Ещё одно совместное мероприятие?", "Что получилось", "Что улучшить", "Дата ответа"]],
      ["Ответы участников", ["Мероприятие", "Дата мероприятия", "Оценка", "Комментарий", "Кто ответил", "Возраст", "Дата ответа"]],
    ]);
  });

  it("keeps an answer whose contact was deleted, unattributed, and is open to staff (English)", async () => {
    const w = await exportWorld(h, "en");
    await h.database.db.delete(partners).where(eq(partners.id, w.otherPartner.id));
    await h.database.db.delete(contacts).where(eq(contacts.id, w.contactRecord.id));
    const dataset = await build("feedback", { user: w.outsiderRow, role: "staff" }, "en");
    const answers = await rowsOf(part(dataset, "partner-answers"));
    expect(answers.map((r) => [r[2], r[3], r[5]])).toEqual([["СОШ № 5", null, "Yes"]]);
    expect((await rowsOf(part(dataset, "participant-answers")))[0]!.slice(4, 6)).toEqual(["Student", "11–14"]);
  });
});
