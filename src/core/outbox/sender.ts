import { and, eq, sql } from "drizzle-orm";
import { Api, GrammyError } from "grammy";
import type { InlineKeyboardMarkup } from "grammy/types";
import { type Database, type Db, selectRows } from "../db/client.js";
import { outbox, type OutboxRow } from "./schema.js";
import type { Writer } from "../audit.js";
import { markBotBlocked } from "../access/users.js";
import type { Logger } from "../../logger.js";
import { splitHtml } from "./split-html.js";

export interface OutboxMessage {
  chatId: number;
  /** Telegram HTML; split into several messages when longer than 4,096 characters. */
  text: string;
  /** Goes with the last part only, so the buttons sit under the end of the text. */
  replyMarkup?: InlineKeyboardMarkup;
  /** A second enqueue with the same key writes nothing: producers may enqueue idempotently. */
  dedupeKey?: string;
}

/**
 * Writes a message to the outbox. Pass the transaction of the change that causes the message,
 * so the message exists exactly when the change does. Returns the number of rows written
 * (0 when `dedupeKey` was enqueued before).
 */
export async function enqueue(writer: Writer, message: OutboxMessage): Promise<number> {
  const parts = splitHtml(message.text);
  if (parts.length === 0) throw new Error("an outbox message needs a non-empty text");
  const { dedupeKey } = message;
  const rows = parts.map((text, index) => ({
    chatId: message.chatId,
    method: "sendMessage",
    payload: {
      text,
      parse_mode: "HTML",
      link_preview_options: { is_disabled: true },
      ...(index === parts.length - 1 && message.replyMarkup ? { reply_markup: message.replyMarkup } : {}),
    },
    dedupeKey: dedupeKey === undefined ? null : index === 0 ? dedupeKey : `${dedupeKey}#${index + 1}`,
  }));
  const written = await writer.insert(outbox).values(rows).onConflictDoNothing({ target: outbox.dedupeKey }).returning({ id: outbox.id });
  return written.length;
}

/** An arbitrary constant shared by every instance of this bot: the key of the sender lock. */
const SENDER_LOCK_KEY = 7_241_900_116;
/**
 * The window of the total rate limit: a little over a second, so that network jitter cannot
 * make `perSecond + 1` calls arrive at Telegram within one second (measured: bench/outbox.ts).
 */
const RATE_WINDOW_MS = 1050;
const SENDABLE_METHODS = new Set(["sendMessage", "sendDocument", "sendPhoto"]);

export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

const realSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, Math.max(0, ms));
    signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
  });

export interface OutboxSenderOptions {
  database: Database;
  /** bot.api: the sender builds a plain Api from its token and client options (see below). */
  api: Api;
  logger: Logger;
  /** Milliseconds since the epoch; injectable for tests. */
  now?: () => number;
  sleep?: Sleep;
  /** Calls to the Bot API in any one-second window, all chats together. */
  perSecond?: number;
  /** The least time between two messages to the same chat. */
  perChatIntervalMs?: number;
  /** Failed attempts (network errors, 5xx) after which a message is given up as 'failed'. */
  maxAttempts?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /** How often an idle sender looks for new rows, and a standby one for the lock. */
  pollIntervalMs?: number;
}

/** The connection lost its session (and with it the lock): another instance may lead now. */
class LeadershipLost extends Error {}

type Head = Pick<OutboxRow, "id" | "chatId" | "method" | "payload" | "attempts" | "nextAttemptAt">;

/**
 * Delivers the outbox. Exactly one sender sends at a time across all instances: it holds a
 * session-level advisory lock on a dedicated connection (Database.withConnection) for as long as
 * it leads, and every write it makes checks that connection's backend pid, so a sender whose
 * connection dropped (and silently reconnected) cannot write on after another took over.
 * The others wait on standby and try the lock every poll interval.
 *
 * Crash safety: a row is marked 'sending' before its API call and 'sent' after. A new leader
 * turns rows left in 'sending' back to 'pending' (only a leader sends, so they belong to a dead
 * one): at most the one in-flight message is sent twice.
 *
 * The API calls go through a fresh `new Api(token, options)`, not bot.api itself: bot.api
 * carries the auto-retry plugin, whose hidden waits and repeats would break the rate
 * accounting and the attempt count. Here every HTTP call is one counted call, and 429s,
 * 5xx and network errors are handled below and persisted on the row.
 */
export class OutboxSender {
  private readonly api: Api;
  private readonly now: () => number;
  private readonly sleepFor: Sleep;
  private readonly perSecond: number;
  private readonly perChatIntervalMs: number;
  private readonly maxAttempts: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;
  private readonly pollIntervalMs: number;
  private running = false;
  private stopping = new AbortController();
  private waking = new AbortController();
  private done: Promise<void> = Promise.resolve();
  /** Times of the recent calls, oldest first (at most `perSecond` of them). */
  private readonly recentCalls: number[] = [];
  private readonly lastCallToChat = new Map<number, number>();
  private pausedUntil = 0;

