import ExcelJS from "exceljs";
import { beforeAll, describe, expect, it } from "vitest";
import { createI18n, type I18n } from "../../src/core/i18n.js";
import { reportWorkbook } from "../../src/reports/workbook.js";
import { autumnReport } from "./report-fixture.js";

let i18n: I18n;
beforeAll(async () => {
  i18n = await createI18n();
});

const GENERATED = new Date("2026-12-01T02:00:00Z"); // 10:00 in Irkutsk

async function reopen(language: "ru" | "en"): Promise<ExcelJS.Workbook> {
  const bytes = await reportWorkbook(autumnReport(), { t: i18n.fixedT(language), russian: i18n.fixedT("ru"), language, timeZone: "Asia/Irkutsk", generatedAt: GENERATED });
  expect(bytes.subarray(0, 2).toString("latin1")).toBe("PK");
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  return workbook;
}

const values = (row: ExcelJS.Row) => (row.values as unknown[]).slice(1);
const sheet = (workbook: ExcelJS.Workbook, name: string) => {
  const found = workbook.getWorksheet(name);
  if (!found) throw new Error(`no sheet ${name}`);
  return found;
};

/** Excel keeps dates without a zone: the wall-clock time reads back as UTC. */
const wall = (iso: string) => new Date(`${iso}Z`);

