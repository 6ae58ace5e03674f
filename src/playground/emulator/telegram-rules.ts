/**
 * Telegram's rules for what a bot sends: the HTML parse mode (ported from TDLib's parse_html,
 * with its error descriptions), the limits of texts and captions, and the checks of keyboards.
 * One source for the playground's emulator and for the test suite's fake Bot API
 * (test/helpers/fake-telegram.ts re-exports what it needs from here).
 */
import type { MessageEntity } from "grammy/types";
import { TELEGRAM_TEXT_LIMIT } from "../../core/outbox/split-html.js";
import { escapeHtml } from "../../core/telegram/html.js";

/** Telegram's limit of a message's text, the one the bot splits its long messages by. */
export const MAX_TEXT_LENGTH = TELEGRAM_TEXT_LIMIT;
export const MAX_CAPTION_LENGTH = 1024;
export const MAX_CALLBACK_DATA_BYTES = 64;
export const MAX_CALLBACK_ANSWER_LENGTH = 200;
/** Bots may download files up to this size (getFile). */
export const MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024;
/** Bots may upload files up to this size; people may send files up to it too. */
export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;

/** Telegram's descriptions, word for word. */
export const TELEGRAM_ERRORS = {
  textEmpty: "Bad Request: message text is empty",
  textTooLong: "Bad Request: message is too long",
  captionTooLong: "Bad Request: message caption is too long",
  buttonDataInvalid: "Bad Request: BUTTON_DATA_INVALID",
  notModified:
    "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
  editNotFound: "Bad Request: message to edit not found",
  deleteNotFound: "Bad Request: message to delete not found",
  cantEdit: "Bad Request: message can't be edited",
  noTextToEdit: "Bad Request: there is no text in the message to edit",
  noCaptionToEdit: "Bad Request: there is no caption in the message to edit",
  chatNotFound: "Bad Request: chat not found",
  queryInvalid: "Bad Request: query is too old and response timeout expired or query ID is invalid",
  answerTooLong: "Bad Request: MESSAGE_TOO_LONG",
  fileTooBig: "Bad Request: file is too big",
  wrongFileId: "Bad Request: wrong file identifier/HTTP URL specified",
  invalidFileId: "Bad Request: invalid file_id",
  commandInvalid: "Bad Request: BOT_COMMAND_INVALID",
  webhookActive: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
  otherGetUpdates: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
  unauthorized: "Unauthorized",
  methodNotFound: "Not Found: method not found",
} as const;

const PARSE_ERROR = "Bad Request: can't parse entities: ";

const ALLOWED_TAGS = new Set([
  "a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler", "tg-emoji", "span", "pre", "code", "blockquote",
]);

export interface ParsedText {
  /** The text without markup, as Telegram's `text`/`caption`. */
  text: string;
  /** Entities with UTF-16 offsets, sorted as Telegram sorts them. */
  entities: MessageEntity[];
}

const isSpace = (ch: string | undefined) => ch === " " || ch === "\t" || ch === "\r" || ch === "\n" || ch === "\f" || ch === "\v";
const isAlpha = (ch: string | undefined) => ch !== undefined && /^[A-Za-z]$/.test(ch);
const isNameToken = (ch: string | undefined) => ch !== undefined && /^[A-Za-z0-9.-]$/.test(ch);

/**
 * An HTML character reference at `pos` (text[pos] === "&"): Telegram knows &lt; &gt; &amp; &quot;
 * and numeric ones. Returns the character and the position after it, or null.
 */
function decodeEntity(text: string, pos: number): { char: string; end: number; terminated: boolean } | null {
  let end = pos + 1;
  let code: number;
  if (text[end] === "#") {
    end++;
    const hex = text[end] === "x";
    if (hex) end++;
    const digits = hex ? /^[0-9a-fA-F]*/.exec(text.slice(end))![0] : /^[0-9]*/.exec(text.slice(end))![0];
    end += digits.length;
    code = digits === "" ? 0 : parseInt(digits.slice(0, 9), hex ? 16 : 10);
    if (code === 0 || code >= 0x10ffff || end - pos >= 10) return null;
  } else {
    while (isAlpha(text[end])) end++;
    const name = text.slice(pos + 1, end);
    const known: Record<string, number> = { lt: 60, gt: 62, amp: 38, quot: 34 };
    if (!(name in known)) return null;
    code = known[name]!;
  }
  const terminated = text[end] === ";";
  return { char: String.fromCodePoint(code), end: terminated ? end + 1 : end, terminated };
}

const byteOffset = (text: string, index: number) => Buffer.byteLength(text.slice(0, index), "utf8");

