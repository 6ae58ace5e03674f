import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_DRIVER, type TestDatabase } from "./helpers/db.js";
import { FakeBotApiServer } from "./helpers/fake-bot-api-server.js";
import { TEST_TOKEN } from "./helpers/harness.js";
import { type BotProcess, startBotProcess } from "./helpers/process.js";
import { command, makeUser, press } from "./helpers/updates.js";

let workDir: string;
let database: TestDatabase | undefined;
const running: BotProcess[] = [];

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), "palace-bot-"));
  if (TEST_DRIVER === "postgres") database = await createTestDatabase("postgres");
});
afterEach(() => {
  for (const bot of running.splice(0)) if (bot.child.exitCode === null) bot.child.kill("SIGKILL");
});
afterAll(async () => {
  await database?.close();
  rmSync(workDir, { recursive: true, force: true });
});

function databaseEnv(): Record<string, string> {
  return database?.url ? { DATABASE_URL: database.url } : { DATA_DIR: join(workDir, "data") };
}

function start(env: Record<string, string>): BotProcess {
  const bot = startBotProcess(env, workDir);
  running.push(bot);
  return bot;
}

describe("start-up errors", () => {
  it("stops with one clear line and exit code 1 when BOT_TOKEN is missing", async () => {
    const bot = start({});
    expect(await bot.exited).toBe(1);
    expect(bot.stderr().trim().split("\n")).toEqual([
      "Configuration error: BOT_TOKEN is required: the token @BotFather gave you, like 123456789:AAE…",
    ]);
  });

  it("stops with exit code 1 when BOT_TOKEN is malformed", async () => {
    const bot = start({ BOT_TOKEN: "12345" });
    expect(await bot.exited).toBe(1);
    expect(bot.stderr().trim()).toMatch(/^Configuration error: BOT_TOKEN expected a token from @BotFather[^\n]*$/);
  });

  it("retries an unreachable DATABASE_URL a few times, then exits non-zero with a clear error", async () => {
    const bot = start({ BOT_TOKEN: TEST_TOKEN, DATABASE_URL: "postgres://postgres@127.0.0.1:1/none", DATABASE_CONNECT_ATTEMPTS: "3" });
    expect(await bot.exited).toBe(2);
    const lines = bot.stdout().trim().split("\n").map((l) => JSON.parse(l) as { msg: string; attempt?: number });
    expect(lines.filter((l) => l.msg === "database is not reachable yet").map((l) => l.attempt)).toEqual([1, 2, 3]);
    expect(lines.at(-1)!.msg).toMatch(/^Database is unreachable after 3 attempt\(s\)/);
  });

  it("gives up on an unreachable Bot API after TELEGRAM_CONNECT_ATTEMPTS with exit code 2", async () => {
    const bot = start({ BOT_TOKEN: TEST_TOKEN, TELEGRAM_API_ROOT: "http://127.0.0.1:1", TELEGRAM_CONNECT_ATTEMPTS: "2", ...databaseEnv() });
    expect(await bot.exited).toBe(2);
    const lines = bot.stdout().trim().split("\n").map((l) => JSON.parse(l) as { msg: string; attempt?: number });
    expect(lines.filter((l) => l.msg === "the Telegram Bot API is not reachable yet").map((l) => l.attempt)).toEqual([1, 2]);
    expect(lines.at(-1)!.msg).toMatch(/^The Telegram Bot API \(http:\/\/127\.0\.0\.1:1\) is unreachable after 2 attempt\(s\)/);
  });
});

