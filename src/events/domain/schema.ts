import { sql } from "drizzle-orm";
import { boolean, index, integer, pgEnum, pgTable, primaryKey, serial, text, timestamp } from "drizzle-orm/pg-core";
import { eventFormatEnum, partners, planItems } from "../../partners/domain/schema.js";
import { units } from "../../core/access/units-schema.js";
import { contacts } from "../../partners/domain/schema.js";
import { users } from "../../core/access/schema.js";

/** proposed → approved | rejected | changes_requested; approved → held | cancelled; held → closed. */
export const EVENT_STATUSES = ["proposed", "changes_requested", "approved", "rejected", "cancelled", "held", "closed"] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];
export const eventStatusEnum = pgEnum("event_status", EVENT_STATUSES);

export const AUDIENCE_CATEGORIES = ["gifted", "disabilities", "career_guidance", "general"] as const;
export type AudienceCategory = (typeof AUDIENCE_CATEGORIES)[number];
export const audienceCategoryEnum = pgEnum("audience_category", AUDIENCE_CATEGORIES);

/**
 * The level of an event, as the self-assessment indicators count mass events (order № 1324,
 * приложение 5, 1.8–1.11): the institution's own, then municipal up to international.
 */
export const EVENT_LEVELS = ["institutional", "municipal", "regional", "interregional", "federal", "international"] as const;
export type EventLevel = (typeof EVENT_LEVELS)[number];
export const eventLevelEnum = pgEnum("event_level", EVENT_LEVELS);

export const events = pgTable(
  "events",
  {
    id: serial().primaryKey(),
    title: text().notNull(),
    description: text(),
    format: eventFormatEnum().notNull(),
    startsAt: timestamp({ withTimezone: true }).notNull(),
    endsAt: timestamp({ withTimezone: true }).notNull(),
    place: text(),
    ageFrom: integer(),
    ageTo: integer(),
    categories: audienceCategoryEnum().array().notNull().default(sql`'{}'::audience_category[]`),
    expectedParticipants: integer(),
    responsibleUserId: integer()
      .notNull()
      .references(() => users.id),
    ownerUnitId: integer().references(() => units.id, { onDelete: "set null" }),
    /** The joint-plan item this event fulfils (plan vs fact). */
    planItemId: integer().references(() => planItems.id, { onDelete: "set null" }),
    status: eventStatusEnum().notNull().default("proposed"),
    /** Events recorded before levels existed are the institution's own. */
    level: eventLevelEnum().notNull().default("institutional"),
    /**
     * A contest or competition: recording it as held asks for its results. Always true for the
     * format "contest"; other formats may be marked so.
     */
    competition: boolean().notNull().default(false),
    proposedBy: integer()
      .notNull()
      .references(() => users.id),
    /** Filled when the event is recorded as held. */
    participantsGifted: integer(),
    participantsDisabilities: integer(),
    participantsCareerGuidance: integer(),
    participantsOther: integer(),
    result: text(),
    /** A competition's results when held: the institution's students among its winners and prize-winners. */
    winners: integer(),
    prizeWinners: integer(),
    /** A project's: how many of the institution's students took part. */
    projectStudents: integer(),
    /** Filled when the event is cancelled (also "not held"). */
    cancelReason: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index().on(t.startsAt),
    index().on(t.status),
    index().on(t.responsibleUserId),
    // For the weekly digests: "my events", plan items without an event, a unit's proposals.
    index().on(t.proposedBy),
    index().on(t.planItemId),
    index().on(t.status, t.ownerUnitId),
  ],
);
export type Event = typeof events.$inferSelect;

export const eventPartners = pgTable(
  "event_partners",
  {
    eventId: integer()
      .notNull()
      .references(() => events.id, { onDelete: "cascade" }),
    partnerId: integer()
      .notNull()
      .references(() => partners.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.partnerId] }), index().on(t.partnerId)],
);

export const DECISIONS = ["approved", "rejected", "changes_requested"] as const;
export type Decision = (typeof DECISIONS)[number];
export const decisionEnum = pgEnum("event_decision", DECISIONS);

/** Every approval decision: who, when, what, with an optional comment. */
export const eventDecisions = pgTable(
  "event_decisions",
  {
    id: serial().primaryKey(),
    eventId: integer()
      .notNull()
      .references(() => events.id, { onDelete: "cascade" }),
    decision: decisionEnum().notNull(),
    comment: text(),
    decidedBy: integer()
      .notNull()
      .references(() => users.id),
    decidedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index().on(t.eventId)],
);

export const CONFIRMATION_ANSWERS = ["confirmed", "declined", "other_time"] as const;
export type ConfirmationAnswer = (typeof CONFIRMATION_ANSWERS)[number];
export const confirmationAnswerEnum = pgEnum("confirmation_answer", CONFIRMATION_ANSWERS);

/** A partner contact's answer to an approved event; the latest answer per contact counts. */
export const eventConfirmations = pgTable(
  "event_confirmations",
  {
    eventId: integer()
      .notNull()
      .references(() => events.id, { onDelete: "cascade" }),
    contactId: integer()
      .notNull()
      .references(() => contacts.id, { onDelete: "cascade" }),
    answer: confirmationAnswerEnum().notNull(),
    comment: text(),
    answeredAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.contactId] })],
);

export const EVENT_NOTICE_KINDS = ["reminder_day_before", "held_question"] as const;
export type EventNoticeKind = (typeof EVENT_NOTICE_KINDS)[number];
export const eventNoticeKindEnum = pgEnum("event_notice_kind", EVENT_NOTICE_KINDS);

/**
 * One row per event, notice kind and recipient, inserted to claim the notice before sending:
 * each is sent once, across restarts and instances. `forStartsAt` ties a reminder to the time
 * it announced, so a rescheduled event is reminded again.
 */
export const eventNotices = pgTable(
  "event_notices",
  {
    eventId: integer()
      .notNull()
      .references(() => events.id, { onDelete: "cascade" }),
    kind: eventNoticeKindEnum().notNull(),
    userId: integer()
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    forStartsAt: timestamp({ withTimezone: true }).notNull(),
    sentAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    delivered: boolean().notNull().default(true),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.kind, t.userId, t.forStartsAt] })],
);
