import { integer, pgTable, timestamp } from "drizzle-orm/pg-core";
import { users } from "../../core/access/schema.js";

/**
 * The institution's total number of students in an academic year (1 September – 31 August):
 * the base of every share of the self-assessment indicators. The bot does not know it, so an
 * administrator gives it once per year through /report; the latest answer counts.
 */
export const institutionStudents = pgTable("institution_students", {
  /** The calendar year the academic year starts in: 2026 for 2026/27. */
  academicYear: integer().primaryKey(),
  students: integer().notNull(),
  setBy: integer().references(() => users.id, { onDelete: "set null" }),
  setAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});
export type InstitutionStudents = typeof institutionStudents.$inferSelect;
