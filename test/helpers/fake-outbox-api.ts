import { Api } from "grammy";
import { installApiPlugins } from "../../src/core/telegram/api-plugins.js";
import type { Sleep } from "../../src/core/outbox/sender.js";
import { FakeTelegram } from "./fake-telegram.js";
import { TEST_TOKEN } from "./harness.js";

/** A clock whose sleeps pass instantly: time moves only when the code under test waits. */
export class FakeClock {
  constructor(public ms = Date.parse("2100-01-01T00:00:00Z")) {}
  readonly now = () => this.ms;
  readonly sleep: Sleep = async (ms, signal) => {
    if (!signal.aborted) this.ms += Math.max(0, ms);
    await new Promise((resolve) => setTimeout(resolve, 0));
  };
}

export interface TimedCall {
  at: number;
  method: string;
  chatId: number;
  text: string;
  /** Why the call failed: Telegram's description, or "network" for a thrown fetch. */
  error?: string;
}

/**
 * FakeTelegram behind a fetch that also fails at the network level, notes the (fake) time of
 * each call, and can "kill" the process mid-call: the call reaches Telegram, the answer never
 * comes back.
 */
export class FakeOutboxApi {
  readonly telegram = new FakeTelegram();
  readonly calls: TimedCall[] = [];
  /** The next this many calls throw from fetch like a dropped connection. */
  networkErrors = 0;
  /** After this many successful calls, the next one is delivered and then hangs forever. */
  hangAfter = Infinity;
  /** bot.api as the bot has it: with the auto-retry plugin the sender must not rely on. */
  readonly api: Api;

  constructor(private readonly clock: FakeClock) {
    this.api = new Api(TEST_TOKEN, { fetch: this.fetch as never });
    installApiPlugins(this.api);
  }

  readonly fetch = async (input: unknown, init?: { body?: unknown; headers?: unknown }): Promise<Response> => {
    const hang = this.delivered().length >= this.hangAfter;
    const url = String(input);
    const payload = (typeof init?.body === "string" ? JSON.parse(init.body) : {}) as { chat_id?: number; text?: string };
    const call: TimedCall = {
      at: this.clock.now(),
      method: url.slice(url.lastIndexOf("/") + 1),
      chatId: Number(payload.chat_id),
      text: String(payload.text),
    };
    this.calls.push(call);
    if (this.networkErrors > 0) {
      this.networkErrors--;
      call.error = "network";
      throw new TypeError("fetch failed: ECONNRESET");
    }
    const response = await this.telegram.fetch(input, init);
    call.error = this.telegram.calls.at(-1)?.error;
    if (hang) return new Promise<Response>(() => undefined);
    return response;
  };

  delivered(): TimedCall[] {
    return this.calls.filter((call) => !call.error);
  }
}
