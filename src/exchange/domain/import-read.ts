import { Readable } from "node:stream";
import { parse } from "csv-parse";
import iconv from "iconv-lite";
import { storableText } from "../../core/storable-text.js";
import { type ImportField, type ImportVocabulary, REQUIRED_FIELDS, headerField, normaliseWord } from "./import-columns.js";
import { type ForeignKind, fileKind } from "./file-kind.js";

/**
 * Reads a partner import file: XLSX (a zip archive) or CSV (UTF-8 with or without a BOM,
 * UTF-16 as Excel's "Unicode text", or Windows-1251 as Russian offices often save it), with
 * `;`, `,` or tab between the values. Rows are read one by one and reading stops past the row
 * limit, so a file of 100,000 rows is refused without holding all of it in memory.
 *
 * What the file is comes first, from its signature (file-kind.ts): a PDF, a picture, a Word
 * document or an old .xls is answered as what it is and never parsed as a table. Every cell,
 * header cells included, passes through storableText once here: what an import stores is free
 * of NUL, other control characters and lone surrogates.
 */

/** The most data rows one import takes. */
export const MAX_IMPORT_ROWS = 5000;

/** One data row: its number as the spreadsheet shows it, and the trimmed values by column. */
export interface SheetRow {
  rowNumber: number;
  values: Partial<Record<ImportField, string>>;
}

export interface Sheet {
  ok: true;
  format: "xlsx" | "csv";
  /** The text encoding of a CSV file. */
  encoding: "utf-8" | "utf-16" | "utf-16be" | "windows-1251" | null;
  fields: ImportField[];
  rows: SheetRow[];
}

export type ReadRefusal =
  | { ok: false; reason: "not_spreadsheet"; kind: ForeignKind }
  | { ok: false; reason: "unreadable" | "empty" | "no_rows" }
  | { ok: false; reason: "columns"; missing: ImportField[]; unknown: string[]; repeated: string[] }
  | { ok: false; reason: "too_many_rows"; limit: number };

export type ReadResult = Sheet | ReadRefusal;

type RawRow = { rowNumber: number; cells: string[] };

const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export interface ReadOptions {
  /** The most data rows taken. */
  limit?: number;
  /** The file's name as sent: it tells an old .xls from an old .doc, whose containers are alike. */
  fileName?: string;
}

export async function readSpreadsheet(buffer: Buffer, vocabulary: ImportVocabulary, options: ReadOptions = {}): Promise<ReadResult> {
  const limit = options.limit ?? MAX_IMPORT_ROWS;
  const kind = fileKind(buffer, options.fileName);
  switch (kind) {
    case "empty":
      return { ok: false, reason: "empty" };
    case "xlsx":
      return collect(xlsxRows(buffer, vocabulary), "xlsx", null, vocabulary, limit);
    case "text": {
      const decoded = decodeText(buffer);
      return collect(csvRows(decoded.text), "csv", decoded.encoding, vocabulary, limit);
    }
    default:
      return { ok: false, reason: "not_spreadsheet", kind };
  }
}

/** UTF-8 when the bytes are valid UTF-8 (with or without a BOM), UTF-16 with its BOM, else Windows-1251. */
export function decodeText(buffer: Buffer): { text: string; encoding: Sheet["encoding"] } {
  if (buffer.subarray(0, 3).equals(UTF8_BOM)) return { text: buffer.subarray(3).toString("utf8"), encoding: "utf-8" };
  if (buffer[0] === 0xff && buffer[1] === 0xfe) return { text: iconv.decode(buffer.subarray(2), "utf-16le"), encoding: "utf-16" };
  if (buffer[0] === 0xfe && buffer[1] === 0xff) return { text: iconv.decode(buffer.subarray(2), "utf-16be"), encoding: "utf-16be" };
  try {
    return { text: new TextDecoder("utf-8", { fatal: true }).decode(buffer), encoding: "utf-8" };
  } catch {
    return { text: iconv.decode(buffer, "win1251"), encoding: "windows-1251" };
  }
}

/** The delimiter used in the first line: the most frequent of `;`, `,` and tab outside quotes. */
export function detectDelimiter(text: string): string {
  const counts = new Map<string, number>([
    [";", 0],
    [",", 0],
    ["\t", 0],
  ]);
  let quoted = false;
  for (const ch of text.slice(0, 64 * 1024)) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === "\n" || ch === "\r")) break;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ";";
  for (const [delimiter, count] of counts) if (count > counts.get(best)!) best = delimiter;
  return best;
}

