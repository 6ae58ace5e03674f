import { bigint, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** Sessions and conversation state, one row per storage key. */
export const botState = pgTable("bot_state", {
  key: text().primaryKey(),
  value: jsonb().notNull(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

/** Update ids already taken by an instance, so a redelivered update is not handled twice. */
export const processedUpdates = pgTable("processed_updates", {
  updateId: bigint({ mode: "number" }).primaryKey(),
  processedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
