import { Api } from "grammy";
import { labelLength, MAX_BUTTON_LABEL } from "../../src/core/telegram/button-label.js";
import type { Chat, Message, UserFromGetMe } from "grammy/types";
import { installApiPlugins } from "../../src/core/telegram/api-plugins.js";
import { BOT_USER } from "./updates.js";
import { checkReplyMarkup, checkTelegramHtml } from "../../src/playground/emulator/telegram-rules.js";

export const TEST_TOKEN = "123456789:AAEtestTOKENtestTOKENtestTOKENtest12";

export const BOT_INFO: UserFromGetMe = {
  ...BOT_USER,
  is_bot: true,
  username: BOT_USER.username!,
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
  has_topics_enabled: false,
  allows_users_to_create_topics: false,
  can_manage_bots: false,
  supports_join_request_queries: false,
};

export interface ApiCall {
  method: string;
  payload: Record<string, unknown>;
  /** The error description when the fake refused the call like Telegram would. */
  error?: string;
}

interface Failure {
  error_code: number;
  description: string;
  parameters?: { retry_after?: number };
}

/**
 * Telegram's rules (the HTML parse mode, lengths, keyboards) live with the playground's Bot API
 * emulator: one source for both. Re-exported under the names the suite has always used.
 */
export { checkTelegramHtml } from "../../src/playground/emulator/telegram-rules.js";

/** Telegram's phones show about this many characters of a button; longer labels are cut off (the bot's own limit). */
export const MAX_BUTTON_TEXT = MAX_BUTTON_LABEL;

export interface ButtonViolation {
  method: string;
  text: string;
  length: number;
}

/**
 * Every button label longer than MAX_BUTTON_TEXT that any fake Bot API of this test file was
 * sent, counted in code points ([...text].length, so an emoji counts as Telegram draws it).
 * test/setup/button-length.ts fails the test that leaves one here.
 */
export const buttonViolations: ButtonViolation[] = [];

function recordLongButtons(method: string, markup: unknown): void {
  if (!markup || typeof markup !== "object") return;
  const rows = [
    ...((markup as { inline_keyboard?: unknown[][] }).inline_keyboard ?? []),
    ...((markup as { keyboard?: unknown[][] }).keyboard ?? []),
  ];
  for (const row of rows) {
    for (const button of Array.isArray(row) ? row : []) {
      const label = typeof button === "string" ? button : (button as { text?: unknown }).text;
      const text = typeof label === "string" ? label : "";
      const length = labelLength(text);
      if (length > MAX_BUTTON_TEXT) buttonViolations.push({ method, text, length });
    }
  }
}

/** A file uploaded with multipart form data, as the fake recorded it in the call's payload. */
export interface UploadedFile {
  uploaded: true;
  filename: string;
  /** The file's bytes read as UTF-8 (the bot uploads text files such as .ics). */
  content: string;
}

export function isUploadedFile(value: unknown): value is UploadedFile {
  return typeof value === "object" && value !== null && (value as UploadedFile).uploaded === true;
}

function contentTypeOf(headers: unknown): string {
  if (headers instanceof Headers) return headers.get("content-type") ?? "";
  const entry = Object.entries((headers ?? {}) as Record<string, string>).find(([k]) => k.toLowerCase() === "content-type");
  return entry?.[1] ?? "";
}

