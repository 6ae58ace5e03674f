import iconv from "iconv-lite";
import { beforeAll, describe, expect, it } from "vitest";
import { createI18n } from "../../../src/core/i18n.js";
import { type ImportVocabulary, importVocabulary } from "../../../src/exchange/domain/import-columns.js";
import { MAX_IMPORT_ROWS, type ReadResult, type Sheet, readSpreadsheet } from "../../../src/exchange/domain/import-read.js";
import { buildTemplate } from "../../../src/exchange/import-template.js";
import { EN_HEADER, RU_HEADER, bulkCsv, csvFile, csvText, docxFile, jpegFile, manyRows, ole2File, pdfFile, row, xlsxFile } from "../import-files.js";

let vocabulary: ImportVocabulary;
let i18n: Awaited<ReturnType<typeof createI18n>>;
beforeAll(async () => {
  i18n = await createI18n();
  vocabulary = importVocabulary(i18n);
});

const read = (buffer: Buffer) => readSpreadsheet(buffer, vocabulary);

function sheet(result: ReadResult): Sheet {
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result)}`);
  return result;
}

describe("the template", () => {
  for (const language of ["ru", "en"] as const) {
    for (const format of ["xlsx", "csv"] as const) {
      it(`reads back its own example row (${language}, ${format})`, async () => {
        const t = i18n.fixedT(language);
        const file = await buildTemplate(format, t);
        const result = sheet(await read(file));
        expect(result.format).toBe(format);
        expect(result.rows).toHaveLength(1);
        expect(result.rows[0]).toMatchObject({
          rowNumber: 2,
          values: { fullName: t("import.template.example.fullName"), type: t("partners.types.school"), inn: "3812000120", contactName: t("import.template.example.contactName") },
        });
      });
    }
  }

  it("has the Russian headers of the issue and a help sheet with the types and the consent rule", async () => {
    const ExcelJS = (await import("exceljs")).default;
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await buildTemplate("xlsx", i18n.fixedT("ru"))) as never);
    expect(workbook.worksheets.map((w) => w.name)).toEqual(["Партнёры", "Справка"]);
    expect((workbook.worksheets[0]!.getRow(1).values as unknown[]).slice(1)).toEqual(RU_HEADER);
    const help = (workbook.getWorksheet("Справка")!.getColumn(1).values as unknown[]).filter(Boolean).map(String);
    expect(help).toEqual(expect.arrayContaining(["Школа", "Вуз", "Колледж (СПО)", "Научный центр", "Орган власти", "Общественная организация", "Техническая"]));
    expect(help.join("\n")).toContain("«на бумаге»");
    expect(help.join("\n")).toContain("Строк за один раз — не больше 5000.");
  });
});

describe("reading a spreadsheet", () => {
  it("reads XLSX cells typed as numbers without losing digits, and skips empty rows", async () => {
    const file = await xlsxFile([RU_HEADER, row({ full: "Школа № 1", type: "Школа", inn: 3808013278, phone: 89141234567 }), [], row({ full: "Школа № 2", type: "Школа" })]);
    const result = sheet(await read(file));
    expect(result.rows).toEqual([
      { rowNumber: 2, values: { fullName: "Школа № 1", type: "Школа", inn: "3808013278", contactPhone: "89141234567" } },
      { rowNumber: 4, values: { fullName: "Школа № 2", type: "Школа" } },
    ]);
  });

  it("takes the data sheet even when the help sheet comes first", async () => {
    const file = await xlsxFile([EN_HEADER, row({ full: "Lyceum 2", type: "School" })], "Data", { name: "Help", rows: [["How to fill in"]] });
    expect(sheet(await read(file)).rows).toEqual([{ rowNumber: 2, values: { fullName: "Lyceum 2", type: "School" } }]);
  });

  it("reads a CSV in Windows-1251 with Cyrillic", async () => {
    const file = csvFile([RU_HEADER, row({ full: "Гимназия № 3 «Ёлочка»", type: "Школа", address: "ул. Ленина, 5" })], { encoding: "windows-1251" });
    expect(() => new TextDecoder("utf-8", { fatal: true }).decode(file)).toThrow();
    const result = sheet(await read(file));
    expect(result.encoding).toBe("windows-1251");
    expect(result.rows[0]!.values).toEqual({ fullName: "Гимназия № 3 «Ёлочка»", type: "Школа", address: "ул. Ленина, 5" });
  });

  it("reads a UTF-8 CSV with a BOM and commas, quoted values with commas and line breaks included", async () => {
    const file = csvFile([EN_HEADER, row({ full: "Lyceum 2, Irkutsk", type: "School", notes: "First line\nsecond line" }), row({ full: "School 3", type: "School" })], {
      delimiter: ",",
      encoding: "utf-8-bom",
    });
    const result = sheet(await read(file));
    expect(result.encoding).toBe("utf-8");
    expect(result.rows).toEqual([
      { rowNumber: 2, values: { fullName: "Lyceum 2, Irkutsk", type: "School", notes: "First line\nsecond line" } },
      { rowNumber: 3, values: { fullName: "School 3", type: "School" } },
    ]);
  });

  it("maps headers case-insensitively, with spaces, in either language, and ignores a row-number column", async () => {
    const file = csvFile([["№ п/п", "  ПОЛНОЕ НАЗВАНИЕ ", "type", "e-mail"], ["1", "Школа № 9", "школа", "a@b.ru"]]);
    expect(sheet(await read(file)).rows[0]!.values).toEqual({ fullName: "Школа № 9", type: "школа", contactEmail: "a@b.ru" });
  });

  it("refuses what is not a spreadsheet before parsing it: a PDF, a photo, a Word document, an old .xls", async () => {
    expect(await read(pdfFile())).toEqual({ ok: false, reason: "not_spreadsheet", kind: "pdf" });
    expect(await read(jpegFile())).toEqual({ ok: false, reason: "not_spreadsheet", kind: "image" });
    expect(await read(docxFile())).toEqual({ ok: false, reason: "not_spreadsheet", kind: "word" });
    expect(await read(ole2File(["Workbook"]))).toEqual({ ok: false, reason: "not_spreadsheet", kind: "old_excel" });
    // The name tells the two old formats apart when the container says nothing.
    expect(await readSpreadsheet(ole2File([]), vocabulary, { fileName: "Партнёры.DOC" })).toEqual({ ok: false, reason: "not_spreadsheet", kind: "old_word" });
  });

  it("cleans every cell once: NUL and control characters removed, lone surrogates replaced, Excel's _xHHHH_ escapes read", async () => {
    const header = ["Полное название*\u0000", "\u0007Тип*", "Заметки", "Контакт: ФИО", "Контакт: e-mail"];
    const csv = csvFile([header, ["Школа\u0000 № 1\u001b", "Школа", "раз\r\nдва\u000b три\tчетыре", "Иванова\ud800 Мария", "ivanova@school1.ru\u0001"]], { encoding: "utf-16" });
    expect(sheet(await read(csv)).rows).toEqual([
      { rowNumber: 2, values: { fullName: "Школа № 1", type: "Школа", notes: "раз\nдва три\tчетыре", contactName: "Иванова\ufffd Мария", contactEmail: "ivanova@school1.ru" } },
    ]);
    const xlsx = await xlsxFile([
      ["Полное название*_x0000_", "_x0007_Тип*", "Заметки", "Контакт: ФИО", "Контакт: e-mail"],
      ["Школа_x0000_ № 1_x001B_", "Школа", "раз_x000D_\nдва_x000B_ три_x005F_x0041_", "Иванова_xDC00_ Мария_xD83D__xDE00_", "ivanova@school1.ru_x0001_"],
    ]);
    expect(sheet(await read(xlsx)).rows).toEqual([
      { rowNumber: 2, values: { fullName: "Школа № 1", type: "Школа", notes: "раз\nдва три_x0041_", contactName: "Иванова\ufffd Мария😀", contactEmail: "ivanova@school1.ru" } },
    ]);
  });

  it("reads a CSV in UTF-16 big-endian with its BOM", async () => {
    const file = iconv.encode(`\ufeff${csvText([RU_HEADER, row({ full: "Гимназия № 3", type: "Школа" })], "\t")}`, "utf-16be");
    const result = sheet(await read(file));
    expect(result.encoding).toBe("utf-16be");
    expect(result.rows[0]!.values).toEqual({ fullName: "Гимназия № 3", type: "Школа" });
  });

  it("reads a CSV with a stray NUL as a table, not as binary data", async () => {
    const file = csvFile([RU_HEADER, row({ full: "Школа № 1\u0000", type: "Школа" })]);
    expect(sheet(await read(file)).rows[0]!.values).toEqual({ fullName: "Школа № 1", type: "Школа" });
  });

  it("refuses a damaged XLSX", async () => {
    const file = await xlsxFile([RU_HEADER, row({ full: "Школа № 1", type: "Школа" })]);
    expect(await read(file.subarray(0, Math.floor(file.length / 2)))).toEqual({ ok: false, reason: "unreadable" });
  });

  it("refuses a spreadsheet with other columns, naming the unknown and the missing ones", async () => {
    const file = csvFile([["Дата", "Мероприятие", "Полное название"], ["01.02.2027", "Выставка", "Школа № 1"]]);
    expect(await read(file)).toEqual({ ok: false, reason: "columns", missing: ["type"], unknown: ["Дата", "Мероприятие"], repeated: [] });
    const twice = csvFile([["Полное название", "Название", "Тип"], ["a", "b", "школа"]]);
    expect(await read(twice)).toMatchObject({ ok: false, reason: "columns", repeated: ["Название"] });
  });

  it("refuses an empty file and a file with headers only", async () => {
    expect(await read(Buffer.alloc(0))).toEqual({ ok: false, reason: "empty" });
    expect(await read(Buffer.from("\r\n;;\r\n\r\n"))).toEqual({ ok: false, reason: "empty" });
    expect(await read(csvFile([RU_HEADER]))).toEqual({ ok: false, reason: "no_rows" });
    expect(await read(await xlsxFile([]))).toEqual({ ok: false, reason: "empty" });
    expect(await read(await xlsxFile([EN_HEADER, []]))).toEqual({ ok: false, reason: "no_rows" });
  });

  it(`refuses 100,000 rows with the limit of ${MAX_IMPORT_ROWS}, without reading them all`, async () => {
    const timed = async (file: Buffer) => {
      const started = performance.now();
      const result = await read(file);
      return { result, ms: performance.now() - started };
    };
    await timed(bulkCsv(5001)); // warm-up
    const justOver = await timed(bulkCsv(5001));
    const huge = await timed(bulkCsv(100_000));
    expect(huge.result).toEqual({ ok: false, reason: "too_many_rows", limit: 5000 });
    expect(justOver.result).toEqual(huge.result);
    // Reading stops at the limit: 100,000 rows take about as long as 5,001 (a full parse takes 5–10 times longer).
    expect(huge.ms).toBeLessThan(justOver.ms * 2.5 + 50);
  });

  it("takes exactly 5,000 rows and refuses 5,001, in CSV and in XLSX", async () => {
    expect(sheet(await read(csvFile(manyRows(5000)))).rows).toHaveLength(5000);
    expect(await read(csvFile(manyRows(5001)))).toMatchObject({ ok: false, reason: "too_many_rows" });
    expect(sheet(await read(await xlsxFile(manyRows(5000))))).toMatchObject({ format: "xlsx" });
    expect(await read(await xlsxFile(manyRows(5001)))).toMatchObject({ ok: false, reason: "too_many_rows", limit: 5000 });
  });
});
