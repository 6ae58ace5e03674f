/**
 * npm run bench:inbound — the bot's update path under load, in webhook mode on Postgres, against
 * a bare grammY bot under the same load (rounds interleaved A/B/A/B), plus an open-loop round at
 * 300 updates a second, the statements and round trips per update (a counting proxy in front of
 * Postgres) and one closed-loop figure on PGlite. Prints a table and writes its section of
 * docs/BENCHMARKS.md. The script builds dist/ first (npm run build).
 *
 * BENCH_ROUNDS (3) rounds of BENCH_SECONDS (15) after BENCH_WARMUP_SECONDS (3) of warm-up;
 * BENCH_CHATS (200); BENCH_PARTNERS (30) made for the list; BENCH_OPEN_RATE (300);
 * BENCH_PROXY_SECONDS (a third of a round, at least 3) for the counted round;
 * BENCH_DATABASE_URL or TEST_DATABASE_URL: the Postgres server (postgres://postgres@127.0.0.1:5432/postgres),
 * reached without TLS (the counting proxy reads the protocol); BENCH_LOG_LEVEL (warn): the bots' LOG_LEVEL;
 * BENCH_DOCS=0 leaves docs/BENCHMARKS.md alone. To look closer: BENCH_CPU_PROFILE=<dir> writes a V8
 * CPU profile of the bot of the interleaved rounds; BENCH_SLOW_MS=<ms> prints every slower POST.
 * A quick check that it all works: BENCH_ROUNDS=1 BENCH_SECONDS=5 npm run bench:inbound.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, release, tmpdir, type } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import postgres from "postgres";
import { BOT_USER, makeUser, type TestUser } from "../test/helpers/updates.js";
import { FakeBotApi } from "./inbound/fake-api.js";
import { ChatDriver, closedLoop, KINDS, openLoop, type RoundSummary, Target, WebhookClient } from "./inbound/load.js";
import { CountingProxy, type ProxyCounts } from "./inbound/pg-proxy.js";
import { type Child, cpuMs, freePort, machineBusyMs, spawnNode } from "./inbound/processes.js";
import { fmt, type Goal, markdown, median, printReport, type Report, type Row, writeSection } from "./inbound/report.js";
import { createPartners, inviteStaff } from "./inbound/setup.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const TSX_LOADER = pathToFileURL(join(ROOT, "node_modules/tsx/dist/loader.mjs")).href;

const number = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};
const ROUNDS = Math.round(number("BENCH_ROUNDS", 3));
const SECONDS = number("BENCH_SECONDS", 15);
const WARMUP_SECONDS = number("BENCH_WARMUP_SECONDS", 3);
const CHATS = Math.round(number("BENCH_CHATS", 200));
const PARTNERS = Math.round(number("BENCH_PARTNERS", 30));
const OPEN_RATE = number("BENCH_OPEN_RATE", 300);
const PROXY_SECONDS = number("BENCH_PROXY_SECONDS", Math.max(3, Math.round(SECONDS / 3)));
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? "warn";
/** A directory for a V8 CPU profile (node --cpu-prof) of the bot in the interleaved rounds. */
const CPU_PROFILE = process.env.BENCH_CPU_PROFILE;
const SERVER_URL = process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

const TOKEN = "123456789:AAEbenchTOKENbenchTOKENbenchTOKEN12";
const SECRET = "bench-inbound-secret";
const HOOK_PATH = "/telegram/hook";
const BOT_INFO = {
  ...BOT_USER,
  username: BOT_USER.username!,
  can_join_groups: true,
  can_read_all_group_messages: false,
  supports_inline_queries: false,
  can_connect_to_business: false,
  has_main_web_app: false,
};

const say = (text: string) => console.log(`[bench:inbound] ${text}`);

// ---------------------------------------------------------------- databases

