/**
 * What a file sent to /import is, told by its signature (its first bytes) and, for the two
 * containers Office uses, by the names of the parts inside: a zip (XLSX, DOCX, ODS, …) lists
 * them in its central directory, an OLE2 compound file (XLS, DOC, a password-protected XLSX)
 * in its directory sectors. Decided before anything reads the file as a table, so a PDF or a
 * photo is never parsed as CSV and answered with a complaint about its "columns".
 */

/** Files the import cannot read, each answered with what it is and what to send instead. */
export const FOREIGN_KINDS = [
  "pdf",
  "image",
  "word",
  "old_word",
  "old_excel",
  "old_office",
  "encrypted",
  "xlsb",
  "ods",
  "presentation",
  "archive",
  "markup",
  "binary",
] as const;
export type ForeignKind = (typeof FOREIGN_KINDS)[number];

/** `xlsx` and `text` are worth reading as a table (a damaged XLSX is found out by the reader). */
export type FileKind = "empty" | "xlsx" | "text" | ForeignKind;

const startsWith = (buffer: Buffer, bytes: number[] | string, at = 0) => {
  const signature = typeof bytes === "string" ? Buffer.from(bytes, "latin1") : Buffer.from(bytes);
  return buffer.length >= at + signature.length && buffer.subarray(at, at + signature.length).equals(signature);
};

const OLE2 = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
/** HEIF/AVIF brands: photos from iPhones and newer Android phones. */
const PHOTO_BRANDS = new Set(["heic", "heix", "hevc", "hevx", "heim", "heis", "mif1", "msf1", "avif", "avis"]);

export function fileKind(buffer: Buffer, fileName = ""): FileKind {
  if (buffer.length === 0) return "empty";
  // Readers accept a PDF header anywhere in the first kilobyte; a table has no line starting so.
  const pdf = buffer.subarray(0, 1024).indexOf("%PDF-");
  if (pdf === 0 || (pdf > 0 && (buffer[pdf - 1] === 0x0a || buffer[pdf - 1] === 0x0d))) return "pdf";
  if (isImage(buffer)) return "image";
  if (startsWith(buffer, "PK\x03\x04") || startsWith(buffer, "PK\x05\x06") || startsWith(buffer, "PK\x07\x08")) return zipKind(buffer);
  if (startsWith(buffer, OLE2)) return oleKind(buffer, fileName);
  if (startsWith(buffer, "Rar!\x1a\x07") || startsWith(buffer, [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c]) || startsWith(buffer, [0x1f, 0x8b])) return "archive";
  if (startsWith(buffer, "{\\rtf")) return "word";
  // UTF-16 text, with its byte order mark, is full of NUL bytes and still text.
  if (startsWith(buffer, [0xff, 0xfe]) || startsWith(buffer, [0xfe, 0xff])) return "text";
  const text = startsWith(buffer, [0xef, 0xbb, 0xbf]) ? buffer.subarray(3) : buffer;
  if (isMarkup(text)) return "markup";
  return isBinary(text) ? "binary" : "text";
}

/**
 * A web page or an XML file: what many systems export as "Excel" (.xls), an HTML table or an
 * Excel 2003 XML spreadsheet. The first line of a table never starts with a tag.
 */
function isMarkup(buffer: Buffer): boolean {
  const start = buffer.subarray(0, 1024).toString("latin1").trimStart();
  return start.startsWith("<") && /^<(?:\?xml|!--|(?:!doctype\s+html|html|table|head|body|meta)\b)/i.test(start);
}

function isImage(buffer: Buffer): boolean {
  return (
    startsWith(buffer, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]) || // PNG
    startsWith(buffer, [0xff, 0xd8, 0xff]) || // JPEG
    startsWith(buffer, "GIF87a") ||
    startsWith(buffer, "GIF89a") ||
    (startsWith(buffer, "RIFF") && startsWith(buffer, "WEBP", 8)) ||
    startsWith(buffer, [0x49, 0x49, 0x2a, 0x00]) || // TIFF, as scanners save
    startsWith(buffer, [0x4d, 0x4d, 0x00, 0x2a]) ||
    (startsWith(buffer, "ftyp", 4) && PHOTO_BRANDS.has(buffer.subarray(8, 12).toString("latin1")))
  );
}

/**
 * Binary when more than one byte in twenty of the first kilobyte is a control byte other than
 * tab, line feed, form feed and carriage return: any compressed or executable data has about one
 * in ten, while a table with a stray NUL or bell in a cell (which the reader cleans) has a few.
 */
function isBinary(buffer: Buffer): boolean {
  const sample = buffer.subarray(0, 1024);
  let control = 0;
  for (const byte of sample) if (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0c && byte !== 0x0d) control++;
  return control * 20 > sample.length;
}

/** The entry names of a zip: from its central directory, or from the local headers when that is cut off. */
export function zipEntryNames(buffer: Buffer): string[] {
  return centralDirectoryNames(buffer) ?? localHeaderNames(buffer);
}