describe("the report workbook", () => {
  it("holds the summary, partners, events and feedback sheets in Russian, Cyrillic intact", async () => {
    const workbook = await reopen("ru");
    expect(workbook.worksheets.map((s) => s.name)).toEqual(["Сводка", "Самообследование", "Партнёры", "Мероприятия", "Отзывы", "Отзывы по партнёрам"]);
    for (const ws of workbook.worksheets) {
      expect(ws.getRow(1).font?.bold, ws.name).toBe(true);
      expect(ws.views[0], ws.name).toMatchObject({ state: "frozen", ySplit: 1 });
    }

    const summary = sheet(workbook, "Сводка");
    expect(values(summary.getRow(1))).toEqual(["Показатель", "Значение"]);
    const figures = new Map<string, unknown>();
    summary.eachRow((row, n) => {
      if (n > 1) figures.set(row.getCell(1).text, row.getCell(2).value);
    });
    expect(figures.get("Период")).toBe("01.09.2026 – 31.12.2026");
    expect(figures.get("Сформирован")).toEqual(wall("2026-12-01T10:00:00"));
    expect(figures.get("Партнёров в реестре (без архивных)")).toBe(3);
    expect(figures.get("Новых партнёров за период")).toBe(1);
    expect(figures.get("Школа")).toBe(2);
    expect(figures.get("Системообразующий")).toBe(2);
    expect(figures.get("Всего мероприятий за период")).toBe(4);
    expect(figures.get("проведено")).toBe(3);
    expect(figures.get("Всего участников")).toBe(26);
    expect(figures.get("дети с ОВЗ")).toBe(2);
    expect(figures.get("профориентация, 15–17 лет")).toBe(3);
    expect(figures.get("Средняя оценка партнёров")).toBe(4.3);
    expect(figures.get("Доля партнёров, ответивших на опросы")).toBe(0.75);

    const partners = sheet(workbook, "Партнёры");
    expect(values(partners.getRow(1))).toEqual([
      "№",
      "Полное название",
      "Краткое название",
      "Тип организации",
      "Кто ведёт партнёрство",
      "Подразделение или педагог",
      "Направленность",
      "Этап",
      "Внесён в реестр",
      "№ договора",
      "Дата подписания",
      "Действует с",
      "Действует по",
      "Проведено мероприятий за период",
    ]);
    expect(values(partners.getRow(2))).toEqual([
      1,
      "Средняя общеобразовательная школа № 5",
      "СОШ № 5",
      "Школа",
      "Отдел",
      "Технический отдел",
      "Техническая, Художественная",
      "Системообразующий",
      wall("2026-09-10T00:00:00"),
      "7/2026",
      wall("2026-08-25T00:00:00"),
      wall("2026-09-01T00:00:00"),
      wall("2027-08-31T00:00:00"),
      2,
    ]);
    expect(partners.getRow(2).getCell(9).numFmt).toBe("dd.mm.yyyy");
    // No agreement: the agreement cells stay empty.
    expect(values(partners.getRow(3)).slice(0, 9)).toEqual([
      2,
      "Лицей № 2 города Иркутска",
      undefined,
      "Вуз",
      "Педагог",
      "Мария Петрова",
      undefined,
      "Подготовительный",
      wall("2025-05-01T00:00:00"),
    ]);
    for (const column of [10, 11, 12, 13]) expect(partners.getRow(3).getCell(column).value).toBeNull();
    expect(partners.getRow(3).getCell(14).value).toBe(1);
    expect(partners.rowCount).toBe(3);

    const events = sheet(workbook, "Мероприятия");
    expect(values(events.getRow(1))).toEqual([
      "№",
      "Название",
      "Формат",
      "Уровень",
      "Начало",
      "Окончание",
      "Место",
      "Статус",
      "Партнёры",
      "Ответственный",
      "Подразделение",
      "Одарённые дети",
      "Дети с ОВЗ",
      "Профориентация, 15–17 лет",
      "Другие участники",
      "Всего участников",
      "Победители из учащихся",
      "Призёры из учащихся",
      "Учащиеся в проекте",
      "Результат",
    ]);
    expect(values(events.getRow(2))).toEqual([
      1,
      "Мастер-класс по робототехнике",
      "Мастер-класс",
      "Муниципальный",
      wall("2026-09-15T15:00:00"),
      wall("2026-09-15T17:00:00"),
      "Дворец творчества, каб. 12",
      "Проведено",
      "Лицей № 2, СОШ № 5",
      "Мария Петрова",
      "Технический отдел",
      5,
      1,
      2,
      4,
      12,
      undefined,
      undefined,
      undefined,
      "Собрали трёх роботов",
    ]);
    expect(events.getRow(2).getCell(5).numFmt).toBe("dd.mm.yyyy hh:mm");
    expect(values(events.getRow(3)).slice(1, 10)).toEqual([
      "Круглый стол «Профессии будущего»",
      "Круглый стол",
      "Учреждение",
      wall("2026-11-01T15:00:00"),
      wall("2026-11-01T16:30:00"),
      undefined,
      "Ждёт согласования",
      "СОШ № 5",
      "Олег Сидоров",
    ]);
    expect(events.getRow(3).getCell(11).value).toBeNull(); // no unit
    expect(events.getRow(3).getCell(16).value).toBeNull();

    const feedback = sheet(workbook, "Отзывы");
    expect(values(feedback.getRow(1))).toEqual([
      "№",
      "Мероприятие",
      "Дата",
      "Формат",
      "Партнёры",
      "Опросов отправлено партнёрам",
      "Ответов партнёров",
      "Доля ответивших партнёров",
      "Средняя оценка партнёров",
      "Ответов участников",
      "Средняя оценка участников",
    ]);
    expect(values(feedback.getRow(2))).toEqual([1, "Мастер-класс по робототехнике", wall("2026-09-15T00:00:00"), "Мастер-класс", "Лицей № 2, СОШ № 5", 3, 2, 2 / 3, 4, 2, 4.5]);
    expect(feedback.getRow(2).getCell(8).numFmt).toBe("0%");
    expect(feedback.getRow(2).getCell(9).numFmt).toBe("0.0");

    const byPartner = sheet(workbook, "Отзывы по партнёрам");
    expect(values(byPartner.getRow(1))).toEqual([
      "№",
      "Партнёр",
      "Опросов отправлено партнёрам",
      "Ответов партнёров",
      "Доля ответивших партнёров",
      "Средняя оценка партнёров",
      "Ответов участников",
      "Средняя оценка участников",
    ]);
    expect(values(byPartner.getRow(2))).toEqual([1, "Лицей № 2", 1, 1, 1, 3, 2, 4.5]);
    expect(values(byPartner.getRow(3))).toEqual([2, "СОШ № 5", 3, 2, 2 / 3, 4.5, 3, 3.7]);
  });

  it("has English headings and labels for an English reader", async () => {
    const workbook = await reopen("en");
    expect(workbook.worksheets.map((s) => s.name)).toEqual(["Summary", "Self-assessment", "Partners", "Events", "Feedback", "Feedback by partner"]);
    const partners = sheet(workbook, "Partners");
    expect(values(partners.getRow(1)).slice(0, 4)).toEqual(["No.", "Full name", "Short name", "Type of organisation"]);
    expect(values(partners.getRow(2)).slice(1, 8)).toEqual([
      "Средняя общеобразовательная школа № 5",
      "СОШ № 5",
      "School",
      "Department",
      "Технический отдел",
      "Technical, Arts",
      "System-forming",
    ]);
    expect(partners.getRow(2).getCell(9).numFmt).toBe("dd/mm/yyyy");
    const events = sheet(workbook, "Events");
    expect(values(events.getRow(2)).slice(2, 11)).toEqual([
      "Master class",
      "Municipal",
      wall("2026-09-15T15:00:00"),
      wall("2026-09-15T17:00:00"),
      "Дворец творчества, каб. 12",
      "Held",
      "Лицей № 2, СОШ № 5",
      "Мария Петрова",
      "Технический отдел",
    ]);
    expect(sheet(workbook, "Summary").getRow(2).getCell(1).text).toBe("Period");
  });
});
