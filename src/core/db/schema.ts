import { sql } from "drizzle-orm";
import { bigint, index, integer, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/** Sessions and conversation state, one row per storage key. */
export const botState = pgTable("bot_state", {
  key: text().primaryKey(),
  value: jsonb().notNull(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export const UPDATE_STATUSES = ["handling", "done", "failed"] as const;
export type UpdateStatus = (typeof UPDATE_STATUSES)[number];

/**
 * The inbox: every update the bot took, and how far its handling got (see src/core/telegram/exactly-once.ts).
 * "handling" rows keep the update itself, so one whose process died can be handled again; the
 * owner columns say which instance holds it (owner_pid and owner_since name that instance's
 * liveness connection to Postgres: when it is gone from pg_stat_activity, the instance is dead).
 * "done" and "failed" are final: the update is skipped when it comes again, and its text is gone.
 */
export const processedUpdates = pgTable(
  "processed_updates",
  {
    updateId: bigint({ mode: "number" }).primaryKey(),
    /** When the update was first taken. */
    processedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    status: text({ enum: UPDATE_STATUSES }).notNull().default("done"),
    owner: text(),
    ownerPid: integer(),
    ownerSince: timestamp({ withTimezone: true }),
    attempts: integer().notNull().default(1),
    update: jsonb(),
    finishedAt: timestamp({ withTimezone: true }),
  },
  (table) => [index("processed_updates_handling_idx").on(table.updateId).where(sql`${table.status} = 'handling'`)],
);

/**
 * What handling an update already did, in order: the result of each write transaction and of
 * each Bot API call, so handling the same update again after a crash returns them instead of
 * doing them twice. Forgotten with the update's row.
 */
export const updateEffects = pgTable(
  "update_effects",
  {
    updateId: bigint({ mode: "number" }).notNull(),
    seq: integer().notNull(),
    result: jsonb(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.updateId, table.seq] })],
);