function centralDirectoryNames(buffer: Buffer): string[] | undefined {
  // The end-of-central-directory record: 22 bytes and a comment of up to 65,535.
  const floor = Math.max(0, buffer.length - 22 - 0xffff);
  for (let end = buffer.length - 22; end >= floor; end--) {
    if (buffer.readUInt32LE(end) !== 0x06054b50) continue;
    const entries = buffer.readUInt16LE(end + 10);
    let at = buffer.readUInt32LE(end + 16);
    const names: string[] = [];
    for (let i = 0; i < entries; i++) {
      if (at + 46 > buffer.length || buffer.readUInt32LE(at) !== 0x02014b50) return undefined;
      const nameLength = buffer.readUInt16LE(at + 28);
      names.push(buffer.subarray(at + 46, at + 46 + nameLength).toString("utf8"));
      at += 46 + nameLength + buffer.readUInt16LE(at + 30) + buffer.readUInt16LE(at + 32);
    }
    return names;
  }
  return undefined;
}

function localHeaderNames(buffer: Buffer): string[] {
  const names: string[] = [];
  for (let at = buffer.indexOf("PK\x03\x04", 0, "latin1"); at >= 0 && at + 30 <= buffer.length; at = buffer.indexOf("PK\x03\x04", at + 4, "latin1")) {
    const nameLength = buffer.readUInt16LE(at + 26);
    if (nameLength > 0 && at + 30 + nameLength <= buffer.length) names.push(buffer.subarray(at + 30, at + 30 + nameLength).toString("utf8"));
  }
  return names;
}

/** The type an OpenDocument file names in its first entry, `mimetype`, stored uncompressed. */
function openDocumentType(buffer: Buffer): string | undefined {
  if (buffer.length < 30 || buffer.readUInt16LE(8) !== 0) return undefined;
  const nameLength = buffer.readUInt16LE(26);
  if (buffer.subarray(30, 30 + nameLength).toString("latin1") !== "mimetype") return undefined;
  const start = 30 + nameLength + buffer.readUInt16LE(28);
  const type = buffer.subarray(start, start + buffer.readUInt32LE(18)).toString("latin1");
  return /^application\/vnd\.oasis\.opendocument\.([a-z-]+)$/.exec(type)?.[1];
}

function zipKind(buffer: Buffer): FileKind {
  const names = zipEntryNames(buffer);
  if (names.includes("xl/workbook.bin")) return "xlsb";
  if (names.some((name) => name.startsWith("xl/"))) return "xlsx";
  if (names.some((name) => name.startsWith("word/"))) return "word";
  if (names.some((name) => name.startsWith("ppt/"))) return "presentation";
  const openDocument = openDocumentType(buffer);
  if (openDocument === "spreadsheet") return "ods";
  if (openDocument === "text") return "word";
  if (openDocument === "presentation") return "presentation";
  // Some other Office Open XML or OpenDocument package (Visio, a drawing, …): not an archive of files.
  if (openDocument !== undefined || names.includes("[Content_Types].xml")) return "binary";
  return "archive";
}

/**
 * The names in an OLE2 compound file's directory. Directory entries are 128 bytes at 128-byte
 * boundaries after the 512-byte header (sectors are 512 or 4096 bytes): a UTF-16 name of up to
 * 31 characters, its length in bytes with the terminating NUL, and the entry type.
 */
export function ole2EntryNames(buffer: Buffer): string[] {
  const names: string[] = [];
  for (let at = 512; at + 128 <= buffer.length; at += 128) {
    const length = buffer.readUInt16LE(at + 64);
    const type = buffer[at + 66];
    if (length < 4 || length > 64 || length % 2 !== 0 || (type !== 1 && type !== 2 && type !== 5)) continue;
    if (buffer.readUInt16LE(at + length - 2) !== 0) continue;
    const name = buffer.subarray(at, at + length - 2).toString("utf16le");
    // eslint-disable-next-line no-control-regex
    if (/^[\u0001-\u0006]?[\x20-\x7e]+$/.test(name)) names.push(name);
  }
  return names;
}

function oleKind(buffer: Buffer, fileName: string): FileKind {
  const names = new Set(ole2EntryNames(buffer));
  // A password-protected XLSX or DOCX is an OLE2 file around the encrypted package.
  if (names.has("EncryptedPackage")) return "encrypted";
  // The name first: an Excel file may hold an embedded Word document and the other way round.
  const extension = /\.([a-z]+)$/i.exec(fileName)?.[1]?.toLowerCase();
  if (extension === "xls" || extension === "xlt" || extension === "xla") return "old_excel";
  if (extension === "doc" || extension === "dot") return "old_word";
  if (extension === "ppt" || extension === "pps" || extension === "pot") return "presentation";
  const excel = names.has("Workbook") || names.has("Book");
  const word = names.has("WordDocument");
  if (excel && !word) return "old_excel";
  if (word && !excel) return "old_word";
  if (names.has("PowerPoint Document") && !excel && !word) return "presentation";
  return "old_office";
}
