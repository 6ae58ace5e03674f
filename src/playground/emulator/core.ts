/**
 * The emulator's world: people and their chats, messages as Telegram shows them, stored files,
 * command menus, the queue of updates and the listeners of each chat. The Bot API methods
 * (methods.ts), the delivery of updates (delivery.ts) and the people's side (emulator.ts) work on it.
 */
import { createHash, randomBytes } from "node:crypto";
import type { BotCommand, BotCommandScope, Chat, Message, Update, User } from "grammy/types";
import { type EmulatorState, type StateLogger, StateWriter, type StoredFile, readFileBytes, saveFileBytes } from "./state.js";
import { extensionOf } from "./media.js";
import type { ChatEvent, ChatMessage, Person } from "./types.js";

/** Messages kept per chat; the oldest go first. */
export const HISTORY_LIMIT = 2_000;
/** Unconfirmed updates kept; Telegram keeps them for a day. */
export const PENDING_LIMIT = 10_000;
const CALLBACK_QUERIES_LIMIT = 1_000;

/** Telegram's default: every update type but these. */
const NOT_BY_DEFAULT = new Set(["chat_member", "message_reaction", "message_reaction_count"]);

export const updateType = (update: Update): string => Object.keys(update).find((key) => key !== "update_id") ?? "";

export class EmulatorCore {
  private readonly listeners = new Map<number, Set<(event: ChatEvent) => void>>();
  /** Called when an update is queued (delivery wakes up). */
  onUpdate: () => void = () => undefined;
  readonly writer: StateWriter;

  constructor(
    readonly state: EmulatorState,
    readonly stateDir: string,
    readonly now: () => Date,
    readonly botInfo: { id: number; username: string; first_name: string },
    readonly logger: StateLogger | undefined,
    writeDelayMs: number,
  ) {
    this.writer = new StateWriter(stateDir, () => this.state, writeDelayMs, logger);
  }

  changed(): void {
    this.writer.changed();
  }

  unixNow(): number {
    return Math.floor(this.now().getTime() / 1000);
  }

  // --- people and chats

  person(id: number): Person | undefined {
    return this.state.people.find((p) => p.id === id);
  }

  botUser(): User {
    return { id: this.botInfo.id, is_bot: true, first_name: this.botInfo.first_name, username: this.botInfo.username };
  }

  userOf(person: Person): User {
    return {
      id: person.id,
      is_bot: false,
      first_name: person.first_name,
      ...(person.last_name ? { last_name: person.last_name } : {}),
      ...(person.username ? { username: person.username } : {}),
      language_code: person.language_code,
    };
  }

  chatOf(person: Person): Chat.PrivateChat {
    return {
      id: person.id,
      type: "private",
      first_name: person.first_name,
      ...(person.last_name ? { last_name: person.last_name } : {}),
      ...(person.username ? { username: person.username } : {}),
    };
  }

  chatInstance(chatId: number): string {
    const digest = createHash("sha256").update(`${this.botInfo.id}:${chatId}`).digest();
    return digest.readBigInt64BE(0).toString();
  }

  messages(chatId: number): ChatMessage[] {
    return (this.state.chats[String(chatId)] ??= []);
  }

  findMessage(chatId: number, messageId: number): ChatMessage | undefined {
    return this.state.chats[String(chatId)]?.find((m) => m.message_id === messageId);
  }

  nextMessageId(chatId: number): number {
    const key = String(chatId);
    const id = (this.state.last_message_id[key] ?? 0) + 1;
    this.state.last_message_id[key] = id;
    return id;
  }

  addMessage(message: ChatMessage): ChatMessage {
    const list = this.messages(message.chat_id);
    list.push(message);
    if (list.length > HISTORY_LIMIT) list.splice(0, list.length - HISTORY_LIMIT);
    this.changed();
    this.emit(message.chat_id, { type: "message", message: structuredClone(message) });
    return message;
  }

  removeMessage(chatId: number, messageId: number): boolean {
    const list = this.state.chats[String(chatId)];
    const index = list?.findIndex((m) => m.message_id === messageId) ?? -1;
    if (!list || index < 0) return false;
    list.splice(index, 1);
    this.changed();
    this.emit(chatId, { type: "delete", message_id: messageId });
    return true;
  }

  /** A chat message as the Bot API's Message. */
  toTelegramMessage(message: ChatMessage): Message {
    const person = this.person(message.chat_id);
    const chat: Chat.PrivateChat = person ? this.chatOf(person) : { id: message.chat_id, type: "private", first_name: "" };
    const from = message.from === "bot" ? this.botUser() : person ? this.userOf(person) : { id: message.chat_id, is_bot: false, first_name: "" };
    const result: Record<string, unknown> = { message_id: message.message_id, from, chat, date: message.date };
    if (message.edit_date !== undefined) result.edit_date = message.edit_date;
    if (message.media_group_id) result.media_group_id = message.media_group_id;
    if (message.photo) {
      const file = this.state.files[message.photo.file_id];
      result.photo = [
        {
          file_id: message.photo.file_id,
          file_unique_id: file?.file_unique_id ?? message.photo.file_id.slice(-16),
          width: message.photo.width,
          height: message.photo.height,
          file_size: message.photo.file_size,
        },
      ];
    }
    if (message.document) {
      const file = this.state.files[message.document.file_id];
      result.document = {
        file_id: message.document.file_id,
        file_unique_id: file?.file_unique_id ?? message.document.file_id.slice(-16),
        file_name: message.document.file_name,
        mime_type: message.document.mime_type,
        file_size: message.document.file_size,
      };
    }
    const media = message.photo !== undefined || message.document !== undefined;
    if (message.text !== undefined && message.text !== "") {
      result[media ? "caption" : "text"] = message.text;
      if (message.entities?.length) result[media ? "caption_entities" : "entities"] = message.entities;
    }
    if (message.reply_markup) result.reply_markup = message.reply_markup;
    return result as unknown as Message;
  }

