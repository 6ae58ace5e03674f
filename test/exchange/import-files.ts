import ExcelJS from "exceljs";
import { crc32, deflateRawSync, deflateSync } from "node:zlib";
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

/** `utf-16` is Excel's "Unicode text": UTF-16LE with its BOM, code unit by code unit (lone surrogates kept). */
export function csvFile(rows: Cell[][], options: { delimiter?: string; encoding?: "utf-8" | "utf-8-bom" | "windows-1251" | "utf-16" } = {}): Buffer {
  const text = csvText(rows, options.delimiter);
  if (options.encoding === "windows-1251") return iconv.encode(text, "win1251");
  if (options.encoding === "utf-16") return Buffer.from(`\ufeff${text}`, "utf16le");
  return Buffer.from(options.encoding === "utf-8-bom" ? `\ufeff${text}` : text, "utf8");
}

export const RU_HEADER = ["Полное название*", "Краткое название", "Тип*", "Направленность", "ИНН", "Сайт", "Адрес", "Заметки", "Контакт: ФИО", "Контакт: должность", "Контакт: телефон", "Контакт: e-mail", "Контакт: Telegram"];
export const EN_HEADER = ["Full name*", "Short name", "Type*", "Focus", "INN (tax ID)", "Website", "Address", "Notes", "Contact: full name", "Contact: position", "Contact: phone", "Contact: e-mail", "Contact: Telegram"];

/** A row in the template's column order. */
export function row(values: Partial<Record<"full" | "short" | "type" | "focuses" | "inn" | "site" | "address" | "notes" | "contact" | "position" | "phone" | "email" | "telegram", Cell>>): Cell[] {
  const { full = null, short = null, type = null, focuses = null, inn = null, site = null, address = null, notes = null } = values;
  const { contact = null, position = null, phone = null, email = null, telegram = null } = values;
  return [full, short, type, focuses, inn, site, address, notes, contact, position, phone, email, telegram];
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
    row({ full: "Иркутский государственный университет", short: "ИГУ", type: university, focuses: language === "ru" ? "Естественнонаучная, Социально-гуманитарная" : "Natural science, Social and humanitarian", inn: 3808013278, site: "isu.ru", contact: "Петрова Анна Сергеевна", position: "Проректор", phone: "8 (3952) 24-18-70", email: "petrova@isu.ru" }),
    row({ full: "Музей истории города Иркутска", type: language === "ru" ? "Учреждение культуры" : "Culture organisation", address: "ул. Чкалова, 26" }),
    row({ full: "Детский технопарк «Кванториум»", short: "Кванториум", type: language === "ru" ? "Другое" : "Other", focuses: language === "ru" ? "техническая" : "technical", contact: "Сидоров Олег", telegram: "@sidorov_kvant" }),
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

/*
 * Files that are not spreadsheets, built byte by byte as the programs that make them write them:
 * a PDF, pictures, zip archives (a Word document, an OpenDocument spreadsheet, a plain archive)
 * and OLE2 compound files (old Excel and Word, a password-protected workbook).
 */

/** A one-page PDF with a correct cross-reference table, all text like the one in the issue. */
export function pdfFile(): Buffer {
  const objects = [
    "<< /Type /Catalog /Pages 2 0 R >>",
    "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
    "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
    "<< /Length 44 >>\nstream\nBT /F1 12 Tf 72 770 Td (Partners) Tj ET\nendstream",
  ];
  let body = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n";
  const offsets: number[] = [];
  objects.forEach((object, i) => {
    offsets.push(Buffer.byteLength(body, "latin1"));
    body += `${i + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = Buffer.byteLength(body, "latin1");
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, "0")} 00000 n \n`).join("")}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, "latin1");
}

const u32be = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};

/** A 1×1 PNG: signature, IHDR, IDAT, IEND, with their CRCs. */
export function pngFile(): Buffer {
  const chunk = (type: string, data: Buffer) => Buffer.concat([u32be(data.length), Buffer.from(type, "latin1"), data, u32be(crc32(Buffer.concat([Buffer.from(type, "latin1"), data])))]);
  const header = Buffer.concat([u32be(1), u32be(1), Buffer.from([8, 2, 0, 0, 0])]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Buffer.from([0, 0xff, 0xff, 0xff]))),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

/** The start of a JPEG from a camera or a scanner: SOI and the JFIF APP0 segment, then a quantisation table. */
export function jpegFile(): Buffer {
  return Buffer.concat([
    Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]),
    Buffer.from("JFIF\0", "latin1"),
    Buffer.from([0x01, 0x01, 0x00, 0x00, 0x48, 0x00, 0x48, 0x00, 0x00]),
    Buffer.from([0xff, 0xdb, 0x00, 0x43, 0x00]),
    Buffer.from(Array.from({ length: 64 }, (_, i) => 1 + (i % 50))),
    Buffer.from([0xff, 0xd9]),
  ]);
}

/** A 1×1 GIF89a. */
export function gifFile(): Buffer {
  return Buffer.from("GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;", "latin1");
}

