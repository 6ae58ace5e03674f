import { sql } from "drizzle-orm";
import { bigint, bigserial, index, integer, jsonb, pgEnum, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** pending → sending → sent; or back to pending (retry), or failed / blocked (final). */
export const OUTBOX_STATUSES = ["pending", "sending", "sent", "failed", "blocked"] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];
export const outboxStatusEnum = pgEnum("outbox_status", OUTBOX_STATUSES);

/**
 * Messages the bot sends on its own initiative, written in the same transaction as the change
 * that causes them and delivered by the one OutboxSender (src/core/outbox/sender.ts).
 */
export const outbox = pgTable(
  "outbox",
  {
    id: bigserial({ mode: "number" }).primaryKey(),
    chatId: bigint({ mode: "number" }).notNull(),
    /** The Bot API method: sendMessage for now; sendDocument / sendPhoto by file_id later. */
    method: text().notNull().default("sendMessage"),
    /** The method's parameters besides chat_id: text, reply_markup, parse_mode… */
    payload: jsonb().notNull(),
    status: outboxStatusEnum().notNull().default("pending"),
    /** Failed attempts (network errors, 5xx); a 429 is not counted. */
    attempts: integer().notNull().default(0),
    nextAttemptAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    lastError: text(),
    createdAt: timestamp({ withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp({ withTimezone: true }),
    /** Lets a producer enqueue idempotently: a second row with the same key is not written. */
    dedupeKey: text().unique(),
  },
  (t) => [index().on(t.status, t.nextAttemptAt), index("outbox_chat_pending_idx").on(t.chatId, t.id).where(sql`status = 'pending'`)],
);

export type OutboxRow = typeof outbox.$inferSelect;