const server = postgres(SERVER_URL, { max: 2, onnotice: () => undefined });
const created: string[] = [];
const databaseUrl = (name: string, via?: { port: number }) => {
  const url = new URL(SERVER_URL);
  url.pathname = `/${name}`;
  if (via) {
    url.hostname = "127.0.0.1";
    url.port = String(via.port);
  }
  return url.toString();
};
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
};

/** Drops what killed runs left (bench_inbound_<pid>_… of a process no longer running). */
async function dropLeftovers() {
  const rows = await server<{ datname: string }[]>`select datname from pg_database where datname like 'bench_inbound_%'`;
  for (const { datname } of rows) {
    const pid = Number(/^bench_inbound_(\d+)_/.exec(datname)?.[1]);
    if (pid && pid !== process.pid && !alive(pid)) await server.unsafe(`drop database if exists "${datname}" with (force)`);
  }
}

async function createDatabase(suffix: string): Promise<string> {
  const name = `bench_inbound_${process.pid}_${suffix}`;
  await server.unsafe(`drop database if exists "${name}" with (force)`);
  await server.unsafe(`create database "${name}"`);
  created.push(name);
  return name;
}

async function transactions(name: string): Promise<number> {
  await server`select pg_stat_clear_snapshot()`;
  const [row] = await server<{ n: number }[]>`select (xact_commit + xact_rollback)::float8 as n from pg_stat_database where datname = ${name}`;
  return row?.n ?? Number.NaN;
}

/** CPU ms of each Postgres backend connected to the database, by pid. */
async function backendCpu(name: string): Promise<Map<number, number>> {
  const rows = await server<{ pid: number }[]>`select pid from pg_stat_activity where datname = ${name}`;
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    const ms = cpuMs(pid);
    if (ms !== undefined) cpu.set(pid, ms);
  }
  return cpu;
}

async function count(name: string, query: string): Promise<number> {
  const sql = postgres(databaseUrl(name), { max: 1, onnotice: () => undefined });
  try {
    const [row] = await sql.unsafe<{ n: number }[]>(query);
    return Number(row?.n);
  } finally {
    await sql.end();
  }
}

// ---------------------------------------------------------------- processes

const children: Child[] = [];
const clients: WebhookClient[] = [];
const webhookClient = (port: number) => {
  const client = new WebhookClient(port, HOOK_PATH, SECRET);
  clients.push(client);
  return client;
};
const apis: FakeBotApi[] = [];
const proxies: CountingProxy[] = [];
const workDir = mkdtempSync(join(tmpdir(), "bench-inbound-"));

async function fakeApi(): Promise<FakeBotApi> {
  const api = await new FakeBotApi(BOT_INFO, BOT_INFO).start();
  apis.push(api);
  return api;
}

interface Running {
  child: Child;
  client: WebhookClient;
}

async function startedWithin<T>(what: string, child: Child, ready: Promise<T>, ms = 120_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    ready,
    child.exited.then((code) => {
      throw new Error(`${what} exited with ${code} during start-up\n${child.otherOutput()}\n${child.log.firstErrors.join("\n")}`);
    }),
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not start within ${ms} ms`)), ms))),
  ]);
  clearTimeout(timer);
}

/** `node dist/main.js` in webhook mode: ready once it has set its webhook (start-up's last step). */
async function startBot(name: string, api: FakeBotApi, admin: TestUser, database: Record<string, string>, profile = false): Promise<Running> {
  const port = await freePort();
  const webhookSet = api.nextSetWebhook();
  const child = spawnNode(
    name,
    [...(profile && CPU_PROFILE ? ["--cpu-prof", "--cpu-prof-dir", CPU_PROFILE] : []), join(ROOT, "dist/main.js")],
    {
      BOT_TOKEN: TOKEN,
      TELEGRAM_API_ROOT: api.url,
      BOT_MODE: "webhook",
      // Telegram only posts to https; the bot only hands the URL to setWebhook and routes its path.
      WEBHOOK_URL: `https://127.0.0.1:${port}${HOOK_PATH}`,
      WEBHOOK_SECRET: SECRET,
      PORT: String(port),
      ADMIN_TELEGRAM_IDS: String(admin.id),
      LOG_LEVEL,
      NODE_ENV: "production",
      ...database,
    },
    workDir,
  );
  children.push(child);
  await startedWithin(name, child, webhookSet);
  return { child, client: webhookClient(port) };
}

