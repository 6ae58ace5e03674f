import { type AnyPgColumn, integer, pgEnum, pgTable, serial, text, timestamp } from "drizzle-orm/pg-core";

export const UNIT_KINDS = ["department", "association"] as const;
export type UnitKind = (typeof UNIT_KINDS)[number];
export const unitKindEnum = pgEnum("unit_kind", UNIT_KINDS);

/** Departments (отделы) and the creative associations (творческие объединения) inside them. */
export const units = pgTable("units", {
  id: serial().primaryKey(),
  kind: unitKindEnum().notNull(),
  parentId: integer().references((): AnyPgColumn => units.id, { onDelete: "restrict" }),
  name: text().notNull(),
  headUserId: integer(),
  archivedAt: timestamp({ withTimezone: true }),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
});

export type Unit = typeof units.$inferSelect;