  constructor(private readonly options: OutboxSenderOptions) {
    this.api = new Api(options.api.token, options.api.options);
    this.now = options.now ?? Date.now;
    this.sleepFor = options.sleep ?? realSleep;
    this.perSecond = options.perSecond ?? 30;
    this.perChatIntervalMs = options.perChatIntervalMs ?? 1000;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.backoffBaseMs = options.backoffBaseMs ?? 1000;
    this.backoffMaxMs = options.backoffMaxMs ?? 5 * 60_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 1000;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.stopping = new AbortController();
    this.done = this.run();
  }

  /** Lets the in-flight call finish, releases the lock and resolves when the sender is idle. */
  async stop(): Promise<void> {
    this.running = false;
    this.stopping.abort();
    await this.done;
  }

  /**
   * Sends every pending message now, in one pass per chat until none is left, and returns how
   * many API calls it made. For tests and tools: the rate limits still count calls, but a row
   * that never failed is sent without waiting for its scheduled time or its chat's interval.
   * Throws if another sender leads.
   */
  async flush(): Promise<number> {
    const [pending] = await this.options.database.db.select({ id: outbox.id }).from(outbox).where(eq(outbox.status, "pending")).limit(1);
    if (!pending) return 0;
    return this.options.database.withConnection(async (db) => {
      const [row] = await selectRows<{ locked: boolean; pid: number }>(
        db,
        sql`select pg_try_advisory_lock(${SENDER_LOCK_KEY}) as locked, pg_backend_pid() as pid`,
      );
      if (!row?.locked) throw new Error("another outbox sender leads");
      const ours = sql`pg_backend_pid() = ${row.pid}`;
      let calls = 0;
      try {
        for (;;) {
          const now = this.now();
          const due = (await this.heads(db)).filter((head) => head.attempts === 0 || head.nextAttemptAt.getTime() <= now);
          if (due.length === 0) return calls;
          for (const head of due) {
            await this.deliver(db, ours, head);
            calls++;
          }
        }
      } finally {
        await db.execute(sql`select pg_advisory_unlock(${SENDER_LOCK_KEY})`);
      }
    });
  }

  /** The oldest pending row of each chat: a chat's messages go in order, retries included. */
  private heads(db: Db): Promise<Head[]> {
    return db
      .selectDistinctOn([outbox.chatId], {
        id: outbox.id,
        chatId: outbox.chatId,
        method: outbox.method,
        payload: outbox.payload,
        attempts: outbox.attempts,
        nextAttemptAt: outbox.nextAttemptAt,
      })
      .from(outbox)
      .where(eq(outbox.status, "pending"))
      .orderBy(outbox.chatId, outbox.id);
  }

  /** Ends an idle wait early: call after enqueueing when the message should go at once. */
  wake(): void {
    this.waking.abort();
  }