async function* csvRows(text: string): AsyncGenerator<RawRow> {
  // Fed in pieces, so that stopping at the row limit stops the parsing too.
  const pieces = function* () {
    for (let i = 0; i < text.length; i += 64 * 1024) yield text.slice(i, i + 64 * 1024);
  };
  const parser = Readable.from(pieces()).pipe(
    parse({
      delimiter: detectDelimiter(text),
      bom: true,
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: false,
    }),
  );
  let rowNumber = 0;
  for await (const record of parser as AsyncIterable<string[]>) {
    rowNumber++;
    yield { rowNumber, cells: record };
  }
}

/** A cell's value as text: numbers without exponent (an INN typed as a number), formulas by result. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "string") return value;
  if (typeof value === "number") return Number.isInteger(value) ? value.toFixed(0) : String(value);
  if (typeof value === "boolean") return String(value);
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === "object") {
    const cell = value as { richText?: { text: string }[]; text?: unknown; result?: unknown; error?: unknown };
    if (Array.isArray(cell.richText)) return cell.richText.map((part) => part.text).join("");
    if ("result" in cell) return cellText(cell.result);
    if (cell.text !== undefined) return cellText(cell.text);
  }
  return "";
}

/**
 * Excel writes the characters XML cannot hold (control characters, lone surrogates) as _xHHHH_,
 * and a literal "_x" as _x005F_x; exceljs hands the escapes over as they are.
 */
export function unescapeXlsx(text: string): string {
  return text.includes("_x") ? text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))) : text;
}

async function* xlsxRows(buffer: Buffer, vocabulary: ImportVocabulary): AsyncGenerator<RawRow> {
  // Loaded on first use: exceljs is large, and the bot need not pay for it at start-up.
  const { default: excel } = await import("exceljs");
  const workbook = new excel.stream.xlsx.WorkbookReader(Readable.from([buffer]), {
    worksheets: "emit",
    sharedStrings: "cache",
    hyperlinks: "ignore",
    styles: "ignore",
    entries: "ignore",
  });
  for await (const worksheet of workbook) {
    // The template's help sheet is never data; the first other sheet is.
    const name = (worksheet as unknown as { name?: string }).name ?? "";
    const isHelp = vocabulary.helpSheets.has(normaliseWord(name));
    for await (const row of worksheet) {
      if (isHelp) continue;
      const values = row.values as unknown[];
      yield { rowNumber: row.number, cells: values.slice(1).map((value) => unescapeXlsx(cellText(value))) };
    }
    if (!isHelp) return;
  }
}

/** Maps the header, then collects the data rows up to the limit. */
async function collect(
  source: AsyncGenerator<RawRow>,
  format: Sheet["format"],
  encoding: Sheet["encoding"],
  vocabulary: ImportVocabulary,
  limit: number,
): Promise<ReadResult> {
  let columns: (ImportField | undefined)[] | undefined;
  const rows: SheetRow[] = [];
  try {
    for await (const raw of source) {
      // The reader's boundary: every cell, the header's too, cleaned once.
      const cells = raw.cells.map((cell) => storableText(cell).trim());
      if (cells.every((cell) => cell === "")) continue;
      if (!columns) {
        const mapped = mapHeader(cells, vocabulary);
        if (!mapped.ok) return mapped;
        columns = mapped.columns;
        continue;
      }
      const values: SheetRow["values"] = {};
      columns.forEach((field, i) => {
        const cell = cells[i];
        if (field && cell) values[field] = cell;
      });
      if (Object.keys(values).length === 0) continue;
      if (rows.length >= limit) return { ok: false, reason: "too_many_rows", limit };
      rows.push({ rowNumber: raw.rowNumber, values });
    }
  } catch {
    return { ok: false, reason: "unreadable" };
  }
  if (!columns) return { ok: false, reason: "empty" };
  if (rows.length === 0) return { ok: false, reason: "no_rows" };
  return { ok: true, format, encoding, fields: columns.filter((f): f is ImportField => f !== undefined), rows };
}

function mapHeader(
  cells: string[],
  vocabulary: ImportVocabulary,
): { ok: true; columns: (ImportField | undefined)[] } | Extract<ReadRefusal, { reason: "columns" }> {
  const columns: (ImportField | undefined)[] = [];
  const unknown: string[] = [];
  const repeated: string[] = [];
  for (const cell of cells) {
    const field = headerField(vocabulary, cell);
    if (field === undefined) unknown.push(cell);
    else if (field !== "ignored" && columns.includes(field)) repeated.push(cell);
    columns.push(field === "ignored" ? undefined : field);
  }
  const missing = REQUIRED_FIELDS.filter((field) => !columns.includes(field));
  if (unknown.length > 0 || repeated.length > 0 || missing.length > 0) return { ok: false, reason: "columns", missing, unknown, repeated };
  return { ok: true, columns };
}
