import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Update } from "grammy/types";
import postgres from "postgres";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createPglite } from "../src/core/db/client.js";
import { createTestDatabase, TEST_DRIVER, type TestDatabase } from "./helpers/db.js";
import { FakeBotApiServer } from "./helpers/fake-bot-api-server.js";
import { TEST_TOKEN } from "./helpers/harness.js";
import { type BotProcess, startBotProcess } from "./helpers/process.js";
import { command, makeUser, press, text, type TestUser } from "./helpers/updates.js";

/**
 * The real `node dist/main.js`, killed with -9 in the middle of every step of /newpartner and
 * /newevent, then started again: each answer gets its next question once, and the partner and
 * the event exist once. Telegram's side is the fake Bot API over HTTP, with Telegram's offset
 * rule: an update confirmed by the next getUpdates is never delivered again, so whatever the
 * killed process had taken must come back from the bot's own inbox.
 */

let workDir: string;
let database: TestDatabase | undefined;
let api: FakeBotApiServer;
const processes: BotProcess[] = [];
const admin = makeUser({ first_name: "Анна", last_name: "Админова", language_code: "ru" });
const teacher = makeUser({ first_name: "Мария", last_name: "Петрова", language_code: "ru" });

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), "palace-crash-"));
  if (TEST_DRIVER === "postgres") database = await createTestDatabase("postgres");
  api = await new FakeBotApiServer().start();
});
afterEach(() => {
  for (const bot of processes) if (bot.child.exitCode === null) bot.child.kill("SIGKILL");
});
afterAll(async () => {
  await api.stop();
  await database?.close();
  rmSync(workDir, { recursive: true, force: true });
});

const env = () => ({
  BOT_TOKEN: TEST_TOKEN,
  TELEGRAM_API_ROOT: api.url,
  ADMIN_TELEGRAM_IDS: String(admin.id),
  ...(database?.url ? { DATABASE_URL: database.url } : { DATA_DIR: join(workDir, "data") }),
});

async function startBot(): Promise<BotProcess> {
  const bot = startBotProcess(env(), workDir, { compiled: true });
  processes.push(bot);
  await bot.waitForLog("bot is running", 60_000);
  return bot;
}

async function killHard(bot: BotProcess): Promise<void> {
  bot.child.kill("SIGKILL");
  await bot.exited;
}

const SHOWING = new Set(["sendMessage", "editMessageText", "editMessageReplyMarkup"]);

/** What a user saw: every message sent or edited in their chat, as text and button captions. */
function shown(user: TestUser): string[] {
  return api.telegram.calls
    .filter((c) => !c.error && SHOWING.has(c.method) && c.payload.chat_id === user.id)
    .map((c) => {
      const markup = c.payload.reply_markup as { inline_keyboard?: { text: string }[][] } | undefined;
      return [typeof c.payload.text === "string" ? c.payload.text : "", ...(markup?.inline_keyboard ?? []).flat().map((b) => b.text)].join("\n");
    });
}

/** Callback data of the buttons under the last message to the user (none yet: empty). */
function buttons(user: TestUser): string[] {
  return shown(user).length === 0 ? [] : api.telegram.lastMessageTo(user.id).buttons.map((b) => b.data);
}

const say = (body: string) => (user: TestUser) => text(user, body);
const pick = (data: string) => (user: TestUser) => press(user, data, api.telegram.lastMessageTo(user.id));
/** The first button under the last message (a list whose ids the test does not know). */
const first = (user: TestUser) => press(user, api.telegram.lastMessageTo(user.id).buttons[0]!.data, api.telegram.lastMessageTo(user.id));

interface Step {
  input: (user: TestUser) => Update;
  /** Part of the answer this step must get: the next question, or the result. */
  expect: string;
}