/** A URL as Telegram keeps it in a text_link (a bare domain gets http://). */
function checkedLink(url: string): string | null {
  const trimmed = url.trim();
  if (trimmed === "") return null;
  if (/^[a-z][a-z0-9+.-]*:/i.test(trimmed)) return trimmed;
  return `http://${trimmed}`;
}

interface OpenTag {
  name: string;
  argument: string;
  offset: number;
}

/**
 * Parses text in Telegram's HTML parse mode, as TDLib does (same tags, attributes and errors).
 * Stricter than Telegram in one point, on purpose: an entity reference Telegram does not know
 * ("&nbsp;", "&foo;") is refused rather than kept as literal text, since a bot that sends one
 * meant something else. Returns the plain text with its entities, or the Bot API's description.
 */
export function parseTelegramHtml(html: string): ParsedText | { error: string } {
  const fail = (message: string) => ({ error: PARSE_ERROR + message });
  let out = "";
  const entities: MessageEntity[] = [];
  const open: OpenTag[] = [];
  for (let i = 0; i < html.length; ) {
    const ch = html[i]!;
    if (ch === "&") {
      const decoded = decodeEntity(html, i);
      if (decoded) {
        out += decoded.char;
        i = decoded.end;
        continue;
      }
      const reference = /^&#?[A-Za-z0-9]+;/.exec(html.slice(i));
      if (reference) return fail(`Unsupported entity "${reference[0]}" at byte offset ${byteOffset(html, i)}`);
    }
    if (ch !== "<") {
      out += ch;
      i++;
      continue;
    }
    const begin = i++;
    if (html[i] !== "/") {
      while (i < html.length && !isSpace(html[i]) && html[i] !== ">") i++;
      if (i >= html.length) return fail(`Unclosed start tag at byte offset ${byteOffset(html, begin)}`);
      const name = html.slice(begin + 1, i).toLowerCase();
      if (!ALLOWED_TAGS.has(name)) return fail(`Unsupported start tag "${name}" at byte offset ${byteOffset(html, begin)}`);
      let argument = "";
      while (html[i] !== ">") {
        while (i < html.length && isSpace(html[i])) i++;
        if (html[i] === ">") break;
        const attributeBegin = i;
        while (i < html.length && !isSpace(html[i]) && !"=>/\"'".includes(html[i]!)) i++;
        const attribute = html.slice(attributeBegin, i);
        if (attribute === "") return fail(`Empty attribute name in the tag "${name}" at byte offset ${byteOffset(html, begin)}`);
        while (i < html.length && isSpace(html[i])) i++;
        if (html[i] !== "=") {
          if (i >= html.length) return fail(`Unclosed start tag "${name}" at byte offset ${byteOffset(html, begin)}`);
          if (name === "blockquote" && attribute === "expandable") argument = "1";
          continue;
        }
        i++;
        while (i < html.length && isSpace(html[i])) i++;
        if (i >= html.length) return fail(`Unclosed start tag "${name}" at byte offset ${byteOffset(html, begin)}`);
        let value = "";
        if (html[i] !== "'" && html[i] !== '"') {
          const tokenBegin = i;
          while (isNameToken(html[i])) i++;
          value = html.slice(tokenBegin, i).toLowerCase();
          if (!isSpace(html[i]) && html[i] !== ">") return fail(`Unexpected end of name token at byte offset ${byteOffset(html, tokenBegin)}`);
        } else {
          const quote = html[i++];
          while (i < html.length && html[i] !== quote) {
            if (html[i] === "&") {
              const decoded = decodeEntity(html, i);
              if (decoded) {
                value += decoded.char;
                i = decoded.end;
                continue;
              }
            }
            value += html[i++];
          }
          if (html[i] === quote) i++;
        }
        if (i >= html.length) return fail(`Unclosed start tag at byte offset ${byteOffset(html, begin)}`);
        if (name === "a" && attribute === "href") argument = value;
        else if (name === "code" && attribute === "class" && value.startsWith("language-")) argument = value.slice(9);
        else if (name === "span" && attribute === "class" && value.startsWith("tg-")) argument = value.slice(3);
        else if (name === "tg-emoji" && attribute === "emoji-id") argument = value;
        else if (name === "blockquote" && attribute === "expandable") argument = "1";
      }
      if (name === "span" && argument !== "spoiler") return fail(`Tag "span" must have class "tg-spoiler" at byte offset ${byteOffset(html, begin)}`);
      open.push({ name, argument, offset: out.length });
      i++;
      continue;
    }
    // An end tag.
    if (open.length === 0) return fail(`Unexpected end tag at byte offset ${byteOffset(html, begin)}`);
    while (i < html.length && !isSpace(html[i]) && html[i] !== ">") i++;
    const endName = html.slice(begin + 2, i).toLowerCase();
    while (i < html.length && isSpace(html[i])) i++;
    if (html[i] !== ">") return fail(`Unclosed end tag at byte offset ${byteOffset(html, begin)}`);
    i++;
    const tag = open.pop()!;
    if (endName !== "" && endName !== tag.name) {
      return fail(`Unmatched end tag at byte offset ${byteOffset(html, begin)}, expected "</${tag.name}>", found "</${endName}>"`);
    }
    const offset = tag.offset;
    const length = out.length - offset;
    if (length <= 0) continue;
    const last = entities.at(-1);
    switch (tag.name) {
      case "b":
      case "strong":
        entities.push({ type: "bold", offset, length });
        break;
      case "i":
      case "em":
        entities.push({ type: "italic", offset, length });
        break;
      case "u":
      case "ins":
        entities.push({ type: "underline", offset, length });
        break;
      case "s":
      case "strike":
      case "del":
        entities.push({ type: "strikethrough", offset, length });
        break;
      case "tg-spoiler":
      case "span":
        entities.push({ type: "spoiler", offset, length });
        break;
      case "tg-emoji":
        if (!/^[1-9][0-9]{0,18}$/.test(tag.argument)) return fail("Invalid custom emoji identifier specified");
        entities.push({ type: "custom_emoji", offset, length, custom_emoji_id: tag.argument });
        break;
      case "a": {
        const url = checkedLink(tag.argument || out.slice(offset));
        if (url) entities.push({ type: "text_link", offset, length, url });
        break;
      }
      case "pre":
        // <pre><code class="language-x">…</code></pre>: one pre entity with its language.
        if (last?.type === "code" && last.offset === offset && last.length === length && (last as { language?: string }).language) {
          const language = (last as { language?: string }).language!;
          entities[entities.length - 1] = { type: "pre", offset, length, language };
        } else {
          entities.push({ type: "pre", offset, length });
        }
        break;
      case "code":
        if (last?.type === "pre" && last.offset === offset && last.length === length && tag.argument) {
          entities[entities.length - 1] = { type: "pre", offset, length, language: tag.argument };
        } else {
          entities.push({ type: "code", offset, length, ...(tag.argument ? { language: tag.argument } : {}) });
        }
        break;
      case "blockquote":
        entities.push({ type: tag.argument ? "expandable_blockquote" : "blockquote", offset, length });
        break;
    }
  }
  if (open.length > 0) return fail(`Can't find end tag corresponding to start tag "${open.at(-1)!.name}"`);
  for (const entity of entities) {
    if (entity.type === "code" && "language" in entity) delete (entity as { language?: string }).language;
  }
  return { text: out, entities: sortEntities([...entities, ...detectEntities(out, entities)]) };
}

