import { parse } from "csv-parse/sync";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { buildDataset, type Cell, type Column, type Dataset, type DatasetPart } from "../../src/exchange/domain/datasets.js";
import { CSV_BOM, formatDateTimeCell, writeCsv, writeExport, writeXlsx } from "../../src/exchange/export-write.js";
import { createHarness, type Harness } from "../helpers/harness.js";
import { exportWorld } from "./export-world.js";

const TZ = "Asia/Irkutsk";
const WHEN = new Date("2026-12-10T07:05:00Z"); // 15:05 in Irkutsk

/** A part from fixed rows, paged like the real ones. */
function fixedPart(key: string, title: string, columns: Column[], rows: Cell[][], pageSize = 2): DatasetPart {
  return {
    key,
    title,
    columns,
    count: () => Promise.resolve(rows.length),
    async *pages() {
      for (let i = 0; i < rows.length; i += pageSize) yield await Promise.resolve(rows.slice(i, i + pageSize));
    },
  };
}

const COLUMNS: Column[] = [
  { header: "Название", kind: "text", width: 30, wrap: true },
  { header: "Когда", kind: "datetime", width: 17 },
  { header: "День", kind: "date", width: 12 },
  { header: "Участников", kind: "integer", width: 10 },
  { header: "Средняя оценка", kind: "decimal", width: 10 },
];

const ROWS: Cell[][] = [
  ["Школа «№ 5»; корпус 2", WHEN, "2026-12-10", 18, 4.5],
  ['Он сказал "привет"', null, null, 0, null],
  ["Две\nстроки", WHEN, "2026-01-02", 3, 3],
  ["=HYPERLINK(\"http://evil\")", null, null, null, null],
  ["+7 395 212 34 56", null, null, null, null],
];

async function openXlsx(data: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(data as unknown as ArrayBuffer);
  return workbook;
}

describe("XLSX", () => {
  it("has a bold, frozen header row, widths, real dates in local time and real numbers", async () => {
    const progress: [number, number][] = [];
    const { data, rows } = await writeXlsx([fixedPart("things", "Партнёры", COLUMNS, ROWS)], {
      timeZone: TZ,
      date: "2026-12-10",
      onProgress: (done, total) => void progress.push([done, total]),
    });
    expect(rows).toBe(5);
    expect(progress).toEqual([
      [2, 5],
      [4, 5],
      [5, 5],
    ]);
    const workbook = await openXlsx(data);
    const sheet = workbook.getWorksheet("Партнёры")!;
    expect(sheet.getRow(1).values).toEqual([undefined, "Название", "Когда", "День", "Участников", "Средняя оценка"]);
    expect(sheet.getCell("A1").font?.bold).toBe(true);
    expect(sheet.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    expect(sheet.getColumn(1).width).toBe(30);
    expect(sheet.rowCount).toBe(6);
    // Excel has no time zones: 15:05 in Irkutsk is stored as 15:05.
    expect(sheet.getCell("B2").value).toEqual(new Date("2026-12-10T15:05:00Z"));
    expect(sheet.getCell("B2").numFmt).toBe("dd.mm.yyyy hh:mm");
    expect(sheet.getCell("C2").value).toEqual(new Date("2026-12-10T00:00:00Z"));
    expect(sheet.getCell("C2").numFmt).toBe("dd.mm.yyyy");
    expect(sheet.getCell("D2").value).toBe(18);
    expect(sheet.getCell("E2").value).toBe(4.5);
    expect(sheet.getCell("A2").value).toBe("Школа «№ 5»; корпус 2");
    expect(sheet.getCell("A4").value).toBe("Две\nстроки");
    // Text stays text: no formula is ever written.
    expect(sheet.getCell("A5").value).toBe('=HYPERLINK("http://evil")');
    expect(sheet.getCell("A5").formula).toBeUndefined();
    expect(sheet.getCell("B3").value).toBeNull();
  });

  it("puts each part on a sheet of its own, with names Excel accepts", async () => {
    const one = fixedPart("a", "Отзывы: по мероприятиям [все] / итоги и ещё очень длинное имя", COLUMNS.slice(0, 1), [["x"]]);
    const two = fixedPart("b", "Ответы партнёров", COLUMNS.slice(0, 1), []);
    const { data } = await writeXlsx([one, two], { timeZone: TZ, date: "2026-12-10" });
    const workbook = await openXlsx(data);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(["Отзывы по мероприятиям все итог", "Ответы партнёров"]);
    expect(workbook.worksheets[1]!.getRow(1).values).toEqual([undefined, "Название"]);
  });
});

describe("CSV", () => {
  it("starts with the BOM, separates with «;», quotes what needs quoting and writes dates as dd.mm.yyyy hh:mm", async () => {
    const { data, rows } = await writeCsv(fixedPart("things", "Партнёры", COLUMNS, ROWS), { timeZone: TZ, date: "2026-12-10" });
    expect(rows).toBe(5);
    expect(data.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]));
    const text = data.toString("utf8");
    expect(text.startsWith(CSV_BOM)).toBe(true);
    expect(text).toBe(
      CSV_BOM +
        "Название;Когда;День;Участников;Средняя оценка\r\n" +
        '"Школа «№ 5»; корпус 2";10.12.2026 15:05;10.12.2026;18;4,5\r\n' +
        '"Он сказал ""привет""";;;0;\r\n' +
        '"Две\nстроки";10.12.2026 15:05;02.01.2026;3;3\r\n' +
        "\"'=HYPERLINK(\"\"http://evil\"\")\";;;;\r\n" +
        "'+7 395 212 34 56;;;;\r\n",
    );
    // Read back as a CSV reader would.
    const records: string[][] = parse(text, { bom: true, delimiter: ";" });
    expect(records).toHaveLength(6);
    expect(records[1]![0]).toBe("Школа «№ 5»; корпус 2");
    expect(records[2]![0]).toBe('Он сказал "привет"');
    expect(records[3]![0]).toBe("Две\nстроки");
  });

  it("writes instants in the institution's time zone", () => {
    expect(formatDateTimeCell(new Date("2026-12-31T16:30:00Z"), TZ)).toBe("01.01.2027 00:30");
    expect(formatDateTimeCell(new Date("2026-12-31T16:30:00Z"), "Europe/Moscow")).toBe("31.12.2026 19:30");
  });

  it("makes one file per part for CSV and one workbook for XLSX, named by dataset and date", async () => {
    const dataset: Dataset = {
      name: "feedback",
      parts: [fixedPart("summary", "Итоги", COLUMNS, ROWS.slice(0, 3)), fixedPart("partner-answers", "Ответы", COLUMNS, ROWS.slice(3))],
    };
    const progress: [number, number][] = [];
    const csv = await writeExport(dataset, "csv", { timeZone: TZ, date: "2026-12-10", onProgress: (d, t) => void progress.push([d, t]) });
    expect(csv.map((f) => [f.fileName, f.rows, f.title])).toEqual([
      ["feedback-summary-2026-12-10.csv", 3, "Итоги"],
      ["feedback-partner-answers-2026-12-10.csv", 2, "Ответы"],
    ]);
    expect(progress).toEqual([
      [2, 5],
      [3, 5],
      [5, 5],
    ]);
    const xlsx = await writeExport(dataset, "xlsx", { timeZone: TZ, date: "2026-12-10" });
    expect(xlsx.map((f) => [f.fileName, f.rows])).toEqual([["feedback-2026-12-10.xlsx", 5]]);
    expect((await openXlsx(xlsx[0]!.data)).worksheets.map((s) => s.name)).toEqual(["Итоги", "Ответы"]);
  });
});