describe("a running bot (long polling)", () => {
  let api: FakeBotApiServer;
  beforeAll(async () => {
    api = await new FakeBotApiServer().start();
  });
  afterAll(async () => api.stop());

  it("starts, sets both command menus, answers, and on SIGTERM finishes the update in flight and exits 0", async () => {
    const admin = makeUser({ language_code: "en" });
    const bot = start({
      BOT_TOKEN: TEST_TOKEN,
      TELEGRAM_API_ROOT: api.url,
      ADMIN_TELEGRAM_IDS: String(admin.id),
      ...databaseEnv(),
    });
    const ready = await bot.waitForLog("bot is running");
    expect(ready).toMatchObject({ mode: "polling", database: TEST_DRIVER, bot: "palace_partners_bot" });

    const menus = api.telegram.sent("setMyCommands");
    const byLanguage = (code: string | undefined, scoped: boolean) =>
      menus.find((m) => m.language_code === code && (m.scope !== undefined) === scoped)?.commands as { command: string; description: string }[];
    expect(byLanguage("ru", false).map((c) => c.command)).toEqual(["start", "help", "lang", "privacy", "cancel"]);
    expect(byLanguage("en", false)[1]).toEqual({ command: "help", description: "What the bot can do" });
    expect(byLanguage("ru", true).map((c) => c.command)).toContain("invite");

    api.push(command(admin, "help"));
    await api.waitFor((t) => t.textsTo(admin.id).length === 1);
    expect(api.telegram.lastTextTo(admin.id)).toContain("You are an administrator.");

    api.sendMessageDelayMs = 1500;
    api.push(command(admin, "privacy"));
    await api.waitFor(() => api.arrived.filter((m) => m === "sendMessage").length === 2);
    expect(api.telegram.textsTo(admin.id)).toHaveLength(1); // the second reply is still on its way
    bot.child.kill("SIGTERM");
    expect(await bot.exited).toBe(0);
    api.sendMessageDelayMs = 0;
    expect(api.telegram.textsTo(admin.id)).toHaveLength(2);
    expect(bot.stdout()).toContain("stopped cleanly");
  });

  it("delivers what the bot says on its own initiative through the outbox sender", async () => {
    api.telegram.reset();
    const admin = makeUser({ language_code: "en" });
    const newcomer = makeUser({ first_name: "Nina", language_code: "ru" });
    const bot = start({ BOT_TOKEN: TEST_TOKEN, TELEGRAM_API_ROOT: api.url, ADMIN_TELEGRAM_IDS: String(admin.id), ...databaseEnv() });
    await bot.waitForLog("bot is running");
    await bot.waitForLog("the outbox sender leads");
    const hasButton = (data: string) => (t: typeof api.telegram) => t.calls.length > 0 && buttonsOf(t).includes(data);
    const buttonsOf = (t: typeof api.telegram) => {
      try {
        return t.lastMessageTo(admin.id).buttons.map((b) => b.data);
      } catch {
        return [];
      }
    };
    const press_ = (data: string) => api.push(press(admin, data, api.telegram.lastMessageTo(admin.id)));
    api.push(command(admin, "invite"));
    await api.waitFor(hasButton("invite:role:staff"));
    press_("invite:role:staff");
    // The dialog edits its message: wait for the next step's buttons, not just the callback answer.
    await api.waitFor((t) => buttonsOf(t).includes("invite:create") || buttonsOf(t).includes("invite:unit:none"));
    if (buttonsOf(api.telegram).includes("invite:unit:none")) {
      press_("invite:unit:none");
      await api.waitFor(hasButton("invite:create"));
    }
    press_("invite:create");
    await api.waitFor((t) => /start=([A-Za-z0-9_-]+)/.test(t.lastTextTo(admin.id)));
    const token = /start=([A-Za-z0-9_-]+)/.exec(api.telegram.lastTextTo(admin.id))![1]!;

    api.push(command(newcomer, "start", token));
    // The inviter's notice is not a reply: it is written to the outbox and the sender delivers it.
    await api.waitFor((t) => t.lastTextTo(admin.id).includes("Nina"));
    expect(api.telegram.lastTextTo(admin.id)).toMatch(/accepted/);
    bot.child.kill("SIGTERM");
    expect(await bot.exited).toBe(0);
  });

  it("keeps going when Telegram refuses the command menu", async () => {
    api.telegram.reset();
    for (let i = 0; i < 6; i++) api.telegram.failNext("setMyCommands", { error_code: 400, description: "Bad Request: chat not found" });
    const bot = start({ BOT_TOKEN: TEST_TOKEN, TELEGRAM_API_ROOT: api.url, ADMIN_TELEGRAM_IDS: "777", ...databaseEnv() });
    await bot.waitForLog("bot is running");
    expect(bot.stdout()).toContain("could not set the");
    bot.child.kill("SIGINT");
    expect(await bot.exited).toBe(0);
  });
});
