/**
 * A local emulator of the Telegram Bot API: the bot talks to it over HTTP as to
 * api.telegram.org (long polling or a webhook), people talk to it through PlaygroundChats (the
 * web chat page). Its state lives in stateDir (state.json and files/) and survives restarts.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { BotCommand, Update } from "grammy/types";
import { EmulatorCore } from "./core.js";
import { BotApiError, DEFAULT_WEBHOOK_RETRY, Delivery, type WebhookRetry } from "./delivery.js";
import { imageSize, mimeOf } from "./media.js";
import { Described, type MethodContext, METHODS_BY_NAME, Params } from "./methods.js";
import { type MultipartFile, MultipartError, parseMultipart } from "./multipart.js";
import { type RateLimits, RateLimiter, TELEGRAM_RATE_LIMITS } from "./rate-limit.js";
import { loadState, type StateLogger } from "./state.js";
import { detectEntities, escapeHtml, MAX_CAPTION_LENGTH, MAX_TEXT_LENGTH, MAX_UPLOAD_BYTES, TELEGRAM_ERRORS, telegramLength } from "./telegram-rules.js";
import { type ChatEvent, type ChatMessage, type Person, type PersonLanguage, type PlaygroundChats, PlaygroundError, type Upload } from "./types.js";

export interface EmulatorOptions {
  stateDir: string;
  logger?: StateLogger;
  now?: () => Date;
  /** The bot's username; default "palace_partners_bot". */
  botUsername?: string;
  /** The bot's name as people see it; default "Palace Partners". */
  botFirstName?: string;
  /** Telegram's flood limits (lower them in tests), or false for none. */
  rateLimits?: Partial<RateLimits> | false;
  /** The webhook's back-off. */
  webhookRetry?: Partial<WebhookRetry>;
  /** How long after a change the state is written; default 200 ms. */
  writeDelayMs?: number;
}