async function startBareBot(name: string, api: FakeBotApi, url: string): Promise<Running> {
  const port = await freePort();
  const child = spawnNode(
    name,
    ["--import", TSX_LOADER, join(ROOT, "bench/inbound/bare-bot.ts")],
    { BOT_TOKEN: TOKEN, TELEGRAM_API_ROOT: api.url, DATABASE_URL: url, PORT: String(port), WEBHOOK_PATH: HOOK_PATH, WEBHOOK_SECRET: SECRET },
    workDir,
  );
  children.push(child);
  await startedWithin(name, child, child.waitForLine("bot is running", 120_000));
  return { child, client: webhookClient(port) };
}

// ---------------------------------------------------------------- measured rounds

interface Probe {
  at: number;
  cpu: number | undefined;
  backends: Map<number, number>;
  xacts: number;
  generator: NodeJS.CpuUsage;
  machine: number;
  proxy: (ProxyCounts & { parsed: Map<string, number> }) | undefined;
  errors: number;
  warnings: number;
}

async function probe(running: Running, database: string | undefined, proxy?: CountingProxy): Promise<Probe> {
  const xacts = database ? await transactions(database) : Number.NaN;
  const backends = database ? await backendCpu(database) : new Map<number, number>();
  return {
    at: performance.now(),
    cpu: cpuMs(running.child.pid),
    backends,
    xacts,
    generator: process.cpuUsage(),
    machine: machineBusyMs(),
    proxy: proxy?.snapshot(),
    errors: running.child.log.errors,
    warnings: running.child.log.warnings,
  };
}

interface Measured extends RoundSummary {
  cpuMsPerUpdate: number;
  postgresCpuMsPerUpdate: number;
  generatorCpuMsPerUpdate: number;
  /** Cores' worth of CPU that processes other than the bot, its Postgres backends and the benchmark used. */
  otherCores: number;
  transactionsPerUpdate: number;
  statementsPerUpdate: number;
  roundTripsPerUpdate: number;
  parsesPerUpdate: number;
  /** Transactions per update as the proxy saw them end (counted round): a check of pg_stat_database's. */
  proxyTransactionsPerUpdate: number;
  /** Query texts prepared in the window (counted round), most often first. */
  prepared: [string, number][];
  botErrors: number;
  botWarnings: number;
  unsent?: number;
}

const EPOCH = performance.now();
const at = () => `${((performance.now() - EPOCH) / 1000).toFixed(2)} s`;

async function measure(
  target: Target,
  running: Running,
  database: string | undefined,
  run: (window: { before: () => Promise<void>; after: () => Promise<void> }) => Promise<RoundSummary & { unsent?: number }>,
  proxy?: CountingProxy,
): Promise<Measured> {
  let before: Probe | undefined;
  let after: Probe | undefined;
  const summary = await run({
    before: async () => {
      before = await probe(running, database, proxy);
      if (process.env.BENCH_SLOW_MS) say(`${target.name}: window opens at ${at()}`);
    },
    after: async () => {
      after = await probe(running, database, proxy);
      if (process.env.BENCH_SLOW_MS) say(`${target.name}: window closes at ${at()}`);
    },
  });
  const b = before!;
  const a = after!;
  const per = (value: number) => value / summary.updates;
  let postgresCpu = 0;
  for (const [pid, ms] of a.backends) postgresCpu += ms - (b.backends.get(pid) ?? 0);
  const generatorMs = (a.generator.user - b.generator.user + a.generator.system - b.generator.system) / 1000;
  return {
    ...summary,
    cpuMsPerUpdate: a.cpu !== undefined && b.cpu !== undefined ? per(a.cpu - b.cpu) : Number.NaN,
    postgresCpuMsPerUpdate: database ? per(postgresCpu) : Number.NaN,
    generatorCpuMsPerUpdate: per(generatorMs),
    otherCores: Math.max(0, a.machine - b.machine - (a.cpu! - b.cpu!) - postgresCpu - generatorMs) / (a.at - b.at),
    transactionsPerUpdate: per(a.xacts - b.xacts),
    statementsPerUpdate: a.proxy && b.proxy ? per(a.proxy.statements - b.proxy.statements) : Number.NaN,
    roundTripsPerUpdate: a.proxy && b.proxy ? per(a.proxy.roundTrips - b.proxy.roundTrips) : Number.NaN,
    parsesPerUpdate: a.proxy && b.proxy ? per(a.proxy.parses - b.proxy.parses) : Number.NaN,
    proxyTransactionsPerUpdate: a.proxy && b.proxy ? per(a.proxy.transactions - b.proxy.transactions) : Number.NaN,
    prepared: a.proxy
      ? [...a.proxy.parsed]
          .map(([query, n]): [string, number] => [query, n - (b.proxy?.parsed.get(query) ?? 0)])
          .filter(([, n]) => n > 0)
          .sort((x, y) => y[1] - x[1])
      : [],
    botErrors: a.errors - b.errors,
    botWarnings: a.warnings - b.warnings,
  };
}

