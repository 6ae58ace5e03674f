/**
 * The Bot API methods the emulator answers, with Telegram's result shapes and refusals. Each
 * takes the request's parameters (JSON body, form fields or query string, already merged) and
 * the files of a multipart body.
 */
import { randomBytes } from "node:crypto";
import type { BotCommand, BotCommandScope, InlineKeyboardMarkup, MenuButton, MessageEntity, ReplyKeyboardMarkup } from "grammy/types";
import { type EmulatorCore, scopeKey } from "./core.js";
import { BotApiError, type Delivery } from "./delivery.js";
import { imageSize, mimeOf } from "./media.js";
import type { MultipartFile } from "./multipart.js";
import type { RateLimiter } from "./rate-limit.js";
import type { StoredFile } from "./state.js";
import {
  checkBotCommands,
  checkMessageText,
  checkReplyMarkup,
  MAX_CALLBACK_ANSWER_LENGTH,
  MAX_DOWNLOAD_BYTES,
  MAX_UPLOAD_BYTES,
  TELEGRAM_ERRORS,
} from "./telegram-rules.js";
import type { ChatMessage, Person } from "./types.js";

const bad = (description: string) => new BotApiError(400, description.startsWith("Bad Request: ") ? description : `Bad Request: ${description}`);

/** A request's parameters: values from JSON as they are, from forms and query strings as text. */
export class Params {
  constructor(
    readonly raw: Record<string, unknown>,
    readonly files: Map<string, MultipartFile> = new Map(),
  ) {}

  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  string(key: string): string | undefined {
    const value = this.raw[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === "string") return value;
    if (typeof value === "number" || typeof value === "boolean") return String(value);
    throw bad(`field "${key}" must be of type String`);
  }

  int(key: string): number | undefined {
    const value = this.raw[key];
    if (value === undefined || value === null || value === "") return undefined;
    const n = typeof value === "number" ? value : typeof value === "string" && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n)) throw bad(`field "${key}" must be of type Integer`);
    return n;
  }

  bool(key: string): boolean {
    const value = this.raw[key];
    return value === true || value === "true" || value === "1" || value === 1;
  }

  /** A JSON-serialized field (reply_markup, media, commands…), given as an object or as JSON text. */
  json<T>(key: string, description?: string): T | undefined {
    const value = this.raw[key];
    if (value === undefined || value === null || value === "") return undefined;
    if (typeof value !== "string") return value as T;
    try {
      return JSON.parse(value) as T;
    } catch {
      throw bad(description ?? `can't parse ${key} JSON object`);
    }
  }
}

export interface MethodContext {
  core: EmulatorCore;
  delivery: Delivery;
  limiter: RateLimiter | undefined;
  signal: AbortSignal;
}

/** A result that Telegram sends with a description (setWebhook, deleteWebhook). */
export class Described {
  constructor(
    readonly result: unknown,
    readonly description: string,
  ) {}
}

type Method = (p: Params, ctx: MethodContext) => unknown;

function chatOf(ctx: MethodContext, p: Params, key = "chat_id"): Person {
  const raw = p.raw[key];
  if (raw === undefined || raw === null || raw === "") throw bad(`${key} is empty`);
  const id = typeof raw === "number" ? raw : typeof raw === "string" && /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  const person = Number.isSafeInteger(id) ? ctx.core.person(id) : undefined;
  if (!person) throw bad(TELEGRAM_ERRORS.chatNotFound);
  return person;
}

function messageIdOf(p: Params): number {
  if (p.has("inline_message_id")) throw bad("the playground has no inline messages: MESSAGE_ID_INVALID");
  const id = p.int("message_id");
  if (id === undefined) throw bad("message_id is empty");
  return id;
}

function throttle(ctx: MethodContext, chatId: number, count = 1): void {
  const wait = ctx.limiter?.take(chatId, count) ?? 0;
  if (wait > 0) throw new BotApiError(429, `Too Many Requests: retry after ${wait}`, { retry_after: wait });
}

interface Markup {
  reply_markup?: InlineKeyboardMarkup;
  reply_keyboard?: ReplyKeyboardMarkup;
  remove_keyboard?: boolean;
}

