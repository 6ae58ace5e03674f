/**
 * `node dist/main.js` with no BOT_TOKEN, as `npm start` runs it on a fresh machine: the
 * playground starts, says where it is, answers in its web chat, refuses a second process on the
 * same folder and a port in use with what to do, stops cleanly on SIGTERM, and keeps the chat and
 * the bot's data across a restart. The Bot API is the playground's own emulator.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ChatMessage, Person } from "../../src/playground/emulator/types.js";
import { type BotProcess, startBotProcess } from "../helpers/process.js";

let workDir: string;
const running: BotProcess[] = [];

beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), "playground-process-"));
});
afterEach(() => {
  for (const bot of running.splice(0)) if (bot.child.exitCode === null) bot.child.kill("SIGKILL");
});
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function start(env: Record<string, string>): BotProcess {
  const bot = startBotProcess({ PLAYGROUND_PORT: "0", ...env }, workDir, { compiled: true });
  running.push(bot);
  return bot;
}

async function json<T>(url: string, init?: { method: string; body: unknown }): Promise<T> {
  const response = await fetch(url, init ? { method: init.method, headers: { "content-type": "application/json" }, body: JSON.stringify(init.body) } : undefined);
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Resolves with the bot's message containing `text` in this person's chat. */
async function botSays(url: string, personId: number, text: string, ms = 15_000): Promise<ChatMessage> {
  const deadline = Date.now() + ms;
  for (;;) {
    const { messages } = await json<{ messages: ChatMessage[] }>(`${url}/api/people/${personId}/history`);
    const found = messages.find((m) => m.from === "bot" && m.text?.includes(text));
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no "${text}" in ${JSON.stringify(messages.map((m) => m.text))}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("the playground as its own process", { timeout: 90_000 }, () => {
  const dataDir = () => join(workDir, "playground-data");

  it("starts without a token, chats, refuses a second process and a port in use, stops cleanly and keeps everything", async () => {
    const first = start({ PLAYGROUND_DATA_DIR: dataDir() });
    const running1 = await first.waitForLog("playground is running", 30_000);
    const url = String(running1.url);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    // The two plain lines a newcomer reads, whatever the log format.
    expect(first.stdout()).toContain(`The bot is running in the playground, without Telegram: open ${url}\n`);
    expect(first.stdout()).toContain("To connect a real bot instead: cp .env.example .env, put the token from @BotFather into BOT_TOKEN there");
    expect(Number(running1.startupMs)).toBeGreaterThan(0);

    const page = await fetch(`${url}/`);
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    const { people } = await json<{ people: Person[] }>(`${url}/api/people`);
    expect(people).toHaveLength(1);
    const admin = people[0]!;
    await json(`${url}/api/people/${admin.id}/messages`, { method: "POST", body: { text: "/start" } });
    expect((await botSays(url, admin.id, "Вы — администратор.")).html).toContain("<b>Вы — администратор.</b>");

    // A second playground on the same folder: PGlite serves one process only.
    const second = start({ PLAYGROUND_DATA_DIR: dataDir() });
    expect(await second.exited).toBe(1);
    expect(second.stdout()).toContain(`Another playground (process ${first.child.pid}) is already using ${dataDir()}`);
    expect(second.stdout()).toContain("PLAYGROUND_DATA_DIR");

    // The same port for another folder: named, with the variable that changes it.
    const port = new URL(url).port;
    const third = start({ PLAYGROUND_DATA_DIR: join(workDir, "other"), PLAYGROUND_PORT: port });
    expect(await third.exited).toBe(1);
    expect(third.stdout()).toContain(`Port ${port} on 127.0.0.1 is already in use: stop what uses it, or choose another port with PLAYGROUND_PORT=3001`);
    expect(third.stdout()).not.toContain("    at ");

    // A 30 MB file: accepted by the chat, and the bot, which may download only 20 MB, says so politely.
    await json(`${url}/api/people/${admin.id}/messages`, { method: "POST", body: { text: "/import" } });
    await botSays(url, admin.id, "XLSX");
    const big = await fetch(`${url}/api/people/${admin.id}/files?name=${encodeURIComponent("партнёры.xlsx")}&as=file`, {
      method: "POST",
      headers: { "content-type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" },
      body: Buffer.alloc(30 * 1024 * 1024, 1),
    });
    expect(big.status).toBe(201);
    await botSays(url, admin.id, "Файл больше 20 МБ");

    first.child.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    await first.waitForLog("stopped cleanly");
    expect(existsSync(join(dataDir(), "playground.lock"))).toBe(false);

    // Restarted: the same person, the same chat, the same bot data (the admin is still one).
    const again = start({ PLAYGROUND_DATA_DIR: dataDir() });
    const url2 = String((await again.waitForLog("playground is running", 30_000)).url);
    const after = await json<{ people: Person[] }>(`${url2}/api/people`);
    expect(after.people).toEqual(people);
    const { messages } = await json<{ messages: ChatMessage[] }>(`${url2}/api/people/${admin.id}/history`);
    expect(messages.filter((m) => m.from === "bot" && m.text?.includes("Вы — администратор."))).toHaveLength(1);
    await json(`${url2}/api/people/${admin.id}/messages`, { method: "POST", body: { text: "/help" } });
    await botSays(url2, admin.id, "/invite");
    again.child.kill("SIGTERM");
    expect(await again.exited).toBe(0);
  });

  it("is never entered in production: a missing token there stays a configuration error", async () => {
    const production = start({ NODE_ENV: "production", PLAYGROUND_DATA_DIR: join(workDir, "prod") });
    expect(await production.exited).toBe(1);
    expect(production.stderr()).toContain("Configuration error: BOT_TOKEN is not set");
    expect(existsSync(join(workDir, "prod"))).toBe(false);
  });
});