  // --- listeners

  subscribe(personId: number, listener: (event: ChatEvent) => void): () => void {
    let set = this.listeners.get(personId);
    if (!set) this.listeners.set(personId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(personId) === set) this.listeners.delete(personId);
    };
  }

  emit(personId: number, event: ChatEvent): void {
    for (const listener of [...(this.listeners.get(personId) ?? [])]) {
      try {
        listener(event);
      } catch (error) {
        this.logger?.warn({ err: error, personId }, "playground: a chat listener failed");
      }
    }
  }

  // --- files

  /** Stores a file's bytes and returns its record (file_id, path for getFile). */
  storeFile(bytes: Buffer, input: { kind: "photo" | "document"; name: string; mime: string; width?: number; height?: number }): StoredFile {
    const n = this.state.next_file_number++;
    const ext = extensionOf(input.name) || (input.kind === "photo" ? "jpg" : "");
    const folder = input.kind === "photo" ? "photos" : "documents";
    const prefix = input.kind === "photo" ? "AgACAgIAAxkBAAI" : "BQACAgIAAxkBAAI";
    const file: StoredFile = {
      file_id: `${prefix}${randomBytes(36).toString("base64url")}`,
      file_unique_id: `AQAD${randomBytes(9).toString("base64url")}`,
      kind: input.kind,
      file_path: `${folder}/file_${n}${ext ? `.${ext}` : ""}`,
      disk_name: `file_${n}`,
      file_name: input.name,
      mime_type: input.mime,
      file_size: bytes.length,
      ...(input.width !== undefined ? { width: input.width, height: input.height ?? 0 } : {}),
    };
    saveFileBytes(this.stateDir, file.disk_name, bytes);
    this.state.files[file.file_id] = file;
    this.changed();
    return file;
  }

  fileBytes(file: StoredFile): Buffer | undefined {
    return readFileBytes(this.stateDir, file.disk_name);
  }

  // --- updates

  allowedUpdate(update: Update): boolean {
    const type = updateType(update);
    const allowed = this.state.allowed_updates;
    return allowed && allowed.length > 0 ? allowed.includes(type) : !NOT_BY_DEFAULT.has(type);
  }

  /** Queues an update for the bot (unless the bot's allowed_updates leave its type out). */
  enqueue(update: Omit<Update, "update_id">): Update | undefined {
    const full = { update_id: this.state.next_update_id++, ...update };
    this.changed();
    if (!this.allowedUpdate(full)) return undefined;
    this.state.pending.push(full);
    if (this.state.pending.length > PENDING_LIMIT) this.state.pending.splice(0, this.state.pending.length - PENDING_LIMIT);
    this.onUpdate();
    return full;
  }

  /** Drops the pending updates the bot's allowed_updates leave out; returns the rest. */
  deliverable(): Update[] {
    const before = this.state.pending.length;
    this.state.pending = this.state.pending.filter((u) => this.allowedUpdate(u));
    if (this.state.pending.length !== before) this.changed();
    return this.state.pending;
  }

  rememberCallbackQuery(chatId: number, messageId: number): string {
    // Telegram's ids are long decimal numbers.
    const id = BigInt(`0x${randomBytes(8).toString("hex")}`).toString().slice(0, 19);
    this.state.callback_queries.push({ id, chat_id: chatId, message_id: messageId, date: this.unixNow() });
    if (this.state.callback_queries.length > CALLBACK_QUERIES_LIMIT) this.state.callback_queries.shift();
    this.changed();
    return id;
  }

  // --- commands

  /** The command menu this person sees: scope chat > all_private_chats > default, their language, else none. */
  commandsFor(personId: number): BotCommand[] {
    const person = this.person(personId);
    const scopes: BotCommandScope[] = [{ type: "chat", chat_id: personId }, { type: "all_private_chats" }, { type: "default" }];
    const languages = person ? [person.language_code, ""] : [""];
    for (const scope of scopes) {
      for (const language of languages) {
        const set = this.state.commands.find((c) => scopeKey(c.scope) === scopeKey(scope) && c.language_code === language);
        if (set) return structuredClone(set.commands);
      }
    }
    return [];
  }

  /** Changes the command sets, then tells each person whose menu changed. */
  changeCommands(change: () => void): void {
    const before = new Map(this.state.people.map((p) => [p.id, JSON.stringify(this.commandsFor(p.id))]));
    change();
    this.changed();
    for (const person of this.state.people) {
      const after = this.commandsFor(person.id);
      if (JSON.stringify(after) !== before.get(person.id)) this.emit(person.id, { type: "commands", commands: after });
    }
  }
}

/** One key per scope (its type and the chat and user it names). */
export function scopeKey(scope: BotCommandScope): string {
  const s = scope as { type: string; chat_id?: number | string; user_id?: number };
  return `${s.type}:${s.chat_id ?? ""}:${s.user_id ?? ""}`;
}
