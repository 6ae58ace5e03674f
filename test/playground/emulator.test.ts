import { once } from "node:events";
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Api, Bot, GrammyError, InputFile } from "grammy";
import type { Message, Update } from "grammy/types";
import { afterEach, describe, expect, it, vi } from "vitest";
import { BotApiEmulator, type EmulatorOptions } from "../../src/playground/emulator/emulator.js";
import { parseMultipart } from "../../src/playground/emulator/multipart.js";
import { type ChatEvent, PlaygroundError } from "../../src/playground/emulator/types.js";

interface Running {
  emulator: BotApiEmulator;
  server: Server;
  url: string;
  dir: string;
  api: Api;
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function listen(server: Server): Promise<string> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function start(options: Partial<EmulatorOptions> = {}, dir?: string): Promise<Running> {
  const stateDir = dir ?? (await mkdtemp(join(tmpdir(), "emulator-test-")));
  if (!dir) cleanups.push(() => rm(stateDir, { recursive: true, force: true }));
  const emulator = await BotApiEmulator.open({ stateDir, ...options });
  const server = createServer((req, res) => {
    void emulator.handle(req, res).then((handled) => {
      if (!handled) {
        res.writeHead(404, { "content-type": "text/plain" });
        res.end("not the Bot API");
      }
    });
  });
  const url = await listen(server);
  let closed = false;
  const stop = async () => {
    if (closed) return;
    closed = true;
    await emulator.close();
    server.closeAllConnections();
    server.close();
  };
  cleanups.push(stop);
  return { emulator, server, url, dir: stateDir, api: new Api(emulator.token, { apiRoot: url }) };
}

/** The first event of this type in a person's chat. */
function nextEvent<T extends ChatEvent["type"]>(emulator: BotApiEmulator, personId: number, type: T): Promise<Extract<ChatEvent, { type: T }>> {
  return new Promise((resolve) => {
    const off = emulator.subscribe(personId, (event) => {
      if (event.type === type) {
        off();
        resolve(event as Extract<ChatEvent, { type: T }>);
      }
    });
  });
}

async function refusal(promise: Promise<unknown>): Promise<{ code: number; description: string; retry_after?: number }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof GrammyError) return { code: error.error_code, description: error.description, retry_after: error.parameters.retry_after };
    throw error;
  }
  throw new Error("the call was not refused");
}

/** A PNG's first bytes: the signature and the IHDR chunk (all the emulator reads). */
function png(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(25);
  ihdr.writeUInt32BE(13, 0);
  ihdr.write("IHDR", 4, "latin1");
  ihdr.writeUInt32BE(width, 8);
  ihdr.writeUInt32BE(height, 12);
  ihdr.set([8, 6, 0, 0, 0], 16);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), ihdr, Buffer.from("rest-of-the-picture")]);
}

const anna = { first_name: "Anna", last_name: "Ivanova", username: "anna_iv", language_code: "en" as const };