/** A form field as JSON would have carried it: numbers, booleans and objects parsed, text kept. */
function parseField(value: string): unknown {
  if (!/^(\{|\[|-?\d+$|true$|false$)/.test(value)) return value;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}

/**
 * Reads grammY's multipart/form-data body into a payload like a JSON one: JSON-looking fields
 * parsed, and each `attach://` reference replaced by the uploaded file it names.
 */
async function readMultipart(body: AsyncIterable<Uint8Array>, contentType: string): Promise<Record<string, unknown>> {
  const boundary = /boundary=(.+)$/.exec(contentType)?.[1];
  if (!boundary) throw new Error(`multipart body without a boundary: ${contentType}`);
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk));
  const raw = Buffer.concat(chunks).toString("latin1");
  const fields: Record<string, unknown> = {};
  const files = new Map<string, UploadedFile>();
  for (const part of raw.split(`--${boundary}`)) {
    const trimmed = part.replace(/^\r\n/, "").replace(/\r\n$/, "");
    if (trimmed === "" || trimmed === "--") continue;
    const split = trimmed.indexOf("\r\n\r\n");
    const head = trimmed.slice(0, split);
    const value = Buffer.from(trimmed.slice(split + 4), "latin1").toString("utf8");
    const name = /name="([^"]+)"/.exec(head)?.[1] ?? "";
    const filename = /filename=([^\r\n;]+)/.exec(head)?.[1];
    if (filename !== undefined) files.set(name, { uploaded: true, filename, content: value });
    else fields[name] = parseField(value);
  }
  const attachedFile = (value: unknown) =>
    typeof value === "string" && value.startsWith("attach://") ? files.get(value.slice("attach://".length)) : undefined;
  for (const [key, value] of Object.entries(fields)) {
    const attached = attachedFile(value);
    if (attached) fields[key] = attached;
    // sendMediaGroup: `media` is a JSON array whose items name their files with attach://.
    else if (Array.isArray(value)) {
      fields[key] = value.map((item: unknown) => {
        const file = item !== null && typeof item === "object" ? attachedFile((item as { media?: unknown }).media) : undefined;
        return file ? { ...(item as object), media: file } : item;
      });
    }
  }
  return fields;
}

/**
 * A Bot API at the fetch level: records every call, answers with realistic results, refuses
 * what Telegram would refuse, and can be told to fail the next call of a method.
 */
export class FakeTelegram {
  readonly calls: ApiCall[] = [];
  private nextMessageId = 10_000;
  private readonly failures = new Map<string, Failure[]>();
  private readonly shown = new Map<string, string>();
  /** Chats whose user blocked the bot: every message to them is refused with 403. */
  private readonly blockedChats = new Set<number>();
  private readonly answeredQueries = new Set<string>();
  /** Files users sent, by file_id: getFile describes them, /file/bot<token>/<path> serves them. */
  private readonly files = new Map<string, { path: string; content: Buffer }>();
  /** File paths the bot downloaded, in order. */
  readonly downloads: string[] = [];

  readonly fetch = async (input: unknown, init?: { body?: unknown; headers?: unknown }): Promise<Response> => {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : (input as Request).url;
    const download = /\/file\/bot([^/]+)\/(.+)$/.exec(url);
    if (download) return this.serveFile(download[1]!, download[2]!);
    const method = url.slice(url.lastIndexOf("/") + 1);
    const body = init?.body;
    // grammY sends JSON, or multipart form data (a stream) when the call uploads an InputFile.
    const payload =
      body !== null && typeof body === "object" && Symbol.asyncIterator in body
        ? await readMultipart(body as AsyncIterable<Uint8Array>, contentTypeOf(init?.headers))
        : ((typeof body === "string" && body.length > 0 ? JSON.parse(body) : {}) as Record<string, unknown>);
    return this.respond(method, payload);
  };

  failNext(method: string, failure: Failure): void {
    this.failures.set(method, [...(this.failures.get(method) ?? []), failure]);
  }

  /** From now on, messages to this chat fail as if its user had blocked the bot. */
  block(chatId: number): void {
    this.blockedChats.add(chatId);
  }

  /**
   * A file a user sends: returns the document to put in a message (file_id, name, size).
   * `reportedSize` overrides the size Telegram reports, to fake a file too big to download.
   */
  addFile(content: Buffer, fileName: string, reportedSize?: number): { file_id: string; file_unique_id: string; file_name: string; file_size: number } {
    const n = this.files.size + 1;
    const fileId = `BQACAgIAAxfile${n}`;
    this.files.set(fileId, { path: `documents/file_${n}${/\.[a-z0-9]+$/i.exec(fileName)?.[0] ?? ""}`, content });
    return { file_id: fileId, file_unique_id: `u-${fileId}`, file_name: fileName, file_size: reportedSize ?? content.length };
  }

  private serveFile(token: string, path: string): Response {
    this.downloads.push(path);
    const file = token === TEST_TOKEN ? [...this.files.values()].find((f) => f.path === path) : undefined;
    if (!file) return new Response("Not Found", { status: 404 });
    return new Response(new Uint8Array(file.content), { status: 200, headers: { "content-length": String(file.content.length) } });
  }

  reset(): void {
    this.answeredQueries.clear();
    this.files.clear();
    this.downloads.length = 0;
    this.calls.length = 0;
    this.failures.clear();
    this.shown.clear();
    this.blockedChats.clear();
  }