/** The largest request body the Bot API takes. */
const MAX_BODY_BYTES = MAX_UPLOAD_BYTES;

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, error: BotApiError): void {
  send(res, error.errorCode, {
    ok: false,
    error_code: error.errorCode,
    description: error.description,
    ...(error.parameters ? { parameters: error.parameters } : {}),
  });
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const declared = Number(req.headers["content-length"] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new BotApiError(413, "Request Entity Too Large");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new BotApiError(413, "Request Entity Too Large");
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** The request's parameters: the query string, then the body (JSON, url-encoded or multipart). */
async function readParams(req: IncomingMessage, url: URL): Promise<Params> {
  const raw: Record<string, unknown> = Object.fromEntries(url.searchParams);
  let files = new Map<string, MultipartFile>();
  if (req.method === "POST" || req.method === "PUT") {
    const body = await readBody(req);
    const type = (req.headers["content-type"] ?? "").toLowerCase();
    if (body.length > 0) {
      if (type.startsWith("multipart/form-data")) {
        try {
          const parsed = parseMultipart(body, req.headers["content-type"] ?? "");
          Object.assign(raw, parsed.fields);
          files = parsed.files;
        } catch (error) {
          if (error instanceof MultipartError) throw new BotApiError(400, `Bad Request: can't parse multipart/form-data: ${error.message}`);
          throw error;
        }
      } else if (type.startsWith("application/x-www-form-urlencoded")) {
        Object.assign(raw, Object.fromEntries(new URLSearchParams(body.toString("utf8"))));
      } else {
        let parsed: unknown;
        try {
          parsed = JSON.parse(body.toString("utf8"));
        } catch {
          throw new BotApiError(400, "Bad Request: can't parse JSON object");
        }
        if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) throw new BotApiError(400, "Bad Request: can't parse JSON object");
        Object.assign(raw, parsed);
      }
    }
  }
  return new Params(raw, files);
}

export class BotApiEmulator implements PlaygroundChats {
  readonly bot: { id: number; username: string; first_name: string };
  private readonly core: EmulatorCore;
  private readonly delivery: Delivery;
  private readonly limiter: RateLimiter | undefined;
  private closed = false;

  private constructor(private readonly options: EmulatorOptions) {
    const now = options.now ?? (() => new Date());
    const state = loadState(options.stateDir, options.logger, now());
    this.bot = { id: state.bot_id, username: options.botUsername ?? "palace_partners_bot", first_name: options.botFirstName ?? "Palace Partners" };
    this.core = new EmulatorCore(state, options.stateDir, now, this.bot, options.logger, options.writeDelayMs ?? 200);
    this.delivery = new Delivery(this.core, { ...DEFAULT_WEBHOOK_RETRY, ...options.webhookRetry });
    this.delivery.onWebhookReply = async (payload) => {
      const method = METHODS_BY_NAME.get(String(payload.method).toLowerCase());
      if (!method || String(payload.method).toLowerCase() === "getupdates") return;
      try {
        await method(new Params(payload), this.context(new AbortController().signal));
      } catch (error) {
        options.logger?.warn({ err: error, method: payload.method }, "playground: the bot's webhook reply failed");
      }
    };
    if (options.rateLimits !== false) {
      const limits = { ...TELEGRAM_RATE_LIMITS, ...options.rateLimits };
      this.limiter = new RateLimiter(limits, () => now().getTime());
    }
  }

  /** Loads stateDir/state.json and stateDir/files/, or starts empty. */
  static async open(options: EmulatorOptions): Promise<BotApiEmulator> {
    const emulator = new BotApiEmulator(options);
    // A fresh state (a new token) is written at once, so the token is the same after a crash.
    emulator.core.changed();
    await emulator.flush();
    emulator.delivery.start();
    return emulator;
  }

  /** The bot's token: generated once, kept in the state. */
  get token(): string {
    return this.core.state.token;
  }

  private context(signal: AbortSignal): MethodContext {
    return { core: this.core, delivery: this.delivery, limiter: this.limiter, signal };
  }

  /**
   * Handles a Bot API request: POST/GET /bot<token>/<method> and GET /file/bot<token>/<file_path>.
   * Returns false (writing nothing) when the path is neither.
   */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? "/", "http://emulator.local");
    const api = /^\/bot([^/]*)\/([^/]*)\/?$/.exec(url.pathname);
    const download = /^\/file\/bot([^/]*)\/(.+)$/.exec(url.pathname);
    if (!api && !download) return false;
    const token = decodeURIComponent((api ?? download)![1]!);
    if (token !== this.token) {
      req.resume();
      sendError(res, new BotApiError(401, TELEGRAM_ERRORS.unauthorized));
      return true;
    }
    if (download) {
      this.serveFile(decodeURIComponent(download[2]!), res);
      return true;
    }
    const method = METHODS_BY_NAME.get(api![2]!.toLowerCase());
    if (!method) {
      req.resume();
      sendError(res, new BotApiError(404, TELEGRAM_ERRORS.methodNotFound));
      return true;
    }
    const abort = new AbortController();
    res.on("close", () => abort.abort());
    try {
      if (this.closed) throw new BotApiError(502, "Bad Gateway");
      const params = await readParams(req, url);
      const result = await method(params, this.context(abort.signal));
      if (result instanceof Described) send(res, 200, { ok: true, result: result.result, description: result.description });
      else send(res, 200, { ok: true, result });
    } catch (error) {
      if (error instanceof BotApiError) {
        if (error.errorCode === 413) req.resume();
        sendError(res, error);
      } else {
        this.options.logger?.error({ err: error, method: api![2] }, "playground: the emulator failed on a Bot API request");
        sendError(res, new BotApiError(500, "Internal Server Error"));
      }
    }
    return true;
  }

  private serveFile(path: string, res: ServerResponse): void {
    const file = Object.values(this.core.state.files).find((f) => f.file_path === path);
    const bytes = file ? this.core.fileBytes(file) : undefined;
    if (!file || !bytes) {
      send(res, 404, { ok: false, error_code: 404, description: "Not Found" });
      return;
    }
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": bytes.length });
    res.end(bytes);
  }

  /** Writes the state now (atomically). */
  flush(): Promise<void> {
    return this.core.writer.flush();
  }

  /** Ends pending long polls (answered with []), stops webhook delivery, writes the state. */
  async close(): Promise<void> {
    this.closed = true;
    await this.delivery.close();
    this.core.changed();
    await this.flush();
  }

  // --- the people's side (PlaygroundChats)

  people(): Person[] {
    return structuredClone(this.core.state.people);
  }

  person(id: number): Person | undefined {
    const person = this.core.person(id);
    return person ? structuredClone(person) : undefined;
  }

  addPerson(input: { id?: number; first_name: string; last_name?: string; username?: string; language_code: PersonLanguage }): Person {
    const firstName = (input.first_name ?? "").trim();
    if (firstName === "" || firstName.length > 64) throw new PlaygroundError(400, "first_name must be 1-64 characters");
    if (input.last_name !== undefined && input.last_name.length > 64) throw new PlaygroundError(400, "last_name must be at most 64 characters");
    if (input.username !== undefined && !/^[A-Za-z][A-Za-z0-9_]{4,31}$/.test(input.username)) {
      throw new PlaygroundError(400, "username must be 5-32 characters of A-Z, a-z, 0-9 and _, starting with a letter");
    }
    if (input.language_code !== "ru" && input.language_code !== "en") throw new PlaygroundError(400, 'language_code must be "ru" or "en"');
    const state = this.core.state;
    if (input.username && state.people.some((p) => p.username?.toLowerCase() === input.username!.toLowerCase())) {
      throw new PlaygroundError(409, `the username ${input.username} is taken`);
    }
    let id = input.id;
    if (id !== undefined) {
      if (!Number.isSafeInteger(id) || id <= 0 || id === this.bot.id) throw new PlaygroundError(400, "id must be a positive integer");
      if (this.core.person(id)) throw new PlaygroundError(409, `the id ${id} is taken`);
    } else {
      while (this.core.person(state.next_person_id) || state.next_person_id === this.bot.id) state.next_person_id++;
      id = state.next_person_id++;
    }
    const person: Person = {
      id,
      first_name: firstName,
      ...(input.last_name ? { last_name: input.last_name } : {}),
      ...(input.username ? { username: input.username } : {}),
      language_code: input.language_code,
      created_at: this.core.unixNow(),
    };
    state.people.push(person);
    this.core.changed();
    return structuredClone(person);
  }

  private known(personId: number): Person {
    const person = this.core.person(personId);
    if (!person) throw new PlaygroundError(404, `no person ${personId}`);
    return person;
  }

  history(personId: number): ChatMessage[] {
    this.known(personId);
    return structuredClone(this.core.state.chats[String(personId)] ?? []);
  }

  commandsFor(personId: number): BotCommand[] {
    this.known(personId);
    return this.core.commandsFor(personId);
  }

  /** A person's message: kept in the chat, shown to listeners and queued for the bot. */
  private personMessage(person: Person, fields: Partial<ChatMessage>): ChatMessage {
    const message = this.core.addMessage({
      message_id: this.core.nextMessageId(person.id),
      chat_id: person.id,
      from: "person",
      date: this.core.unixNow(),
      ...fields,
    });
    this.core.enqueue({ message: this.core.toTelegramMessage(message) } as Omit<Update, "update_id">);
    return structuredClone(message);
  }

  sendText(personId: number, text: string): ChatMessage {
    const person = this.known(personId);
    if (typeof text !== "string" || text.trim() === "") throw new PlaygroundError(400, "the text is empty");
    if (telegramLength(text) > MAX_TEXT_LENGTH) throw new PlaygroundError(400, `the text is longer than ${MAX_TEXT_LENGTH} characters`);
    const entities = detectEntities(text);
    return this.personMessage(person, { text, html: escapeHtml(text), ...(entities.length > 0 ? { entities } : {}) });
  }

  pressButton(personId: number, messageId: number, callbackData: string): string {
    const person = this.known(personId);
    const message = this.core.findMessage(person.id, messageId);
    if (!message) throw new PlaygroundError(400, `no message ${messageId} in this chat`);
    const shown = (message.reply_markup?.inline_keyboard ?? []).flat().some((b) => "callback_data" in b && b.callback_data === callbackData);
    if (!shown) throw new PlaygroundError(400, "the message shows no button with this callback_data");
    const id = this.core.rememberCallbackQuery(person.id, messageId);
    this.core.enqueue({
      callback_query: {
        id,
        from: this.core.userOf(person),
        message: this.core.toTelegramMessage(message),
        chat_instance: this.core.chatInstance(person.id),
        data: callbackData,
      },
    });
    return id;
  }

  sendFile(personId: number, upload: Upload): ChatMessage {
    const person = this.known(personId);
    const bytes = upload.bytes;
    if (!Buffer.isBuffer(bytes) || bytes.length === 0) throw new PlaygroundError(400, "the file is empty");
    if (bytes.length > MAX_UPLOAD_BYTES) throw new PlaygroundError(413, "the file is larger than 50 MB");
    const caption = upload.caption ?? "";
    if (telegramLength(caption) > MAX_CAPTION_LENGTH) throw new PlaygroundError(400, `the caption is longer than ${MAX_CAPTION_LENGTH} characters`);
    const name = (upload.name || (upload.asPhoto ? "photo.jpg" : "file")).replace(/[\r\n/\\]/g, "_").slice(0, 255);
    const mime = mimeOf(name, upload.mime);
    const entities = caption ? detectEntities(caption) : [];
    const captionFields = caption ? { text: caption, html: escapeHtml(caption), ...(entities.length > 0 ? { entities } : {}) } : {};
    if (upload.asPhoto) {
      const size = imageSize(bytes) ?? { width: 0, height: 0 };
      const file = this.core.storeFile(bytes, { kind: "photo", name, mime, ...size });
      return this.personMessage(person, { photo: { file_id: file.file_id, width: size.width, height: size.height, file_size: bytes.length }, ...captionFields });
    }
    const file = this.core.storeFile(bytes, { kind: "document", name, mime });
    return this.personMessage(person, { document: { file_id: file.file_id, file_name: name, mime_type: mime, file_size: bytes.length }, ...captionFields });
  }

  openStartLink(personId: number, payload: string): ChatMessage {
    this.known(personId);
    if (typeof payload !== "string" || !/^[A-Za-z0-9_-]{1,64}$/.test(payload)) {
      throw new PlaygroundError(400, "a start payload is 1-64 characters of A-Z, a-z, 0-9, _ and -");
    }
    return this.sendText(personId, `/start ${payload}`);
  }

  file(fileId: string): { bytes: Buffer; name: string; mime: string } | undefined {
    const file = this.core.state.files[fileId];
    const bytes = file ? this.core.fileBytes(file) : undefined;
    return file && bytes ? { bytes, name: file.file_name, mime: file.mime_type } : undefined;
  }

  subscribe(personId: number, listener: (event: ChatEvent) => void): () => void {
    return this.core.subscribe(personId, listener);
  }
}
