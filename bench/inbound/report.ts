/** The figures of npm run bench:inbound as a console table and as a section of docs/BENCHMARKS.md. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";

export const median = (values: number[]): number => {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return Number.NaN;
  const mid = Math.floor(finite.length / 2);
  return finite.length % 2 ? finite[mid]! : (finite[mid - 1]! + finite[mid]!) / 2;
};

export const fmt = (value: number | undefined, digits = 1): string =>
  value === undefined || !Number.isFinite(value) ? "–" : value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

export interface Row {
  label: string;
  ours: number | undefined;
  bare: number | undefined;
  digits: number;
}

export interface Goal {
  goal: string;
  value: string;
  pass: boolean;
}

export interface Report {
  command: string;
  date: string;
  machine: string;
  /** The commit the bot was built from. */
  code: string;
  settings: string;
  rows: Row[];
  extraRows: Row[];
  /** POST latency by kind of update (medians over the rounds). */
  byKind: { kind: string; ours: { p50: number; p99: number }; bare: { p50: number; p99: number } }[];
  /** Each A/B pair of rounds: updates/s and CPU of both, and the other load on the machine. */
  rounds: { ours: number; bare: number; oursCpu: number; bareCpu: number; other: number }[];
  /** This bot's slowest steps by p99 (last round). */
  slowest: string[];
  openLoop: string[];
  pglite: string;
  goals: Goal[];
  notes: string[];
}

const ratio = (row: Row) => (row.ours !== undefined && row.bare !== undefined && row.bare !== 0 ? row.ours / row.bare : undefined);

function table(rows: Row[]): string[] {
  return [
    "| | this bot | bare grammY bot | ratio |",
    "|---|---:|---:|---:|",
    ...rows.map((row) => `| ${row.label} | ${fmt(row.ours, row.digits)} | ${fmt(row.bare, row.digits)} | ${fmt(ratio(row), 2)} |`),
  ];
}

export function printReport(report: Report): void {
  const width = Math.max(...[...report.rows, ...report.extraRows].map((r) => r.label.length));
  const line = (row: Row) =>
    `${row.label.padEnd(width)}  ${fmt(row.ours, row.digits).padStart(10)}  ${fmt(row.bare, row.digits).padStart(10)}  ${fmt(ratio(row), 2).padStart(6)}`;
  console.log(`\n${"".padEnd(width)}  ${"this bot".padStart(10)}  ${"bare".padStart(10)}  ${"ratio".padStart(6)}`);
  for (const row of report.rows) console.log(line(row));
  console.log("");
  for (const row of report.extraRows) console.log(line(row));
  console.log("");
  console.log(`POST p50/p99 ms by kind: ${report.byKind.map((k) => `${k.kind} ${fmt(k.ours.p50, 0)}/${fmt(k.ours.p99, 0)} (bare ${fmt(k.bare.p50, 0)}/${fmt(k.bare.p99, 0)})`).join(", ")}`);
  console.log(`this bot's slowest steps: ${report.slowest.join("; ")}`);
  console.log("");
  for (const text of report.openLoop) console.log(text);
  console.log(report.pglite);
  console.log("");
  for (const goal of report.goals) console.log(`${goal.pass ? "PASS" : "FAIL"}  ${goal.goal}: ${goal.value}`);
  for (const note of report.notes) console.log(`note: ${note}`);
}

const START = "<!-- bench:inbound -->";
const END = "<!-- /bench:inbound -->";

export function markdown(report: Report): string {
  return [
    START,
    "## Inbound updates: `npm run bench:inbound`",
    "",
    "The update path in webhook mode on Postgres: the compiled bot (`node dist/main.js`) and a bare grammY bot " +
      "(bench/inbound/bare-bot.ts, run with tsx's loader: one session row read and written per update through postgres.js, one reply) under the same load, " +
      "each against its own fast fake Bot API on a local port. 200 staff chats (made through /invite and /start), " +
      "each sending its next update when the previous POST was answered (closed loop): 20% /start, 20% /help, " +
      "20% /partners, 20% presses of the partner list's filter and page buttons, 20% steps of /newpartner.",
    "",
    `- Command: \`${report.command}\``,
    `- Date: ${report.date}`,
    `- Machine: ${report.machine}`,
    `- Code: ${report.code}`,
    `- ${report.settings}`,
    "",
    "Medians over the rounds. Updates/s counts the answers within the measured window; latencies (ms) are of the updates sent within it. " +
      "\"First reply\" is from sending the update to the first Bot API call for that chat arriving at the fake. Transactions come from " +
      "pg_stat_database (its counters lag by up to a second per backend, so a round is ±1 s of transactions); statements and round trips " +
      "are counted by a TCP proxy reading the Postgres protocol (Query and Execute; Sync, Query and Flush), in a shorter separate round. " +
      "CPU is the process's user + system time (/proc) over the window. Each round starts on connections opened while the bot is idle: " +
      "a busy Node server is slow to accept new ones (200 fresh connections under load left requests waiting seconds even on a trivial server).",
    "",
    ...table(report.rows),
    "",
    "Round by round (the machine's other load is what processes other than these used, in cores):",
    "",
    "| round | this bot updates/s | bare updates/s | ratio | this bot CPU ms/update | bare CPU ms/update | other load |",
    "|---|---:|---:|---:|---:|---:|---:|",
    ...report.rounds.map(
      (r, i) =>
        `| ${i + 1} | ${fmt(r.ours, 0)} | ${fmt(r.bare, 0)} | ${fmt(r.ours / r.bare, 2)} | ${fmt(r.oursCpu, 2)} | ${fmt(r.bareCpu, 2)} | ${fmt(r.other, 2)} |`,
    ),
    "",
    "Also measured:",
    "",
    ...table(report.extraRows),
    "",
    "POST latency by kind of update, ms (medians over the rounds):",
    "",
    "| kind | this bot p50 | this bot p99 | bare p50 | bare p99 |",
    "|---|---:|---:|---:|---:|",
    ...report.byKind.map((k) => `| ${k.kind} | ${fmt(k.ours.p50)} | ${fmt(k.ours.p99)} | ${fmt(k.bare.p50)} | ${fmt(k.bare.p99)} |`),
    "",
    `This bot's slowest steps by p99 (last round): ${report.slowest.join("; ")}.`,
    "",
    ...report.openLoop.map((text) => `- ${text}`),
    `- ${report.pglite}`,
    "",
    "Goals:",
    "",
    "| goal | measured | |",
    "|---|---:|---|",
    ...report.goals.map((goal) => `| ${goal.goal} | ${goal.value} | ${goal.pass ? "pass" : "**fail**"} |`),
    "",
    ...report.notes.map((note) => `- ${note}`),
    ...(report.notes.length > 0 ? [""] : []),
    "Shared machines are noisy: read medians and ratios, not single numbers. The load generator, both fake Bot APIs and " +
      "Postgres run on the same machine as the bot.",
    END,
  ].join("\n");
}

/** Writes the section into the file: between its markers when present, else appended (or a new file). */
export function writeSection(file: string, section: string): void {
  if (!existsSync(file)) {
    writeFileSync(file, `# Benchmarks\n\n${section}\n`);
    return;
  }
  const current = readFileSync(file, "utf8");
  const start = current.indexOf(START);
  const end = current.indexOf(END);
  if (start !== -1 && end > start) writeFileSync(file, current.slice(0, start) + section + current.slice(end + END.length));
  else writeFileSync(file, `${current.replace(/\s*$/, "")}\n\n${section}\n`);
}
