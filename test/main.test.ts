import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, TEST_DRIVER, type TestDatabase } from "./helpers/db.js";
import { FakeBotApiServer } from "./helpers/fake-bot-api-server.js";
import { type EmulatorServer, startEmulatorServer } from "./helpers/emulator-server.js";
import type { ChatMessage } from "../src/playground/emulator/types.js";
import { TEST_TOKEN } from "./helpers/harness.js";
import { type BotProcess, ROOT, startBotProcess } from "./helpers/process.js";
import { command, makeUser } from "./helpers/updates.js";

const TSX_LOADER = new URL("../node_modules/tsx/dist/loader.mjs", import.meta.url).href;
const scriptAvailable = spawnSync("script", ["--version"]).status === 0;

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
  it("stops with one clear line and exit code 1 when BOT_TOKEN is missing in production (no playground there)", async () => {
    const bot = start({ NODE_ENV: "production" });
    expect(await bot.exited).toBe(1);
    expect(bot.stderr().trim().split("\n")).toEqual([
      `Configuration error: BOT_TOKEN is not set, and there is no .env file in ${workDir}: run \`cp .env.example .env\`, ` +
        "then put the token @BotFather gave you, like 123456789:AAE…, into BOT_TOKEN there",
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
    const lines = logLines(bot);
    const warnings = lines.filter((l) => l.level === 40);
    expect(warnings.map((l) => [l.attempt, l.msg])).toEqual([
      [1, "database is not reachable yet"],
      [2, "database is not reachable yet"],
      [3, "database is not reachable: giving up"],
    ]);
    expect(warnings.map((l) => l.err)).toEqual(Array(3).fill("the connection was refused (ECONNREFUSED)"));
    expect(lines.at(-1)!.msg).toBe(
      "The database at 127.0.0.1:1/none is unreachable after 3 attempts: the connection was refused (ECONNREFUSED). " +
        "Check DATABASE_URL, and that the Postgres server is running and accepts connections from here.",
    );
  });
});

interface LogLine {
  level: number;
  msg: string;
  attempt?: number;
  err?: string;
  [field: string]: unknown;
}

/** Every stdout line, each of which must be JSON: stdout here is a pipe, not a terminal. */
function logLines(bot: BotProcess): LogLine[] {
  return bot
    .stdout()
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as LogLine);
}

