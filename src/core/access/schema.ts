import { bigint, index, integer, pgEnum, pgTable, serial, text, timestamp } from "drizzle-orm/pg-core";
import { units } from "./units-schema.js";

export const ROLES = ["admin", "staff", "partner", "guest"] as const;
export type Role = (typeof ROLES)[number];
export const roleEnum = pgEnum("user_role", ROLES);

export const USER_STATUSES = ["active", "inactive"] as const;
export type UserStatus = (typeof USER_STATUSES)[number];
export const userStatusEnum = pgEnum("user_status", USER_STATUSES);

export const users = pgTable(
  "users",
  {
    id: serial().primaryKey(),
    telegramId: bigint({ mode: "number" }).notNull().unique(),
    firstName: text().notNull(),
    lastName: text(),
    username: text(),
    /** The language Telegram reports for the user's app. */
    telegramLanguage: text(),
    /** The language the user chose with /lang; wins over telegramLanguage. */
    language: text(),
    role: roleEnum().notNull().default("guest"),
    status: userStatusEnum().notNull().default("active"),
    unitId: integer().references(() => units.id, { onDelete: "set null" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.role, t.status)],
);

export type User = typeof users.$inferSelect;
