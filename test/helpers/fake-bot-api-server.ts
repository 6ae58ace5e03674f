import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Update } from "grammy/types";
import { FakeTelegram } from "./fake-telegram.js";

/**
 * The fake Bot API behind a real HTTP port, for the bot running as a separate process
 * (TELEGRAM_API_ROOT points here). getUpdates serves queued updates with long polling.
 */
export class FakeBotApiServer {
  readonly telegram = new FakeTelegram();
  private readonly queue: Update[] = [];
  private waiting: (() => void)[] = [];
  private server: Server | undefined;
  url = "";
  /** Holds every sendMessage answer this long: an update "in flight" for shutdown tests. */
  sendMessageDelayMs = 0;
  /** Methods in the order their requests arrived (before any delay). */
  readonly arrived: string[] = [];
  private holds: { when: (method: string, payload: Record<string, unknown>) => boolean; arrived: () => void }[] = [];

  /**
   * The next request for which `when` holds is never answered, and never reaches the fake
   * Telegram: as if the process died before its request went out. Resolves when it arrives
   * (the moment to kill the bot).
   */
  holdNext(when: (method: string, payload: Record<string, unknown>) => boolean): Promise<void> {
    return new Promise((resolve) => this.holds.push({ when, arrived: resolve }));
  }

  /** Forgets holds that never matched. */
  releaseHolds(): void {
    this.holds = [];
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        void this.handle(req.url ?? "/", Buffer.concat(chunks).toString("utf8")).then(async (response) => {
          res.writeHead(response.status, { "content-type": "application/json" });
          res.end(await response.text());
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  push(update: Update): void {
    this.queue.push(update);
    for (const wake of this.waiting.splice(0)) wake();
  }

  /** Resolves when `predicate` holds for the recorded calls, or fails after `ms`. */
  async waitFor(predicate: (telegram: FakeTelegram) => boolean, ms = 15_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!predicate(this.telegram)) {
      if (Date.now() > deadline) throw new Error(`timed out; calls: ${JSON.stringify(this.telegram.calls.map((c) => c.method))}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  async stop(): Promise<void> {
    for (const wake of this.waiting.splice(0)) wake();
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private async handle(path: string, body: string): Promise<Response> {
    const method = path.slice(path.lastIndexOf("/") + 1);
    this.arrived.push(method);
    const hold = this.holds.find((h) => h.when(method, parsePayload(body)));
    if (hold) {
      this.holds = this.holds.filter((h) => h !== hold);
      hold.arrived();
      return new Promise<Response>(() => undefined);
    }
    if (method === "sendMessage" && this.sendMessageDelayMs > 0) {
      await new Promise((resolve) => setTimeout(resolve, this.sendMessageDelayMs));
    }
    if (method !== "getUpdates") return this.telegram.fetch(`${this.url}${path}`, { body });
    const payload = (body ? JSON.parse(body) : {}) as { offset?: number; timeout?: number };
    this.telegram.calls.push({ method, payload });
    const offset = payload.offset ?? 0;
    // As Telegram does: an offset confirms every update before it, which is then gone for good.
    if (offset > 0) this.queue.splice(0, this.queue.length, ...this.queue.filter((u) => u.update_id >= offset));
    const pending = () => this.queue.filter((u) => u.update_id >= offset);
    if (pending().length === 0) {
      // Long polling, kept short so a stopping bot is not held up.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(payload.timeout ?? 0, 1) * 1000);
        this.waiting.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return Response.json({ ok: true, result: pending() });
  }
}

/** A JSON request body; multipart uploads (and anything else) give an empty payload. */
function parsePayload(body: string): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed !== null && typeof parsed === "object" ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
