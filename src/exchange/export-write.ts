import { PassThrough } from "node:stream";
import { stringify } from "csv-stringify/sync";
import { formatDay, localDate } from "../core/dates.js";
import { sheetName, wallClock, writeHeader, xlsxRow } from "../core/tables.js";
import type { Cell, Column, Dataset, DatasetPart } from "./domain/datasets.js";

/**
 * Writes a dataset as an XLSX workbook (one sheet per part) or as CSV (one file per part).
 *
 * XLSX: a bold, frozen header row with a filter, column widths, real dates (the institution's
 * local time, as Excel has no time zones) and real numbers.
 *
 * CSV is laid out for Excel with Russian regional settings, what the institution's computers
 * run, whatever language the bot speaks to the person: UTF-8 with a BOM (else Excel reads
 * Cyrillic as Windows-1251), ";" between fields (Russian Excel's list separator; "," is its
 * decimal point), CRLF line ends, a decimal comma, dates as dd.mm.yyyy hh:mm in the
 * institution's time zone. Fields with ";", quotes or line breaks are quoted, quotes doubled.
 * Text starting with =, +, - or @ gets a leading apostrophe, so Excel never takes a cell for a
 * formula (CSV injection; a phone "+7 …" or a username "@…" would otherwise become one too).
 */

export type ExportFormat = "xlsx" | "csv";
export const EXPORT_FORMATS: readonly ExportFormat[] = ["xlsx", "csv"];

export const CSV_SEPARATOR = ";";
export const CSV_BOM = "\uFEFF";

export interface ExportFile {
  fileName: string;
  data: Buffer;
  /** Data rows written (headers not counted). */
  rows: number;
  /** The part the file holds (CSV); every part for an XLSX workbook. */
  title: string;
}

export interface WriteOptions {
  /** The institution's time zone: dates are written in its local time. */
  timeZone: string;
  /** The calendar date for file names, YYYY-MM-DD. */
  date: string;
  /** Called after each page with the rows written so far and the total to write. */
  onProgress?: (done: number, total: number) => void | Promise<void>;
}

// ————————————————————————————————————————— dates

const pad = (n: number) => String(n).padStart(2, "0");

/** "dd.mm.yyyy hh:mm" in the time zone. */
export function formatDateTimeCell(date: Date, timeZone: string): string {
  const w = wallClock(date, timeZone);
  return `${pad(w.day)}.${pad(w.month)}.${w.year} ${pad(w.hour)}:${pad(w.minute)}`;
}

/** "YYYY-MM-DD", or the local day of an instant, as "dd.mm.yyyy". */
function formatDateCell(cell: string | Date, timeZone: string): string {
  return formatDay(cell instanceof Date ? localDate(cell, timeZone) : cell);
}

// ————————————————————————————————————————— progress

type AddRows = (rows: number) => Promise<void>;

/** Counts what there is to write, then reports rows written against it. */
async function progressOf(parts: DatasetPart[], options: WriteOptions): Promise<AddRows> {
  const totals = await Promise.all(parts.map((part) => part.count()));
  const total = totals.reduce((a, b) => a + b, 0);
  let done = 0;
  return async (rows) => {
    done += rows;
    await options.onProgress?.(done, Math.max(total, done));
  };
}

// ————————————————————————————————————————— XLSX

/** One workbook, a sheet per part, written row by row through exceljs's streaming writer. */
export async function writeXlsx(parts: DatasetPart[], options: WriteOptions): Promise<{ data: Buffer; rows: number }> {
  return xlsx(parts, options.timeZone, await progressOf(parts, options));
}

