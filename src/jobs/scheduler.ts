import { schedule, type ScheduledTask } from "node-cron";
import type { Db } from "../db/client.js";
import { forgetAbandonedDialogs, forgetProcessedUpdates } from "../domain/housekeeping.js";
import type { Logger } from "../logger.js";

const DAY_MS = 24 * 60 * 60 * 1000;

export interface Jobs {
  stop(): Promise<void>;
}

/**
 * Scheduled housekeeping. Each job is idempotent, so several instances running it at the same
 * minute do no harm; jobs that must run once per slot (digests) will claim a row per slot.
 */
export function startJobs(deps: { db: Db; logger: Logger; timeZone: string; now: () => Date }): Jobs {
  const tasks: ScheduledTask[] = [
    schedule(
      "17 * * * *",
      async () => {
        const forgotten = await forgetProcessedUpdates(deps.db, new Date(deps.now().getTime() - 3 * DAY_MS));
        deps.logger.debug({ forgotten }, "forgot old processed update ids");
      },
      { name: "forget-processed-updates", timezone: deps.timeZone, noOverlap: true },
    ),
    schedule(
      "47 3 * * *",
      async () => {
        const forgotten = await forgetAbandonedDialogs(deps.db, new Date(deps.now().getTime() - 7 * DAY_MS));
        deps.logger.info({ forgotten }, "forgot dialogs abandoned for a week");
      },
      { name: "forget-abandoned-dialogs", timezone: deps.timeZone, noOverlap: true },
    ),
  ];
  return {
    async stop() {
      for (const task of tasks) await task.stop();
    },
  };
}