/** Telegram's order: by offset, the longer first. */
export function sortEntities(entities: MessageEntity[]): MessageEntity[] {
  return entities.sort((a, b) => a.offset - b.offset || b.length - a.length);
}

const NO_DETECTION = new Set(["code", "pre", "text_link"]);

/**
 * The entities Telegram finds in plain text by itself: bot commands, @mentions and URLs, outside
 * code, pre and links.
 */
export function detectEntities(text: string, given: MessageEntity[] = []): MessageEntity[] {
  const blocked = given.filter((e) => NO_DETECTION.has(e.type));
  const free = (offset: number, length: number) => !blocked.some((e) => offset < e.offset + e.length && e.offset < offset + length);
  const found: MessageEntity[] = [];
  const patterns: [MessageEntity["type"], RegExp][] = [
    ["bot_command", /(?<![A-Za-z0-9_/@])\/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,32})?(?![A-Za-z0-9_/@])/g],
    ["url", /(?<![A-Za-z0-9_@/.])https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]]/g],
    ["mention", /(?<![A-Za-z0-9_@/])@[A-Za-z0-9_]{5,32}(?![A-Za-z0-9_@])/g],
  ];
  for (const [type, pattern] of patterns) {
    for (const match of text.matchAll(pattern)) {
      const offset = match.index;
      const length = match[0].length;
      if (free(offset, length) && !found.some((e) => offset < e.offset + e.length && e.offset < offset + length)) {
        found.push({ type, offset, length } as MessageEntity);
      }
    }
  }
  return found;
}

/** Length as Telegram counts it: in Unicode code points. */
export const telegramLength = (text: string) => [...text].length;

/** Plain text as Telegram's HTML: the bot's own escaping, one for both. */
export { escapeHtml };

/**
 * Checks text the way Telegram's HTML parse mode does: only known tags, properly nested, only
 * the entities Telegram knows, not empty, and at most 4096 characters once parsed. Returns
 * Telegram's description of the error, or null.
 */
