import { sql } from "drizzle-orm";
import { boolean, date, index, integer, pgEnum, pgTable, primaryKey, serial, text, timestamp } from "drizzle-orm/pg-core";
import { units } from "../../core/access/units-schema.js";
import { users } from "../../core/access/schema.js";

export const PARTNER_TYPES = [
  "school",
  "university",
  "college",
  "science_centre",
  "government_body",
  "public_organisation",
  "business",
  "culture_organisation",
  "other",
] as const;
export type PartnerType = (typeof PARTNER_TYPES)[number];
export const partnerTypeEnum = pgEnum("partner_type", PARTNER_TYPES);

/** Who set the partnership up: a department, a creative association, a teacher or the institution. */
export const OWNER_KINDS = ["department", "association", "teacher", "institution"] as const;
export type OwnerKind = (typeof OWNER_KINDS)[number];
export const ownerKindEnum = pgEnum("partner_owner_kind", OWNER_KINDS);

export const FOCUSES = [
  "technical",
  "natural_science",
  "sport",
  "arts",
  "tourism_local_history",
  "social_humanitarian",
] as const;
export type Focus = (typeof FOCUSES)[number];
export const focusEnum = pgEnum("activity_focus", FOCUSES);

export const STAGES = ["preparatory", "organisational", "system_forming", "archived"] as const;
export type Stage = (typeof STAGES)[number];
export const stageEnum = pgEnum("partnership_stage", STAGES);

export const partners = pgTable(
  "partners",
  {
    id: serial().primaryKey(),
    fullName: text().notNull(),
    shortName: text(),
    /** fullName and shortName normalised for fuzzy search (see src/partners/domain/names.ts). */
    searchKey: text().notNull(),
    type: partnerTypeEnum().notNull(),
    ownerKind: ownerKindEnum().notNull(),
    /** The department or association that owns the partnership (ownerKind department/association). */
    ownerUnitId: integer().references(() => units.id, { onDelete: "set null" }),
    /** The teacher who owns the partnership (ownerKind teacher). */
    ownerUserId: integer().references(() => users.id, { onDelete: "set null" }),
    focuses: focusEnum().array().notNull().default(sql`'{}'::activity_focus[]`),
    website: text(),
    address: text(),
    inn: text(),
    motivation: text(),
    tasks: text(),
    notes: text(),
    stage: stageEnum().notNull().default("preparatory"),
    createdBy: integer()
      .notNull()
      .references(() => users.id),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("partners_search_key_trgm").using("gin", sql`${t.searchKey} gin_trgm_ops`),
    index().on(t.stage),
    index().on(t.ownerUnitId),
    index().on(t.ownerUserId),
  ],
);
export type Partner = typeof partners.$inferSelect;

export const stageChanges = pgTable("partner_stage_changes", {
  id: serial().primaryKey(),
  partnerId: integer()
    .notNull()
    .references(() => partners.id, { onDelete: "cascade" }),
  fromStage: stageEnum(),
  toStage: stageEnum().notNull(),
  comment: text().notNull(),
  changedBy: integer()
    .notNull()
    .references(() => users.id),
  changedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
}, (t) => [index().on(t.partnerId, t.changedAt)]);
export type StageChange = typeof stageChanges.$inferSelect;

export const CONSENT_BASES = ["paper", "bot"] as const;
export type ConsentBasis = (typeof CONSENT_BASES)[number];
export const consentBasisEnum = pgEnum("consent_basis", CONSENT_BASES);

