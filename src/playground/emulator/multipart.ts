/**
 * multipart/form-data, as grammY and other Bot API clients send it. Written here (no parser in
 * the dependencies): grammY writes `content-disposition:form-data;name="x";filename=a.png`, the
 * file name unquoted and no space after the colon, which this parser takes as well as the
 * quoted and RFC 5987 (`filename*=UTF-8''…`) forms.
 */

export interface MultipartFile {
  /** The part's name (what an `attach://name` reference names). */
  field: string;
  filename: string;
  contentType: string;
  bytes: Buffer;
}

export interface MultipartBody {
  fields: Record<string, string>;
  files: Map<string, MultipartFile>;
}

export class MultipartError extends Error {}

/** The boundary of a multipart/form-data content type, or null. */
export function boundaryOf(contentType: string): string | null {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2] ?? null;
}

/** A header's parameter (name="x", name=x, filename*=UTF-8''x). */
function parameter(header: string, name: string): string | undefined {
  const extended = new RegExp(`(?:^|;)\\s*${name}\\*\\s*=\\s*([^;]*)`, "i").exec(header);
  if (extended) {
    const value = extended[1]!.trim();
    const quote = /^([^']*)'[^']*'(.*)$/.exec(value);
    try {
      return decodeURIComponent(quote ? quote[2]! : value);
    } catch {
      return quote ? quote[2]! : value;
    }
  }
  const plain = new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;]*))`, "i").exec(header);
  if (!plain) return undefined;
  return plain[1] !== undefined ? plain[1].replace(/\\(.)/g, "$1") : plain[2]!.trim();
}

function parseHeaders(text: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of text.split("\r\n")) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

/** Parses a whole multipart/form-data body. Throws MultipartError on a malformed one. */
export function parseMultipart(body: Buffer, contentType: string): MultipartBody {
  const boundary = boundaryOf(contentType);
  if (!boundary) throw new MultipartError("multipart/form-data without a boundary");
  const delimiter = Buffer.from(`--${boundary}`, "latin1");
  const between = Buffer.from(`\r\n--${boundary}`, "latin1");
  const fields: Record<string, string> = {};
  const files = new Map<string, MultipartFile>();
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw new MultipartError("no multipart boundary in the body");
  pos += delimiter.length;
  for (;;) {
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) break; // "--": the end
    // Transport padding, then CRLF.
    while (body[pos] === 0x20 || body[pos] === 0x09) pos++;
    if (body[pos] !== 0x0d || body[pos + 1] !== 0x0a) throw new MultipartError("malformed multipart delimiter");
    pos += 2;
    let headerText = "";
    let contentStart: number;
    if (body[pos] === 0x0d && body[pos + 1] === 0x0a) {
      contentStart = pos + 2;
    } else {
      const headerEnd = body.indexOf("\r\n\r\n", pos, "latin1");
      if (headerEnd < 0) throw new MultipartError("multipart part without the end of its headers");
      headerText = body.toString("utf8", pos, headerEnd);
      contentStart = headerEnd + 4;
    }
    const next = body.indexOf(between, contentStart);
    if (next < 0) throw new MultipartError("multipart body without its closing boundary");
    const content = body.subarray(contentStart, next);
    pos = next + between.length;
    const headers = parseHeaders(headerText);
    const disposition = headers.get("content-disposition") ?? "";
    const name = parameter(disposition, "name");
    if (name === undefined) continue;
    const filename = parameter(disposition, "filename");
    if (filename !== undefined) {
      files.set(name, { field: name, filename, contentType: headers.get("content-type") ?? "application/octet-stream", bytes: Buffer.from(content) });
    } else {
      fields[name] = content.toString("utf8");
    }
  }
  return { fields, files };
}