const closed = (target: Target, warmupS: number, windowS: number) => (window: Parameters<typeof closedLoop>[3]) =>
  closedLoop(target, warmupS * 1000, windowS * 1000, window);
const open = (target: Target, warmupS: number, windowS: number) => (window: Parameters<typeof openLoop>[4]) =>
  openLoop(target, OPEN_RATE, warmupS * 1000, windowS * 1000, window);

function line(name: string, m: Measured): string {
  const kinds = Object.entries(m.kinds)
    .map(([kind, n]) => `${kind} ${Math.round((100 * n) / Math.max(1, m.sampled))}%`)
    .join(" ");
  return (
    `${name}: ${fmt(m.updatesPerSecond, 0)} updates/s, POST p50/p95/p99/max ${fmt(m.postP50)}/${fmt(m.postP95)}/${fmt(m.postP99)}/${fmt(m.postMax, 0)} ms, ` +
    `first reply p50/p99 ${fmt(m.firstP50)}/${fmt(m.firstP99)} ms, CPU ${fmt(m.cpuMsPerUpdate, 2)} ms/update` +
    (Number.isFinite(m.transactionsPerUpdate) ? `, ${fmt(m.transactionsPerUpdate, 2)} transactions/update` : "") +
    (Number.isFinite(m.statementsPerUpdate) ? `, ${fmt(m.statementsPerUpdate, 2)} statements and ${fmt(m.roundTripsPerUpdate, 2)} round trips/update` : "") +
    ` [${kinds}; dialogs ${m.dialogs.completed} saved, ${m.dialogs.desynced} lost; failed ${m.failed}, no reply ${m.noReply}, bot errors ${m.botErrors}, warnings ${m.botWarnings}` +
    (m.unsent !== undefined ? `, late ${m.late}, unsent ${m.unsent}` : "") +
    `; other processes ${fmt(m.otherCores, 2)} cores]` +
    `\n    slowest POSTs by step: ${m.slowest.map((x) => `${x.label} p99 ${fmt(x.p99, 0)} ms (max ${fmt(x.max, 0)}, n ${x.count})`).join("; ")}`
  );
}

// ---------------------------------------------------------------- the run

