import { schedule, type ScheduledTask } from "node-cron";
import { housekeepingJobs } from "./core/housekeeping.js";
import type { Job, JobDeps } from "./core/job.js";
import { AREAS } from "./areas.js";

export type { JobDeps };

export interface Jobs {
  stop(): Promise<void>;
}

/** Every scheduled job: the core's housekeeping, then each area's, in the institution's time zone. */
export const JOBS: readonly Job[] = [...housekeepingJobs, ...AREAS.flatMap((area) => area.jobs)];

export function startJobs(deps: JobDeps): Jobs {
  const tasks: ScheduledTask[] = JOBS.map((job) =>
    schedule(job.cron, () => job.run(deps), { name: job.name, timezone: deps.timeZone, noOverlap: true }),
  );
  return {
    async stop() {
      for (const task of tasks) await task.stop();
    },
  };
}