/** Contact persons of a partner: personal data under 152-FZ, stored only with consent recorded. */
export const contacts = pgTable(
  "partner_contacts",
  {
    id: serial().primaryKey(),
    partnerId: integer()
      .notNull()
      .references(() => partners.id, { onDelete: "cascade" }),
    fullName: text().notNull(),
    position: text(),
    /** E.164, e.g. +73952123456. */
    phone: text(),
    email: text(),
    telegramUsername: text(),
    /** The bot user linked to this contact after they accepted an invite. */
    userId: integer().references(() => users.id, { onDelete: "set null" }),
    consentBasis: consentBasisEnum().notNull(),
    consentRecordedBy: integer()
      .notNull()
      .references(() => users.id),
    consentRecordedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.partnerId), index().on(t.userId)],
);
export type Contact = typeof contacts.$inferSelect;

export const INTERACTION_KINDS = [
  "negotiation",
  "agreeing_positions",
  "expert_assessment",
  "document_drafted",
  "meeting",
  "call",
  "letter",
  "other",
] as const;
export type InteractionKind = (typeof INTERACTION_KINDS)[number];
export const interactionKindEnum = pgEnum("interaction_kind", INTERACTION_KINDS);

export const FILE_KINDS = ["document", "photo"] as const;
export type FileKind = (typeof FILE_KINDS)[number];
export const fileKindEnum = pgEnum("file_kind", FILE_KINDS);

export const interactions = pgTable(
  "partner_interactions",
  {
    id: serial().primaryKey(),
    partnerId: integer()
      .notNull()
      .references(() => partners.id, { onDelete: "cascade" }),
    kind: interactionKindEnum().notNull(),
    occurredOn: date({ mode: "string" }).notNull(),
    text: text().notNull(),
    authorId: integer()
      .notNull()
      .references(() => users.id),
    /** A Telegram file kept by file_id: the bot re-sends it, it never downloads it. */
    fileId: text(),
    fileKind: fileKindEnum(),
    fileName: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.partnerId, t.occurredOn)],
);
export type Interaction = typeof interactions.$inferSelect;

export const agreements = pgTable(
  "agreements",
  {
    id: serial().primaryKey(),
    partnerId: integer()
      .notNull()
      .references(() => partners.id, { onDelete: "cascade" }),
    number: text().notNull(),
    signedOn: date({ mode: "string" }).notNull(),
    validFrom: date({ mode: "string" }).notNull(),
    /** Null: open-ended. */
    validTo: date({ mode: "string" }),
    subject: text().notNull(),
    scanFileId: text(),
    scanFileKind: fileKindEnum(),
    createdBy: integer()
      .notNull()
      .references(() => users.id),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.partnerId), index().on(t.validTo)],
);
export type Agreement = typeof agreements.$inferSelect;

export const EVENT_FORMATS = [
  "project",
  "joint_event",
  "meeting_interesting_people",
  "consultation",
  "round_table",
  "master_class",
  "excursion",
  "contest",
  "exhibition",
  "other",
] as const;
export type EventFormat = (typeof EVENT_FORMATS)[number];
export const eventFormatEnum = pgEnum("event_format", EVENT_FORMATS);

/** The joint plan (the agreement's annex): what the parties intend to do, and when. */
export const planItems = pgTable(
  "plan_items",
  {
    id: serial().primaryKey(),
    agreementId: integer()
      .notNull()
      .references(() => agreements.id, { onDelete: "cascade" }),
    title: text().notNull(),
    format: eventFormatEnum().notNull(),
    /** A planned date, or the first day of the planned month when only the month is known. */
    plannedOn: date({ mode: "string" }).notNull(),
    plannedMonthOnly: boolean().notNull().default(false),
    responsibleUserId: integer().references(() => users.id, { onDelete: "set null" }),
    responsibleName: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.agreementId), index().on(t.responsibleUserId)],
);
export type PlanItem = typeof planItems.$inferSelect;

/** One row per agreement and reminder (30, 7, 0 days before the end): claimed once, sent once. */
export const agreementReminders = pgTable(
  "agreement_reminders",
  {
    agreementId: integer()
      .notNull()
      .references(() => agreements.id, { onDelete: "cascade" }),
    daysBefore: integer().notNull(),
    sentAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.agreementId, t.daysBefore] })],
);
