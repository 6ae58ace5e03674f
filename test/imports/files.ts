import ExcelJS from "exceljs";
import iconv from "iconv-lite";

/** Test spreadsheets: XLSX built with exceljs, CSV in the encodings offices use. */

export type Cell = string | number | null;

export async function xlsxFile(rows: Cell[][], sheetName = "Лист1", before?: { name: string; rows: Cell[][] }): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  if (before) workbook.addWorksheet(before.name).addRows(before.rows);
  workbook.addWorksheet(sheetName).addRows(rows);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

const quote = (cell: Cell, delimiter: string) => {
  const text = cell === null ? "" : String(cell);
  return /["\n\r]/.test(text) || text.includes(delimiter) ? `"${text.replace(/"/g, '""')}"` : text;
};

export function csvText(rows: Cell[][], delimiter = ";"): string {
  return rows.map((row) => row.map((cell) => quote(cell, delimiter)).join(delimiter)).join("\r\n") + "\r\n";
}

export function csvFile(rows: Cell[][], options: { delimiter?: string; encoding?: "utf-8" | "utf-8-bom" | "windows-1251" } = {}): Buffer {
  const text = csvText(rows, options.delimiter);
  if (options.encoding === "windows-1251") return iconv.encode(text, "win1251");
  return Buffer.from(options.encoding === "utf-8-bom" ? `\ufeff${text}` : text, "utf8");
}

export const RU_HEADER = ["Полное название*", "Краткое название", "Тип*", "Направления", "ИНН", "Сайт", "Адрес", "Заметки", "Контакт: ФИО", "Контакт: должность", "Контакт: телефон", "Контакт: e-mail", "Контакт: Telegram"];
export const EN_HEADER = ["Full name*", "Short name", "Type*", "Directions", "INN", "Website", "Address", "Notes", "Contact: full name", "Contact: position", "Contact: phone", "Contact: e-mail", "Contact: Telegram"];

/** A row in the template's column order. */
export function row(values: Partial<Record<"full" | "short" | "type" | "directions" | "inn" | "site" | "address" | "notes" | "contact" | "position" | "phone" | "email" | "telegram", Cell>>): Cell[] {
  const { full = null, short = null, type = null, directions = null, inn = null, site = null, address = null, notes = null } = values;
  const { contact = null, position = null, phone = null, email = null, telegram = null } = values;
  return [full, short, type, directions, inn, site, address, notes, contact, position, phone, email, telegram];
}

/**
 * The scenario of the issue: three valid rows (2–4), one with a bad INN (row 5), one like the
 * existing «Средняя общеобразовательная школа № 5» (row 6), one repeating row 2 (row 7).
 */
export function scenarioRows(language: "ru" | "en"): Cell[][] {
  const school = language === "ru" ? "Школа" : "School";
  const university = language === "ru" ? "вуз" : "University";
  return [
    language === "ru" ? RU_HEADER : EN_HEADER,
    row({ full: "Иркутский государственный университет", short: "ИГУ", type: university, directions: language === "ru" ? "Естественнонаучная, Социально-гуманитарная" : "Natural science, Social and humanitarian", inn: 3808013278, site: "isu.ru", contact: "Петрова Анна Сергеевна", position: "Проректор", phone: "8 (3952) 24-18-70", email: "petrova@isu.ru" }),
    row({ full: "Музей истории города Иркутска", type: language === "ru" ? "Учреждение культуры" : "Culture organisation", address: "ул. Чкалова, 26" }),
    row({ full: "Детский технопарк «Кванториум»", short: "Кванториум", type: language === "ru" ? "Другое" : "Other", directions: language === "ru" ? "техническая" : "technical", contact: "Сидоров Олег", telegram: "@sidorov_kvant" }),
    row({ full: "Колледж автотранспорта и дорожного хозяйства", type: language === "ru" ? "Колледж" : "College", inn: "3808013277" }),
    row({ full: "СОШ №5", type: school }),
    row({ full: "Иркутский государственный университет (ИГУ)", type: university }),
  ];
}

/** A name of three random-looking words, far from every other such name. */
export function distinctName(i: number): string {
  // mulberry32, seeded by the row: the same names on every run.
  let seed = (i + 1) * 0x9e3779b9;
  const next = () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let x = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    x = (x + Math.imul(x ^ (x >>> 7), 61 | x)) ^ x;
    return (x ^ (x >>> 14)) >>> 0;
  };
  const letters = "абвгдежзиклмнопрстуфхцчшэюя";
  const word = () => Array.from({ length: 7 }, () => letters[next() % letters.length]).join("");
  return `${word()} ${word()} ${word()}`.replace(/^./, (c) => c.toUpperCase());
}

export function manyRows(count: number): Cell[][] {
  return [RU_HEADER, ...Array.from({ length: count }, (_, i) => row({ full: distinctName(i), type: "Школа" }))];
}

/** Many rows quickly, for files refused before their rows are looked at. */
export function bulkCsv(count: number): Buffer {
  const lines = [RU_HEADER.join(";")];
  for (let i = 0; i < count; i++) lines.push(`Организация ${i};;Школа;;;;;;;;;;`);
  return Buffer.from(lines.join("\r\n"), "utf8");
}
