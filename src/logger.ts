import { createRequire } from "node:module";
import { pino, type Logger } from "pino";

export type { Logger };

/** pino-pretty is a dev dependency: without it (the production image) logs stay JSON. */
function prettyAvailable(): boolean {
  try {
    createRequire(import.meta.url).resolve("pino-pretty");
    return true;
  } catch {
    return false;
  }
}

export function createLogger(options: { level: string; pretty: boolean }): Logger {
  const settings = {
    level: options.level,
    base: undefined,
    redact: { paths: ["token", "*.token", "config.botToken"], censor: "[redacted]" },
  };
  if (options.pretty && prettyAvailable()) return pino({ ...settings, transport: { target: "pino-pretty", options: { colorize: true } } });
  // Synchronous writes: the last line before process.exit() (a fatal start-up error) must not be lost.
  return pino(settings, pino.destination({ dest: 1, sync: true }));
}