  private async sleep(ms: number): Promise<void> {
    if (!this.running || ms <= 0) return;
    this.waking = new AbortController();
    await this.sleepFor(ms, AbortSignal.any([this.stopping.signal, this.waking.signal]));
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.options.database.withConnection((db) => this.lead(db));
      } catch (error) {
        this.options.logger.error({ err: error }, "the outbox sender failed; it starts again");
      }
      await this.sleep(this.pollIntervalMs);
    }
  }

  /** Waits on standby until the lock is ours, then sends until stopped. */
  private async lead(db: Db): Promise<void> {
    while (this.running) {
      const [row] = await selectRows<{ locked: boolean; pid: number }>(
        db,
        sql`select pg_try_advisory_lock(${SENDER_LOCK_KEY}) as locked, pg_backend_pid() as pid`,
      );
      if (row?.locked) {
        try {
          await this.send(db, row.pid);
        } finally {
          await db.execute(sql`select pg_advisory_unlock(${SENDER_LOCK_KEY})`);
        }
        return;
      }
      await this.sleep(this.pollIntervalMs);
    }
  }

  private async send(db: Db, pid: number): Promise<void> {
    this.options.logger.info({ pid }, "the outbox sender leads");
    const ours = sql`pg_backend_pid() = ${pid}`;
    await db.update(outbox).set({ status: "pending" }).where(and(eq(outbox.status, "sending"), ours));
    while (this.running) {
      const now = this.now();
      if (this.pausedUntil > now) {
        await this.sleep(this.pausedUntil - now);
        continue;
      }
      const heads = await this.heads(db);
      const readyAt = (head: Head) => Math.max(head.nextAttemptAt.getTime(), (this.lastCallToChat.get(head.chatId) ?? -Infinity) + this.perChatIntervalMs);
      const due = heads.filter((head) => readyAt(head) <= now).sort((a, b) => a.id - b.id);
      if (due.length === 0) {
        const next = Math.min(...heads.map(readyAt), now + this.pollIntervalMs);
        await this.sleep(next - now);
        continue;
      }
      for (const head of due) {
        if (!this.running || this.pausedUntil > this.now()) break;
        await this.waitForSlot();
        if (!this.running) break;
        await this.deliver(db, ours, head);
      }
      this.forgetQuietChats();
    }
  }

  /** Sliding window: at most `perSecond` calls in any RATE_WINDOW_MS. */
  private async waitForSlot(): Promise<void> {
    while (this.running && this.recentCalls.length >= this.perSecond) {
      const wait = this.recentCalls[0]! + RATE_WINDOW_MS - this.now();
      if (wait <= 0) this.recentCalls.shift();
      else await this.sleep(wait);
    }
  }

  private forgetQuietChats(): void {
    if (this.lastCallToChat.size < 1000) return;
    const quiet = this.now() - this.perChatIntervalMs;
    for (const [chatId, at] of this.lastCallToChat) if (at < quiet) this.lastCallToChat.delete(chatId);
  }

  private async deliver(db: Db, ours: ReturnType<typeof sql>, head: Head): Promise<void> {
    const claimed = await db
      .update(outbox)
      .set({ status: "sending" })
      .where(and(eq(outbox.id, head.id), eq(outbox.status, "pending"), ours))
      .returning({ id: outbox.id });
    if (claimed.length === 0) {
      const [row] = await selectRows<{ same: boolean }>(db, sql`select ${ours} as same`);
      if (!row?.same) throw new LeadershipLost("the sender's database session changed");
      return;
    }
    const at = this.now();
    this.recentCalls.push(at);
    this.lastCallToChat.set(head.chatId, at);
    const mark = (values: Partial<typeof outbox.$inferInsert>) =>
      db.update(outbox).set(values).where(and(eq(outbox.id, head.id), eq(outbox.status, "sending"), ours));
    if (!SENDABLE_METHODS.has(head.method)) {
      await mark({ status: "failed", lastError: `unknown method ${head.method}` });
      return;
    }
    try {
      const call = (this.api.raw as unknown as Record<string, (payload: object) => Promise<unknown>>)[head.method]!;
      try {
        await call({ ...(head.payload as object), chat_id: head.chatId });
      } finally {
        // The call reached Telegram somewhere between its start and its answer: counting it at
        // its answer keeps any 1-second window at Telegram's end to `perSecond` calls, however
        // long a slow request was in transit (measured under load: 31 in a second otherwise).
        this.recentCalls[this.recentCalls.length - 1] = this.now();
      }
      await mark({ status: "sent", sentAt: new Date(this.now()), lastError: null });
    } catch (error) {
      await this.handleFailure(db, ours, head, error, mark);
    }
  }

  private async handleFailure(
    db: Db,
    ours: ReturnType<typeof sql>,
    head: Head,
    error: unknown,
    mark: (values: Partial<typeof outbox.$inferInsert>) => Promise<unknown>,
  ): Promise<void> {
    const lastError = error instanceof Error ? error.message.slice(0, 1000) : String(error);
    const now = this.now();
    const log = { outboxId: head.id, chatId: head.chatId, err: lastError };
    if (error instanceof GrammyError && error.error_code === 429) {
      // A flood wait concerns the bot, not only this chat: everything waits, the row keeps its attempts.
      const retryAfterMs = (error.parameters.retry_after ?? 1) * 1000;
      this.pausedUntil = Math.max(this.pausedUntil, now + retryAfterMs);
      this.options.logger.warn({ ...log, retryAfterMs }, "Telegram asked the outbox to slow down");
      await mark({ status: "pending", nextAttemptAt: new Date(now + retryAfterMs), lastError });
    } else if (error instanceof GrammyError && error.error_code === 403) {
      // The recipient blocked the bot (or left): nothing queued for them can be delivered now.
      this.options.logger.info(log, "the recipient cannot be reached; their queued messages are dropped");
      await mark({ status: "blocked", lastError });
      await db
        .update(outbox)
        .set({ status: "blocked", lastError })
        .where(and(eq(outbox.chatId, head.chatId), eq(outbox.status, "pending"), ours));
      // The person is marked too (cleared when they write again), as a refused answer does.
      if (head.chatId > 0) await markBotBlocked(db, head.chatId, { at: new Date(now) });
    } else if (error instanceof GrammyError && error.error_code < 500) {
      this.options.logger.error(log, "Telegram refused an outbox message");
      await mark({ status: "failed", attempts: head.attempts + 1, lastError });
    } else {
      // 5xx, network errors, anything unexpected: try again later, up to maxAttempts.
      const attempts = head.attempts + 1;
      const backoffMs = Math.min(this.backoffBaseMs * 2 ** (attempts - 1), this.backoffMaxMs);
      const givingUp = attempts >= this.maxAttempts;
      this.options.logger.warn({ ...log, attempts, backoffMs, givingUp }, "an outbox message could not be sent");
      await mark(
        givingUp
          ? { status: "failed", attempts, lastError }
          : { status: "pending", attempts, nextAttemptAt: new Date(now + backoffMs), lastError },
      );
    }
  }
}
