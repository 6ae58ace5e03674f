/**
 * npm run bench — start-up time, idle memory and update latency, on PGlite and on Postgres.
 * Runs the compiled bot (dist/) as a real process against a fake Bot API on a local port.
 * Shared machines are noisy: read medians and ratios, not single numbers.
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase } from "../test/helpers/db.js";
import { FakeBotApiServer } from "../test/helpers/fake-bot-api-server.js";
import { TEST_TOKEN } from "../test/helpers/harness.js";
import { ROOT } from "../test/helpers/process.js";
import { command, makeUser } from "../test/helpers/updates.js";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const UPDATES = Number(process.env.BENCH_UPDATES ?? 200);
const IDLE_MS = 3000;

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const rssMb = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function measure(env: Record<string, string>, api: FakeBotApiServer) {
  const started = performance.now();
  const child = spawn(process.execPath, [join(ROOT, "dist/main.js")], {
    cwd: tmpdir(),
    env: { PATH: process.env.PATH ?? "", BOT_TOKEN: TEST_TOKEN, TELEGRAM_API_ROOT: api.url, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  while (!out.includes('"bot is running"')) {
    if (child.exitCode !== null) throw new Error(`bot exited: ${out}`);
    await sleep(5);
  }
  const startupMs = performance.now() - started;
  await sleep(IDLE_MS);
  const idleRss = rssMb(child.pid!);

  // Latency: one user sends /help UPDATES times, one at a time, through long polling.
  const user = makeUser();
  const latencies: number[] = [];
  for (let i = 0; i < UPDATES; i++) {
    const sent = api.telegram.textsTo(user.id).length;
    const t0 = performance.now();
    api.push(command(user, "help"));
    while (api.telegram.textsTo(user.id).length === sent) await sleep(1);
    latencies.push(performance.now() - t0);
  }
  const busyRss = rssMb(child.pid!);
  child.kill("SIGTERM");
  await new Promise((resolve) => child.on("exit", resolve));
  return { startupMs, idleRss, busyRss, latencyMs: median(latencies) };
}

async function series(name: string, env: () => Promise<{ env: Record<string, string>; done: () => Promise<void> }>) {
  const results = [];
  for (let run = 0; run < RUNS; run++) {
    const api = await new FakeBotApiServer().start();
    const target = await env();
    try {
      results.push(await measure(target.env, api));
    } finally {
      await target.done();
      await api.stop();
    }
  }
  const summary = {
    driver: name,
    runs: RUNS,
    startupMsMedian: Math.round(median(results.map((r) => r.startupMs))),
    idleRssMbMedian: Math.round(median(results.map((r) => r.idleRss))),
    rssAfterUpdatesMbMedian: Math.round(median(results.map((r) => r.busyRss))),
    helpLatencyMsMedian: Number(median(results.map((r) => r.latencyMs)).toFixed(1)),
  };
  console.log(JSON.stringify(summary));
  return summary;
}

execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });

// PGlite: the very first start creates the database (initdb); every later start reopens it.
const fresh = () => mkdtempSync(join(tmpdir(), "bench-pglite-"));
const firstStart = await series("pglite, first start", () => {
  const dir = fresh();
  return Promise.resolve({ env: { DATA_DIR: dir }, done: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })) });
});
const kept = fresh();
{
  // Warm-up: create the database once, so every measured start below is a restart.
  const api = await new FakeBotApiServer().start();
  await measure({ DATA_DIR: kept }, api);
  await api.stop();
}
const pglite = await series("pglite, restart", () => Promise.resolve({ env: { DATA_DIR: kept }, done: () => Promise.resolve() }));
rmSync(kept, { recursive: true, force: true });
const pg = await series("postgres", async () => {
  const database = await createTestDatabase("postgres");
  return { env: { DATABASE_URL: database.url! }, done: () => database.close() };
});
const ratio = (a: number, b: number) => Number((a / b).toFixed(2));
console.log(
  JSON.stringify({
    startupRatioPgliteRestartToPostgres: ratio(pglite.startupMsMedian, pg.startupMsMedian),
    startupRatioPgliteFirstToRestart: ratio(firstStart.startupMsMedian, pglite.startupMsMedian),
    idleRssRatioPgliteToPostgres: ratio(pglite.idleRssMbMedian, pg.idleRssMbMedian),
    latencyRatioPgliteToPostgres: ratio(pglite.helpLatencyMsMedian, pg.helpLatencyMsMedian),
  }),
);
