import { stringify } from "csv-stringify/sync";
import type ExcelJS from "exceljs";
import { FOCUSES, PARTNER_TYPES } from "../partners/index.js";
import type { TFunction } from "../core/i18n.js";
import { IMPORT_FIELDS, type ImportField, REQUIRED_FIELDS } from "./domain/import-columns.js";
import { MAX_IMPORT_ROWS } from "./domain/import-read.js";

/**
 * The template offered by /import, in the user's language: the columns with one example row
 * (a valid row: the template imports as it is), and, in the XLSX, a help sheet with the rules
 * and the allowed types and focuses. Either language's headers are read back.
 */

/** Columns kept as text in Excel, so leading zeros and long digit strings survive. */
const TEXT_COLUMNS: readonly ImportField[] = ["inn", "contactPhone"];

const WIDTHS: Partial<Record<ImportField, number>> = { fullName: 45, shortName: 20, type: 22, focuses: 30, address: 35, notes: 30, contactName: 28 };

export function templateHeader(t: TFunction, field: ImportField): string {
  return `${t(`import.columns.${field}`)}${REQUIRED_FIELDS.includes(field) ? "*" : ""}`;
}

function exampleRow(t: TFunction): string[] {
  return IMPORT_FIELDS.map((field) => {
    if (field === "type") return t("partners.types.school");
    if (field === "focuses") return [t("partners.focuses.technical"), t("partners.focuses.natural_science")].join(", ");
    return t(`import.template.example.${field}`);
  });
}

/** A CSV as Excel opens it in a Russian locale: UTF-8 with a BOM, `;` between values, CRLF. */
export function toCsv(rows: string[][]): Buffer {
  return Buffer.from(`\ufeff${stringify(rows, { delimiter: ";", record_delimiter: "\r\n" })}`, "utf8");
}

export async function buildTemplate(format: "xlsx" | "csv", t: TFunction): Promise<Buffer> {
  const header = IMPORT_FIELDS.map((field) => templateHeader(t, field));
  if (format === "csv") return toCsv([header, exampleRow(t)]);

  // Loaded on first use: exceljs is large, and the bot need not pay for it at start-up.
  const { default: excel } = await import("exceljs");
  const workbook = new excel.Workbook();
  const sheet = workbook.addWorksheet(t("import.template.data_sheet"), { views: [{ state: "frozen", ySplit: 1 }] });
  sheet.columns = IMPORT_FIELDS.map((field) => ({
    key: field,
    width: WIDTHS[field] ?? 18,
    ...(TEXT_COLUMNS.includes(field) ? { style: { numFmt: "@" } } : {}),
  }));
  sheet.addRow(header).font = { bold: true };
  sheet.addRow(exampleRow(t));

  const helpName = t("import.template.help_sheet");
  const help = workbook.addWorksheet(helpName);
  help.getColumn(1).width = 110;
  help.addRow([t("import.template.help_title")]).font = { bold: true, size: 13 };
  for (const line of t("import.template.help", { limit: MAX_IMPORT_ROWS }).split("\n")) help.addRow([line]).alignment = { wrapText: true };
  help.addRow([]);
  help.addRow([t("import.template.types_title")]).font = { bold: true };
  const firstType = help.rowCount + 1;
  for (const type of PARTNER_TYPES) help.addRow([t(`partners.types.${type}`)]);
  const lastType = help.rowCount;
  help.addRow([]);
  help.addRow([t("import.template.focuses_title")]).font = { bold: true };
  for (const focus of FOCUSES) help.addRow([t(`partners.focuses.${focus}`)]);

  // A drop-down of the allowed types in the Type column.
  const typeColumn = sheet.getColumn("type").letter;
  const escapedHelp = helpName.replace(/'/g, "''");
  const validations = (sheet as unknown as { dataValidations: { add(range: string, validation: ExcelJS.DataValidation): void } }).dataValidations;
  validations.add(`${typeColumn}2:${typeColumn}${MAX_IMPORT_ROWS + 1}`, {
    type: "list",
    allowBlank: true,
    formulae: [`'${escapedHelp}'!$A$${firstType}:$A$${lastType}`],
    showErrorMessage: false,
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