/** A port on which nothing listens (port 1 would not do: fetch refuses it as a "bad port"). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe("a BOT_TOKEN not filled in", () => {
  function inDirWithEnvFile(content: string): string {
    const dir = mkdtempSync(join(workDir, "env-"));
    writeFileSync(join(dir, ".env"), content);
    return dir;
  }

  it("names the placeholder of .env.example when .env is an unedited copy of it", async () => {
    const dir = inDirWithEnvFile(readFileSync(join(ROOT, ".env.example"), "utf8"));
    const bot = startBotProcess({}, dir);
    running.push(bot);
    expect(await bot.exited).toBe(1);
    expect(bot.stderr().trim().split("\n")).toEqual([
      "Configuration error: BOT_TOKEN is still the placeholder PASTE_THE_TOKEN_FROM_BOTFATHER_HERE from .env.example: " +
        "replace it in .env with the token @BotFather gave you, like 123456789:AAE…",
    ]);
    expect(bot.stdout()).toBe("");
  });

  it("says where the token goes in production when .env exists but sets no BOT_TOKEN, or an empty one", async () => {
    for (const content of ["NODE_ENV=production\n# ADMIN_TELEGRAM_IDS=\n", "NODE_ENV=production\nBOT_TOKEN=\n"]) {
      const bot = startBotProcess({}, inDirWithEnvFile(content));
      running.push(bot);
      expect(await bot.exited).toBe(1);
      expect(bot.stderr().trim()).toBe(
        "Configuration error: BOT_TOKEN is not set: put the token @BotFather gave you, like 123456789:AAE…, into BOT_TOKEN in .env",
      );
    }
  });
});

describe("a token Telegram rejects", () => {
  let api: FakeBotApiServer;
  beforeAll(async () => {
    api = await new FakeBotApiServer().start();
  });
  afterAll(async () => api.stop());

  const rejected =
    "Telegram rejected BOT_TOKEN: check it in @BotFather (/mybots → your bot → API Token) and put the current token " +
    "into BOT_TOKEN in .env. Telegram answered 401 Unauthorized; restarting will not help until the token is fixed.";

  it("exits at once with code 3 after one getMe, saying why, in JSON even with NODE_ENV=development", async () => {
    api.telegram.reset();
    api.telegram.failNext("getMe", { error_code: 401, description: "Unauthorized" });
    // Default TELEGRAM_CONNECT_ATTEMPTS (5): a retry would get the next getMe, which succeeds.
    const bot = start({ BOT_TOKEN: TEST_TOKEN, TELEGRAM_API_ROOT: api.url, NODE_ENV: "development", ...databaseEnv() });
    expect(await bot.exited).toBe(3);
    expect(api.telegram.calls.filter((c) => c.method === "getMe")).toHaveLength(1);
    const lines = logLines(bot);
    expect(lines.find((l) => l.msg === "database is ready")).toMatchObject({ level: 30, driver: TEST_DRIVER, migrations: "up to date" });
    expect(lines.filter((l) => l.level >= 40)).toEqual([{ level: 60, time: expect.any(Number) as number, msg: rejected }]);
    expect(lines.at(-1)!.msg).toBe(rejected);
  });

  it.skipIf(!scriptAvailable)("writes readable lines, not JSON, to a terminal, down to the last one before exiting", async () => {
    api.telegram.reset();
    api.telegram.failNext("getMe", { error_code: 401, description: "Unauthorized" });
    // script(1) runs the bot with its stdout on a pseudo-terminal and passes its exit code on (-e).
    const command = [process.execPath, "--import", TSX_LOADER, join(ROOT, "src/main.ts")].map((a) => `'${a}'`).join(" ");
    const env = { PATH: process.env.PATH ?? "", BOT_TOKEN: TEST_TOKEN, TELEGRAM_API_ROOT: api.url, NODE_ENV: "production", ...databaseEnv() };
    const child = spawn("script", ["-qec", command, "/dev/null"], { cwd: workDir, env, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    const text = stripVTControlCharacters(out).replace(/\r/g, "");
    expect(code).toBe(3);
    expect(text).not.toMatch(/^\{/m);
    expect(text).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: database is ready\n {4}driver: "/m);
    expect(text.trimEnd().split("\n").at(-1)).toMatch(/^\[\d\d:\d\d:\d\d\] FATAL: Telegram rejected BOT_TOKEN: check it in @BotFather/);
  });
});

describe("an unreachable Bot API", () => {
  const hint =
    "Check the network and any firewall or proxy on the way (Node does not use HTTPS_PROXY), " +
    "or set TELEGRAM_API_ROOT to a Bot API server this machine can reach.";

  it("names a refused connection, retries TELEGRAM_CONNECT_ATTEMPTS times, and exits with code 2", async () => {
    const root = `http://127.0.0.1:${await closedPort()}`;
    const bot = start({ BOT_TOKEN: TEST_TOKEN, TELEGRAM_API_ROOT: root, TELEGRAM_CONNECT_ATTEMPTS: "2", ...databaseEnv() });
    expect(await bot.exited).toBe(2);
    const lines = logLines(bot);
    expect(lines.filter((l) => l.level === 40)).toEqual([
      expect.objectContaining({ msg: "the Telegram Bot API is not reachable yet", attempt: 1, of: 2, retryInMs: 1000 }),
      expect.objectContaining({ msg: "the Telegram Bot API is not reachable: giving up", attempt: 2, of: 2 }),
    ]);
    expect(lines.filter((l) => l.level === 40).map((l) => l.err)).toEqual(Array(2).fill("the connection was refused (ECONNREFUSED)"));
    expect(lines.at(-1)).toMatchObject({
      level: 60,
      msg: `The Telegram Bot API (${root}) is unreachable after 2 attempts: the connection was refused (ECONNREFUSED). ${hint}`,
    });
  });

  it("names a host that does not resolve, and with one attempt does not say \"yet\"", async () => {
    const root = "http://no-such-host.invalid";
    const bot = start({ BOT_TOKEN: TEST_TOKEN, TELEGRAM_API_ROOT: root, TELEGRAM_CONNECT_ATTEMPTS: "1", ...databaseEnv() });
    expect(await bot.exited).toBe(2);
    const lines = logLines(bot);
    // ENOTFOUND from a DNS server that answers, EAI_AGAIN where none does (an offline machine).
    const cause = /^the name no-such-host\.invalid could not be resolved \((ENOTFOUND|EAI_AGAIN: the DNS server did not answer)\)$/;
    const warnings = lines.filter((l) => l.level === 40);
    expect(warnings.map((l) => [l.msg, l.attempt, l.retryInMs])).toEqual([["the Telegram Bot API is not reachable: giving up", 1, undefined]]);
    expect(warnings[0]!.err).toMatch(cause);
    expect(bot.stdout()).not.toContain("yet");
    const fatal = lines.at(-1)!;
    expect(fatal.level).toBe(60);
    expect(fatal.msg).toContain(`The Telegram Bot API (${root}) is unreachable after 1 attempt: ${warnings[0]!.err}. ${hint}`);
  });
});

describe("a running bot on the playground's Bot API emulator", () => {
  let api: EmulatorServer;
  beforeAll(async () => {
    api = await startEmulatorServer();
  });
  afterAll(async () => api.stop());

  it("delivers what the bot says on its own initiative through the outbox sender", async () => {
    const admin = api.emulator.addPerson({ first_name: "Ada", language_code: "en" });
    const newcomer = api.emulator.addPerson({ first_name: "Nina", language_code: "ru" });
    const bot = start({ BOT_TOKEN: api.emulator.token, TELEGRAM_API_ROOT: api.url, ADMIN_TELEGRAM_IDS: String(admin.id), ...databaseEnv() });
    await bot.waitForLog("bot is running");
    await bot.waitForLog("the outbox sender leads");
    const withButton = (data: string) => (m: ChatMessage) => m.reply_markup?.inline_keyboard.flat().some((b) => "callback_data" in b && b.callback_data === data) ?? false;
    const pressIn = (message: ChatMessage, data: string) => api.emulator.pressButton(admin.id, message.message_id, data);

    api.emulator.sendText(admin.id, "/invite");
    pressIn(await api.botMessage(admin.id, withButton("invite:role:staff")), "invite:role:staff");
    // The dialog edits its message: the next step's buttons appear on the same one.
    const next = await api.botMessage(admin.id, (m) => withButton("invite:create")(m) || withButton("invite:unit:none")(m));
    if (withButton("invite:unit:none")(next)) pressIn(next, "invite:unit:none");
    pressIn(await api.botMessage(admin.id, withButton("invite:create")), "invite:create");
    const link = await api.botMessage(admin.id, (m) => /start=[A-Za-z0-9_-]+/.test(m.text ?? ""));
    const token = /start=([A-Za-z0-9_-]+)/.exec(link.text!)![1]!;

    api.emulator.openStartLink(newcomer.id, token);
    // The inviter's notice is not a reply: it is written to the outbox and the sender delivers it.
    const notice = await api.botMessage(admin.id, (m) => m.text?.includes("Nina") ?? false);
    expect(notice.text).toMatch(/accepted/);
    expect(notice.message_id).toBeGreaterThan(link.message_id);
    bot.child.kill("SIGTERM");
    expect(await bot.exited).toBe(0);
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
