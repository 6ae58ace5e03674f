import { integer, pgEnum, pgTable, serial, text, timestamp } from "drizzle-orm/pg-core";
import { roleEnum, users } from "../../core/access/schema.js";
import { units } from "../../core/access/units-schema.js";
import { contacts } from "../../partners/domain/schema.js";

export const INVITE_KINDS = ["staff", "contact"] as const;
export type InviteKind = (typeof INVITE_KINDS)[number];
export const inviteKindEnum = pgEnum("invite_kind", INVITE_KINDS);

/** Single-use invitation links. Only the SHA-256 of the token is stored. */
export const invites = pgTable("invites", {
  id: serial().primaryKey(),
  kind: inviteKindEnum().notNull().default("staff"),
  tokenHash: text().notNull().unique(),
  role: roleEnum().notNull(),
  unitId: integer().references(() => units.id, { onDelete: "set null" }),
  createdBy: integer()
    .notNull()
    .references(() => users.id),
  createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  expiresAt: timestamp({ withTimezone: true }).notNull(),
  usedBy: integer().references(() => users.id),
  usedAt: timestamp({ withTimezone: true }),
  /** For contact invites: the partner contact the link is for. */
  contactId: integer().references(() => contacts.id, { onDelete: "cascade" }),
});

export type Invite = typeof invites.$inferSelect;
