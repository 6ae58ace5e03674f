/**
 * The contract between the Bot API emulator (src/playground/emulator/) and the web chat that
 * shows it (src/playground/page-server.ts, src/playground/web/). The emulator plays Telegram:
 * the bot talks to it over HTTP as to api.telegram.org; people talk to it through the page.
 */
import type { BotCommand, InlineKeyboardMarkup, MessageEntity, ReplyKeyboardMarkup } from "grammy/types";

export type PersonLanguage = "ru" | "en";

/** A Telegram user who chats with the bot in the playground (one private chat each). */
export interface Person {
  /** The Telegram user id, also the id of the private chat. */
  id: number;
  first_name: string;
  last_name?: string;
  username?: string;
  language_code: PersonLanguage;
  /** Unix seconds. */
  created_at: number;
}

export interface StoredPhoto {
  file_id: string;
  width: number;
  height: number;
  file_size: number;
}

export interface StoredDocument {
  file_id: string;
  file_name: string;
  mime_type: string;
  file_size: number;
}

/** One message of a private chat, as the page shows it. */
export interface ChatMessage {
  message_id: number;
  /** The person's id (= the chat's id). */
  chat_id: number;
  from: "bot" | "person";
  /** Unix seconds. */
  date: number;
  edit_date?: number;
  /**
   * The text (or caption) as HTML the page may render: what the bot sent with parse_mode HTML
   * (already checked against Telegram's rules, so only Telegram's tags), or plain text escaped
   * as HTML (a person's own messages, the bot's messages without parse_mode).
   */
  html?: string;
  /** The same text without markup, as Telegram's `text`/`caption`. */
  text?: string;
  entities?: MessageEntity[];
  photo?: StoredPhoto;
  document?: StoredDocument;
  /** Messages of one album (sendMediaGroup) share it. */
  media_group_id?: string;
  reply_markup?: InlineKeyboardMarkup;
  /** A reply keyboard the bot sent with this message (the page shows it under the input). */
  reply_keyboard?: ReplyKeyboardMarkup;
  /** The bot removed the reply keyboard with this message (ReplyKeyboardRemove). */
  remove_keyboard?: boolean;
}

/** What the page is told, live, about one person's chat (server-sent events). */
export type ChatEvent =
  | { type: "message"; message: ChatMessage }
  | { type: "edit"; message: ChatMessage }
  | { type: "delete"; message_id: number }
  /** answerCallbackQuery with a text: a toast, or an alert when show_alert. */
  | { type: "callback_answer"; text: string; show_alert: boolean }
  | { type: "chat_action"; action: string }
  /** The command menu this person sees changed (setMyCommands for their scope or language). */
  | { type: "commands"; commands: BotCommand[] };

export interface Upload {
  name: string;
  mime: string;
  bytes: Buffer;
  /** Sent as a photo (compressed picture) rather than a file. */
  asPhoto?: boolean;
  caption?: string;
}

/** What the web chat asks of the emulator. Every method validates its input and throws PlaygroundError. */
export interface PlaygroundChats {
  readonly bot: { id: number; username: string; first_name: string };
  people(): Person[];
  person(id: number): Person | undefined;
  /**
   * A new person (the page's "new person"): the emulator allocates the id, unless `id` is given
   * (people the bot already knows, e.g. staff of the demo data); a taken id is refused.
   */
  addPerson(input: { id?: number; first_name: string; last_name?: string; username?: string; language_code: PersonLanguage }): Person;
  /** The whole chat, oldest first (deleted messages are gone). */
  history(personId: number): ChatMessage[];
  /** The command menu as Telegram shows it to this person (scope chat > all_private_chats > default, their language, else no language). */
  commandsFor(personId: number): BotCommand[];
  /** The person writes text (a command, with its bot_command entity, when it starts with "/"). */
  sendText(personId: number, text: string): ChatMessage;
  /**
   * The person presses an inline button of a message in their chat; refused unless that
   * message shows a button with this callback_data. Resolves with the query's id.
   */
  pressButton(personId: number, messageId: number, callbackData: string): string;
  /** The person sends a file or photo (up to 50 MB; bots may download only up to 20 MB, as in Telegram). */
  sendFile(personId: number, upload: Upload): ChatMessage;
  /** A t.me/<bot>?start=<payload> link opened by this person: "/start <payload>" reaches the bot. */
  openStartLink(personId: number, payload: string): ChatMessage;
  /** A stored file's bytes, for the page to show or download. */
  file(fileId: string): { bytes: Buffer; name: string; mime: string } | undefined;
  /** Live events of one person's chat; returns the unsubscribe function. */
  subscribe(personId: number, listener: (event: ChatEvent) => void): () => void;
}

/** Refused input from the page: `status` is the HTTP status to answer with, `message` is English. */
export class PlaygroundError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = "PlaygroundError";
  }
}
