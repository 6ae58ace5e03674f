import { sql } from "drizzle-orm";
import { check, index, integer, pgEnum, pgTable, serial, smallint, text, timestamp, unique } from "drizzle-orm/pg-core";
import { events } from "../../events/domain/schema.js";
import { contacts, partners } from "../../partners/domain/schema.js";
import { users } from "../../core/access/schema.js";

/**
 * One feedback round per held event, opened in the transaction that records it as held.
 * `token` is the participants' link (t.me/<bot>?start=pf_<token>): random, 128 bits, public by
 * design (shown on screen, printed as a QR code), so it is stored as is and can be shown again.
 */
export const feedbackRounds = pgTable("feedback_rounds", {
  eventId: integer()
    .primaryKey()
    .references(() => events.id, { onDelete: "cascade" }),
  token: text().notNull().unique(),
  openedAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
  /** After this the participants' link answers "closed". */
  linkClosesAt: timestamp({ withTimezone: true }).notNull(),
  /** After this the partner prompts take no answers and the summary goes out. */
  promptsCloseAt: timestamp({ withTimezone: true }).notNull(),
  /** Set when the closing summary was enqueued: it goes once. */
  summarySentAt: timestamp({ withTimezone: true }),
});
export type FeedbackRound = typeof feedbackRounds.$inferSelect;

export const FOLLOW_UP_ANSWERS = ["yes", "maybe", "no"] as const;
export type FollowUpAnswer = (typeof FOLLOW_UP_ANSWERS)[number];
export const followUpAnswerEnum = pgEnum("follow_up_answer", FOLLOW_UP_ANSWERS);

/**
 * A partner contact's feedback on a held event: the prompt and its answers in one row, each
 * answer saved as it arrives (one tap on a rating already counts).
 */
export const feedbackPrompts = pgTable(
  "feedback_prompts",
  {
    id: serial().primaryKey(),
    eventId: integer()
      .notNull()
      .references(() => events.id, { onDelete: "cascade" }),
    partnerId: integer()
      .notNull()
      .references(() => partners.id, { onDelete: "cascade" }),
    /** Set null when the contact's personal data is deleted: the answers stay, unattributed. */
    contactId: integer().references(() => contacts.id, { onDelete: "set null" }),
    userId: integer().references(() => users.id, { onDelete: "set null" }),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    rating: smallint(),
    followUp: followUpAnswerEnum(),
    wentWell: text(),
    improve: text(),
    answeredAt: timestamp({ withTimezone: true }),
    updatedAt: timestamp({ withTimezone: true }),
    /** Reminders sent so far; the next one is claimed by raising this number. */
    remindersSent: smallint().notNull().default(0),
    lastRemindedAt: timestamp({ withTimezone: true }),
    /** Set when a low rating (≤ 2) was reported to the owner and the admins. */
    alertedAt: timestamp({ withTimezone: true }),
  },
  (t) => [
    unique().on(t.eventId, t.contactId),
    index().on(t.partnerId),
    index().on(t.userId),
    check("feedback_prompts_rating_range", sql`${t.rating} between 1 and 5`),
  ],
);
export type FeedbackPrompt = typeof feedbackPrompts.$inferSelect;

export const PARTICIPANT_ROLES = ["student", "parent", "teacher", "other"] as const;
export type ParticipantRole = (typeof PARTICIPANT_ROLES)[number];
export const participantRoleEnum = pgEnum("participant_role", PARTICIPANT_ROLES);

export const AGE_GROUPS = ["under_7", "7_10", "11_14", "15_17", "18_plus"] as const;
export type AgeGroup = (typeof AGE_GROUPS)[number];
export const ageGroupEnum = pgEnum("age_group", AGE_GROUPS);

/**
 * An anonymous participant's answer. It holds no Telegram identity: `voterHash` is a keyed
 * hash (HMAC-SHA-256, key outside the database) of the Telegram user id and the event, so one
 * answer per person per event is enforced without storing who.
 */
export const participantFeedback = pgTable(
  "participant_feedback",
  {
    id: serial().primaryKey(),
    eventId: integer()
      .notNull()
      .references(() => events.id, { onDelete: "cascade" }),
    voterHash: text().notNull(),
    rating: smallint().notNull(),
    comment: text(),
    role: participantRoleEnum(),
    ageGroup: ageGroupEnum(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp({ withTimezone: true }),
    alertedAt: timestamp({ withTimezone: true }),
  },
  (t) => [unique().on(t.eventId, t.voterHash), check("participant_feedback_rating_range", sql`${t.rating} between 1 and 5`)],
);
export type ParticipantFeedback = typeof participantFeedback.$inferSelect;

