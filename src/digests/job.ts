import { and, asc, eq, gt, inArray, lte, sql } from "drizzle-orm";
import { digestKeyboard, renderDigest } from "./text.js";
import { digestDeliveries, digestSettings } from "./domain/schema.js";
import { users } from "../core/access/schema.js";
import { enqueueNotice } from "../core/outbox/notices.js";
import { buildDigest, DEFAULT_DIGEST_PREFERENCES, digestWeek, isEmpty } from "./domain/digests.js";
import type { JobDeps } from "../core/job.js";

export type DigestJobDeps = Pick<JobDeps, "db" | "logger" | "i18n" | "defaultLanguage" | "timeZone" | "wakeOutbox">;

/** Users read and handled per batch. */
const BATCH = 200;

/**
 * Sends this week's digest to everyone whose day and hour (local time) have come today: each
 * active admin, staff member and partner contact with the digest on, whose weekday is today and
 * whose hour is now or earlier today, and who has no delivery row for this week. A digest missed
 * while the bot was down goes out when it is back the same day, not on a later day.
 *
 * For each, one transaction claims the week (the delivery row) and, unless the digest is empty,
 * enqueues it: however many instances run this at once, and across restarts, a week's digest
 * goes once. An empty one is recorded (empty = true), so it is not built again every run.
 */
export async function sendDigests(deps: DigestJobDeps, now: Date): Promise<{ sent: number; empty: number }> {
  const week = digestWeek(now, deps.timeZone);
  const notices = { i18n: deps.i18n, defaultLanguage: deps.defaultLanguage, timeZone: deps.timeZone };
  let sent = 0;
  let empty = 0;
  let after = 0;
  for (;;) {
    const batch = await deps.db
      .select({
        id: users.id,
        role: users.role,
        status: users.status,
        unitId: users.unitId,
        telegramId: users.telegramId,
        language: users.language,
        telegramLanguage: users.telegramLanguage,
      })
      .from(users)
      .leftJoin(digestSettings, eq(digestSettings.userId, users.id))
      .where(
        and(
          gt(users.id, after),
          eq(users.status, "active"),
          inArray(users.role, ["admin", "staff", "partner"]),
          sql`coalesce(${digestSettings.enabled}, ${DEFAULT_DIGEST_PREFERENCES.enabled})`,
          sql`coalesce(${digestSettings.weekday}, ${DEFAULT_DIGEST_PREFERENCES.weekday}) = ${week.weekday}`,
          lte(sql`coalesce(${digestSettings.hour}, ${DEFAULT_DIGEST_PREFERENCES.hour})`, week.hour),
          sql`not exists (select 1 from ${digestDeliveries} where ${digestDeliveries.userId} = ${users.id} and ${digestDeliveries.weekStart} = ${week.weekStart})`,
        ),
      )
      .orderBy(asc(users.id))
      .limit(BATCH);
    if (batch.length === 0) break;
    after = batch.at(-1)!.id;
    for (const user of batch) {
      try {
        const digest = await buildDigest(deps.db, user, { now, timeZone: deps.timeZone });
        const nothing = isEmpty(digest);
        const enqueued = await deps.db.transaction(async (tx) => {
          const claimed = await tx
            .insert(digestDeliveries)
            .values({ userId: user.id, weekStart: week.weekStart, empty: nothing })
            .onConflictDoNothing()
            .returning({ userId: digestDeliveries.userId });
          if (claimed.length === 0) return undefined;
          if (nothing) return false;
          await enqueueNotice(
            tx,
            notices,
            user,
            (t, language) => ({ text: renderDigest(t, language, deps.timeZone, digest), keyboard: digestKeyboard(t) }),
            `digest:${user.id}:${week.weekStart}`,
          );
          return true;
        });
        if (enqueued === true) sent++;
        else if (enqueued === false) empty++;
      } catch (error) {
        // Nothing was claimed: the next run tries again (the same day). The others go on.
        deps.logger.error({ err: error, userId: user.id }, "could not send a digest");
      }
    }
    if (batch.length < BATCH) break;
  }
  deps.wakeOutbox();
  return { sent, empty };
}