const NEW_PARTNER: Step[] = [
  { input: (u) => command(u, "newpartner"), expect: "Напишите полное название организации" },
  { input: say("Иркутский государственный университет"), expect: "Краткое название" },
  { input: say("ИГУ"), expect: "Тип организации" },
  { input: pick("ask:pick:university"), expect: "Кто отвечает за партнёрство?" },
  { input: pick("ask:pick:institution"), expect: "Направленность совместной деятельности" },
  { input: pick("ask:pick:natural_science"), expect: "✅ Естественнонаучная" },
  { input: pick("ask:done"), expect: "Сайт организации" },
  { input: say("isu.ru"), expect: "Адрес организации" },
  { input: say("Иркутск, ул. Карла Маркса, 1"), expect: "ИНН организации" },
  { input: say("3808013278"), expect: "Зачем нам этот партнёр?" },
  { input: say("Профориентация школьников 15–17 лет"), expect: "Какие задачи должно решить партнёрство?" },
  { input: say("Лекции и экскурсии в лабораториях"), expect: "Заметки" },
  { input: pick("ask:skip"), expect: "<b>Полное название:</b> Иркутский государственный университет" },
  { input: pick("ask:pick:confirm"), expect: "Партнёр сохранён." },
];

const NEW_EVENT: Step[] = [
  { input: (u) => command(u, "newevent"), expect: "With which partner?" },
  { input: say("университет"), expect: "Choose the partner:" },
  { input: first, expect: "Partners: ИГУ" },
  { input: pick("ask:pick:next"), expect: "What is the format of the event?" },
  { input: pick("ask:pick:master_class"), expect: "What is the level of the event?" },
  { input: pick("ask:pick:competition"), expect: "✅ 🏆 With winners" },
  { input: pick("ask:pick:regional"), expect: "The event's title" },
  { input: say("Robotics master class"), expect: "Briefly describe the event" },
  { input: say("We build robots from kits"), expect: "When does it start?" },
  { input: say("tomorrow 3pm"), expect: "Is that right?" },
  { input: pick("ask:pick:yes"), expect: "How long will the event last?" },
  { input: pick("ask:pick:90"), expect: "Where will the event take place?" },
  { input: say("Palace of Creativity, room 12"), expect: "The participants' age" },
  { input: say("10-14"), expect: "Who is the event for?" },
  { input: pick("ask:pick:gifted"), expect: "✅ Gifted children" },
  { input: pick("ask:done"), expect: "How many participants are expected?" },
  { input: say("25"), expect: "Which member of staff is responsible" },
  { input: first, expect: "Which unit runs the event?" },
  { input: pick("ask:pick:none"), expect: "<b>Please check</b>" },
  { input: pick("ask:pick:confirm"), expect: "has been sent for approval" },
];

/**
 * Pushes the step's update and kills the bot at a point of its handling: when its n-th request
 * to Telegram goes out (that request never arrives: the process died before sending it), or
 * "after" the answer came. Then starts the bot again and checks the answer came exactly once.
 *
 * Not a kill point: the few milliseconds between Telegram accepting a message and the journal
 * recording it. A process that dies exactly then sends that message again when it is back.
 */
