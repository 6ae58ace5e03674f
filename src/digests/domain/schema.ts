import { sql } from "drizzle-orm";
import { boolean, check, date, integer, pgTable, primaryKey, smallint, timestamp } from "drizzle-orm/pg-core";
import { users } from "../../core/access/schema.js";

/**
 * A user's weekly digest settings (/settings). No row means the defaults: on, Monday, 09:00 in
 * the institution's time zone. `weekday` is ISO: 1 = Monday … 7 = Sunday.
 */
export const digestSettings = pgTable(
  "digest_settings",
  {
    userId: integer()
      .primaryKey()
      .references(() => users.id, { onDelete: "cascade" }),
    enabled: boolean().notNull().default(true),
    weekday: smallint().notNull().default(1),
    hour: smallint().notNull().default(9),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("digest_settings_weekday_range", sql`${t.weekday} between 1 and 7`),
    check("digest_settings_hour_range", sql`${t.hour} between 0 and 23`),
  ],
);
export type DigestSetting = typeof digestSettings.$inferSelect;

/**
 * One row per user and week (the Monday of the week, in the institution's time zone), inserted
 * to claim that week's digest in the transaction that enqueues it: each goes out once across
 * restarts and instances. `empty` records a week whose digest had nothing in it (not sent).
 */
export const digestDeliveries = pgTable(
  "digest_deliveries",
  {
    userId: integer()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    weekStart: date().notNull(),
    empty: boolean().notNull().default(false),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.weekStart] })],
);
