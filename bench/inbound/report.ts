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
  settings: string;
  rows: Row[];
  extraRows: Row[];
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
      "(bench/inbound/bare-bot.ts: one session row read and written per update, one reply) under the same load, " +
      "each against its own fast fake Bot API on a local port. 200 staff chats (made through /invite and /start), " +
      "each sending its next update when the previous POST was answered (closed loop): 20% /start, 20% /help, " +
      "20% /partners, 20% presses of the partner list's filter and page buttons, 20% steps of /newpartner.",
    "",
    `- Command: \`${report.command}\``,
    `- Date: ${report.date}`,
    `- Machine: ${report.machine}`,
    `- ${report.settings}`,
    "",
    "Medians over the rounds. Latencies in ms; \"first reply\" is from sending the update to the first Bot API call for that chat " +
      "arriving at the fake. Statements and round trips are counted by a TCP proxy reading the Postgres protocol, in a shorter separate round.",
    "",
    ...table(report.rows),
    "",
    "Also measured:",
    "",
    ...table(report.extraRows),
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
