/** Telegram's limit on a message text, counted after HTML parsing (UTF-16 code units). */
export const TELEGRAM_TEXT_LIMIT = 4096;

interface Token {
  raw: string;
  kind: "open" | "close" | "text";
  /** The tag name for open/close tokens. */
  name: string;
  /** Characters the token counts for once parsed: 0 for a tag, 1 for an entity. */
  plain: number;
}

const TOKEN = /<\/?[a-zA-Z][a-zA-Z0-9-]*(?:\s[^<>]*)?>|&(?:[a-zA-Z]+|#\d+|#x[0-9a-fA-F]+);|[\s\S]/gu;

function tokenize(html: string): Token[] {
  return Array.from(html.matchAll(TOKEN), ([raw]) => {
    if (raw.length > 1 && raw.startsWith("<")) {
      const name = /^<\/?([a-zA-Z][a-zA-Z0-9-]*)/.exec(raw)![1]!.toLowerCase();
      return { raw, kind: raw.startsWith("</") ? "close" : "open", name, plain: 0 };
    }
    return { raw, kind: "text", name: "", plain: raw.startsWith("&") && raw.length > 1 ? 1 : raw.length };
  });
}

const isSpace = (token: Token | undefined) => token?.kind === "text" && /^\s$/u.test(token.raw);
const isNewline = (token: Token | undefined) => token?.kind === "text" && token.raw === "\n";

/**
 * Where to end a part that must stop before token `fit` (exclusive): at the last paragraph
 * break, else the last line break — each only in the second half of the part, so parts stay
 * large — else the last space, else exactly at `fit` (between tokens: never inside a tag or
 * an entity).
 */
function breakPoint(tokens: Token[], start: number, fit: number, limit: number): number {
  let paragraph = -1;
  let line = -1;
  let space = -1;
  let offset = 0;
  for (let p = start; p <= fit; p++) {
    const token = tokens[p];
    if (p > start && isSpace(token)) {
      const late = offset >= limit / 2;
      if (late && isNewline(token) && isNewline(tokens[p + 1])) paragraph = p;
      if (late && isNewline(token)) line = p;
      space = p;
    }
    offset += token?.plain ?? 0;
  }
  if (paragraph > 0) return paragraph;
  if (line > 0) return line;
  if (space > 0) return space;
  return fit;
}

/**
 * Splits Telegram HTML into parts of at most `limit` parsed characters, at paragraph, line or
 * word boundaries. Tags open at a cut are closed at the end of the part and opened again at
 * the start of the next one, so every part is valid HTML on its own.
 */
export function splitHtml(html: string, limit = TELEGRAM_TEXT_LIMIT): string[] {
  const tokens = tokenize(html);
  const parts: string[] = [];
  let open: Token[] = [];
  let i = 0;
  while (i < tokens.length) {
    let length = 0;
    let fit = i;
    while (fit < tokens.length && length + tokens[fit]!.plain <= limit) length += tokens[fit++]!.plain;
    const end = fit < tokens.length ? Math.max(breakPoint(tokens, i, fit, limit), i + 1) : fit;
    const stack = [...open];
    let body = open.map((tag) => tag.raw).join("");
    let visible = "";
    for (let k = i; k < end; k++) {
      const token = tokens[k]!;
      body += token.raw;
      if (token.kind === "open") stack.push(token);
      else if (token.kind === "close") {
        const at = stack.findLastIndex((tag) => tag.name === token.name);
        if (at >= 0) stack.splice(at, 1);
      } else visible += token.raw;
    }
    body += stack
      .toReversed()
      .map((tag) => `</${tag.name}>`)
      .join("");
    if (visible.trim() !== "") parts.push(body);
    open = stack;
    i = end;
    if (i < tokens.length) while (isSpace(tokens[i])) i++;
  }
  return parts;
}
