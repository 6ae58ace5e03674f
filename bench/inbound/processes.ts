/** Child processes of the benchmark: spawning, their log lines, their CPU time, stopping them. */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";

export const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** User + system CPU time of a process, in ms (undefined once it is gone). */
export function cpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after "(comm)": state is field 3, utime 14 and stime 15.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface LogSummary {
  /** Lines at level ≥ 50 (error, fatal). */
  errors: number;
  warnings: number;
  /** The messages of those lines, with their counts. */
  messages: Map<string, number>;
  /** The first few error lines in full. */
  firstErrors: string[];
}

export interface Child {
  name: string;
  child: ChildProcess;
  pid: number;
  log: LogSummary;
  /** The tail of stdout and stderr that is not a JSON line (stack traces, crashes). */
  otherOutput: () => string;
  exited: Promise<number | null>;
  waitForLine(msg: string, ms: number): Promise<void>;
  stop(timeoutMs?: number): Promise<void>;
}

/** Spawns `node <args>` with only `env` (and PATH), counting its JSON log lines by level. */
export function spawnNode(name: string, args: string[], env: Record<string, string>, cwd: string): Child {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const log: LogSummary = { errors: 0, warnings: 0, messages: new Map(), firstErrors: [] };
  let other = "";
  const seen = new Set<string>();
  const waiters: { msg: string; resolve: () => void }[] = [];
  let partial = "";
  const onLine = (line: string) => {
    if (!line.startsWith("{")) {
      other = (other + line + "\n").slice(-20_000);
      return;
    }
    let parsed: { level?: number; msg?: string };
    try {
      parsed = JSON.parse(line) as { level?: number; msg?: string };
    } catch {
      other = (other + line + "\n").slice(-20_000);
      return;
    }
    const level = parsed.level ?? 30;
    const msg = parsed.msg ?? "";
    if (level >= 40) {
      const key = `${level >= 50 ? "error" : "warn"}: ${msg}`;
      log.messages.set(key, (log.messages.get(key) ?? 0) + 1);
    }
    if (level >= 50) {
      log.errors++;
      if (log.firstErrors.length < 5) log.firstErrors.push(line.slice(0, 2000));
    } else if (level >= 40) log.warnings++;
    seen.add(msg);
    for (const waiter of waiters.filter((w) => w.msg === msg)) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  };
  child.stdout.on("data", (chunk: Buffer) => {
    const lines = (partial + chunk.toString("utf8")).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) if (line) onLine(line);
  });
  child.stderr.on("data", (chunk: Buffer) => (other = (other + chunk.toString("utf8")).slice(-20_000)));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  let done = false;
  void exited.then(() => (done = true));
  return {
    name,
    child,
    pid: child.pid!,
    log,
    otherOutput: () => other,
    exited,
    waitForLine(msg, ms) {
      if (seen.has(msg)) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${name}: no "${msg}" within ${ms} ms\n${other}`)), ms);
        waiters.push({ msg, resolve: () => (clearTimeout(timer), resolve()) });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(new Error(`${name} exited with ${code} before "${msg}"\n${other}`));
        });
      });
    },
    async stop(timeoutMs = 10_000) {
      if (done) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** CPU time the whole machine spent busy (all cores, all processes), in ms, from /proc/stat. */
export function machineBusyMs(): number {
  const [, ...fields] = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!.trim().split(/\s+/);
  const ticks = fields.map(Number);
  // user nice system idle iowait irq softirq steal (guest time is already in user).
  const total = ticks.slice(0, 8).reduce((a, b) => a + b, 0);
  return ((total - ticks[3]! - ticks[4]!) * 1000) / CLOCK_TICKS;
}
