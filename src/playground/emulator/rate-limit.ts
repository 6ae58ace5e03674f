/**
 * Telegram's flood limits for bots, as token buckets: about 30 messages a second in all and
 * about one a second in one chat, sustained, with a burst allowed (a bot answers one action with
 * a few messages in a row and Telegram lets that through).
 */

export interface BucketLimit {
  /** Tokens added per second. */
  perSecond: number;
  /** The bucket's size: how many may go at once. */
  burst: number;
}

export interface RateLimits {
  global: BucketLimit;
  perChat: BucketLimit;
}

export const TELEGRAM_RATE_LIMITS: RateLimits = {
  global: { perSecond: 30, burst: 30 },
  perChat: { perSecond: 1, burst: 20 },
};

class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly limit: BucketLimit,
    now: number,
  ) {
    this.tokens = limit.burst;
    this.at = now;
  }

  private refill(now: number): void {
    if (now > this.at) {
      this.tokens = Math.min(this.limit.burst, this.tokens + ((now - this.at) / 1000) * this.limit.perSecond);
      this.at = now;
    }
  }

  /** Milliseconds until `count` tokens are there (0: now). */
  waitFor(now: number, count: number): number {
    this.refill(now);
    if (this.tokens >= count) return 0;
    return ((count - this.tokens) / this.limit.perSecond) * 1000;
  }

  take(count: number): void {
    this.tokens -= count;
  }

  full(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.limit.burst;
  }
}

export class RateLimiter {
  private readonly global: TokenBucket;
  private readonly chats = new Map<number, TokenBucket>();

  constructor(
    private readonly limits: RateLimits,
    private readonly clock: () => number,
  ) {
    this.global = new TokenBucket(limits.global, clock());
  }

  /**
   * Takes `count` messages for a chat: returns 0 when they may go (and counts them), else the
   * seconds to wait (Telegram's retry_after), counting nothing.
   */
  take(chatId: number, count = 1): number {
    const now = this.clock();
    let chat = this.chats.get(chatId);
    if (!chat) {
      chat = new TokenBucket(this.limits.perChat, now);
      this.chats.set(chatId, chat);
    }
    // An album of more messages than a bucket holds waits for a full bucket, not forever.
    const inAll = Math.min(count, this.limits.global.burst);
    const inChat = Math.min(count, this.limits.perChat.burst);
    const wait = Math.max(this.global.waitFor(now, inAll), chat.waitFor(now, inChat));
    if (wait > 0) return Math.max(1, Math.ceil(wait / 1000));
    this.global.take(inAll);
    chat.take(inChat);
    if (this.chats.size > 10_000) {
      for (const [id, bucket] of this.chats) if (bucket.full(now)) this.chats.delete(id);
    }
    return 0;
  }
}
