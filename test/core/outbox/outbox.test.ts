import { asc, eq, sql } from "drizzle-orm";
import { pino } from "pino";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { selectRows } from "../../../src/core/db/client.js";
import { outbox } from "../../../src/core/outbox/schema.js";
import { enqueue, OutboxSender, type OutboxSenderOptions } from "../../../src/core/outbox/sender.js";
import { splitHtml } from "../../../src/core/outbox/split-html.js";
import { isBotBlocked } from "../../../src/core/access/users.js";
import { createTestDatabase, TEST_DRIVER, type TestDatabase } from "../../helpers/db.js";
import { checkTelegramHtml } from "../../helpers/fake-telegram.js";
import { FakeClock, FakeOutboxApi, type TimedCall } from "../../helpers/fake-outbox-api.js";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());
beforeEach(async () => database.truncate());

const running: OutboxSender[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((sender) => sender.stop()));
});

/** A sender over the test database; `killed` ones are never stopped (their process "died"). */
function startSender(fake: FakeOutboxApi, clock: FakeClock, options: Partial<OutboxSenderOptions> = {}, killed = false): OutboxSender {
  const sender = new OutboxSender({
    database,
    api: fake.api,
    logger: pino({ level: process.env.OUTBOX_LOG ?? "silent" }),
    now: clock.now,
    sleep: clock.sleep,
    ...options,
  });
  sender.start();
  if (!killed) running.push(sender);
  return sender;
}