describe("the Bot API emulator", () => {
  it("answers getMe with its bot and a token shaped like Telegram's", async () => {
    const { emulator, api } = await start();
    expect(emulator.token).toMatch(/^\d{5,}:[A-Za-z0-9_-]{30,}$/);
    expect(emulator.token.split(":")[0]).toBe(String(emulator.bot.id));
    const me = await api.getMe();
    expect(me).toMatchObject({ id: emulator.bot.id, is_bot: true, username: "palace_partners_bot", first_name: "Palace Partners" });
  });

  it("refuses a wrong token with 401 and an unknown method with 404, and leaves other paths to the caller", async () => {
    const { url, emulator } = await start();
    const wrong = await fetch(`${url}/bot123456:wrongwrongwrongwrongwrongwrongwrongwr/getMe`);
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ ok: false, error_code: 401, description: "Unauthorized" });
    const unknown = await fetch(`${url}/bot${emulator.token}/sendTelepathy`, { method: "POST" });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ ok: false, error_code: 404, description: "Not Found: method not found" });
    const page = await fetch(`${url}/chat/1`);
    expect(page.status).toBe(404);
    expect(await page.text()).toBe("not the Bot API");
  });

  it("delivers a person's text to a long-polling bot, and the bot's reply reaches history() and the listener", async () => {
    const { emulator, url } = await start();
    const person = emulator.addPerson(anna);
    const bot = new Bot(emulator.token, { client: { apiRoot: url } });
    const seen: Update[] = [];
    bot.use(async (ctx, next) => {
      seen.push(ctx.update);
      await next();
    });
    bot.command("start", (ctx) => ctx.reply(`<b>Hello</b>, ${ctx.from!.first_name}! See /help`, { parse_mode: "HTML" }));
    const reply = nextEvent(emulator, person.id, "message");
    void bot.start({ timeout: 2 });
    cleanups.push(() => bot.stop());
    // The person writes once the bot is polling.
    await vi.waitFor(() => expect(bot.isRunning()).toBe(true));
    const sent = emulator.sendText(person.id, "/start@palace_partners_bot");
    expect(sent).toMatchObject({ from: "person", text: "/start@palace_partners_bot", entities: [{ type: "bot_command", offset: 0, length: 26 }] });
    // The person's own message is an event too; wait for the bot's.
    let event = await reply;
    while (event.message.from !== "bot") event = await nextEvent(emulator, person.id, "message");
    expect(seen[0]!.message).toMatchObject({
      text: "/start@palace_partners_bot",
      from: { id: person.id, is_bot: false, first_name: "Anna", last_name: "Ivanova", username: "anna_iv", language_code: "en" },
      chat: { id: person.id, type: "private", first_name: "Anna" },
      entities: [{ type: "bot_command", offset: 0, length: 26 }],
    });
    expect(event.message).toMatchObject({
      from: "bot",
      chat_id: person.id,
      html: "<b>Hello</b>, Anna! See /help",
      text: "Hello, Anna! See /help",
      entities: [
        { type: "bold", offset: 0, length: 5 },
        { type: "bot_command", offset: 17, length: 5 },
      ],
    });
    const history = emulator.history(person.id);
    expect(history.map((m) => [m.from, m.text])).toEqual([
      ["person", "/start@palace_partners_bot"],
      ["bot", "Hello, Anna! See /help"],
    ]);
    expect(history[1]!.message_id).toBe(history[0]!.message_id + 1);
  });

  it("confirms updates with an offset, filters them by allowed_updates, and answers a pending poll with [] on close", async () => {
    const { emulator, api } = await start();
    const person = emulator.addPerson(anna);
    emulator.sendText(person.id, "one");
    emulator.sendText(person.id, "two");
    const first = await api.getUpdates({ timeout: 0 });
    expect(first.map((u) => u.message?.text)).toEqual(["one", "two"]);
    expect(first[1]!.update_id).toBe(first[0]!.update_id + 1);
    const again = await api.getUpdates({ offset: first[1]!.update_id, timeout: 0 });
    expect(again.map((u) => u.message?.text)).toEqual(["two"]);
    expect(await api.getUpdates({ offset: first[1]!.update_id + 1, timeout: 0, allowed_updates: ["callback_query"] })).toEqual([]);
    // Messages are left out while the bot asks for callback queries only.
    emulator.sendText(person.id, "three");
    expect(await api.getUpdates({ timeout: 0 })).toEqual([]);
    const waiting = api.getUpdates({ timeout: 30, allowed_updates: [] });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closing = Date.now();
    await emulator.close();
    expect(await waiting).toEqual([]);
    expect(Date.now() - closing).toBeLessThan(2_000);
  });

  it("gives a button press as a callback_query, passes the answer's text to the listener and edits in place", async () => {
    const { emulator, api } = await start();
    const person = emulator.addPerson(anna);
    const sent = await api.sendMessage(person.id, "Come to the concert?", {
      reply_markup: { inline_keyboard: [[{ text: "Yes", callback_data: "rsvp:yes" }, { text: "No", callback_data: "rsvp:no" }]] },
    });
    expect(sent).toMatchObject({ chat: { id: person.id, type: "private" }, from: { id: emulator.bot.id, is_bot: true }, text: "Come to the concert?" });
    const queryId = emulator.pressButton(person.id, sent.message_id, "rsvp:yes");
    const [update] = await api.getUpdates({ timeout: 0 });
    expect(update!.callback_query).toMatchObject({
      id: queryId,
      data: "rsvp:yes",
      from: { id: person.id, language_code: "en" },
      message: { message_id: sent.message_id, text: "Come to the concert?", reply_markup: sent.reply_markup },
    });
    expect(typeof update!.callback_query!.chat_instance).toBe("string");

    const answer = nextEvent(emulator, person.id, "callback_answer");
    expect(await api.answerCallbackQuery(queryId, { text: "Saved" })).toBe(true);
    expect(await answer).toEqual({ type: "callback_answer", text: "Saved", show_alert: false });
    expect(await refusal(api.answerCallbackQuery(queryId))).toEqual({
      code: 400,
      description: "Bad Request: query is too old and response timeout expired or query ID is invalid",
    });
    expect((await refusal(api.answerCallbackQuery("12345"))).description).toContain("query ID is invalid");

    const edit = nextEvent(emulator, person.id, "edit");
    const edited = await api.editMessageText(person.id, sent.message_id, "See you <i>there</i>", { parse_mode: "HTML" });
    expect(edited).toMatchObject({ message_id: sent.message_id, text: "See you there", entities: [{ type: "italic", offset: 8, length: 5 }] });
    expect((edited as { edit_date?: number }).edit_date).toBeGreaterThan(0);
    expect((await edit).message).toMatchObject({ message_id: sent.message_id, html: "See you <i>there</i>", text: "See you there" });
    // Without reply_markup the edit took the keyboard away, as Telegram does.
    expect(emulator.history(person.id)).toHaveLength(1);
    expect(emulator.history(person.id)[0]!.reply_markup).toBeUndefined();
    expect(await refusal(api.editMessageText(person.id, sent.message_id, "See you <i>there</i>", { parse_mode: "HTML" }))).toEqual({
      code: 400,
      description:
        "Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message",
    });
    expect(await refusal(api.editMessageText(person.id, 999, "x"))).toEqual({ code: 400, description: "Bad Request: message to edit not found" });
    expect(() => emulator.pressButton(person.id, sent.message_id, "rsvp:yes")).toThrow(PlaygroundError);

    const buttons = await api.editMessageReplyMarkup(person.id, sent.message_id, { reply_markup: { inline_keyboard: [[{ text: "Undo", callback_data: "rsvp:undo" }]] } });
    expect(buttons).toMatchObject({ text: "See you there", reply_markup: { inline_keyboard: [[{ text: "Undo", callback_data: "rsvp:undo" }]] } });

    const deleted = nextEvent(emulator, person.id, "delete");
    expect(await api.deleteMessage(person.id, sent.message_id)).toBe(true);
    expect(await deleted).toEqual({ type: "delete", message_id: sent.message_id });
    expect(emulator.history(person.id)).toEqual([]);
    expect(await refusal(api.deleteMessage(person.id, sent.message_id))).toEqual({ code: 400, description: "Bad Request: message to delete not found" });
  });

  it("refuses a press of a button the message does not show", async () => {
    const { emulator, api } = await start();
    const person = emulator.addPerson(anna);
    const sent = await api.sendMessage(person.id, "Pick", { reply_markup: { inline_keyboard: [[{ text: "A", callback_data: "pick:a" }]] } });
    let refused: unknown;
    try {
      emulator.pressButton(person.id, sent.message_id, "pick:b");
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(PlaygroundError);
    expect((refused as PlaygroundError).status).toBe(400);
    expect(() => emulator.pressButton(person.id, sent.message_id + 1, "pick:a")).toThrow("no message");
    expect(await api.getUpdates({ timeout: 0 })).toEqual([]);
  });

  it("refuses HTML as Telegram does, with its descriptions and HTTP status 400", async () => {
    const { emulator, api, url } = await start();
    const person = emulator.addPerson(anna);
    const html = (text: string) => refusal(api.sendMessage(person.id, text, { parse_mode: "HTML" }));
    expect(await html("Hello <foo>there</foo>")).toEqual({ code: 400, description: 'Bad Request: can\'t parse entities: Unsupported start tag "foo" at byte offset 6' });
    // Byte offsets count UTF-8 bytes: six Cyrillic letters are twelve.
    expect((await html("Привет <foo>")).description).toBe('Bad Request: can\'t parse entities: Unsupported start tag "foo" at byte offset 13');
    expect((await html("<b>bold")).description).toBe('Bad Request: can\'t parse entities: Can\'t find end tag corresponding to start tag "b"');
    expect((await html("plain</b>")).description).toBe("Bad Request: can't parse entities: Unexpected end tag at byte offset 5");
    expect((await html("<b>x</i>")).description).toBe('Bad Request: can\'t parse entities: Unmatched end tag at byte offset 4, expected "</b>", found "</i>"');
    expect((await html("Tom &foo; Jerry")).description).toBe('Bad Request: can\'t parse entities: Unsupported entity "&foo;" at byte offset 4');
    expect((await html("<b> </b>")).description).toBe("Bad Request: message text is empty");
    const raw = await fetch(`${url}/bot${emulator.token}/sendMessage`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ chat_id: person.id, text: "<tg-foo>", parse_mode: "HTML" }),
    });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toEqual({ ok: false, error_code: 400, description: 'Bad Request: can\'t parse entities: Unsupported start tag "tg-foo" at byte offset 0' });
    // Telegram's own tags, entities and a link are taken.
    const ok = await api.sendMessage(person.id, 'A &amp; B &lt;3 <a href="https://example.org/x">link</a> <code>c</code> <pre><code class="language-ts">p</code></pre>', {
      parse_mode: "HTML",
    });
    expect(ok.text).toBe("A & B <3 link c p");
    expect(ok.entities).toEqual([
      { type: "text_link", offset: 9, length: 4, url: "https://example.org/x" },
      { type: "code", offset: 14, length: 1 },
      { type: "pre", offset: 16, length: 1, language: "ts" },
    ]);
    expect(await refusal(api.sendMessage(424242, "hi"))).toEqual({ code: 400, description: "Bad Request: chat not found" });
  });

  it("takes 4096 characters of text and refuses 4097; refuses a caption of 1025 and callback_data of 65 bytes", async () => {
    const { emulator, api } = await start();
    const person = emulator.addPerson(anna);
    expect(await refusal(api.sendMessage(person.id, "x".repeat(4097)))).toEqual({ code: 400, description: "Bad Request: message is too long" });
    expect((await api.sendMessage(person.id, "x".repeat(4096))).text).toHaveLength(4096);
    // Counted after parsing: the tags do not count.
    expect((await api.sendMessage(person.id, `<b>${"я".repeat(4096)}</b>`, { parse_mode: "HTML" })).text).toHaveLength(4096);
    expect(await refusal(api.sendMessage(person.id, `<b>${"я".repeat(4097)}</b>`, { parse_mode: "HTML" }))).toEqual({
      code: 400,
      description: "Bad Request: message is too long",
    });
    expect(await refusal(api.sendMessage(person.id, "   "))).toEqual({ code: 400, description: "Bad Request: message text is empty" });
    expect(await refusal(api.sendDocument(person.id, new InputFile(Buffer.from("data"), "a.txt"), { caption: "c".repeat(1025) }))).toEqual({
      code: 400,
      description: "Bad Request: message caption is too long",
    });
    expect((await api.sendDocument(person.id, new InputFile(Buffer.from("data"), "a.txt"), { caption: "c".repeat(1024) })).caption).toHaveLength(1024);
    // A caption is edited with editMessageCaption, a text with editMessageText: each refuses the other's message.
    const file = await api.sendDocument(person.id, new InputFile(Buffer.from("data"), "b.txt"), { caption: "first" });
    expect(await api.editMessageCaption(person.id, file.message_id, { caption: "<b>second</b>", parse_mode: "HTML" })).toMatchObject({
      caption: "second",
      caption_entities: [{ type: "bold", offset: 0, length: 6 }],
    });
    expect(await refusal(api.editMessageText(person.id, file.message_id, "text"))).toEqual({ code: 400, description: "Bad Request: there is no text in the message to edit" });
    const plain = await api.sendMessage(person.id, "plain");
    expect(await refusal(api.editMessageCaption(person.id, plain.message_id, { caption: "x" }))).toEqual({ code: 400, description: "Bad Request: there is no caption in the message to edit" });
    const keyboard = (data: string) => ({ reply_markup: { inline_keyboard: [[{ text: "Go", callback_data: data }]] } });
    expect(await refusal(api.sendMessage(person.id, "Go?", keyboard("d".repeat(65))))).toEqual({ code: 400, description: "Bad Request: BUTTON_DATA_INVALID" });
    // Bytes, not characters: 33 Cyrillic letters are 66 bytes.
    expect((await refusal(api.sendMessage(person.id, "Go?", keyboard("я".repeat(33))))).description).toBe("Bad Request: BUTTON_DATA_INVALID");
    expect((await api.sendMessage(person.id, "Go?", keyboard("d".repeat(64)))).reply_markup?.inline_keyboard[0]![0]).toEqual({ text: "Go", callback_data: "d".repeat(64) });
  });

  it("stores photos and documents uploaded through grammY's multipart, and serves them back through getFile", async () => {
    const { emulator, api, url } = await start();
    const person = emulator.addPerson(anna);
    const picture = png(640, 480);
    const photo = await api.sendPhoto(person.id, new InputFile(picture, "chart.png"), { caption: "<b>Chart</b>", parse_mode: "HTML" });
    expect(photo.caption).toBe("Chart");
    expect(photo.caption_entities).toEqual([{ type: "bold", offset: 0, length: 5 }]);
    expect(photo.photo).toHaveLength(1);
    expect(photo.photo[0]).toMatchObject({ width: 640, height: 480, file_size: picture.length });

    const ics = Buffer.from("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n");
    const doc = await api.sendDocument(person.id, new InputFile(ics, "event.ics"));
    expect(doc.document).toMatchObject({ file_name: "event.ics", mime_type: "text/calendar", file_size: ics.length });

    for (const [fileId, bytes] of [
      [photo.photo[0]!.file_id, picture],
      [doc.document.file_id, ics],
    ] as const) {
      const file = await api.getFile(fileId);
      expect(file.file_size).toBe(bytes.length);
      const download = await fetch(`${url}/file/bot${emulator.token}/${file.file_path}`);
      expect(download.status).toBe(200);
      expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
      expect(emulator.file(fileId)?.bytes.equals(bytes)).toBe(true);
    }
    // A file_id sends the stored file again.
    const again = await api.sendDocument(person.id, doc.document.file_id, { caption: "again" });
    expect(again.document).toMatchObject({ file_id: doc.document.file_id, file_name: "event.ics" });
    expect(await refusal(api.sendDocument(person.id, "no-such-file-id"))).toEqual({ code: 400, description: "Bad Request: wrong file identifier/HTTP URL specified" });
    expect(await refusal(api.getFile("no-such-file-id"))).toEqual({ code: 400, description: "Bad Request: invalid file_id" });
    expect(emulator.history(person.id).map((m) => [m.photo?.width ?? null, m.document?.file_name ?? null, m.html ?? null])).toEqual([
      [640, null, "<b>Chart</b>"],
      [null, "event.ics", null],
      [null, "event.ics", "again"],
    ]);
  });

  it("refuses getFile for a person's file over 20 MB, and takes a person's photo with its size", async () => {
    const { emulator, api } = await start();
    const person = emulator.addPerson(anna);
    const big = emulator.sendFile(person.id, { name: "big.bin", mime: "application/octet-stream", bytes: Buffer.alloc(20 * 1024 * 1024 + 1) });
    expect(await refusal(api.getFile(big.document!.file_id))).toEqual({ code: 400, description: "Bad Request: file is too big" });
    const shot = emulator.sendFile(person.id, { name: "me.png", mime: "image/png", bytes: png(30, 20), asPhoto: true, caption: "me" });
    expect(shot.photo).toMatchObject({ width: 30, height: 20 });
    const updates = await api.getUpdates({ timeout: 0 });
    expect(updates[0]!.message?.document).toMatchObject({ file_name: "big.bin", file_size: 20 * 1024 * 1024 + 1 });
    expect(updates[1]!.message).toMatchObject({ caption: "me", photo: [{ width: 30, height: 20 }] });
    expect(() => emulator.sendFile(person.id, { name: "huge", mime: "x/y", bytes: Buffer.alloc(50 * 1024 * 1024 + 1) })).toThrow(
      expect.objectContaining({ status: 413 }),
    );
  });

  it("sends an album of two photos with one media_group_id", async () => {
    const { emulator, api } = await start();
    const person = emulator.addPerson(anna);
    const album: Message[] = await api.sendMediaGroup(person.id, [
      { type: "photo", media: new InputFile(png(100, 50), "a.png"), caption: "<i>First</i>", parse_mode: "HTML" },
      { type: "photo", media: new InputFile(png(200, 80), "b.png") },
    ]);
    expect(album).toHaveLength(2);
    expect(album[0]!.media_group_id).toBeDefined();
    expect(album[1]!.media_group_id).toBe(album[0]!.media_group_id);
    expect(album.map((m) => [m.photo?.[0]?.width, m.caption])).toEqual([
      [100, "First"],
      [200, undefined],
    ]);
    expect(emulator.history(person.id).map((m) => m.media_group_id)).toEqual([album[0]!.media_group_id, album[0]!.media_group_id]);
    expect((await refusal(api.sendMediaGroup(person.id, [{ type: "photo", media: new InputFile(png(1, 1), "a.png") }]))).code).toBe(400);
  });

  it("keeps command menus by scope and language, and commandsFor picks chat > all_private_chats > default in the person's language", async () => {
    const { emulator, api } = await start();
    const admin = emulator.addPerson({ first_name: "Admin", language_code: "en" });
    const ru = emulator.addPerson({ first_name: "Иван", language_code: "ru" });
    const en = emulator.addPerson({ first_name: "John", language_code: "en" });
    expect(emulator.commandsFor(en.id)).toEqual([]);
    await api.setMyCommands([{ command: "help", description: "Help" }]);
    expect(emulator.commandsFor(en.id)).toEqual([{ command: "help", description: "Help" }]);
    await api.setMyCommands([{ command: "start", description: "Start" }], { scope: { type: "all_private_chats" } });
    await api.setMyCommands([{ command: "start", description: "Начать" }], { scope: { type: "all_private_chats" }, language_code: "ru" });
    expect(emulator.commandsFor(en.id)).toEqual([{ command: "start", description: "Start" }]);
    expect(emulator.commandsFor(ru.id)).toEqual([{ command: "start", description: "Начать" }]);
    const adminMenu = nextEvent(emulator, admin.id, "commands");
    const ruEvents: ChatEvent[] = [];
    emulator.subscribe(ru.id, (e) => ruEvents.push(e));
    await api.setMyCommands([{ command: "export", description: "Export" }], { scope: { type: "chat", chat_id: admin.id }, language_code: "en" });
    expect(await adminMenu).toEqual({ type: "commands", commands: [{ command: "export", description: "Export" }] });
    expect(ruEvents).toEqual([]);
    expect(emulator.commandsFor(admin.id)).toEqual([{ command: "export", description: "Export" }]);
    expect(await api.getMyCommands({ scope: { type: "all_private_chats" }, language_code: "ru" })).toEqual([{ command: "start", description: "Начать" }]);
    expect(await api.getMyCommands({ scope: { type: "chat", chat_id: admin.id } })).toEqual([]);
    await api.deleteMyCommands({ scope: { type: "chat", chat_id: admin.id }, language_code: "en" });
    expect(emulator.commandsFor(admin.id)).toEqual([{ command: "start", description: "Start" }]);
    expect(await refusal(api.setMyCommands([{ command: "Bad Command", description: "x" }]))).toEqual({ code: 400, description: "Bad Request: BOT_COMMAND_INVALID" });
    await api.setChatMenuButton({ chat_id: admin.id, menu_button: { type: "commands" } });
    expect(await api.getChatMenuButton({ chat_id: admin.id })).toEqual({ type: "commands" });
  });

  it("answers 429 with retry_after when a chat's limit is exceeded, and lets the chat send again after the wait", async () => {
    let clock = Date.parse("2025-03-01T10:00:00Z");
    const { emulator, api } = await start({ now: () => new Date(clock), rateLimits: { perChat: { perSecond: 0.5, burst: 2 } } });
    const one = emulator.addPerson(anna);
    const other = emulator.addPerson({ first_name: "Boris", language_code: "ru" });
    await api.sendMessage(one.id, "1");
    await api.sendMessage(one.id, "2");
    expect(await refusal(api.sendMessage(one.id, "3"))).toEqual({ code: 429, description: "Too Many Requests: retry after 2", retry_after: 2 });
    // Edits count too; another chat has its own bucket.
    expect((await refusal(api.editMessageText(one.id, 1, "one"))).code).toBe(429);
    expect((await api.sendMessage(other.id, "hi")).text).toBe("hi");
    clock += 2_000;
    expect((await api.sendMessage(one.id, "3")).text).toBe("3");
    expect(emulator.history(one.id).map((m) => m.text)).toEqual(["1", "2", "3"]);
  });

  it("delivers updates to a webhook in order with the secret header, retrying while the bot fails", async () => {
    const { emulator, api } = await start({ webhookRetry: { initialMs: 20, maxMs: 50 } });
    const person = emulator.addPerson(anna);
    const received: { secret: string | undefined; update: Update; status: number }[] = [];
    let failuresLeft = 2;
    const hook = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const status = failuresLeft-- > 0 ? 500 : 200;
        received.push({ secret: req.headers["x-telegram-bot-api-secret-token"] as string | undefined, update: JSON.parse(Buffer.concat(chunks).toString()) as Update, status });
        res.writeHead(status);
        res.end();
      });
    });
    const hookUrl = await listen(hook);
    cleanups.push(() => {
      hook.closeAllConnections();
      hook.close();
      return Promise.resolve();
    });
    expect(await api.setWebhook(`${hookUrl}/hook`, { secret_token: "s3cret_Token" })).toBe(true);
    expect(await refusal(api.getUpdates())).toEqual({
      code: 409,
      description: "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
    });
    emulator.sendText(person.id, "first");
    emulator.sendText(person.id, "second");
    await vi.waitFor(() => expect(received.filter((r) => r.status === 200)).toHaveLength(2), { timeout: 5_000 });
    expect(received.map((r) => [r.secret, r.update.message?.text, r.status])).toEqual([
      ["s3cret_Token", "first", 500],
      ["s3cret_Token", "first", 500],
      ["s3cret_Token", "first", 200],
      ["s3cret_Token", "second", 200],
    ]);
    const info = await api.getWebhookInfo();
    expect(info).toMatchObject({ url: `${hookUrl}/hook`, pending_update_count: 0 });
    expect(info.last_error_message).toBeUndefined();
    await api.deleteWebhook();
    expect(await api.getUpdates({ timeout: 0 })).toEqual([]);
  });

  it("keeps people, chats, files, commands, pending updates and the update counter across close() and open()", async () => {
    const first = await start();
    const person = first.emulator.addPerson(anna);
    const asked = first.emulator.sendText(person.id, "hello");
    const [update] = await first.api.getUpdates({ timeout: 0 });
    const doc = await first.api.sendDocument(person.id, new InputFile(Buffer.from("kept bytes"), "kept.txt"), { caption: "kept" });
    await first.api.setMyCommands([{ command: "help", description: "Help" }]);
    const token = first.emulator.token;
    await first.emulator.close();
    first.server.close();

    const second = await start({}, first.dir);
    expect(second.emulator.token).toBe(token);
    expect(second.emulator.people()).toEqual([expect.objectContaining({ id: person.id, first_name: "Anna", username: "anna_iv" })]);
    expect(second.emulator.history(person.id).map((m) => [m.message_id, m.from, m.text])).toEqual([
      [asked.message_id, "person", "hello"],
      [doc.message_id, "bot", "kept"],
    ]);
    expect(second.emulator.file(doc.document.file_id)?.bytes.toString()).toBe("kept bytes");
    expect(second.emulator.commandsFor(person.id)).toEqual([{ command: "help", description: "Help" }]);
    // The unconfirmed update is still there, and the next one follows it.
    second.emulator.sendText(person.id, "after restart");
    const updates = await second.api.getUpdates({ timeout: 0 });
    expect(updates.map((u) => [u.update_id, u.message?.text])).toEqual([
      [update!.update_id, "hello"],
      [update!.update_id + 1, "after restart"],
    ]);
    expect(second.emulator.history(person.id).at(-1)!.message_id).toBe(doc.message_id + 1);
  });

  it("moves a corrupt state.json aside with a warning and starts empty", async () => {
    const dir = await mkdtemp(join(tmpdir(), "emulator-test-"));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, "state.json"), "{ not json");
    const warn = vi.fn();
    const { emulator } = await start({ logger: { info: vi.fn(), warn, error: vi.fn() } }, dir);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(emulator.people()).toEqual([]);
    const names = await readdir(dir);
    expect(names.filter((n) => n.startsWith("state.json.corrupt-"))).toHaveLength(1);
    expect(names).toContain("state.json");
  });

  it("parses multipart bodies with grammY's unquoted file names", () => {
    const body = Buffer.from(
      [
        "--XyZ",
        'content-disposition:form-data;name="chat_id"',
        "",
        "42",
        "--XyZ",
        'content-disposition:form-data;name="abc";filename=my file.png',
        "content-type:application/octet-stream",
        "",
        "\r\nbinary\r\n",
        "--XyZ--",
        "",
      ].join("\r\n"),
    );
    const parsed = parseMultipart(body, "multipart/form-data; boundary=XyZ");
    expect(parsed.fields).toEqual({ chat_id: "42" });
    expect(parsed.files.get("abc")).toMatchObject({ filename: "my file.png", contentType: "application/octet-stream" });
    expect(parsed.files.get("abc")!.bytes.toString()).toBe("\r\nbinary\r\n");
  });

  it("validates what the page asks: a start link's payload, a taken id", async () => {
    const { emulator, api } = await start();
    const person = emulator.addPerson({ id: 555_000_111, first_name: "Staff", language_code: "ru" });
    expect(person.id).toBe(555_000_111);
    expect(() => emulator.addPerson({ id: 555_000_111, first_name: "Again", language_code: "ru" })).toThrow(expect.objectContaining({ status: 409 }));
    expect(() => emulator.openStartLink(person.id, "bad payload!")).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => emulator.openStartLink(person.id, "x".repeat(65))).toThrow(expect.objectContaining({ status: 400 }));
    emulator.openStartLink(person.id, "consent_AbC-9");
    const [update] = await api.getUpdates({ timeout: 0 });
    expect(update!.message).toMatchObject({ text: "/start consent_AbC-9", entities: [{ type: "bot_command", offset: 0, length: 6 }], from: { language_code: "ru" } });
    const action = nextEvent(emulator, person.id, "chat_action");
    expect(await api.sendChatAction(person.id, "upload_document")).toBe(true);
    expect(await action).toEqual({ type: "chat_action", action: "upload_document" });
  });
});