async function cleanup() {
  await Promise.all(children.map((child) => child.stop(10_000).catch(() => undefined)));
  await Promise.all([...apis.map((api) => api.stop()), ...proxies.map((proxy) => proxy.stop())]);
  for (const name of created) await server.unsafe(`drop database if exists "${name}" with (force)`).catch(() => undefined);
  await server.end({ timeout: 5 }).catch(() => undefined);
  rmSync(workDir, { recursive: true, force: true });
}
let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.once(signal, () => {
    interrupted = true;
    say(`${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  });
}
// However this process ends, no bot outlives it (its databases go at the next run: dropLeftovers).
process.once("exit", () => {
  for (const child of children) if (child.child.exitCode === null && child.child.signalCode === null) child.child.kill("SIGKILL");
});

/** The commit dist/ was built from, and whether src/ had changes not committed yet. */
function codeVersion(): string {
  try {
    const commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "src"], { cwd: ROOT, encoding: "utf8" }).trim() !== "";
    return `${commit}${dirty ? " + uncommitted changes in src/" : ""}`;
  } catch {
    return "unknown (no git)";
  }
}

async function main() {
  const started = new Date();
  const code = codeVersion();
  await dropLeftovers();
  const [{ version }] = (await server<{ version: string }[]>`select current_setting('server_version') as version`) as unknown as [{ version: string }];
  const admin = makeUser({ id: 111_111, first_name: "Анна", last_name: "Админова" });
  const users = Array.from({ length: CHATS }, () => makeUser());
  const drivers = () => users.map((user, i) => new ChatDriver(user, 1 + i));

  say(`Postgres ${version} at ${new URL(SERVER_URL).host}; ${CHATS} chats, ${ROUNDS} rounds of ${SECONDS} s after ${WARMUP_SECONDS} s warm-up`);
  const ourDb = await createDatabase("bot");
  const bareDb = await createDatabase("bare");
  const ourApi = await fakeApi();
  const bareApi = await fakeApi();
  let ours = await startBot("bot", ourApi, admin, { DATABASE_URL: databaseUrl(ourDb) }, true);
  let bare = await startBareBot("bare bot", bareApi, databaseUrl(bareDb));
  let ourTarget = new Target("this bot", ourApi, ours.client, drivers(), true);
  let bareTarget = new Target("bare grammY bot", bareApi, bare.client, drivers(), false);

  let t = performance.now();
  await inviteStaff(ourTarget, admin, users);
  await createPartners(ourTarget, ourTarget.chats[0]!, PARTNERS);
  const staff = await count(ourDb, "select count(*)::int as n from users where role = 'staff' and status = 'active'");
  const partners = await count(ourDb, "select count(*)::int as n from partners");
  if (staff !== CHATS || partners < PARTNERS) throw new Error(`set-up made ${staff} staff and ${partners} partners`);
  say(`set-up through the bot: ${staff} staff by invite, ${partners} partners by /newpartner, in ${fmt((performance.now() - t) / 1000)} s`);

  const ourRounds: Measured[] = [];
  const bareRounds: Measured[] = [];
  for (let round = 1; round <= ROUNDS && !interrupted; round++) {
    const a = await measure(ourTarget, ours, ourDb, closed(ourTarget, WARMUP_SECONDS, SECONDS));
    ourRounds.push(a);
    say(`round ${round}/${ROUNDS} ${line("this bot", a)}`);
    const b = await measure(bareTarget, bare, bareDb, closed(bareTarget, WARMUP_SECONDS, SECONDS));
    bareRounds.push(b);
    say(`round ${round}/${ROUNDS} ${line("bare bot", b)}`);
  }

  const ourOpen = await measure(ourTarget, ours, ourDb, open(ourTarget, Math.min(2, WARMUP_SECONDS), SECONDS));
  say(`open loop at ${OPEN_RATE}/s ${line("this bot", ourOpen)}`);
  const bareOpen = await measure(bareTarget, bare, bareDb, open(bareTarget, Math.min(2, WARMUP_SECONDS), SECONDS));
  say(`open loop at ${OPEN_RATE}/s ${line("bare bot", bareOpen)}`);

  // Statements and round trips: the same bots again, now through the counting proxy.
  ours.client.close();
  bare.client.close();
  await ours.child.stop();
  await bare.child.stop();
  const pg = new URL(SERVER_URL);
  const proxy = await new CountingProxy({ host: pg.hostname || "127.0.0.1", port: Number(pg.port || 5432) }).start();
  proxies.push(proxy);
  ours = await startBot("bot (via proxy)", ourApi, admin, { DATABASE_URL: databaseUrl(ourDb, proxy) });
  ourTarget = new Target("this bot", ourApi, ours.client, ourTarget.chats, true);
  const ourProxy = await measure(ourTarget, ours, ourDb, closed(ourTarget, WARMUP_SECONDS, PROXY_SECONDS), proxy);
  say(`counted round ${line("this bot", ourProxy)}`);
  ours.client.close();
  await ours.child.stop();
  bare = await startBareBot("bare bot (via proxy)", bareApi, databaseUrl(bareDb, proxy));
  bareTarget = new Target("bare grammY bot", bareApi, bare.client, bareTarget.chats, false);
  const bareProxy = await measure(bareTarget, bare, bareDb, closed(bareTarget, WARMUP_SECONDS, PROXY_SECONDS), proxy);
  say(`counted round ${line("bare bot", bareProxy)}`);
  bare.client.close();
  await bare.child.stop();

  // PGlite: the bot without DATABASE_URL, set up the same way, one closed-loop round.
  const pgliteApi = await fakeApi();
  const dataDir = join(workDir, "pglite-data");
  const pgliteBot = await startBot("bot (PGlite)", pgliteApi, admin, { DATA_DIR: dataDir });
  const pgliteTarget = new Target("this bot on PGlite", pgliteApi, pgliteBot.client, drivers(), true);
  t = performance.now();
  await inviteStaff(pgliteTarget, admin, users);
  await createPartners(pgliteTarget, pgliteTarget.chats[0]!, PARTNERS);
  say(`PGlite set-up in ${fmt((performance.now() - t) / 1000)} s`);
  const pglite = await measure(pgliteTarget, pgliteBot, undefined, closed(pgliteTarget, WARMUP_SECONDS, SECONDS));
  say(`PGlite ${line("this bot", pglite)}`);
  pgliteBot.client.close();
  await pgliteBot.child.stop();

  // ---------------------------------------------------------------- report
  const med = (rounds: Measured[], pick: (m: Measured) => number) => median(rounds.map(pick));
  const row = (label: string, pick: (m: Measured) => number, digits = 1): Row => ({ label, ours: med(ourRounds, pick), bare: med(bareRounds, pick), digits });
  const proxied = (label: string, pick: (m: Measured) => number): Row => ({ label, ours: pick(ourProxy), bare: pick(bareProxy), digits: 2 });
  const sum = (rounds: Measured[], pick: (m: Measured) => number) => rounds.reduce((n, m) => n + pick(m), 0);
  const rows: Row[] = [
    row("updates/s", (m) => m.updatesPerSecond, 0),
    row("POST p50, ms", (m) => m.postP50),
    row("POST p95, ms", (m) => m.postP95),
    row("POST p99, ms", (m) => m.postP99),
    row("first reply p50, ms", (m) => m.firstP50),
    row("first reply p95, ms", (m) => m.firstP95),
    row("first reply p99, ms", (m) => m.firstP99),
    row("transactions/update", (m) => m.transactionsPerUpdate, 2),
    proxied("statements/update", (m) => m.statementsPerUpdate),
    proxied("round trips/update", (m) => m.roundTripsPerUpdate),
    row("CPU ms/update (bot process)", (m) => m.cpuMsPerUpdate, 2),
  ];
  const extraRows: Row[] = [
    row("Postgres backends' CPU ms/update", (m) => m.postgresCpuMsPerUpdate, 2),
    row("load generator + fake API CPU ms/update", (m) => m.generatorCpuMsPerUpdate, 2),
    proxied("transactions/update, seen by the proxy", (m) => m.proxyTransactionsPerUpdate),
    proxied("statements parsed (Parse)/update", (m) => m.parsesPerUpdate),
    { label: "updates measured (all rounds)", ours: sum(ourRounds, (m) => m.updates), bare: sum(bareRounds, (m) => m.updates), digits: 0 },
    { label: "failed POSTs (non-2xx or none)", ours: sum(ourRounds, (m) => m.failed), bare: sum(bareRounds, (m) => m.failed), digits: 0 },
    { label: "bot error lines (level ≥ 50)", ours: sum(ourRounds, (m) => m.botErrors), bare: sum(bareRounds, (m) => m.botErrors), digits: 0 },
    { label: "/newpartner dialogs saved", ours: sum(ourRounds, (m) => m.dialogs.completed), bare: sum(bareRounds, (m) => m.dialogs.completed), digits: 0 },
  ];
  const openLine = (name: string, m: Measured) =>
    `Open loop, ${OPEN_RATE} updates/s offered for ${SECONDS} s, ${name}: ${fmt(m.updatesPerSecond, 0)}/s answered; POST p50 ${fmt(m.postP50)} ms, p99 ${fmt(m.postP99)} ms; ` +
    `first reply p99 ${fmt(m.firstP99)} ms (from the time each update was due; ${m.late} waited for a free chat, ${m.unsent ?? 0} never sent; ${m.failed} failed)`;
  const ourUps = rows[0]!.ours!;
  const bareUps = rows[0]!.bare!;
  const cpu = rows[rows.length - 1]!.ours!;
  const goals: Goal[] = [
    { goal: "≥ 0.5 × the bare bot's updates/s", value: `${fmt(ourUps / bareUps, 2)} ×`, pass: ourUps / bareUps >= 0.5 },
    { goal: "≥ 1,000 updates/s", value: `${fmt(ourUps, 0)}/s`, pass: ourUps >= 1000 },
    { goal: `POST p99 < 100 ms at ${OPEN_RATE}/s offered`, value: `${fmt(ourOpen.postP99)} ms`, pass: ourOpen.postP99 < 100 },
    { goal: "CPU ≤ 1.5 ms/update", value: `${fmt(cpu, 2)} ms`, pass: cpu <= 1.5 },
  ];
  const notes: string[] = [];
  const measured = [...ourRounds, ...bareRounds, ourOpen, bareOpen, ourProxy, bareProxy, pglite];
  const failed = measured.reduce((n, m) => n + m.failed, 0);
  const noReply = measured.reduce((n, m) => n + m.noReply, 0);
  const lost = measured.reduce((n, m) => n + m.dialogs.desynced, 0);
  notes.push(
    `Over every measured window (${measured.reduce((n, m) => n + m.updates, 0).toLocaleString("en-US")} updates): ${failed} POSTs failed (non-2xx or no answer), ` +
      `${noReply} updates got no Bot API call, ${lost} /newpartner dialogs lost their way; error lines (level ≥ 50) in the bots' logs over the whole run: ` +
      `${children.reduce((n, child) => n + child.log.errors, 0)}; POSTs sent again after a kept-alive connection was reset: ${clients.reduce((n, c) => n + c.retries, 0)}.`,
  );
  const other = median([...ourRounds, ...bareRounds].map((m) => m.otherCores));
  notes.push(
    `Other processes on the machine used ${fmt(other, 2)} of its ${cpus().length} cores (median over the measured windows)` +
      (other > 0.2 ? ": the machine was shared, so the absolute figures are pessimistic; CPU per update and the ratios hold up better." : "."),
  );
  const reparsed = ourProxy.prepared;
  if (ourProxy.parsesPerUpdate > 0.05 && reparsed.length > 0) {
    notes.push(
      `On warm connections the bot still parses ${fmt(ourProxy.parsesPerUpdate, 2)} statements per update (the bare bot: ${fmt(bareProxy.parsesPerUpdate, 2)}): ` +
        "drizzle-orm's postgres-js driver prepares only queries given a name (.prepare(name)); the others go as unnamed statements, parsed and planned " +
        "each time, and postgres.js describes one with parameters before binding it, one more round trip each " +
        `(round trips − statements = ${fmt(ourProxy.roundTripsPerUpdate - ourProxy.statementsPerUpdate, 2)} per update). ` +
        `${reparsed.length} query texts were parsed in the counted window, most often: ${reparsed
          .slice(0, 3)
          .map(([query, n]) => `${n} × \`${query.length >= 160 ? `${query}…` : query}\``)
          .join("; ")}`,
    );
  }
  const allErrors = children.reduce((n, child) => n + child.log.errors, 0);
  if (allErrors > 0) {
    notes.push(
      `error lines in the bots' logs over the whole run: ${children.filter((c) => c.log.errors > 0).map((c) => `${c.name}: ${[...c.log.messages].filter(([k]) => k.startsWith("error")).map(([k, n]) => `${n} × ${k}`).join("; ")}`).join(" | ")}`,
    );
  }
  const warnings = children.filter((c) => c.log.warnings > 0);
  if (warnings.length > 0) {
    notes.push(`warning lines: ${warnings.map((c) => `${c.name}: ${[...c.log.messages].filter(([k]) => k.startsWith("warn")).map(([k, n]) => `${n} × ${k}`).join("; ")}`).join(" | ")}`);
  }
  const cpuModel = cpus()[0]?.model.trim() ?? "unknown CPU";
  const report: Report = {
    command: `BENCH_ROUNDS=${ROUNDS} BENCH_SECONDS=${SECONDS} npm run bench:inbound`,
    date: started.toISOString().replace("T", " ").slice(0, 16) + " UTC",
    machine: `${cpuModel} × ${cpus().length}, ${type()} ${release()}, Node ${process.version}, PostgreSQL ${version} (local)`,
    code,
    settings:
      `${ROUNDS} rounds of ${SECONDS} s per bot after ${WARMUP_SECONDS} s of warm-up, interleaved A/B; ${CHATS} chats; ${PARTNERS} partners to list; ` +
      `counted (proxy) round ${PROXY_SECONDS} s; open-loop round ${SECONDS} s at ${OPEN_RATE}/s; bots' LOG_LEVEL=${LOG_LEVEL}`,
    rows,
    extraRows,
    rounds: ourRounds.map((m, i) => ({
      ours: m.updatesPerSecond,
      bare: bareRounds[i]?.updatesPerSecond ?? Number.NaN,
      oursCpu: m.cpuMsPerUpdate,
      bareCpu: bareRounds[i]?.cpuMsPerUpdate ?? Number.NaN,
      other: Math.max(m.otherCores, bareRounds[i]?.otherCores ?? 0),
    })),
    byKind: KINDS.map((kind) => ({
      kind,
      ours: { p50: med(ourRounds, (m) => m.byKind[kind].p50), p99: med(ourRounds, (m) => m.byKind[kind].p99) },
      bare: { p50: med(bareRounds, (m) => m.byKind[kind].p50), p99: med(bareRounds, (m) => m.byKind[kind].p99) },
    })),
    slowest: ourRounds.at(-1)?.slowest.map((x) => `${x.label}: p50 ${fmt(x.p50, 0)} ms, p99 ${fmt(x.p99, 0)} ms, max ${fmt(x.max, 0)} ms`) ?? [],
    openLoop: [openLine("this bot", ourOpen), openLine("bare bot", bareOpen)],
    pglite: `PGlite (no DATABASE_URL), same closed-loop load, one round of ${SECONDS} s: ${fmt(pglite.updatesPerSecond, 0)} updates/s, POST p50 ${fmt(pglite.postP50)} ms, p99 ${fmt(pglite.postP99)} ms`,
    goals,
    notes,
  };
  printReport(report);
  if (process.env.BENCH_DOCS !== "0") {
    writeSection(join(ROOT, "docs/BENCHMARKS.md"), markdown(report));
    say("wrote docs/BENCHMARKS.md");
  }
}

try {
  await main();
} catch (error) {
  for (const child of children) if (child.log.firstErrors.length > 0) console.error(`${child.name}:\n${child.log.firstErrors.join("\n")}`);
  throw error;
} finally {
  if (!interrupted) await cleanup();
}
