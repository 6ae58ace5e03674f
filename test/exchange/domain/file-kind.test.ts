import { gzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { createI18n } from "../../../src/core/i18n.js";
import { FOREIGN_KINDS, fileKind, ole2EntryNames, zipEntryNames } from "../../../src/exchange/domain/file-kind.js";
import { buildTemplate } from "../../../src/exchange/import-template.js";
import {
  RU_HEADER,
  csvFile,
  csvText,
  docxFile,
  gifFile,
  jpegFile,
  ole2File,
  openDocumentFile,
  pdfFile,
  pngFile,
  row,
  webpFile,
  xlsxFile,
  zipFile,
} from "../import-files.js";

const table = [RU_HEADER, row({ full: "Гимназия № 3 «Ёлочка»", type: "Школа", address: "ул. Ленина, 5" })];

describe("what a file is, by its signature", () => {
  it("takes XLSX files, from exceljs and the bot's own template, and a damaged one that still names its parts", async () => {
    const xlsx = await xlsxFile(table);
    expect(fileKind(xlsx)).toBe("xlsx");
    expect(fileKind(await buildTemplate("xlsx", (await createI18n()).fixedT("ru")))).toBe("xlsx");
    expect(zipEntryNames(xlsx)).toEqual(expect.arrayContaining(["[Content_Types].xml", "xl/workbook.xml", "xl/worksheets/sheet1.xml"]));
    // Cut in half, it has no central directory; the local headers still say XLSX (the reader then finds it damaged).
    const half = xlsx.subarray(0, Math.floor(xlsx.length / 2));
    expect(zipEntryNames(half)).toContain("[Content_Types].xml");
    expect(fileKind(half)).toBe("xlsx");
  });

  it("takes text in every encoding a CSV comes in, a stray NUL or bell in a cell included", () => {
    expect(fileKind(csvFile(table))).toBe("text");
    expect(fileKind(csvFile(table, { encoding: "utf-8-bom" }))).toBe("text");
    expect(fileKind(csvFile(table, { encoding: "windows-1251" }))).toBe("text");
    const utf16 = csvFile(table, { encoding: "utf-16", delimiter: "\t" });
    expect(utf16.subarray(0, 1024).includes(0)).toBe(true);
    expect(fileKind(utf16)).toBe("text");
    expect(fileKind(csvFile([RU_HEADER, row({ full: "Школа\u0000 № 1\u0007", type: "Школа" })]))).toBe("text");
    expect(fileKind(Buffer.from("Полное название;Тип\r\nСм. %PDF-1.4 в письме;Школа\r\n"))).toBe("text");
  });

  it("knows a PDF, also one with a line of junk before its header", () => {
    expect(fileKind(pdfFile())).toBe("pdf");
    expect(fileKind(Buffer.concat([Buffer.from("Content-Type: application/pdf\r\n\r\n"), pdfFile()]))).toBe("pdf");
  });

  it("knows pictures: PNG, JPEG, GIF, WebP, TIFF and HEIC", () => {
    const tiff = Buffer.from([0x49, 0x49, 0x2a, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00]);
    const heic = Buffer.concat([Buffer.from([0, 0, 0, 0x18]), Buffer.from("ftypheic\0\0\0\0mif1heic", "latin1")]);
    for (const file of [pngFile(), jpegFile(), gifFile(), webpFile(), tiff, heic]) expect(fileKind(file)).toBe("image");
  });

  it("tells the zip-based formats apart by the parts inside: Word, OpenDocument, XLSB, PowerPoint, a plain archive", () => {
    expect(fileKind(docxFile())).toBe("word");
    expect(fileKind(openDocumentFile("text"))).toBe("word");
    expect(fileKind(openDocumentFile("spreadsheet"))).toBe("ods");
    const xlsb = zipFile([
      ["[Content_Types].xml", "<Types/>"],
      ["xl/workbook.bin", Buffer.from([0x83, 0x01, 0x00])],
      ["xl/worksheets/sheet1.bin", Buffer.from([0x81, 0x01, 0x00])],
    ]);
    expect(fileKind(xlsb)).toBe("xlsb");
    expect(fileKind(zipFile([["[Content_Types].xml", "<Types/>"], ["ppt/presentation.xml", "<p:presentation/>"]]))).toBe("presentation");
    expect(fileKind(zipFile([["партнёры.csv", csvText(table)], ["фото.jpg", jpegFile()]]))).toBe("archive");
    expect(zipEntryNames(zipFile([["партнёры.csv", "x"]]))).toEqual(["партнёры.csv"]);
  });

  it("knows other archives: RAR, 7-Zip, gzip", () => {
    expect(fileKind(Buffer.from("Rar!\x1a\x07\x01\x00\x33\x92\xb5\xe5", "latin1"))).toBe("archive");
    expect(fileKind(Buffer.from([0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c, 0x00, 0x04]))).toBe("archive");
    expect(fileKind(gzipSync(csvText(table)))).toBe("archive");
  });

  it("tells old Excel from old Word inside an OLE2 file: by the name first, then by the streams", () => {
    const xls = ole2File(["Workbook", "\u0005SummaryInformation"]);
    const doc = ole2File(["WordDocument", "1Table"]);
    expect(ole2EntryNames(xls)).toEqual(["Root Entry", "Workbook", "\u0005SummaryInformation"]);
    expect(fileKind(xls)).toBe("old_excel");
    expect(fileKind(ole2File(["Book"]))).toBe("old_excel"); // Excel 5.0/95
    expect(fileKind(doc)).toBe("old_word");
    expect(fileKind(ole2File(["PowerPoint Document", "Current User"]))).toBe("presentation");
    // Only the container: the name decides, or nothing does.
    const bare = ole2File([]);
    expect(ole2EntryNames(bare)).toEqual([]);
    expect(fileKind(bare, "Партнёры.XLS")).toBe("old_excel");
    expect(fileKind(bare, "договор.doc")).toBe("old_word");
    expect(fileKind(bare, "файл")).toBe("old_office");
    // Both kinds of stream (an embedded object): the name decides, or nothing does.
    const both = ole2File(["Workbook", "WordDocument"]);
    expect(fileKind(both, "партнёры.xls")).toBe("old_excel");
    expect(fileKind(both, "партнёры.doc")).toBe("old_word");
    expect(fileKind(both)).toBe("old_office");
    // A misnamed file goes by its streams.
    expect(fileKind(doc, "партнёры.xlsx")).toBe("old_word");
  });

  it("knows an XLSX or DOCX protected with a password, whatever its name", () => {
    const encrypted = ole2File(["EncryptionInfo", "EncryptedPackage", "\u0006DataSpaces"]);
    expect(fileKind(encrypted, "партнёры.xlsx")).toBe("encrypted");
    expect(fileKind(encrypted, "партнёры.xls")).toBe("encrypted");
    expect(fileKind(encrypted)).toBe("encrypted");
  });

  it("knows RTF as a text document, and web pages and XML passed off as .xls", () => {
    expect(fileKind(Buffer.from("{\\rtf1\\ansi\\deff0 {\\fonttbl {\\f0 Times;}} Партнёры\\par }"))).toBe("word");
    expect(fileKind(Buffer.from("<!DOCTYPE html>\n<html><body><table><tr><td>Полное название</td></tr></table></body></html>"))).toBe("markup");
    expect(fileKind(Buffer.from("\ufeff\r\n  <html xmlns:x=\"urn:schemas-microsoft-com:office:excel\"><table></table></html>"))).toBe("markup");
    expect(fileKind(Buffer.from('<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>'))).toBe("markup");
    expect(fileKind(Buffer.from("<Название>;Тип\r\nШкола № 1;Школа\r\n"))).toBe("text");
  });

  it("calls the rest binary: control bytes all through, not a few in a cell", () => {
    const garbage = Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919 + (i >> 3) * 31) % 256));
    expect(fileKind(garbage)).toBe("binary");
    const zeros = Buffer.concat([Buffer.from("Полное название;Тип\r\n"), Buffer.alloc(1000)]);
    expect(fileKind(zeros)).toBe("binary");
    // One in twenty bytes of the first kilobyte is the line.
    const text = (controls: number) => Buffer.concat([Buffer.alloc(controls, 0x01), Buffer.alloc(1024 - controls, 0x61)]);
    expect(fileKind(text(51))).toBe("text");
    expect(fileKind(text(52))).toBe("binary");
    expect(fileKind(Buffer.alloc(0))).toBe("empty");
  });

  it("has an answer for every kind it refuses, in both languages", async () => {
    const missing: string[] = [];
    const i18n = await createI18n((language, key) => missing.push(`${language}:${key}`));
    for (const language of ["ru", "en"] as const) {
      const t = i18n.fixedT(language);
      for (const kind of FOREIGN_KINDS) expect(t(`import.refused.not_spreadsheet.${kind}`).length).toBeGreaterThan(40);
    }
    expect(missing).toEqual([]);
  });
});
