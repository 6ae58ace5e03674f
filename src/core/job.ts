import type { Config, Language } from "../config.js";
import type { Logger } from "../logger.js";
import type { Db } from "./db/client.js";
import type { I18n } from "./i18n.js";

/**
 * What a scheduled job gets. Each job is idempotent, so several instances running it at the same
 * minute do no harm; jobs that must run once per slot (digests) claim a row per slot.
 */
export interface JobDeps {
  db: Db;
  logger: Logger;
  timeZone: string;
  now: () => Date;
  i18n: I18n;
  defaultLanguage: Language;
  /** The local hour from which reminders of tomorrow's events go out. */
  eventReminderHour: number;
  feedback: Config["feedback"];
  /** Tells the outbox sender that messages were enqueued. */
  wakeOutbox: () => void;
}

/** One scheduled job of an area: its name, when it runs (cron, in the institution's time zone), what it does. */
export interface Job {
  name: string;
  cron: string;
  run(deps: JobDeps): Promise<void>;
}

/** A job whose failure is logged as `failed` and does not stop the next run. */
export function guarded(name: string, cron: string, failed: string, run: (deps: JobDeps) => Promise<void>): Job {
  return {
    name,
    cron,
    async run(deps) {
      try {
        await run(deps);
      } catch (error) {
        deps.logger.error({ err: error }, failed);
      }
    },
  };
}
