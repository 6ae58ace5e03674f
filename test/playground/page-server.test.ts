/**
 * The playground's page server: the real Bot API emulator behind it, a real grammY bot polling it
 * (an echo bot), and the page's JSON API and server-sent events driven with fetch. No database.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ChatEvent, ChatMessage, Person } from "../../src/playground/emulator/types.js";
import { MAX_UPLOAD_BYTES, PortInUseError, contentDisposition, startPlaygroundServer } from "../../src/playground/page-server.js";
import { ECHO_DOCUMENT, type EchoPlayground, startEchoPlayground, testPng } from "../helpers/browser.js";

let playground: EchoPlayground;
let seeded = 0;

beforeAll(async () => {
  playground = await startEchoPlayground({
    seedDemo: () => {
      seeded += 1;
      return Promise.resolve({ seeded: seeded === 1, summary: seeded === 1 ? "2 partners, 3 events" : "the demo data is already there" });
    },
  });
});

afterAll(async () => {
  await playground?.stop();
});

async function call<T = Record<string, unknown>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T; headers: Headers }> {
  const response = await fetch(`${playground.url}${path}`, {
    method,
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "Content-Type": "application/json" } }),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T, headers: response.headers };
}

async function newPerson(first_name: string): Promise<Person> {
  const { status, body } = await call<{ person: Person }>("POST", "/api/people", { first_name, last_name: "Тестова", language_code: "ru" });
  expect(status).toBe(201);
  return body.person;
}

/** A person's event stream, read as the page reads it; resolves once the server has subscribed. */
async function events(personId: number) {
  const controller = new AbortController();
  const response = await fetch(`${playground.url}/api/people/${personId}/events`, { signal: controller.signal });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
  const reader = response.body!.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  const decoder = new TextDecoder();
  const received: ChatEvent[] = [];
  const waiters = new Set<() => void>();
  let buffer = "";
  let raw = "";
  const first = await reader.read();
  const consume = (chunk: Uint8Array | undefined) => {
    const text = decoder.decode(chunk, { stream: true });
    raw += text;
    buffer += text;
    let end: number;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = block
        .split("\n")
        .filter((line) => line.startsWith("data: "))
        .map((line) => line.slice(6))
        .join("\n");
      if (data) received.push(JSON.parse(data) as ChatEvent);
    }
    for (const wake of waiters) wake();
  };
  consume(first.value);
  const pump = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        consume(value);
      }
    } catch {
      // aborted
    }
  })();
  return {
    received,
    raw: () => raw,
    /** The first event received (so far or later) that matches. */
    next<E extends ChatEvent>(match: (event: ChatEvent) => event is E, timeout = 5000): Promise<E> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = received.find(match);
          if (!found) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no such event; received ${JSON.stringify(received)}`));
        }, timeout);
        waiters.add(check);
        check();
      });
    },
    async close() {
      controller.abort();
      await pump;
    },
  };
}

async function waitForHistory(personId: number, match: (messages: ChatMessage[]) => boolean, timeout = 5000): Promise<ChatMessage[]> {
  const until = Date.now() + timeout;
  for (;;) {
    const { body } = await call<{ messages: ChatMessage[] }>("GET", `/api/people/${personId}/history`);
    if (match(body.messages)) return body.messages;
    if (Date.now() > until) throw new Error(`history never matched: ${JSON.stringify(body.messages)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("the page", () => {
  it("is served at / as text/html, with its script and styles cached by version", async () => {
    const page = await fetch(`${playground.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("cache-control")).toBe("no-cache");
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    const html = await page.text();
    expect(html).toContain('data-testid="person-picker"');
    const script = /src="(\/chat\.js\?v=[0-9a-f]+)"/.exec(html)?.[1];
    const styles = /href="(\/chat\.css\?v=[0-9a-f]+)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect(styles).toBeDefined();
    const js = await fetch(`${playground.url}${script}`);
    expect(js.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(js.headers.get("cache-control")).toContain("immutable");
    const css = await fetch(`${playground.url}${styles}`);
    expect(css.headers.get("content-type")).toBe("text/css; charset=utf-8");
    const again = await fetch(`${playground.url}/chat.css`, { headers: { "If-None-Match": css.headers.get("etag")! } });
    expect(again.status).toBe(304);
  });

  it("keeps the page small", async () => {
    let total = 0;
    for (const path of ["/", "/chat.js", "/chat.css"]) total += (await (await fetch(`${playground.url}${path}`)).arrayBuffer()).byteLength;
    expect(total).toBeLessThan(100 * 1024);
  });

  it("answers 404 for unknown routes, and 405 for a wrong method", async () => {
    expect((await fetch(`${playground.url}/nothing-here`)).status).toBe(404);
    const api = await call("GET", "/api/nothing");
    expect(api.status).toBe(404);
    expect(api.body.error).toMatch(/No such route/);
    expect((await call("DELETE", "/api/people")).status).toBe(405);
  });

  it("leaves the Bot API to the emulator", async () => {
    const me = await fetch(`${playground.url}/bot${playground.emulator.token}/getMe`);
    expect(((await me.json()) as { result: { username: string } }).result.username).toBe(playground.emulator.bot.username);
    expect((await fetch(`${playground.url}/botwrong/getMe`)).status).toBe(401);
  });
});

describe("the JSON API", () => {
  it("tells the page about the bot and the demo button", async () => {
    const { body } = await call<{ bot: { username: string }; demo: boolean }>("GET", "/api/info");
    expect(body.bot.username).toBe(playground.emulator.bot.username);
    expect(body.demo).toBe(true);
  });

  it("creates and lists people", async () => {
    const person = await newPerson("Мария");
    expect(person).toMatchObject({ first_name: "Мария", last_name: "Тестова", language_code: "ru" });
    const { body } = await call<{ people: Person[] }>("GET", "/api/people");
    expect(body.people.map((p) => p.id)).toContain(person.id);
  });

  it("refuses bad input: bad JSON, a missing name, an unknown person", async () => {
    const badJson = await fetch(`${playground.url}/api/people`, { method: "POST", body: "{not json", headers: { "Content-Type": "application/json" } });
    expect(badJson.status).toBe(400);
    expect(((await badJson.json()) as { error: string }).error).toMatch(/not JSON/);
    const nameless = await call("POST", "/api/people", { first_name: "  ", language_code: "ru" });
    expect(nameless.status).toBe(400);
    expect(nameless.body.error).toMatch(/first_name/);
    const nobody = await call("GET", "/api/people/999999/history");
    expect(nobody.status).toBe(404);
    const notAnId = await call("GET", "/api/people/abc/history");
    expect(notAnId.status).toBe(400);
  });

  it("passes the emulator's refusals on with their status", async () => {
    const person = await newPerson("Отказ");
    const press = await call("POST", `/api/people/${person.id}/press`, { message_id: 12345, data: "press" });
    expect(press.status).toBe(400);
    expect(press.body.error).toMatch(/no message 12345/);
    const start = await call("POST", `/api/people/${person.id}/start`, { payload: "not allowed!" });
    expect(start.status).toBe(400);
  });

  it("refuses requests from other sites' pages", async () => {
    const response = await fetch(`${playground.url}/api/people`, {
      method: "POST",
      body: JSON.stringify({ first_name: "Evil", language_code: "en" }),
      headers: { "Content-Type": "application/json", Origin: "https://evil.example" },
    });
    expect(response.status).toBe(403);
  });

  it("sends text, shows the bot's echo, presses its button, and streams message, edit and callback answer", async () => {
    const person = await newPerson("Эхо");
    const stream = await events(person.id);
    try {
      const sent = await call<{ message: ChatMessage }>("POST", `/api/people/${person.id}/messages`, { text: "привет <b>мир</b>" });
      expect(sent.status).toBe(201);
      expect(sent.body.message).toMatchObject({ from: "person", text: "привет <b>мир</b>", html: "привет &lt;b&gt;мир&lt;/b&gt;" });

      const echo = await stream.next((e): e is Extract<ChatEvent, { type: "message" }> => e.type === "message" && e.message.from === "bot");
      expect(echo.message.text).toBe("echo: привет <b>мир</b>");
      expect(echo.message.reply_markup?.inline_keyboard[0]?.[0]).toMatchObject({ text: "Press me", callback_data: "press" });
      expect(stream.received.some((e) => e.type === "message" && e.message.message_id === sent.body.message.message_id)).toBe(true);
      expect(stream.received.some((e) => e.type === "chat_action" && e.action === "typing")).toBe(true);

      const history = await call<{ messages: ChatMessage[] }>("GET", `/api/people/${person.id}/history`);
      expect(history.body.messages.map((m) => [m.from, m.text])).toEqual([
        ["person", "привет <b>мир</b>"],
        ["bot", "echo: привет <b>мир</b>"],
      ]);

      const press = await call<{ query_id: string }>("POST", `/api/people/${person.id}/press`, { message_id: echo.message.message_id, data: "press" });
      expect(press.status).toBe(200);
      expect(typeof press.body.query_id).toBe("string");
      const edit = await stream.next((e): e is Extract<ChatEvent, { type: "edit" }> => e.type === "edit");
      expect(edit.message).toMatchObject({ message_id: echo.message.message_id, text: "pressed: 1" });
      expect(edit.message.edit_date).toBeDefined();
      const answer = await stream.next((e): e is Extract<ChatEvent, { type: "callback_answer" }> => e.type === "callback_answer");
      expect(answer).toEqual({ type: "callback_answer", text: "Done", show_alert: false });

      await call("POST", `/api/people/${person.id}/press`, { message_id: echo.message.message_id, data: "alert" });
      const alert = await stream.next((e): e is Extract<ChatEvent, { type: "callback_answer" }> => e.type === "callback_answer" && e.show_alert);
      expect(alert.text).toBe("This is an alert");
      expect(stream.raw()).toContain(": connected");
    } finally {
      await stream.close();
    }
  });

  it("opens a start link: /start <payload> reaches the bot", async () => {
    const person = await newPerson("Ссылка");
    const opened = await call<{ message: ChatMessage }>("POST", `/api/people/${person.id}/start`, { payload: "event_42" });
    expect(opened.status).toBe(201);
    expect(opened.body.message.text).toBe("/start event_42");
    await waitForHistory(person.id, (messages) => messages.some((m) => m.text === "started: event_42"));
  });

  it("gives the commands menu of a person", async () => {
    const person = await newPerson("Меню");
    await playground.bot.api.setMyCommands([{ command: "help", description: "Помощь" }], { scope: { type: "chat", chat_id: person.id } });
    const { status, body } = await call<{ commands: unknown[] }>("GET", `/api/people/${person.id}/commands`);
    expect(status).toBe(200);
    expect(body.commands).toEqual([{ command: "help", description: "Помощь" }]);
  });

  it("uploads a file the bot can download, and downloads it byte for byte with its name", async () => {
    const person = await newPerson("Файл");
    const bytes = randomBytes(300_000);
    const name = "Смета «весна» 2024.bin";
    const response = await fetch(`${playground.url}/api/people/${person.id}/files?name=${encodeURIComponent(name)}&caption=${encodeURIComponent("смета")}`, {
      method: "POST",
      body: bytes,
      headers: { "Content-Type": "application/octet-stream" },
    });
    expect(response.status).toBe(201);
    const { message } = (await response.json()) as { message: ChatMessage };
    expect(message.document).toMatchObject({ file_name: name, file_size: bytes.length });
    expect(message.text).toBe("смета");
    await waitForHistory(person.id, (messages) => messages.some((m) => m.text === `got ${name} (${bytes.length} bytes)`));

    const download = await fetch(`${playground.url}/api/files/${encodeURIComponent(message.document!.file_id)}?download=1`);
    expect(download.status).toBe(200);
    expect(download.headers.get("content-disposition")).toBe(contentDisposition("attachment", name));
    expect(download.headers.get("content-disposition")).toContain(`filename*=UTF-8''${encodeURIComponent(name)}`);
    expect(Buffer.from(await download.arrayBuffer()).equals(bytes)).toBe(true);
  });

  it("shows a photo inline, as an image", async () => {
    const person = await newPerson("Фото");
    const png = testPng(120, 80);
    const response = await fetch(`${playground.url}/api/people/${person.id}/files?name=pic.png&as=photo`, { method: "POST", body: png, headers: { "Content-Type": "image/png" } });
    expect(response.status).toBe(201);
    const { message } = (await response.json()) as { message: ChatMessage };
    expect(message.photo).toMatchObject({ width: 120, height: 80 });
    const image = await fetch(`${playground.url}/api/files/${encodeURIComponent(message.photo!.file_id)}`);
    expect(image.headers.get("content-type")).toBe("image/png");
    expect(image.headers.get("content-disposition")).toMatch(/^inline; /);
    expect(Buffer.from(await image.arrayBuffer()).equals(png)).toBe(true);
    expect((await fetch(`${playground.url}/api/files/nope`)).status).toBe(404);
  });

  it("refuses a file above 50 MB with a 413 that says so", async () => {
    const person = await newPerson("Большой");
    const response = await fetch(`${playground.url}/api/people/${person.id}/files?name=big.bin`, {
      method: "POST",
      body: Buffer.alloc(MAX_UPLOAD_BYTES + 1),
      headers: { "Content-Type": "application/octet-stream" },
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: string }).error).toMatch(/larger than 50 MB/);
    expect((await call<{ messages: ChatMessage[] }>("GET", `/api/people/${person.id}/history`)).body.messages).toEqual([]);
  });

  it("seeds the demo data once", async () => {
    const first = await call("POST", "/api/demo");
    expect(first.body).toEqual({ seeded: true, summary: "2 partners, 3 events" });
    const second = await call("POST", "/api/demo");
    expect(second.body).toEqual({ seeded: false, summary: "the demo data is already there" });
  });
});

describe("the server", () => {
  it("says which port is in use, and how to choose another", async () => {
    const quiet = () => undefined;
    const error = await startPlaygroundServer({ emulator: playground.emulator, host: "127.0.0.1", port: playground.server.port, logger: { info: quiet, warn: quiet, error: quiet } }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(PortInUseError);
    expect((error as PortInUseError).message).toBe(`Port ${playground.server.port} on 127.0.0.1 is already in use: stop what uses it, or choose another port with PLAYGROUND_PORT=3001`);
  });

  it("hides the demo button when there is no demo, sends heartbeats, and ends event streams on close", async () => {
    const quiet = () => undefined;
    const server = await startPlaygroundServer({ emulator: playground.emulator, host: "127.0.0.1", port: 0, logger: { info: quiet, warn: quiet, error: quiet }, heartbeatMs: 30 });
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    const info = (await (await fetch(`${server.url}/api/info`)).json()) as { demo: boolean };
    expect(info.demo).toBe(false);
    expect((await fetch(`${server.url}/api/demo`, { method: "POST" })).status).toBe(404);
    const person = playground.emulator.addPerson({ first_name: "Поток", language_code: "en" });
    const response = await fetch(`${server.url}/api/people/${person.id}/events`);
    const reader = response.body!.getReader() as ReadableStreamDefaultReader<Uint8Array>;
    let text = "";
    while (!text.includes(": heartbeat")) text += new TextDecoder().decode((await reader.read()).value);
    await server.close();
    // the stream ends rather than hanging
    for (;;) if ((await reader.read().catch(() => ({ done: true }))).done) break;
  });
});

describe("contentDisposition", () => {
  it("names a file in ASCII and in UTF-8", () => {
    expect(contentDisposition("attachment", "Отчёт (1).pdf")).toBe(`attachment; filename="_____ (1).pdf"; filename*=UTF-8''%D0%9E%D1%82%D1%87%D1%91%D1%82%20%281%29.pdf`);
    expect(contentDisposition("inline", 'a"b.png')).toBe(`inline; filename="a_b.png"; filename*=UTF-8''a%22b.png`);
  });
  it("sends the document of the echo bot with its Cyrillic name", () => {
    expect(contentDisposition("attachment", ECHO_DOCUMENT.name)).toContain(encodeURIComponent(ECHO_DOCUMENT.name));
  });
});
