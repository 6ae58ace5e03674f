import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const TSX_LOADER = new URL("../../node_modules/tsx/dist/loader.mjs", import.meta.url).href;

export interface BotProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
  /** Resolves with the first JSON log line whose msg matches. */
  waitForLog(msg: string, ms?: number): Promise<Record<string, unknown>>;
}

/**
 * Runs the bot as its own process, with only the given environment (and PATH): src/main.ts
 * through tsx, or with `compiled` the real `node dist/main.js` (test/global-setup.ts builds it).
 */
export function startBotProcess(env: Record<string, string>, cwd: string, options: { compiled?: boolean } = {}): BotProcess {
  const args = options.compiled ? [`${ROOT}/dist/main.js`] : ["--import", TSX_LOADER, `${ROOT}/src/main.ts`];
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let err = "";
  child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    async waitForLog(msg, ms = 30_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const line = out
          .split("\n")
          .filter((l) => l.startsWith("{"))
          .map((l) => JSON.parse(l) as Record<string, unknown>)
          .find((l) => l.msg === msg);
        if (line) return line;
        if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before "${msg}"\n${out}\n${err}`);
        if (Date.now() > deadline) throw new Error(`no "${msg}" within ${ms} ms\n${out}\n${err}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}