async function xlsx(parts: DatasetPart[], timeZone: string, addRows: AddRows): Promise<{ data: Buffer; rows: number }> {
  const output = new PassThrough();
  const chunks: Buffer[] = [];
  output.on("data", (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<void>((resolve, reject) => {
    output.on("end", resolve);
    output.on("error", reject);
  });
  // Loaded on first use: exceljs is large, and the bot need not pay for it at start-up.
  const { default: excel } = await import("exceljs");
  const workbook = new excel.stream.xlsx.WorkbookWriter({ stream: output, useStyles: true, useSharedStrings: false });
  const taken = new Set<string>();
  let rows = 0;
  for (const part of parts) {
    const sheet = workbook.addWorksheet(sheetName(part.title, taken), { views: [{ state: "frozen", ySplit: 1 }] });
    // Dates as Russian Excel shows them, whatever language the bot speaks (as in CSV).
    writeHeader(sheet, part.columns, "ru");
    sheet.getRow(1).commit();
    for await (const page of part.pages()) {
      for (const cells of page) sheet.addRow(xlsxRow(cells, part.columns, timeZone)).commit();
      rows += page.length;
      await addRows(page.length);
    }
    sheet.commit();
  }
  await workbook.commit();
  await finished;
  return { data: Buffer.concat(chunks), rows };
}

// ————————————————————————————————————————— CSV

const FORMULA_START = /^[=+\-@\t\r]/;

function csvValue(cell: Cell, column: Column, timeZone: string): string {
  if (cell === null) return "";
  if (cell instanceof Date) return column.kind === "date" ? formatDateCell(cell, timeZone) : formatDateTimeCell(cell, timeZone);
  // A share as Russian Excel reads a percentage: "66,7%".
  if (typeof cell === "number" && column.kind === "percent") return `${String(Math.round(cell * 1000) / 10).replace(".", ",")}%`;
  if (typeof cell === "number") return column.kind === "decimal" ? String(cell).replace(".", ",") : String(cell);
  if (column.kind === "date") return formatDateCell(cell, timeZone);
  return FORMULA_START.test(cell) ? `'${cell}` : cell;
}

const CSV_OPTIONS = { delimiter: CSV_SEPARATOR, record_delimiter: "\r\n", quote_record_delimiter: true, quoted_match: /[\r\n]/ } as const;

/** One part as CSV text (with its BOM), built page by page. */
export async function writeCsv(part: DatasetPart, options: WriteOptions): Promise<{ data: Buffer; rows: number }> {
  return csv(part, options.timeZone, await progressOf([part], options));
}

async function csv(part: DatasetPart, timeZone: string, addRows: AddRows): Promise<{ data: Buffer; rows: number }> {
  const chunks: Buffer[] = [Buffer.from(CSV_BOM + stringify([part.columns.map((c) => c.header)], CSV_OPTIONS), "utf8")];
  let rows = 0;
  for await (const page of part.pages()) {
    const records = page.map((cells) => cells.map((cell, i) => csvValue(cell, part.columns[i]!, timeZone)));
    chunks.push(Buffer.from(stringify(records, CSV_OPTIONS), "utf8"));
    rows += page.length;
    await addRows(page.length);
  }
  return { data: Buffer.concat(chunks), rows };
}

// ————————————————————————————————————————— files

/**
 * The files of an export: one XLSX workbook (`partners-2026-12-01.xlsx`), or one CSV file per
 * part (`partners-2026-12-01.csv`; `feedback-summary-2026-12-01.csv` and so on for several).
 */
export async function writeExport(dataset: Dataset, format: ExportFormat, options: WriteOptions): Promise<ExportFile[]> {
  const addRows = await progressOf(dataset.parts, options);
  if (format === "xlsx") {
    const { data, rows } = await xlsx(dataset.parts, options.timeZone, addRows);
    return [{ fileName: `${dataset.name}-${options.date}.xlsx`, data, rows, title: dataset.parts.map((p) => p.title).join(", ") }];
  }
  const files: ExportFile[] = [];
  for (const part of dataset.parts) {
    const { data, rows } = await csv(part, options.timeZone, addRows);
    const name = dataset.parts.length === 1 ? dataset.name : `${dataset.name}-${part.key}`;
    files.push({ fileName: `${name}-${options.date}.csv`, data, rows, title: part.title });
  }
  return files;
}