function markupOf(p: Params): Markup {
  const markup = p.json<Record<string, unknown>>("reply_markup", "can't parse reply keyboard markup JSON object");
  const problem = checkReplyMarkup(markup);
  if (problem) throw bad(problem);
  if (!markup) return {};
  if ("inline_keyboard" in markup) return (markup.inline_keyboard as unknown[]).length > 0 ? { reply_markup: markup as unknown as InlineKeyboardMarkup } : {};
  if ("keyboard" in markup) return { reply_keyboard: markup as unknown as ReplyKeyboardMarkup };
  if (markup.remove_keyboard) return { remove_keyboard: true };
  return {};
}

/** Only an inline keyboard can be put on an edited message. */
function inlineMarkupOf(p: Params): InlineKeyboardMarkup | undefined {
  const markup = markupOf(p);
  if (markup.reply_keyboard || markup.remove_keyboard) throw bad("inline keyboard expected");
  return markup.reply_markup;
}

function textOf(p: Params, kind: "text" | "caption", keys = { text: kind, entities: kind === "text" ? "entities" : "caption_entities" }) {
  const text = p.string(keys.text) ?? "";
  if (kind === "caption" && text === "") return { text: "", entities: [] as MessageEntity[], html: "" };
  const checked = checkMessageText(
    { text, parseMode: p.string("parse_mode"), entities: p.json<MessageEntity[]>(keys.entities, `can't parse ${keys.entities} JSON object`) },
    kind,
  );
  if ("error" in checked) throw bad(checked.error);
  return checked;
}

function textFields(checked: { text: string; entities: MessageEntity[]; html: string }): Pick<ChatMessage, "text" | "html" | "entities"> {
  if (checked.text === "") return {};
  return { text: checked.text, html: checked.html, ...(checked.entities.length > 0 ? { entities: checked.entities } : {}) };
}