async function until(what: string, predicate: () => Promise<boolean> | boolean, ms = 25_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function statuses(): Promise<Record<string, number>> {
  const rows = await selectRows<{ status: string; n: number }>(database.db, sql`select status, count(*)::int as n from outbox group by status`);
  return Object.fromEntries(rows.map((r) => [r.status, r.n]));
}

const settled = async () => {
  const s = await statuses();
  return !s.pending && !s.sending;
};

/** Telegram's parsed text of an HTML message: tags dropped, entities as one character. */
const visible = (html: string) => html.replace(/<[^>]+>/g, "").replace(/&[^;]+;/g, "x");

describe("splitting long texts", () => {
  it("keeps a short text as it is", () => {
    expect(splitHtml("<b>Hello</b> &amp; welcome")).toEqual(["<b>Hello</b> &amp; welcome"]);
  });

  it("cuts a text without spaces between entities, never inside one", () => {
    const parts = splitHtml("&amp;".repeat(5000) + "<b>" + "y".repeat(5000) + "</b>");
    expect(parts.length).toBe(3);
    for (const part of parts) expect(checkTelegramHtml(part)).toBeNull();
    expect(parts.map(visible).join("")).toBe("x".repeat(5000) + "y".repeat(5000));
  });
});

describe("enqueue", () => {
  it("writes one row per part of a 10,000-character HTML text, the keyboard on the last only", async () => {
    const paragraph = (n: number) =>
      `<b>Пункт ${n}</b>: «Дворец творчества» &amp; партнёр — <a href="https://example.org/${n}">ссылка</a>, <i>${"слово ".repeat(20)}</i>`;
    // Paragraphs, then one italic run of 5,000 characters that must be cut inside the tag.
    const text = Array.from({ length: 30 }, (_, n) => paragraph(n)).join("\n\n") + `\n<i>${"длинный курсив ".repeat(340)}</i>`;
    expect(visible(text).length).toBeGreaterThan(10_000);
    expect(visible(text).length).toBeLessThan(10_500);
    const keyboard = { inline_keyboard: [[{ text: "OK", callback_data: "x:ok:1" }]] };

    expect(await enqueue(database.db, { chatId: 42, text, replyMarkup: keyboard })).toBe(3);

    const rows = await database.db.select().from(outbox).orderBy(asc(outbox.id));
    const payloads = rows.map((row) => row.payload as { text: string; reply_markup?: unknown; parse_mode: string });
    expect(payloads.map((p) => p.reply_markup ?? null)).toEqual([null, null, keyboard]);
    for (const p of payloads) {
      expect(p.parse_mode).toBe("HTML");
      expect(checkTelegramHtml(p.text)).toBeNull();
    }
    // Nothing lost or reordered: only the whitespace at each cut goes.
    expect(payloads.map((p) => visible(p.text)).join("").replace(/\s/g, "")).toBe(visible(text).replace(/\s/g, ""));
    // Cut at a paragraph where there are paragraphs; the italic run closed and reopened.
    expect(payloads[0]!.text).toMatch(/слово <\/i>$/);
    expect(payloads[1]!.text).toMatch(/(длинный|курсив)<\/i>$/);
    expect(payloads[2]!.text).toMatch(/^<i>(длинный|курсив)/);
    for (const p of payloads.slice(0, -1)) expect(visible(p.text).length).toBeGreaterThan(2048);

    const clock = new FakeClock();
    const fake = new FakeOutboxApi(clock);
    startSender(fake, clock);
    await until("all is sent", settled);
    expect(fake.calls.map((c) => c.error ?? "ok")).toEqual(["ok", "ok", "ok"]);
    expect(fake.telegram.textsTo(42)).toEqual(payloads.map((p) => p.text));
  });

  it("is idempotent with a dedupe key and belongs to the caller's transaction", async () => {
    expect(await enqueue(database.db, { chatId: 1, text: "Напоминание", dedupeKey: "reminder:7" })).toBe(1);
    expect(await enqueue(database.db, { chatId: 1, text: "Напоминание", dedupeKey: "reminder:7" })).toBe(0);
    await expect(
      database.db.transaction(async (tx) => {
        await enqueue(tx, { chatId: 2, text: "rolled back" });
        throw new Error("the change failed");
      }),
    ).rejects.toThrow("the change failed");
    const rows = await database.db.select().from(outbox);
    expect(rows.map((r) => [r.chatId, r.dedupeKey])).toEqual([[1, "reminder:7"]]);
  });
});

describe("the outbox sender", () => {
  it("honours a 429's retry_after itself, without the auto-retry plugin's hidden waits", async () => {
    const clock = new FakeClock();
    const fake = new FakeOutboxApi(clock);
    fake.telegram.failNext("sendMessage", { error_code: 429, description: "Too Many Requests: retry after 7", parameters: { retry_after: 7 } });
    await enqueue(database.db, { chatId: 1, text: "first" });
    await enqueue(database.db, { chatId: 2, text: "second" });
    startSender(fake, clock);
    await until("all is sent", settled);

    expect(fake.calls.map((c) => [c.chatId, c.error ? "429" : "ok"])).toEqual([
      [1, "429"],
      [1, "ok"],
      [2, "ok"],
    ]);
    // Everything waits out the flood wait, not only the chat that got it.
    expect(fake.calls[1]!.at - fake.calls[0]!.at).toBeGreaterThanOrEqual(7000);
    expect(fake.calls[2]!.at - fake.calls[0]!.at).toBeGreaterThanOrEqual(7000);
    const [row] = await database.db.select().from(outbox).where(eq(outbox.chatId, 1));
    expect(row).toMatchObject({ status: "sent", attempts: 0 });
  });

  it("retries 5xx with exponential backoff, then sends", async () => {
    const clock = new FakeClock();
    const fake = new FakeOutboxApi(clock);
    for (let i = 0; i < 3; i++) fake.telegram.failNext("sendMessage", { error_code: 502, description: "Bad Gateway" });
    await enqueue(database.db, { chatId: 5, text: "hello" });
    startSender(fake, clock, { backoffBaseMs: 1000 });
    await until("all is sent", settled);

    expect(fake.calls.map((c) => c.error ?? "ok")).toEqual(["Bad Gateway", "Bad Gateway", "Bad Gateway", "ok"]);
    const gaps = fake.calls.slice(1).map((c, i) => c.at - fake.calls[i]!.at);
    expect(gaps[0]).toBeGreaterThanOrEqual(1000);
    expect(gaps[1]).toBeGreaterThanOrEqual(2000);
    expect(gaps[2]).toBeGreaterThanOrEqual(4000);
    const [row] = await database.db.select().from(outbox);
    expect(row).toMatchObject({ status: "sent", attempts: 3, lastError: null });
  });

  it("gives a message up as failed after the last attempt, and the chat's next one goes on", async () => {
    const clock = new FakeClock();
    const fake = new FakeOutboxApi(clock);
    for (let i = 0; i < 3; i++) fake.telegram.failNext("sendMessage", { error_code: 500, description: "Internal Server Error" });
    await enqueue(database.db, { chatId: 5, text: "doomed" });
    await enqueue(database.db, { chatId: 5, text: "next" });
    startSender(fake, clock, { maxAttempts: 3 });
    await until("all is settled", settled);

    const rows = await database.db.select().from(outbox).orderBy(asc(outbox.id));
    expect(rows.map((r) => [r.status, r.attempts])).toEqual([
      ["failed", 3],
      ["sent", 0],
    ]);
    expect(fake.telegram.textsTo(5)).toEqual(["next"]);
  });

  it("marks a recipient who blocked the bot (403) as blocked and never retries them", async () => {
    const clock = new FakeClock();
    const fake = new FakeOutboxApi(clock);
    fake.telegram.failNext("sendMessage", { error_code: 403, description: "Forbidden: bot was blocked by the user" });
    await enqueue(database.db, { chatId: 7, text: "one" });
    await enqueue(database.db, { chatId: 7, text: "two" });
    await enqueue(database.db, { chatId: 8, text: "other chat" });
    startSender(fake, clock);
    await until("all is settled", settled);
    clock.ms += 60 * 60_000;
    await new Promise((resolve) => setTimeout(resolve, 100));

    expect(fake.calls.filter((c) => c.chatId === 7)).toHaveLength(1);
    expect(fake.telegram.textsTo(8)).toEqual(["other chat"]);
    const rows = await database.db.select().from(outbox).orderBy(asc(outbox.id));
    expect(rows.map((r) => [r.chatId, r.status])).toEqual([
      [7, "blocked"],
      [7, "blocked"],
      [8, "sent"],
    ]);
    expect(rows[0]!.lastError).toContain("bot was blocked by the user");
    // The person is marked as having blocked the bot, as a refused answer marks them.
    expect(await isBotBlocked(database.db, 7)).toBe(true);
    expect(await isBotBlocked(database.db, 8)).toBe(false);
  });

  it("retries a network error thrown from fetch", async () => {
    const clock = new FakeClock();
    const fake = new FakeOutboxApi(clock);
    fake.networkErrors = 2;
    await enqueue(database.db, { chatId: 9, text: "through a bad network" });
    startSender(fake, clock);
    await until("all is sent", settled);

    expect(fake.calls.map((c) => c.error ?? "ok")).toEqual(["network", "network", "ok"]);
    const [row] = await database.db.select().from(outbox);
    expect(row).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("sends at most 30 messages a second in total and one a second per chat, in order", async () => {
    const clock = new FakeClock();
    const fake = new FakeOutboxApi(clock);
    const chats = 40;
    const perChat = 5;
    for (let n = 0; n < perChat; n++) {
      for (let chat = 1; chat <= chats; chat++) await enqueue(database.db, { chatId: chat, text: `message ${n}` });
    }
    const started = clock.now();
    startSender(fake, clock);
    await until("all is sent", settled, 60_000);

    const times = fake.calls.map((c) => c.at);
    expect(times).toHaveLength(chats * perChat);
    for (let i = 0; i + 30 < times.length; i++) expect(times[i + 30]! - times[i]!).toBeGreaterThanOrEqual(1000);
    for (let chat = 1; chat <= chats; chat++) {
      const mine = fake.calls.filter((c) => c.chatId === chat);
      expect(mine.map((c) => c.text)).toEqual(Array.from({ length: perChat }, (_, n) => `message ${n}`));
      for (let i = 1; i < mine.length; i++) expect(mine[i]!.at - mine[i - 1]!.at).toBeGreaterThanOrEqual(1000);
    }
    // And not much slower than the limit allows: 200 messages at 30 a second take under 8 s.
    expect(times.at(-1)! - started).toBeLessThan(8000);
  });

  it("sends a single chat's messages one second apart, no slower", async () => {
    const clock = new FakeClock();
    const fake = new FakeOutboxApi(clock);
    for (let n = 0; n < 5; n++) await enqueue(database.db, { chatId: 77, text: `part ${n}` });
    startSender(fake, clock);
    await until("all is sent", settled);

    const gaps = fake.calls.slice(1).map((c, i) => c.at - fake.calls[i]!.at);
    expect(fake.calls.map((c) => c.text)).toEqual(["part 0", "part 1", "part 2", "part 3", "part 4"]);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(1000);
    expect(fake.calls.at(-1)!.at - fake.calls[0]!.at).toBeLessThan(4000 + 500);
  });

  it("loses nothing when killed mid-batch, and sends again only the message that was in flight", async () => {
    const texts = Array.from({ length: 30 }, (_, n) => ({ chatId: 100 + (n % 5), text: `batch ${n}` }));
    for (const message of texts) await enqueue(database.db, message);
    const clock = new FakeClock();
    const fake = new FakeOutboxApi(clock);
    fake.hangAfter = 12;
    startSender(fake, clock, {}, true);
    await until("the 13th call is in flight", () => fake.calls.length === 13);
    expect(await statuses()).toMatchObject({ sent: 12, sending: 1, pending: 17 });
    if (TEST_DRIVER === "postgres") {
      // The process dies: its connections go, and with them its lock.
      await database.db.execute(
        sql`select pg_terminate_backend(pid) from pg_locks where locktype = 'advisory' and pid <> pg_backend_pid() and database = (select oid from pg_database where datname = current_database())`,
      );
    }

    const restartClock = new FakeClock(clock.ms + 60_000);
    const restarted = new FakeOutboxApi(restartClock);
    startSender(restarted, restartClock);
    await until("all is sent", settled);

    const delivered = [...fake.delivered(), ...restarted.delivered()];
    const count = new Map<string, number>();
    for (const call of delivered) count.set(`${call.chatId}:${call.text}`, (count.get(`${call.chatId}:${call.text}`) ?? 0) + 1);
    const lost = texts.filter((m) => !count.has(`${m.chatId}:${m.text}`));
    const duplicated = [...count.values()].reduce((sum, n) => sum + n - 1, 0);
    expect(lost).toEqual([]);
    expect(duplicated).toBe(1);
    expect(await statuses()).toEqual({ sent: 30 });
    // Each chat still got its messages in order.
    for (let chat = 100; chat < 105; chat++) {
      const order = restarted.delivered().filter((c: TimedCall) => c.chatId === chat).map((c) => Number(c.text.split(" ")[1]));
      expect(order).toEqual([...order].sort((a, b) => a - b));
    }
  });

  it.runIf(TEST_DRIVER === "postgres")("sends each message exactly once when two senders start together; the standby takes over", async () => {
    for (let n = 0; n < 40; n++) await enqueue(database.db, { chatId: 200 + (n % 8), text: `message ${n}` });
    const clocks = [new FakeClock(), new FakeClock()];
    const fakes = clocks.map((clock) => new FakeOutboxApi(clock));
    const senders = fakes.map((fake, i) => startSender(fake, clocks[i]!));
    await until("all is sent", settled);

    const counts = fakes.map((fake) => fake.calls.length).sort((a, b) => a - b);
    expect(counts).toEqual([0, 40]);
    const all = fakes.flatMap((fake) => fake.calls.map((c) => c.text)).sort();
    expect(new Set(all).size).toBe(40);

    const leader = fakes.findIndex((fake) => fake.calls.length > 0);
    await senders[leader]!.stop();
    await enqueue(database.db, { chatId: 300, text: "after the leader stopped" });
    await until("the standby sent it", settled);
    expect(fakes[1 - leader]!.telegram.textsTo(300)).toEqual(["after the leader stopped"]);
  });
});
