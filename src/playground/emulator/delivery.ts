/**
 * How updates reach the bot: long polling (getUpdates) or the emulator's own webhook requests,
 * one update at a time, in order, retried with back-off while the bot answers non-2xx or cannot
 * be reached.
 */
import type { Update } from "grammy/types";
import type { EmulatorCore } from "./core.js";
import { TELEGRAM_ERRORS } from "./telegram-rules.js";

export class BotApiError extends Error {
  constructor(
    readonly errorCode: number,
    readonly description: string,
    readonly parameters?: { retry_after?: number },
  ) {
    super(description);
  }
}

export interface WebhookRetry {
  /** The first wait after a failed delivery. */
  initialMs: number;
  /** The longest wait. */
  maxMs: number;
  /** How long one delivery may take. */
  timeoutMs: number;
}

export const DEFAULT_WEBHOOK_RETRY: WebhookRetry = { initialMs: 1_000, maxMs: 60_000, timeoutMs: 60_000 };

/** Telegram holds a long poll at most this long. */
const MAX_POLL_SECONDS = 50;

interface Poll {
  limit: number;
  resolve: (updates: Update[]) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class Delivery {
  private poll: Poll | undefined;
  private closed = false;
  private webhookRunning: Promise<void> | undefined;
  /** Wakes the webhook loop: on any change (webhook set or deleted, close). */
  private wakeWebhook: (() => void) | undefined;
  /** Wakes the webhook loop waiting for an update (not one waiting out a back-off). */
  private wakeForUpdate: (() => void) | undefined;
  private readonly abort = new AbortController();
  /** A method call the bot answered a webhook request with (Telegram runs it). */
  onWebhookReply: (payload: Record<string, unknown>) => Promise<void> = () => Promise.resolve();

  constructor(
    private readonly core: EmulatorCore,
    private readonly retry: WebhookRetry,
  ) {
    core.onUpdate = () => this.notify();
  }

  start(): void {
    if (this.core.state.webhook) this.startWebhook();
  }

  private notify(): void {
    if (this.poll) {
      const ready = this.core.deliverable().slice(0, this.poll.limit);
      if (ready.length > 0) this.finishPoll(ready);
    }
    this.wakeForUpdate?.();
  }

  private finishPoll(updates: Update[]): void {
    const poll = this.poll;
    if (!poll) return;
    this.poll = undefined;
    clearTimeout(poll.timer);
    poll.resolve(structuredClone(updates));
  }

  async getUpdates(input: { offset?: number; limit?: number; timeout?: number; allowed_updates?: string[] }, signal?: AbortSignal): Promise<Update[]> {
    const state = this.core.state;
    if (state.webhook) throw new BotApiError(409, TELEGRAM_ERRORS.webhookActive);
    if (input.allowed_updates !== undefined) {
      state.allowed_updates = input.allowed_updates.length > 0 ? [...input.allowed_updates] : null;
      this.core.changed();
    }
    if (input.offset !== undefined && input.offset !== 0) {
      const before = state.pending.length;
      if (input.offset > 0) state.pending = state.pending.filter((u) => u.update_id >= input.offset!);
      else state.pending = state.pending.slice(Math.max(0, state.pending.length + input.offset));
      if (state.pending.length !== before) this.core.changed();
    }
    const limit = Math.min(100, Math.max(1, input.limit ?? 100));
    const ready = this.core.deliverable().slice(0, limit);
    const timeout = Math.min(MAX_POLL_SECONDS, Math.max(0, input.timeout ?? 0));
    if (ready.length > 0 || timeout === 0 || this.closed) return structuredClone(ready);
    // A second poll ends the first, as Telegram does.
    if (this.poll) {
      const old = this.poll;
      this.poll = undefined;
      clearTimeout(old.timer);
      old.reject(new BotApiError(409, TELEGRAM_ERRORS.otherGetUpdates));
    }
    return new Promise<Update[]>((resolve, reject) => {
      const poll: Poll = {
        limit,
        resolve,
        reject,
        timer: setTimeout(() => {
          if (this.poll === poll) this.poll = undefined;
          resolve([]);
        }, timeout * 1000),
      };
      this.poll = poll;
      signal?.addEventListener("abort", () => {
        if (this.poll === poll) {
          this.poll = undefined;
          clearTimeout(poll.timer);
          resolve([]);
        }
      });
    });
  }

  setWebhook(input: { url: string; secret_token?: string; allowed_updates?: string[]; drop_pending_updates?: boolean; max_connections?: number }): void {
    const state = this.core.state;
    if (input.drop_pending_updates) state.pending = [];
    if (input.allowed_updates !== undefined) state.allowed_updates = input.allowed_updates.length > 0 ? [...input.allowed_updates] : null;
    if (input.url === "") {
      state.webhook = null;
    } else {
      state.webhook = {
        url: input.url,
        ...(input.secret_token ? { secret_token: input.secret_token } : {}),
        ...(input.max_connections ? { max_connections: input.max_connections } : {}),
      };
      // A poll under way ends: the webhook takes over.
      if (this.poll) this.finishPoll([]);
    }
    this.core.changed();
    if (state.webhook) this.startWebhook();
    this.wakeWebhook?.();
  }

  deleteWebhook(dropPending: boolean): boolean {
    const state = this.core.state;
    const had = state.webhook !== null;
    state.webhook = null;
    if (dropPending) state.pending = [];
    this.core.changed();
    this.wakeWebhook?.();
    return had;
  }

  webhookInfo(): Record<string, unknown> {
    const webhook = this.core.state.webhook;
    const pending = this.core.deliverable().length;
    if (!webhook) return { url: "", has_custom_certificate: false, pending_update_count: pending };
    return {
      url: webhook.url,
      has_custom_certificate: false,
      pending_update_count: pending,
      max_connections: webhook.max_connections ?? 40,
      ip_address: "127.0.0.1",
      ...(this.core.state.allowed_updates ? { allowed_updates: this.core.state.allowed_updates } : {}),
      ...(webhook.last_error_date ? { last_error_date: webhook.last_error_date, last_error_message: webhook.last_error_message } : {}),
    };
  }

  private startWebhook(): void {
    if (this.webhookRunning || this.closed) return;
    this.webhookRunning = this.runWebhook().finally(() => {
      this.webhookRunning = undefined;
    });
  }

  /** Waits `ms` (a back-off), or for a new update when `ms` is undefined; a change of the webhook ends either. */
  private sleep(ms?: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = ms === undefined ? undefined : setTimeout(done, ms);
      function done() {
        if (timer) clearTimeout(timer);
        resolve();
      }
      this.wakeWebhook = done;
      if (ms === undefined) this.wakeForUpdate = done;
    }).finally(() => {
      this.wakeWebhook = undefined;
      this.wakeForUpdate = undefined;
    });
  }

  private async runWebhook(): Promise<void> {
    let delay = this.retry.initialMs;
    while (!this.closed) {
      const webhook = this.core.state.webhook;
      if (!webhook) return;
      const update = this.core.deliverable()[0];
      if (!update) {
        await this.sleep();
        continue;
      }
      let failure: string;
      try {
        const response = await fetch(webhook.url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...(webhook.secret_token ? { "x-telegram-bot-api-secret-token": webhook.secret_token } : {}),
          },
          body: JSON.stringify(update),
          signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(this.retry.timeoutMs)]),
        });
        const body = await response.text();
        if (response.ok) {
          const index = this.core.state.pending.findIndex((u) => u.update_id === update.update_id);
          if (index >= 0) this.core.state.pending.splice(index, 1);
          delete webhook.last_error_date;
          delete webhook.last_error_message;
          this.core.changed();
          delay = this.retry.initialMs;
          await this.webhookReply(body);
          continue;
        }
        failure = `Wrong response from the webhook: ${response.status} ${response.statusText}`;
      } catch (error) {
        if (this.closed) return;
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        failure = cause === "ECONNREFUSED" ? "Connection refused" : (error as Error).name === "TimeoutError" ? "Read timeout expired" : `Connection failed: ${(error as Error).message}`;
      }
      if (this.core.state.webhook === webhook) {
        webhook.last_error_date = this.core.unixNow();
        webhook.last_error_message = failure;
        this.core.changed();
      }
      await this.sleep(delay);
      delay = Math.min(this.retry.maxMs, delay * 2);
    }
  }

  private async webhookReply(body: string): Promise<void> {
    if (!body.trim().startsWith("{")) return;
    try {
      const payload = JSON.parse(body) as Record<string, unknown>;
      if (typeof payload.method === "string") await this.onWebhookReply(payload);
    } catch {
      // Not a method call: Telegram ignores the body.
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.poll) this.finishPoll([]);
    this.abort.abort();
    this.wakeWebhook?.();
    await this.webhookRunning;
  }
}