describe("real datasets written out", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await createHarness();
  });
  afterAll(async () => h.close());
  beforeEach(async () => h.reset());

  it("the feedback workbook in Russian reopens with Cyrillic headers and values on three sheets", async () => {
    const w = await exportWorld(h, "ru");
    const dataset = await buildDataset("feedback", { db: h.database.db, actor: w.adminActor, t: h.i18n.fixedT("ru") });
    const [file] = await writeExport(dataset!, "xlsx", { timeZone: h.config.timeZone, date: "2026-12-10" });
    const workbook = await openXlsx(file!.data);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(["Отзывы по мероприятиям", "Ответы партнёров", "Ответы участников"]);
    const summary = workbook.getWorksheet("Отзывы по мероприятиям")!;
    expect(summary.getRow(1).values).toEqual([
      undefined,
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
    expect(summary.getRow(2).values).toEqual([undefined, "Мастер-класс по робототехнике", new Date("2026-12-10T00:00:00Z"), "Мастер-класс", "СОШ № 5", 2, 1, 0.5, 5, 2, 3.5]);
    expect(summary.getCell("G2").numFmt).toBe("0%");
    const answers = workbook.getWorksheet("Ответы партнёров")!;
    expect(answers.getCell("H2").value).toBe("Больше времени\nна сборку");
    expect(answers.getCell("I2").value).toEqual(new Date("2026-12-10T18:15:00Z"));
  });

  it("the contacts CSV in English keeps phones and separators intact", async () => {
    const w = await exportWorld(h, "en");
    const dataset = await buildDataset("contacts", { db: h.database.db, actor: w.adminActor, t: h.i18n.fixedT("en") });
    const [file] = await writeExport(dataset!, "csv", { timeZone: h.config.timeZone, date: "2026-12-10" });
    const text = file!.data.toString("utf8");
    const lines = text.split("\r\n");
    expect(lines[0]).toBe(`${CSV_BOM}Partner;Full name;Position;Phone;E-mail;Telegram;Consent to data processing;Consent date`);
    expect(lines).toContain("Технопарк;Иван Петров;Директор;'+7 3952 12-34-56;ivan@technopark.example;'@ivan_tech;Signed on paper;02.11.2026 09:30");
    expect(lines).toContain('Музей истории города;Анна Музейная;"Хранитель; экскурсовод";;;;Awaiting consent in the bot;');
    expect(file!.fileName).toBe("contacts-2026-12-10.csv");
  });
});