/** A 1×1 lossless WebP: the RIFF container with its VP8L chunk. */
export function webpFile(): Buffer {
  const vp8l = Buffer.from([0x2f, 0x00, 0x00, 0x00, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88, 0xfe, 0x07, 0x00]);
  const chunk = Buffer.concat([Buffer.from("VP8L", "latin1"), Buffer.from([vp8l.length, 0, 0, 0]), vp8l]);
  const size = Buffer.alloc(4);
  size.writeUInt32LE(4 + chunk.length);
  return Buffer.concat([Buffer.from("RIFF", "latin1"), size, Buffer.from("WEBP", "latin1"), chunk]);
}

/** A zip archive with these entries, stored (first) or deflated, with local headers and a central directory. */
export function zipFile(entries: [name: string, content: string | Buffer][], options: { storedFirst?: boolean } = {}): Buffer {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  entries.forEach(([name, content], i) => {
    const data = Buffer.isBuffer(content) ? content : Buffer.from(content, "utf8");
    const stored = options.storedFirst === true && i === 0;
    const packed = stored ? data : deflateRawSync(data);
    const fileName = Buffer.from(name, "utf8");
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(stored ? 0 : 8, 8);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(fileName.length, 26);
    const record = Buffer.alloc(46);
    record.writeUInt32LE(0x02014b50, 0);
    record.writeUInt16LE(20, 4);
    record.writeUInt16LE(20, 6);
    record.writeUInt16LE(0x0800, 8);
    record.writeUInt16LE(stored ? 0 : 8, 10);
    record.writeUInt32LE(crc32(data), 16);
    record.writeUInt32LE(packed.length, 20);
    record.writeUInt32LE(data.length, 24);
    record.writeUInt16LE(fileName.length, 28);
    record.writeUInt32LE(offset, 42);
    locals.push(local, fileName, packed);
    central.push(record, fileName);
    offset += local.length + fileName.length + packed.length;
  });
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const CONTENT_TYPES = (main: string) =>
  `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/${main}" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`;

/** A minimal .docx as Word writes it: content types, the package relationships, the document. */
export function docxFile(): Buffer {
  return zipFile([
    ["[Content_Types].xml", CONTENT_TYPES("word/document.xml")],
    ["_rels/.rels", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`],
    ["word/document.xml", `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>Партнёры</w:t></w:r></w:p></w:body></w:document>`],
  ]);
}

/** An OpenDocument file as LibreOffice writes it: the stored mimetype first, then the content and the manifest. */
export function openDocumentFile(kind: "spreadsheet" | "text"): Buffer {
  return zipFile(
    [
      ["mimetype", `application/vnd.oasis.opendocument.${kind}`],
      ["content.xml", `<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" office:version="1.3"><office:body/></office:document-content>`],
      ["META-INF/manifest.xml", `<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.${kind}"/></manifest:manifest>`],
    ],
    { storedFirst: true },
  );
}

/**
 * An OLE2 compound file (version 3, 512-byte sectors): the header, one FAT sector, one directory
 * sector with the root entry and these (empty) streams. With no streams it is just the container,
 * as a damaged or unusual file might be.
 */
export function ole2File(streams: string[]): Buffer {
  const header = Buffer.alloc(512);
  Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(header, 0);
  header.writeUInt16LE(0x003e, 24);
  header.writeUInt16LE(0x0003, 26);
  header.writeUInt16LE(0xfffe, 28);
  header.writeUInt16LE(9, 30);
  header.writeUInt16LE(6, 32);
  header.writeUInt32LE(1, 44); // one FAT sector
  header.writeUInt32LE(1, 48); // the directory starts at sector 1
  header.writeUInt32LE(0x1000, 56);
  header.writeUInt32LE(0xfffffffe, 60);
  header.writeUInt32LE(0xfffffffe, 68);
  header.writeUInt32LE(0, 76); // the FAT is sector 0
  for (let i = 1; i < 109; i++) header.writeUInt32LE(0xffffffff, 76 + i * 4);
  if (streams.length === 0) return header;
  if (streams.length > 3) throw new Error("one directory sector holds the root and three streams");
  const fat = Buffer.alloc(512, 0xff);
  fat.writeUInt32LE(0xfffffffd, 0);
  fat.writeUInt32LE(0xfffffffe, 4);
  const names = ["Root Entry", ...streams];
  const directory = Buffer.alloc(512);
  names.forEach((name, i) => {
    const entry = directory.subarray(i * 128, (i + 1) * 128);
    const encoded = Buffer.from(name, "utf16le");
    encoded.copy(entry, 0);
    entry.writeUInt16LE(encoded.length + 2, 64);
    entry[66] = i === 0 ? 5 : 2;
    entry[67] = 1;
    entry.writeUInt32LE(0xffffffff, 68);
    entry.writeUInt32LE(i > 0 && i < names.length - 1 ? i + 1 : 0xffffffff, 72);
    entry.writeUInt32LE(i === 0 && names.length > 1 ? 1 : 0xffffffff, 76);
    entry.writeUInt32LE(0xfffffffe, 116);
  });
  for (let i = names.length; i < 4; i++) {
    const entry = directory.subarray(i * 128, (i + 1) * 128);
    entry.writeUInt32LE(0xffffffff, 68);
    entry.writeUInt32LE(0xffffffff, 72);
    entry.writeUInt32LE(0xffffffff, 76);
  }
  return Buffer.concat([header, fat, directory]);
}