/** A file the bot sends: an upload (attach://name, or a part named after the field), or a file_id it was given. */
function inputFile(ctx: MethodContext, p: Params, value: unknown, field: string, kind: "photo" | "document"): StoredFile {
  let upload: MultipartFile | undefined;
  if (typeof value === "string" && value.startsWith("attach://")) {
    upload = p.files.get(value.slice("attach://".length));
    if (!upload) throw bad(`file must be non-empty`);
  } else if (value === undefined && p.files.has(field)) {
    upload = p.files.get(field);
  }
  if (upload) {
    if (upload.bytes.length === 0) throw bad("file must be non-empty");
    if (upload.bytes.length > MAX_UPLOAD_BYTES) throw new BotApiError(413, "Request Entity Too Large");
    if (kind === "photo") {
      const size = imageSize(upload.bytes);
      if (!size) throw bad("IMAGE_PROCESS_FAILED");
      return ctx.core.storeFile(upload.bytes, { kind, name: upload.filename, mime: mimeOf(upload.filename, upload.contentType), ...size });
    }
    return ctx.core.storeFile(upload.bytes, { kind, name: upload.filename, mime: mimeOf(upload.filename, upload.contentType) });
  }
  if (typeof value !== "string" || value === "") throw bad(`there is no ${field} in the request`);
  const stored = ctx.core.state.files[value];
  if (stored) return stored;
  if (/^https?:\/\//i.test(value)) throw bad("failed to get HTTP URL content");
  throw bad(TELEGRAM_ERRORS.wrongFileId);
}

function mediaFields(file: StoredFile, kind: "photo" | "document"): Pick<ChatMessage, "photo" | "document"> {
  if (kind === "photo") return { photo: { file_id: file.file_id, width: file.width ?? 0, height: file.height ?? 0, file_size: file.file_size } };
  return { document: { file_id: file.file_id, file_name: file.file_name, mime_type: file.mime_type, file_size: file.file_size } };
}

function botMessage(ctx: MethodContext, person: Person, fields: Partial<ChatMessage>): ChatMessage {
  return ctx.core.addMessage({
    message_id: ctx.core.nextMessageId(person.id),
    chat_id: person.id,
    from: "bot",
    date: ctx.core.unixNow(),
    ...fields,
  });
}

/** The bot's own message in this chat, to edit. */
function editable(ctx: MethodContext, person: Person, messageId: number): ChatMessage {
  const message = ctx.core.findMessage(person.id, messageId);
  if (!message) throw bad(TELEGRAM_ERRORS.editNotFound);
  if (message.from !== "bot") throw bad(TELEGRAM_ERRORS.cantEdit);
  return message;
}

const shown = (m: Pick<ChatMessage, "text" | "entities" | "reply_markup">) => JSON.stringify([m.text ?? "", m.entities ?? [], m.reply_markup ?? null]);

/** editMessageText and editMessageCaption: a text message's text, or a photo's or document's caption. */
function editTextOrCaption(p: Params, ctx: MethodContext, field: "text" | "caption") {
  const person = chatOf(ctx, p);
  const message = editable(ctx, person, messageIdOf(p));
  const hasMedia = Boolean(message.photo || message.document);
  if (field === "text" && hasMedia) throw bad(TELEGRAM_ERRORS.noTextToEdit);
  if (field === "caption" && !hasMedia) throw bad(TELEGRAM_ERRORS.noCaptionToEdit);
  const markup = inlineMarkupOf(p);
  return applyEdit(ctx, person, message, { ...textFields(textOf(p, field)), ...(markup ? { reply_markup: markup } : {}) });
}

function applyEdit(ctx: MethodContext, person: Person, message: ChatMessage, next: Pick<ChatMessage, "text" | "html" | "entities" | "reply_markup">) {
  if (shown(next) === shown(message)) throw bad(TELEGRAM_ERRORS.notModified);
  throttle(ctx, person.id);
  delete message.text;
  delete message.html;
  delete message.entities;
  delete message.reply_markup;
  Object.assign(message, next, { edit_date: ctx.core.unixNow() });
  ctx.core.changed();
  ctx.core.emit(person.id, { type: "edit", message: structuredClone(message) });
  return ctx.core.toTelegramMessage(message);
}

const CHAT_ACTIONS = new Set([
  "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice", "upload_document",
  "choose_sticker", "find_location", "record_video_note", "upload_video_note",
]);

const SCOPE_TYPES = new Set(["default", "all_private_chats", "all_group_chats", "all_chat_administrators", "chat", "chat_administrators", "chat_member"]);

function scopeOf(p: Params): BotCommandScope {
  const scope = p.json<BotCommandScope>("scope", "can't parse BotCommandScope JSON object") ?? { type: "default" };
  if (!scope || typeof scope !== "object" || !SCOPE_TYPES.has(scope.type)) throw bad("unsupported bot command scope type");
  if ("chat_id" in scope && (scope.chat_id === undefined || scope.chat_id === "")) throw bad("chat_id is empty");
  if ("chat_id" in scope && typeof scope.chat_id === "string" && /^-?\d+$/.test(scope.chat_id)) return { ...scope, chat_id: Number(scope.chat_id) };
  return scope;
}

function languageOf(p: Params): string {
  const language = p.string("language_code") ?? "";
  if (language !== "" && !/^[a-z]{2}$/.test(language)) throw bad("invalid language code specified");
  return language;
}

function allowedUpdatesOf(p: Params): string[] | undefined {
  const allowed = p.json<unknown>("allowed_updates", "can't parse allowed updates JSON object");
  if (allowed === undefined) return undefined;
  if (!Array.isArray(allowed) || allowed.some((a) => typeof a !== "string")) throw bad("can't parse allowed updates JSON object");
  return allowed as string[];
}

export const METHODS: Record<string, Method> = {
  getMe: (_p, { core }) => ({
    ...core.botUser(),
    can_join_groups: true,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
    can_connect_to_business: false,
    has_main_web_app: false,
  }),

  logOut: () => true,
  close: () => true,

  getUpdates: (p, ctx) =>
    ctx.delivery.getUpdates(
      { offset: p.int("offset"), limit: p.int("limit"), timeout: p.int("timeout"), allowed_updates: allowedUpdatesOf(p) },
      ctx.signal,
    ),

  setWebhook: (p, ctx) => {
    const url = p.string("url") ?? "";
    if (url !== "" && !/^https?:\/\/[^\s/]+/i.test(url)) throw bad("bad webhook: An HTTPS URL must be provided for webhook");
    const secret = p.string("secret_token");
    if (secret !== undefined && secret !== "" && !/^[A-Za-z0-9_-]{1,256}$/.test(secret)) throw bad("secret token contains unallowed characters");
    const hadWebhook = ctx.core.state.webhook !== null;
    ctx.delivery.setWebhook({
      url,
      secret_token: secret || undefined,
      allowed_updates: allowedUpdatesOf(p),
      drop_pending_updates: p.bool("drop_pending_updates"),
      max_connections: p.int("max_connections"),
    });
    if (url === "") return new Described(true, hadWebhook ? "Webhook was deleted" : "Webhook is already deleted");
    return new Described(true, "Webhook was set");
  },

  deleteWebhook: (p, ctx) => {
    const had = ctx.delivery.deleteWebhook(p.bool("drop_pending_updates"));
    return new Described(true, had ? "Webhook was deleted" : "Webhook is already deleted");
  },

  getWebhookInfo: (_p, ctx) => ctx.delivery.webhookInfo(),

  sendMessage: (p, ctx) => {
    const person = chatOf(ctx, p);
    const checked = textOf(p, "text");
    const markup = markupOf(p);
    throttle(ctx, person.id);
    return ctx.core.toTelegramMessage(botMessage(ctx, person, { ...textFields(checked), ...markup }));
  },

  sendPhoto: (p, ctx) => sendFile(p, ctx, "photo"),
  sendDocument: (p, ctx) => sendFile(p, ctx, "document"),

  sendMediaGroup: (p, ctx) => {
    const person = chatOf(ctx, p);
    const media = p.json<Record<string, unknown>[]>("media", "can't parse media JSON object");
    if (!Array.isArray(media) || media.length < 2 || media.length > 10) throw bad("wrong number of media in the media group: 2-10 expected");
    const types = media.map((item) => item?.type);
    if (types.some((t) => t !== "photo" && t !== "document")) throw bad("the playground takes albums of photos and documents only");
    if (types.includes("document") && types.some((t) => t !== "document")) throw bad("document can't be mixed with other media types");
    const items = media.map((item) => {
      const kind = item.type as "photo" | "document";
      const itemParams = new Params({ caption: item.caption, parse_mode: item.parse_mode, caption_entities: item.caption_entities }, p.files);
      return { kind, item, caption: textOf(itemParams, "caption") };
    });
    throttle(ctx, person.id, items.length);
    const groupId = BigInt(`0x${randomBytes(7).toString("hex")}`).toString();
    const messages = items.map(({ kind, item, caption }) => {
      const file = inputFile(ctx, p, item.media, kind, kind);
      return botMessage(ctx, person, { ...mediaFields(file, kind), ...textFields(caption), media_group_id: groupId });
    });
    return messages.map((m) => ctx.core.toTelegramMessage(m));
  },

  sendChatAction: (p, ctx) => {
    const person = chatOf(ctx, p);
    const action = p.string("action") ?? "";
    if (!CHAT_ACTIONS.has(action)) throw bad("wrong parameter action in request");
    ctx.core.emit(person.id, { type: "chat_action", action });
    return true;
  },

  editMessageText: (p, ctx) => editTextOrCaption(p, ctx, "text"),

  editMessageCaption: (p, ctx) => editTextOrCaption(p, ctx, "caption"),

  editMessageReplyMarkup: (p, ctx) => {
    const person = chatOf(ctx, p);
    const message = editable(ctx, person, messageIdOf(p));
    const markup = inlineMarkupOf(p);
    const { text, html, entities } = message;
    return applyEdit(ctx, person, message, {
      ...(text !== undefined ? { text } : {}),
      ...(html !== undefined ? { html } : {}),
      ...(entities ? { entities } : {}),
      ...(markup ? { reply_markup: markup } : {}),
    });
  },

  deleteMessage: (p, ctx) => {
    const person = chatOf(ctx, p);
    const messageId = p.int("message_id");
    if (messageId === undefined) throw bad("message_id is empty");
    if (!ctx.core.removeMessage(person.id, messageId)) throw bad(TELEGRAM_ERRORS.deleteNotFound);
    return true;
  },

  answerCallbackQuery: (p, ctx) => {
    const id = p.string("callback_query_id") ?? "";
    const queries = ctx.core.state.callback_queries;
    const index = queries.findIndex((q) => q.id === id);
    if (index < 0) throw bad(TELEGRAM_ERRORS.queryInvalid);
    const text = p.string("text") ?? "";
    if ([...text].length > MAX_CALLBACK_ANSWER_LENGTH) throw bad(TELEGRAM_ERRORS.answerTooLong);
    const [query] = queries.splice(index, 1);
    ctx.core.changed();
    if (text !== "") ctx.core.emit(query!.chat_id, { type: "callback_answer", text, show_alert: p.bool("show_alert") });
    return true;
  },

  setMyCommands: (p, ctx) => {
    const commands = p.json<BotCommand[]>("commands", "can't parse commands JSON object") ?? [];
    const problem = checkBotCommands(commands);
    if (problem) throw bad(problem);
    const scope = scopeOf(p);
    const language = languageOf(p);
    ctx.core.changeCommands(() => {
      const sets = ctx.core.state.commands;
      const index = sets.findIndex((s) => scopeKey(s.scope) === scopeKey(scope) && s.language_code === language);
      if (index >= 0) sets.splice(index, 1);
      if (commands.length > 0) sets.push({ scope, language_code: language, commands: commands.map((c) => ({ command: c.command, description: c.description })) });
    });
    return true;
  },

  getMyCommands: (p, ctx) => {
    const scope = scopeOf(p);
    const language = languageOf(p);
    return ctx.core.state.commands.find((s) => scopeKey(s.scope) === scopeKey(scope) && s.language_code === language)?.commands ?? [];
  },

  deleteMyCommands: (p, ctx) => {
    const scope = scopeOf(p);
    const language = languageOf(p);
    ctx.core.changeCommands(() => {
      const sets = ctx.core.state.commands;
      const index = sets.findIndex((s) => scopeKey(s.scope) === scopeKey(scope) && s.language_code === language);
      if (index >= 0) sets.splice(index, 1);
    });
    return true;
  },

  setChatMenuButton: (p, ctx) => {
    const key = p.has("chat_id") ? String(chatOf(ctx, p).id) : "default";
    const button = p.json<MenuButton>("menu_button", "can't parse menu button JSON object") ?? { type: "default" };
    if (!["commands", "web_app", "default"].includes(button.type)) throw bad("unsupported menu button type");
    if (button.type === "default") delete ctx.core.state.menu_buttons[key];
    else ctx.core.state.menu_buttons[key] = button;
    ctx.core.changed();
    return true;
  },

  getChatMenuButton: (p, ctx) => {
    const buttons = ctx.core.state.menu_buttons;
    const own = p.has("chat_id") ? buttons[String(chatOf(ctx, p).id)] : undefined;
    return own ?? buttons.default ?? { type: "commands" };
  },

  getFile: (p, ctx) => {
    const fileId = p.string("file_id") ?? "";
    const file = ctx.core.state.files[fileId];
    if (!file) throw bad(TELEGRAM_ERRORS.invalidFileId);
    if (file.file_size > MAX_DOWNLOAD_BYTES) throw bad(TELEGRAM_ERRORS.fileTooBig);
    return { file_id: file.file_id, file_unique_id: file.file_unique_id, file_size: file.file_size, file_path: file.file_path };
  },
};

function sendFile(p: Params, ctx: MethodContext, kind: "photo" | "document") {
  const person = chatOf(ctx, p);
  const caption = textOf(p, "caption");
  const markup = markupOf(p);
  throttle(ctx, person.id);
  const file = inputFile(ctx, p, p.raw[kind], kind, kind);
  return ctx.core.toTelegramMessage(botMessage(ctx, person, { ...mediaFields(file, kind), ...textFields(caption), ...markup }));
}

/** The methods by lower-case name: Telegram takes method names in any case. */
export const METHODS_BY_NAME = new Map(Object.entries(METHODS).map(([name, method]) => [name.toLowerCase(), method]));
