/**
 * A minimal, fast fake Bot API for the inbound load: answers like Telegram, keeps per chat only
 * what the load generator reads (the last message and the last partner list, with their
 * buttons) and when the first call for the chat's outstanding update arrived. No validation and
 * no call log: test/helpers/fake-bot-api-server.ts does that, and would be the bottleneck.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { performance } from "node:perf_hooks";

export interface ShownMessage {
  messageId: number;
  text: string;
  buttons: string[];
}

export interface ChatView {
  nextMessageId: number;
  /** The last message sent to the chat (or edited, when the edit was of that message). */
  last: ShownMessage | undefined;
  /** The last message with partner-list buttons (pl:…), as it is now. */
  list: ShownMessage | undefined;
  /** Set by the load generator when it sends an update; the fake fills in `firstReplyAt`. */
  outstanding: boolean;
  firstReplyAt: number | undefined;
}

interface InlineKeyboardMarkup {
  inline_keyboard?: { text: string; callback_data?: string }[][];
}

type Payload = Record<string, unknown>;

const isListKeyboard = (buttons: string[]) => buttons.some((data) => data.startsWith("pl:"));
const buttonsOf = (markup: unknown): string[] =>
  ((markup as InlineKeyboardMarkup | undefined)?.inline_keyboard ?? []).flat().flatMap((b) => (b.callback_data ? [b.callback_data] : []));

export class FakeBotApi {
  readonly chats = new Map<number, ChatView>();
  /** callback_query id → chat, registered by the generator: answerCallbackQuery names no chat. */
  readonly callbackChats = new Map<string, number>();
  /** Calls by method, since the start. */
  readonly methods = new Map<string, number>();
  calls = 0;
  url = "";
  private server: Server | undefined;
  private webhookWaiters: (() => void)[] = [];
  webhookSet = false;

  constructor(
    private readonly bot: { id: number; first_name: string; username: string },
    private readonly getMe: Record<string, unknown>,
  ) {}

  chat(id: number): ChatView {
    let view = this.chats.get(id);
    if (!view) {
      view = { nextMessageId: 1, last: undefined, list: undefined, outstanding: false, firstReplyAt: undefined };
      this.chats.set(id, view);
    }
    return view;
  }

  /** Resolves at the next setWebhook: the bot's start-up is then over. */
  nextSetWebhook(): Promise<void> {
    return new Promise((resolve) => this.webhookWaiters.push(resolve));
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.onRequest(req, res));
    this.server.keepAliveTimeout = 60_000;
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private onRequest(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const url = req.url ?? "/";
      const method = url.slice(url.lastIndexOf("/") + 1);
      const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
      const type = req.headers["content-type"] ?? "";
      let payload: Payload = {};
      if (type.startsWith("application/json")) {
        try {
          payload = JSON.parse(body.toString("utf8")) as Payload;
        } catch {
          payload = {};
        }
      } else if (type.startsWith("multipart/")) {
        // Files: answered generically; only the chat is picked out of the form.
        const chatId = /name="chat_id"\r\n\r\n(-?\d+)/.exec(body.toString("latin1"))?.[1];
        if (chatId) payload = { chat_id: Number(chatId) };
      }
      const result = this.answer(method, payload);
      const json = JSON.stringify({ ok: true, result });
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(json) });
      res.end(json);
    });
  }

  private answer(method: string, payload: Payload): unknown {
    this.calls++;
    this.methods.set(method, (this.methods.get(method) ?? 0) + 1);
    const chatId = typeof payload.chat_id === "number" ? payload.chat_id : Number(payload.chat_id ?? Number.NaN);
    const callbackChat = typeof payload.callback_query_id === "string" ? this.callbackChats.get(payload.callback_query_id) : undefined;
    const replyChat = Number.isFinite(chatId) ? chatId : callbackChat;
    if (replyChat !== undefined) {
      const view = this.chats.get(replyChat);
      if (view?.outstanding && view.firstReplyAt === undefined) view.firstReplyAt = performance.now();
    }
    switch (method) {
      case "getMe":
        return this.getMe;
      case "setWebhook":
        this.webhookSet = true;
        for (const wake of this.webhookWaiters.splice(0)) wake();
        return true;
      case "sendMessage":
      case "sendPhoto":
      case "sendDocument": {
        if (!Number.isFinite(chatId)) return this.message(0, 0, "", undefined);
        const view = this.chat(chatId);
        const messageId = view.nextMessageId++;
        const text = typeof payload.text === "string" ? payload.text : typeof payload.caption === "string" ? payload.caption : "";
        const shown: ShownMessage = { messageId, text, buttons: buttonsOf(payload.reply_markup) };
        view.last = shown;
        if (isListKeyboard(shown.buttons)) view.list = { ...shown };
        return this.message(chatId, messageId, text, payload.reply_markup);
      }
      case "editMessageText":
      case "editMessageReplyMarkup":
      case "editMessageCaption": {
        if (!Number.isFinite(chatId)) return true;
        const view = this.chat(chatId);
        const messageId = Number(payload.message_id);
        const known = view.last?.messageId === messageId ? view.last : view.list?.messageId === messageId ? view.list : undefined;
        const text =
          method === "editMessageText" && typeof payload.text === "string"
            ? payload.text
            : method === "editMessageCaption" && typeof payload.caption === "string"
              ? payload.caption
              : (known?.text ?? "");
        const buttons = buttonsOf(payload.reply_markup);
        if (view.last?.messageId === messageId) view.last = { messageId, text, buttons };
        if (view.list?.messageId === messageId) view.list = { messageId, text, buttons };
        else if (isListKeyboard(buttons)) view.list = { messageId, text, buttons };
        return this.message(chatId, messageId, text, payload.reply_markup);
      }
      default:
        return true;
    }
  }

  private message(chatId: number, messageId: number, text: string, markup: unknown) {
    return {
      message_id: messageId,
      from: { id: this.bot.id, is_bot: true, first_name: this.bot.first_name, username: this.bot.username },
      chat: { id: chatId, type: "private" },
      date: Math.floor(Date.now() / 1000),
      text,
      ...(markup ? { reply_markup: markup } : {}),
    };
  }
}