  /** Successful calls of a method (refused ones are kept in `calls` with an error). */
  sent(method: string): Record<string, unknown>[] {
    return this.calls.filter((call) => call.method === method && !call.error).map((call) => call.payload);
  }

  /** Texts the bot showed in a chat, new messages and edits alike, in order. */
  textsTo(chatId: number): string[] {
    return this.calls
      .filter(
        (call) =>
          !call.error && (call.method === "sendMessage" || call.method === "editMessageText") && call.payload.chat_id === chatId,
      )
      .map((call) => String(call.payload.text));
  }

  lastTextTo(chatId: number): string {
    const texts = this.textsTo(chatId);
    if (texts.length === 0) throw new Error(`nothing was sent to ${chatId}; calls: ${JSON.stringify(this.calls.map((c) => c.method))}`);
    return texts.at(-1)!;
  }

  /** The last message the bot sent or edited in a chat, as a press() target. */
  lastMessageTo(chatId: number): { message_id: number; chat: Chat; text: string; buttons: { text: string; data: string }[] } {
    const call = this.calls.findLast(
      (c) => !c.error && (c.method === "sendMessage" || c.method === "editMessageText") && c.payload.chat_id === chatId,
    );
    if (!call) throw new Error(`nothing was sent to ${chatId}`);
    const messageId = Number(call.payload.message_id ?? (call as ApiCall & { resultId?: number }).resultId);
    // A later editMessageReplyMarkup of the same message changes only its buttons.
    const markupEdit = this.calls.findLast(
      (c) => !c.error && c.method === "editMessageReplyMarkup" && c.payload.chat_id === chatId && Number(c.payload.message_id) === messageId,
    );
    const latest = markupEdit && this.calls.indexOf(markupEdit) > this.calls.indexOf(call) ? markupEdit : call;
    const markup = latest.payload.reply_markup as { inline_keyboard?: { text: string; callback_data?: string }[][] } | undefined;
    return {
      message_id: messageId,
      chat: { id: chatId, type: "private", first_name: "x" },
      text: String(call.payload.text),
      buttons: (markup?.inline_keyboard ?? []).flat().map((b) => ({ text: b.text, data: b.callback_data ?? "" })),
    };
  }

  private respond(method: string, payload: Record<string, unknown>): Response {
    const call: ApiCall & { resultId?: number } = { method, payload };
    this.calls.push(call);
    recordLongButtons(method, payload.reply_markup);
    const queued = this.failures.get(method);
    const blocked = method.startsWith("send") && this.blockedChats.has(Number(payload.chat_id));
    const failure = blocked ? { error_code: 403, description: "Forbidden: bot was blocked by the user" } : queued?.shift();
    if (failure) {
      call.error = failure.description;
      return Response.json({ ok: false, ...failure }, { status: failure.error_code });
    }
    const result = this.result(method, payload, call);
    if (typeof result === "string") {
      call.error = result;
      return Response.json({ ok: false, error_code: 400, description: result }, { status: 400 });
    }
    return Response.json({ ok: true, result });
  }

