import { createRequire } from "node:module";
import { type DestinationStream, type Logger, pino } from "pino";
import type PinoPretty from "pino-pretty";

export type { Logger };

/**
 * Human-readable lines for a person at a terminal; JSON lines everywhere else (Docker, systemd,
 * files, pipes, tests), whatever NODE_ENV says: that is where logs are read by programs.
 */
export function wantsPrettyLogs(stdout: { isTTY?: boolean }): boolean {
  return stdout.isTTY === true;
}

export function createLogger(options: { level: string; pretty: boolean }): Logger {
  const settings = {
    level: options.level,
    base: undefined,
    redact: { paths: ["token", "*.token", "config.botToken"], censor: "[redacted]" },
  };
  // Synchronous writes: the last line before process.exit() (a fatal start-up error) must not be lost.
  const out = pino.destination({ dest: 1, sync: true });
  return pino(settings, options.pretty ? prettyLines(out) : out);
}

/**
 * pino-pretty (a runtime dependency) used as a plain formatting function, not as a transport:
 * the transport formats in a worker thread, and a fatal line logged just before process.exit()
 * would be lost. Here each line is formatted and written before the log call returns. Loaded
 * only for a terminal, so JSON logging does not pay for it.
 */
function prettyLines(out: DestinationStream): DestinationStream {
  const { prettyFactory } = createRequire(import.meta.url)("pino-pretty") as typeof PinoPretty;
  const prettify = prettyFactory({ translateTime: "SYS:HH:MM:ss", ignore: "pid,hostname" });
  return { write: (line: string) => out.write(prettify(line)) };
}