export function checkTelegramHtml(text: string, maxLength: number = MAX_TEXT_LENGTH): string | null {
  const parsed = parseTelegramHtml(text);
  if ("error" in parsed) return parsed.error;
  if (parsed.text.trim().length === 0) return TELEGRAM_ERRORS.textEmpty;
  if (telegramLength(parsed.text) > maxLength) return maxLength === MAX_CAPTION_LENGTH ? TELEGRAM_ERRORS.captionTooLong : TELEGRAM_ERRORS.textTooLong;
  return null;
}

/**
 * A message's text or a caption as Telegram takes it: HTML parsed (parse_mode "HTML"), or plain
 * text with the entities given. Returns the text, its entities and HTML the page may render, or
 * Telegram's description of the error.
 */
export function checkMessageText(
  input: { text: string; parseMode?: string; entities?: MessageEntity[] },
  kind: "text" | "caption",
): (ParsedText & { html: string }) | { error: string } {
  const parseMode = input.parseMode ?? "";
  let parsed: ParsedText;
  let html: string;
  if (parseMode.toLowerCase() === "html") {
    const result = parseTelegramHtml(input.text);
    if ("error" in result) return result;
    parsed = result;
    html = input.text;
  } else if (parseMode === "") {
    parsed = { text: input.text, entities: sortEntities([...(input.entities ?? []), ...detectEntities(input.text, input.entities ?? [])]) };
    html = escapeHtml(input.text);
  } else {
    return { error: "Bad Request: unsupported parse_mode" };
  }
  if (kind === "text" && parsed.text.trim().length === 0) return { error: TELEGRAM_ERRORS.textEmpty };
  const max = kind === "text" ? MAX_TEXT_LENGTH : MAX_CAPTION_LENGTH;
  if (telegramLength(parsed.text) > max) return { error: kind === "text" ? TELEGRAM_ERRORS.textTooLong : TELEGRAM_ERRORS.captionTooLong };
  return { ...parsed, html };
}

const INLINE_ACTIONS = ["callback_data", "url", "login_url", "switch_inline_query", "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "callback_game", "pay", "web_app", "copy_text"];

/**
 * Checks a reply_markup as Telegram does: every inline button has a text and one action, and its
 * callback_data is 1–64 bytes; every reply keyboard button has a text. Returns the description
 * of the error, or null.
 */
export function checkReplyMarkup(markup: unknown): string | null {
  if (markup === undefined || markup === null) return null;
  if (typeof markup !== "object") return "Bad Request: can't parse reply keyboard markup JSON object";
  if ("inline_keyboard" in markup) {
    const rows = (markup).inline_keyboard;
    if (!Array.isArray(rows)) return "Bad Request: can't parse inline keyboard markup: field \"inline_keyboard\" must be an Array";
    for (const row of rows) {
      if (!Array.isArray(row)) return "Bad Request: can't parse inline keyboard markup: field \"inline_keyboard\" must be an Array of Arrays";
      for (const button of row as Record<string, unknown>[]) {
        if (!button || typeof button !== "object" || typeof button.text !== "string" || button.text === "") {
          return "Bad Request: text buttons are unallowed in the inline keyboard";
        }
        if (!INLINE_ACTIONS.some((action) => button[action] !== undefined)) return "Bad Request: text buttons are unallowed in the inline keyboard";
        if (button.callback_data !== undefined) {
          const data = button.callback_data;
          if (typeof data !== "string" || data === "" || Buffer.byteLength(data) > MAX_CALLBACK_DATA_BYTES) return TELEGRAM_ERRORS.buttonDataInvalid;
        }
      }
    }
    return null;
  }
  if ("keyboard" in markup) {
    const rows = (markup).keyboard;
    if (!Array.isArray(rows)) return "Bad Request: can't parse reply keyboard markup: field \"keyboard\" must be an Array";
    for (const row of rows) {
      if (!Array.isArray(row)) return "Bad Request: can't parse reply keyboard markup: field \"keyboard\" must be an Array of Arrays";
      for (const button of row as unknown[]) {
        const text = typeof button === "string" ? button : (button as { text?: unknown } | null)?.text;
        if (typeof text !== "string" || text === "") return "Bad Request: keyboard button text must be non-empty";
      }
    }
  }
  return null;
}

/** A bot command as setMyCommands takes it. */
export function checkBotCommands(commands: unknown): string | null {
  if (!Array.isArray(commands) || commands.length > 100) return TELEGRAM_ERRORS.commandInvalid;
  for (const c of commands as { command?: unknown; description?: unknown }[]) {
    if (typeof c?.command !== "string" || !/^[a-z0-9_]{1,32}$/.test(c.command)) return TELEGRAM_ERRORS.commandInvalid;
    if (typeof c.description !== "string" || c.description.length < 1 || c.description.length > 256) return "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID";
  }
  return null;
}