  private result(method: string, payload: Record<string, unknown>, call: { resultId?: number }): unknown {
    switch (method) {
      case "getMe":
        return BOT_INFO;
      case "sendMessage":
      case "editMessageText": {
        const text = typeof payload.text === "string" ? payload.text : "";
        const problem =
          (payload.parse_mode === "HTML"
            ? checkTelegramHtml(text)
            : text.trim() === ""
              ? "Bad Request: message text is empty"
              : text.length > 4096
                ? "Bad Request: message is too long"
                : null) ?? checkReplyMarkup(payload.reply_markup);
        if (problem) return problem;
        const chatId = Number(payload.chat_id);
        const messageId = method === "sendMessage" ? this.nextMessageId++ : Number(payload.message_id);
        const key = `${chatId}:${messageId}`;
        const shown = JSON.stringify([text, payload.reply_markup ?? null]);
        if (method === "editMessageText" && this.shown.get(key) === shown) {
          return "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message";
        }
        this.shown.set(key, shown);
        call.resultId = messageId;
        return {
          message_id: messageId,
          date: Math.floor(Date.now() / 1000),
          chat: chatId > 0 ? { id: chatId, type: "private", first_name: "User" } : { id: chatId, type: "group", title: "Group" },
          from: BOT_USER,
          text,
        } satisfies Message.TextMessage;
      }
      case "sendDocument":
      case "sendPhoto": {
        // Files come by file_id or as uploads (InputFile); captions follow the text rules, within 1024 characters.
        const given = payload.document ?? payload.photo;
        const fileId = isUploadedFile(given) ? `uploaded-${this.nextMessageId}` : given;
        if (typeof fileId !== "string") return "Bad Request: the fake takes files by file_id or as uploads";
        const caption = typeof payload.caption === "string" ? payload.caption : "";
        const problem = caption && payload.parse_mode === "HTML" ? checkTelegramHtml(caption) : null;
        if (problem) return problem;
        if (caption.length > 1024) return "Bad Request: message caption is too long";
        const file =
          method === "sendDocument"
            ? { document: { file_id: fileId, file_unique_id: `u-${fileId}` } }
            : { photo: [{ file_id: fileId, file_unique_id: `u-${fileId}`, width: 800, height: 600 }] };
        return {
          message_id: this.nextMessageId++,
          date: Math.floor(Date.now() / 1000),
          chat: { id: Number(payload.chat_id), type: "private", first_name: "User" },
          from: BOT_USER,
          ...(caption ? { caption } : {}),
          ...file,
        } satisfies Message;
      }
      case "sendMediaGroup": {
        // An album: 2–10 photos (by file_id or uploaded), each with its own caption within 1024 characters.
        const media = payload.media;
        if (!Array.isArray(media) || media.length < 2 || media.length > 10) return "Bad Request: wrong number of media in the album, 2-10 expected";
        const messages: Message[] = [];
        for (const item of media as { type?: unknown; media?: unknown; caption?: unknown; parse_mode?: unknown }[]) {
          if (item.type !== "photo") return "Bad Request: the fake takes albums of photos only";
          const fileId = isUploadedFile(item.media) ? `uploaded-${this.nextMessageId}` : item.media;
          if (typeof fileId !== "string") return "Bad Request: the fake takes files by file_id or as uploads";
          const caption = typeof item.caption === "string" ? item.caption : "";
          const problem = caption && item.parse_mode === "HTML" ? checkTelegramHtml(caption) : null;
          if (problem) return problem;
          if (caption.length > 1024) return "Bad Request: message caption is too long";
          messages.push({
            message_id: this.nextMessageId++,
            date: Math.floor(Date.now() / 1000),
            chat: { id: Number(payload.chat_id), type: "private", first_name: "User" },
            from: BOT_USER,
            media_group_id: "album",
            ...(caption ? { caption } : {}),
            photo: [{ file_id: fileId, file_unique_id: `u-${fileId}`, width: 800, height: 600 }],
          } satisfies Message);
        }
        return messages;
      }
      case "answerCallbackQuery": {
        const text = payload.text;
        if (typeof text === "string" && text.length > 200) return "Bad Request: MESSAGE_TOO_LONG";
        // As Telegram: a button press is answered once; a second answer is refused.
        const id = String(payload.callback_query_id);
        if (this.answeredQueries.has(id)) return "Bad Request: query is too old and response timeout expired or query ID is invalid";
        this.answeredQueries.add(id);
        return true;
      }
      case "setMyCommands": {
        const commands = payload.commands as { command: string; description: string }[];
        for (const c of commands) {
          if (!/^[a-z0-9_]{1,32}$/.test(c.command) || c.description.length < 1 || c.description.length > 256) {
            return "Bad Request: BOT_COMMAND_INVALID";
          }
        }
        return true;
      }
      case "getFile": {
        const fileId = String(payload.file_id);
        const file = this.files.get(fileId);
        if (!file) return "Bad Request: invalid file_id";
        // Telegram refuses bots files over 20 MB.
        if (file.content.length > 20 * 1024 * 1024) return "Bad Request: file is too big";
        return { file_id: fileId, file_unique_id: `u-${fileId}`, file_size: file.content.length, file_path: file.path };
      }
      case "deleteMyCommands":
      case "deleteWebhook":
      case "setWebhook":
      case "deleteMessage":
      case "editMessageReplyMarkup":
        return true;
      default:
        return `Not Found: method ${method} is not known to the fake`;
    }
  }
}

/** The bot's Api (with its plugins) over a fake Bot API: for jobs that send without a bot. */
export function fakeApi(telegram: FakeTelegram): Api {
  const api = new Api(TEST_TOKEN, { fetch: telegram.fetch as never });
  installApiPlugins(api);
  return api;
}
