/**
 * npm run bench:outbox — the outbox sender's real send rate against its 30-a-second limit:
 * 600 messages to 60 chats through a fake Bot API on a local HTTP port, on PGlite (or Postgres
 * with BENCH_DB=postgres). Prints one JSON line per run, then the median.
 */
import { Api } from "grammy";
import { pino } from "pino";
import { installApiPlugins } from "../src/core/telegram/api-plugins.js";
import { enqueue, OutboxSender } from "../src/core/outbox/sender.js";
import { createTestDatabase } from "../test/helpers/db.js";
import { FakeBotApiServer } from "../test/helpers/fake-bot-api-server.js";
import { TEST_TOKEN } from "../test/helpers/harness.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const MESSAGES = 600;
const CHATS = 60;
const driver = process.env.BENCH_DB === "postgres" ? "postgres" : "pglite";

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function run(index: number) {
  const database = await createTestDatabase(driver);
  const server = await new FakeBotApiServer().start();
  try {
    const expected: string[] = [];
    await database.db.transaction(async (tx) => {
      for (let n = 0; n < MESSAGES; n++) {
        const chatId = 1000 + (n % CHATS);
        const text = `<b>Напоминание</b> №${n}`;
        expected.push(`${chatId}|${text}`);
        await enqueue(tx, { chatId, text });
      }
    });
    // When each sendMessage reached the fake, for the busiest one-second window.
    const arrivals: number[] = [];
    const telegram = server.telegram as { fetch: typeof server.telegram.fetch };
    const fakeFetch = telegram.fetch;
    telegram.fetch = (input, init) => {
      if (String(input).endsWith("/sendMessage")) arrivals.push(performance.now());
      return fakeFetch(input, init);
    };
    const api = new Api(TEST_TOKEN, { apiRoot: server.url });
    installApiPlugins(api);
    const sender = new OutboxSender({ database, api, logger: pino({ level: "warn" }) });
    const started = performance.now();
    sender.start();
    while (server.telegram.sent("sendMessage").length < MESSAGES && performance.now() - started < 120_000) await sleep(5);
    const seconds = (performance.now() - started) / 1000;
    await sleep(1500); // anything sent twice would arrive by now
    await sender.stop();

    const counts = new Map<string, number>();
    for (const p of server.telegram.sent("sendMessage")) counts.set(`${String(p.chat_id)}|${String(p.text)}`, (counts.get(`${String(p.chat_id)}|${String(p.text)}`) ?? 0) + 1);
    const lost = expected.filter((key) => !counts.has(key)).length;
    const duplicated = [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
    let busiestSecond = 0;
    for (let i = 0, j = 0; i < arrivals.length; i++) {
      while (arrivals[i]! - arrivals[j]! >= 1000) j++;
      busiestSecond = Math.max(busiestSecond, i - j + 1);
    }
    const result = {
      run: index + 1,
      driver,
      messages: MESSAGES,
      chats: CHATS,
      seconds: Number(seconds.toFixed(2)),
      messagesPerSecond: Number((MESSAGES / seconds).toFixed(1)),
      busiestSecond,
      lost,
      duplicated,
    };
    console.log(JSON.stringify(result));
    return result;
  } finally {
    await server.stop();
    await database.close();
  }
}

const results = [];
for (let i = 0; i < RUNS; i++) results.push(await run(i));
console.log(
  JSON.stringify({
    summary: true,
    driver,
    runs: RUNS,
    limitPerSecond: 30,
    messagesPerSecondMedian: median(results.map((r) => r.messagesPerSecond)),
    busiestSecondMax: Math.max(...results.map((r) => r.busiestSecond)),
    lost: results.reduce((sum, r) => sum + r.lost, 0),
    duplicated: results.reduce((sum, r) => sum + r.duplicated, 0),
  }),
);
