import type ExcelJS from "exceljs";
import { localDate } from "./dates.js";
import type { TFunction } from "./i18n.js";

/**
 * Tables as the exports and the report workbook write them: each column declared once, with its
 * header, how its values are written and how a row gives its value, so a table's headers and
 * cells can never fall out of step. The export writes them as XLSX or CSV, the report as sheets
 * of its workbook; both write a sheet the same way (writeHeader, xlsxRow).
 */

/** How a column's values are written: dates become real dates in XLSX, numbers real numbers. */
export type ColumnKind = "text" | "integer" | "decimal" | "percent" | "datetime" | "date";

/**
 * A cell: text, a number (a share 0..1 in "percent" columns), an instant (a Date, shown in the
 * institution's time zone; in "date" columns only its local day), a calendar date
 * ("YYYY-MM-DD", in "date" columns), or empty.
 */
export type Cell = string | number | Date | null;

export interface Column {
  header: string;
  kind: ColumnKind;
  /** In characters, for XLSX. */
  width: number;
  /** Long text, possibly on several lines: wrapped in XLSX. */
  wrap?: boolean;
}

export interface TableColumn<R> extends Column {
  value: (row: R) => Cell;
}

/** A column as declared: locale key under the table's namespace, kind, width, value, wrapped. */
export type ColumnSpec<R> = [key: string, kind: ColumnKind, width: number, value: (row: R) => Cell, wrap?: "wrap"];

/** The columns of a table, headed in the reader's language (`<namespace>.<key>`). */
export function tableColumns<R>(t: TFunction, namespace: string, specs: ColumnSpec<R>[]): TableColumn<R>[] {
  const plain = { interpolation: { escapeValue: false } };
  return specs.map(([key, kind, width, value, wrap]) => ({ header: t(`${namespace}.${key}`, plain), kind, width, value, ...(wrap ? { wrap: true } : {}) }));
}

/** A row's cells, in the columns' order. */
export const cellsOf = <R>(columns: TableColumn<R>[], row: R): Cell[] => columns.map((column) => column.value(row));

// ————————————————————————————————————————— local time

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The local date and time of an instant in a time zone. */
export function wallClock(date: Date, timeZone: string): WallClock {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-GB", {
      timeZone,
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
      hourCycle: "h23",
    });
    formatters.set(timeZone, formatter);
  }
  const parts = Object.fromEntries(formatter.formatToParts(date).map((p) => [p.type, p.value]));
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    hour: Number(parts.hour),
    minute: Number(parts.minute),
    second: Number(parts.second),
  };
}

// ————————————————————————————————————————— XLSX

/** How dates read in a sheet: "dd.mm.yyyy" (Russian) or "dd/mm/yyyy". */
export type DateStyle = "ru" | "en";

const DATE_FORMAT: Record<DateStyle, string> = { ru: "dd.mm.yyyy", en: "dd/mm/yyyy" };

/** The Excel number format of a kind of column. */
export function numberFormat(kind: ColumnKind, dates: DateStyle): string | undefined {
  switch (kind) {
    case "datetime":
      return `${DATE_FORMAT[dates]} hh:mm`;
    case "date":
      return DATE_FORMAT[dates];
    case "decimal":
      return "0.0";
    case "percent":
      return "0%";
    case "integer":
      return "0";
    case "text":
      return undefined;
  }
}

/** An instant as Excel wants it: a date whose UTC fields are the local time (Excel has no zones). */
function excelDateTime(date: Date, timeZone: string): Date {
  const w = wallClock(date, timeZone);
  return new Date(Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second));
}

/** A day ("YYYY-MM-DD", or an instant's local day) as an Excel date. */
function excelDate(cell: string | Date, timeZone: string): Date {
  const [year, month, day] = (cell instanceof Date ? localDate(cell, timeZone) : cell).split("-").map(Number);
  return new Date(Date.UTC(year!, month! - 1, day));
}

/** A cell as an XLSX value: instants as the wall-clock time in `timeZone`, days as dates. */
export function xlsxCell(cell: Cell, kind: ColumnKind, timeZone: string): ExcelJS.CellValue {
  if (cell === null) return null;
  if (kind === "datetime" && cell instanceof Date) return excelDateTime(cell, timeZone);
  if (kind === "date" && (typeof cell === "string" || cell instanceof Date)) return excelDate(cell, timeZone);
  return cell;
}

/** A row of cells as XLSX values. */
export const xlsxRow = (cells: Cell[], columns: Column[], timeZone: string): ExcelJS.CellValue[] =>
  cells.map((cell, i) => xlsxCell(cell, columns[i]!.kind, timeZone));

/** Sheet names: at most 31 characters, none of []:*?/\, unique in the workbook. */
export function sheetName(title: string, taken: Set<string>): string {
  const base =
    title
      .replace(/[[\]:*?/\\]/g, " ")
      .replace(/\s+/g, " ")
      .trim()
      .slice(0, 31)
      .trim() || "Sheet";
  let name = base;
  for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${base.slice(0, 31 - String(i).length - 1)} ${i}`;
  taken.add(name.toLowerCase());
  return name;
}

/**
 * The columns of a sheet (widths, number formats, wrapping) and its header row: bold, shaded,
 * frozen, with a filter. Works on a workbook in memory and on exceljs's streaming writer.
 */
export function writeHeader(sheet: ExcelJS.Worksheet, columns: Column[], dates: DateStyle): void {
  sheet.columns = columns.map((column, i) => {
    const numFmt = numberFormat(column.kind, dates);
    return {
      key: `c${i}`,
      header: column.header,
      width: column.width,
      style: { ...(numFmt ? { numFmt } : {}), alignment: { vertical: "top", ...(column.wrap ? { wrapText: true } : {}) } },
    };
  });
  const header = sheet.getRow(1);
  header.font = { bold: true };
  header.alignment = { vertical: "middle", wrapText: true };
  header.height = 32;
  header.eachCell((cell) => {
    cell.fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFE2E8F0" } };
  });
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: columns.length } };
}