async function stepThroughCrash(bot: BotProcess, user: TestUser, step: Step, killAt: "after" | number): Promise<BotProcess> {
  const before = shown(user).length;
  const update = step.input(user);
  let seen = 0;
  const held =
    killAt === "after"
      ? new Promise<void>(() => undefined)
      : api.holdNext((method, payload) => {
          const ours = payload.chat_id === user.id || (update.callback_query !== undefined && payload.callback_query_id === update.callback_query.id);
          return ours && method !== "getUpdates" && seen++ === killAt;
        });
  api.push(update);
  if (killAt === "after") {
    await api.waitFor(() => shown(user).slice(before).some((s) => s.includes(step.expect)));
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  // A step that makes fewer requests than killAt is killed after it finished: also a crash.
  else await Promise.race([held, new Promise((resolve) => setTimeout(resolve, 1500))]);
  await killHard(bot);
  api.releaseHolds();
  const next = await startBot();
  await api.waitFor(() => shown(user).slice(before).some((s) => s.includes(step.expect)), 20_000).catch(() => {
    throw new Error(
      `no "${step.expect}" after a crash at ${String(killAt)}; shown since: ${JSON.stringify(shown(user).slice(before))}\n${bot.stdout()}\n${next.stdout()}`,
    );
  });
  // Recovery runs before "bot is running": anything sent twice would be here by now.
  expect(shown(user).slice(before).filter((s) => s.includes(step.expect)), `step "${step.expect}"`).toHaveLength(1);
  // A button press is answered once (Telegram refuses a second answer).
  if (update.callback_query) {
    const answers = api.telegram.sent("answerCallbackQuery").filter((p) => p.callback_query_id === update.callback_query!.id);
    expect(answers, `answers to "${update.callback_query.data}"`).toHaveLength(1);
  }
  return next;
}

async function countRows(table: "partners" | "events"): Promise<number> {
  if (database?.url) {
    const sql = postgres(database.url, { max: 1, onnotice: () => undefined });
    try {
      const [row] = await sql<{ n: number }[]>`select count(*)::int as n from ${sql(table)}`;
      return row!.n;
    } finally {
      await sql.end();
    }
  }
  const client = await createPglite(join(workDir, "data"));
  try {
    const result = await client.query<{ n: number }>(`select count(*)::int as n from ${table}`);
    return result.rows[0]!.n;
  } finally {
    await client.close();
  }
}

function errorLines(bot: BotProcess): string[] {
  return bot
    .stdout()
    .split("\n")
    .filter((line) => line.startsWith("{") && (JSON.parse(line) as { level: number }).level >= 50);
}

describe(`kill -9 in the middle of every step (${TEST_DRIVER})`, () => {
  it("loses no answer, asks nothing twice and creates the partner and the event once", { timeout: 600_000 }, async () => {
    let bot = await startBot();

    // An admin invites the teacher (no crash here): she is the one who fills in the forms.
    api.push(command(admin, "invite"));
    await api.waitFor(() => buttons(admin).includes("invite:role:staff"));
    api.push(pick("invite:role:staff")(admin));
    await api.waitFor(() => buttons(admin).includes("invite:unit:none") || buttons(admin).includes("invite:create"));
    if (buttons(admin).includes("invite:unit:none")) {
      api.push(pick("invite:unit:none")(admin));
      await api.waitFor(() => buttons(admin).includes("invite:create"));
    }
    api.push(pick("invite:create")(admin));
    await api.waitFor(() => /start=([A-Za-z0-9_-]+)/.test(api.telegram.lastTextTo(admin.id)));
    const token = /start=([A-Za-z0-9_-]+)/.exec(api.telegram.lastTextTo(admin.id))![1]!;
    api.push(command(teacher, "start", token));
    await api.waitFor(() => shown(teacher).length > 0);

    const killPoints = [0, 1, "after"] as const;
    for (const [i, step] of NEW_PARTNER.entries()) bot = await stepThroughCrash(bot, teacher, step, killPoints[i % 3]!);

    api.push(command(teacher, "lang"));
    await api.waitFor(() => buttons(teacher).includes("lang:en"));
    api.push(pick("lang:en")(teacher));
    await api.waitFor(() => shown(teacher).some((s) => s.includes("Language saved") || s.includes("English")));
    for (const [i, step] of NEW_EVENT.entries()) bot = await stepThroughCrash(bot, teacher, step, killPoints[(i + 1) % 3]!);

    // The last process stops cleanly; none of them logged an error.
    bot.child.kill("SIGTERM");
    const code = await bot.exited;
    expect({ code, signal: bot.child.signalCode, stderr: bot.stderr(), tail: bot.stdout().split("\n").slice(-8) }).toMatchObject({ code: 0 });
    expect(processes.flatMap(errorLines)).toEqual([]);
    expect(await countRows("partners")).toBe(1);
    expect(await countRows("events")).toBe(1);
    // The killed processes did leave work behind, and it was taken over.
    expect(processes.some((p) => p.stdout().includes("handling again an update whose handling did not finish"))).toBe(true);
  });
});
