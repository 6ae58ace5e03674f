/**
 * The load generator: chats that each send their next update when the previous one was answered
 * (closed loop), or updates at fixed times (open loop), in a mix of /start, /help, /partners,
 * presses of the partner list's buttons and the steps of /newpartner. Cheap on purpose: it runs
 * on the same cores as the bot.
 */
import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";
import type { Update } from "grammy/types";
import { command, press, privateChat, text, type TestUser } from "../../test/helpers/updates.js";
import type { ChatView, FakeBotApi } from "./fake-api.js";

export const SECRET_HEADER = "x-telegram-bot-api-secret-token";
/** BENCH_SLOW_MS: every POST slower than this is printed (when it was sent, what it was), to find stalls. */
const SLOW_MS = Number(process.env.BENCH_SLOW_MS ?? 0);
const EPOCH = performance.now();

/** Posts updates to a webhook over kept-alive connections; resolves with the HTTP status (-1: no answer). */
export class WebhookClient {
  // FIFO: every kept-alive connection is reused in turn, so none idles into the server's timeout.
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 512, timeout: 4_000, scheduling: "fifo" });
  retries = 0;

  constructor(
    private readonly port: number,
    private readonly path: string,
    private readonly secret: string,
  ) {}

  post(body: string, retry = true): Promise<number> {
    return new Promise((resolve) => {
      const req = request(
        {
          host: "127.0.0.1",
          port: this.port,
          path: this.path,
          method: "POST",
          agent: this.agent,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body), [SECRET_HEADER]: this.secret },
        },
        (res) => {
          res.resume();
          res.once("end", () => resolve(res.statusCode ?? 0));
          res.once("error", () => resolve(-1));
        },
      );
      req.once("error", (error: NodeJS.ErrnoException) => {
        // A kept-alive connection the server closed just as it was reused: the update never arrived.
        if (retry && req.reusedSocket && error.code === "ECONNRESET") {
          this.retries++;
          resolve(this.post(body, false));
        } else resolve(-1);
      });
      req.end(body);
    });
  }

  /** Opens `n` kept-alive connections (n GET /healthz at once), so that the load starts on them. */
  async connect(n: number): Promise<void> {
    await Promise.all(
      Array.from(
        { length: n },
        () =>
          new Promise<void>((resolve) => {
            const req = request({ host: "127.0.0.1", port: this.port, path: "/healthz", method: "GET", agent: this.agent }, (res) => {
              res.resume();
              res.once("end", () => resolve());
              res.once("error", () => resolve());
            });
            req.once("error", () => resolve());
            req.end();
          }),
      ),
    );
  }

  close(): void {
    this.agent.destroy();
  }
}

/** mulberry32: a small seeded generator, so runs offer the same mix. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LETTERS = "абвгдежзиклмнопрстуфхцчшэюя";
const LATIN = "abcdefghijklmnopqrstuvwxyz";
const word = (rng: () => number, length: number, alphabet = LETTERS) =>
  Array.from({ length }, () => alphabet[Math.floor(rng() * alphabet.length)]).join("");
const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** A 10-digit ИНН of an organisation with a valid check digit (src/core/validation.ts). */
export function validInn(rng: () => number): string {
  const weights = [2, 4, 10, 3, 5, 9, 4, 6, 8];
  const digits = [3, 8, ...Array.from({ length: 7 }, () => Math.floor(rng() * 10))];
  const check = (weights.reduce((sum, w, i) => sum + w * digits[i]!, 0) % 11) % 10;
  return [...digits, check].join("");
}

interface PartnerAnswers {
  fullName: string;
  shortName: string;
  website: string;
  address: string;
  inn: string;
}

type Step = { kind: "command"; name: string } | { kind: "text"; body: (a: PartnerAnswers) => string } | { kind: "press"; data: string };

/** /newpartner step by step, as in test/crash-recovery.test.ts. Random names: no «similar partners» question. */
const NEW_PARTNER: Step[] = [
  { kind: "command", name: "newpartner" },
  { kind: "text", body: (a) => a.fullName },
  { kind: "text", body: (a) => a.shortName },
  { kind: "press", data: "ask:pick:university" },
  { kind: "press", data: "ask:pick:institution" },
  { kind: "press", data: "ask:pick:natural_science" },
  { kind: "press", data: "ask:done" },
  { kind: "text", body: (a) => a.website },
  { kind: "text", body: (a) => a.address },
  { kind: "text", body: (a) => a.inn },
  { kind: "text", body: () => "Профориентация школьников 15–17 лет" },
  { kind: "text", body: () => "Лекции и экскурсии в лабораториях" },
  { kind: "press", data: "ask:skip" },
  { kind: "press", data: "ask:pick:confirm" },
];
export const DIALOG_LENGTH = NEW_PARTNER.length;
const SAVED = "Партнёр сохранён";
/** The buttons of the partner list worth pressing under load: filters, their options, pages. */
const LIST_BUTTON = /^pl:(f:(type|stage|unit|focus)(:\d+)?|set:.+|show|page:\d+|mine|reset)$/;

export type Kind = "start" | "help" | "partners" | "button" | "dialog";
export const KINDS: readonly Kind[] = ["start", "help", "partners", "button", "dialog"];

/**
 * Outside a dialog, the chance that the next update starts one: then 20% of all updates are
 * dialog steps, and the other four kinds 20% each.
 */
const DIALOG_SHARE = 0.2;
const START_DIALOG = DIALOG_SHARE / ((1 - DIALOG_SHARE) * DIALOG_LENGTH + DIALOG_SHARE);

export interface DialogCounts {
  completed: number;
  /** The expected button was not under the last message (strict mode): the chat sent /cancel. */
  desynced: number;
  /** A «similar partners» question was answered «continue». */
  similar: number;
}

let partnerSerial = 0;

export class ChatDriver {
  /** The index of the next step of /newpartner; undefined outside the dialog. */
  private step: number | undefined;
  private answers: PartnerAnswers | undefined;
  private finishing = false;
  readonly rng: () => number;

  constructor(
    readonly user: TestUser,
    seed: number,
  ) {
    this.rng = seeded(seed);
  }

  get inDialog(): boolean {
    return this.step !== undefined;
  }

  beginDialog(): void {
    const n = ++partnerSerial;
    const rng = this.rng;
    this.answers = {
      fullName: `${capital(word(rng, 8))} ${capital(word(rng, 9))}`,
      shortName: capital(word(rng, 6)),
      website: `${word(rng, 10, LATIN)}.ru`,
      address: `Иркутск, ул. ${capital(word(rng, 7))}, ${1 + (n % 200)}`,
      inn: validInn(rng),
    };
    this.step = 0;
  }

  /** The next update of this chat, given what the bot showed it. */
  next(view: ChatView, strict: boolean, counts: DialogCounts): { update: Update; kind: Kind; label: string } {
    if (this.step === undefined) {
      const r = this.rng();
      if (r < START_DIALOG) this.beginDialog();
      else {
        const kind = KINDS[Math.floor(((r - START_DIALOG) / (1 - START_DIALOG)) * 4)] ?? "help";
        if (kind === "button") {
          const buttons = view.list?.buttons.filter((data) => LIST_BUTTON.test(data)) ?? [];
          if (view.list && buttons.length > 0) {
            const data = buttons[Math.floor(this.rng() * buttons.length)]!;
            const label = `button ${data.replace(/^(pl:(?:f|set):[a-z]+|pl:[a-z]+).*$/, "$1")}`;
            return { update: press(this.user, data, { message_id: view.list.messageId, chat: privateChat(this.user) }), kind, label };
          }
          return { update: command(this.user, "partners"), kind: "partners", label: "/partners" };
        }
        return { update: command(this.user, kind), kind, label: `/${kind}` };
      }
    }
    const index = this.step!;
    const step = NEW_PARTNER[index]!;
    const label = `dialog ${index + 1}/${NEW_PARTNER.length} ${step.kind === "press" ? step.data : step.kind === "command" ? `/${step.name}` : "text"}`;
    if (step.kind === "press") {
      const last = view.last;
      if (strict) {
        const buttons = last?.buttons ?? [];
        if (this.step === 3 && buttons.includes("ask:pick:continue")) {
          counts.similar++;
          return { update: this.pressOn(view, "ask:pick:continue"), kind: "dialog", label: "dialog ask:pick:continue" };
        }
        if (!buttons.includes(step.data)) {
          counts.desynced++;
          this.step = undefined;
          return { update: command(this.user, "cancel"), kind: "dialog", label: "dialog /cancel" };
        }
      }
      this.advance();
      return { update: this.pressOn(view, step.data), kind: "dialog", label };
    }
    this.advance();
    return { update: step.kind === "command" ? command(this.user, step.name) : text(this.user, step.body(this.answers!)), kind: "dialog", label };
  }

  /** After the answer to an update: the end of a dialog is checked (strict) and counted. */
  answered(view: ChatView, strict: boolean, counts: DialogCounts): void {
    if (!this.finishing) return;
    this.finishing = false;
    if (!strict || view.last?.text.includes(SAVED)) counts.completed++;
    else counts.desynced++;
  }

  private advance() {
    this.step!++;
    if (this.step === NEW_PARTNER.length) {
      this.step = undefined;
      this.finishing = true;
    }
  }

  private pressOn(view: ChatView, data: string): Update {
    return press(this.user, data, { message_id: view.last?.messageId ?? 1, chat: privateChat(this.user) });
  }
}

const percentile = (sorted: number[], p: number) =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;

export interface Spread {
  count: number;
  p50: number;
  p99: number;
  max: number;
}
const spread = (values: number[]): Spread => {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN };
};

export class Stats {
  /** Updates answered within the window: the throughput. */
  answered = 0;
  /** Latencies of the updates sent (or due, open loop) within the window, however late answered. */
  readonly post: number[] = [];
  readonly firstReply: number[] = [];
  readonly kinds = new Map<Kind, number>(KINDS.map((k) => [k, 0]));
  /** POST latencies by kind, and by finer label (the button, the dialog's step). */
  readonly byKind = new Map<Kind, number[]>(KINDS.map((k) => [k, []]));
  readonly byLabel = new Map<string, number[]>();
  /** Non-2xx answers and requests that got no answer. */
  failed = 0;
  /** Answered updates for which no Bot API call for the chat arrived. */
  noReply = 0;
  readonly statuses = new Map<number, number>();
  readonly dialogs: DialogCounts = { completed: 0, desynced: 0, similar: 0 };
  /** Open loop: updates that waited for a free chat past their time. */
  late = 0;

  record(latency: number, firstReply: number | undefined, status: number, kind: { kind: Kind; label: string } | undefined) {
    this.post.push(latency);
    if (firstReply !== undefined) this.firstReply.push(firstReply);
    else this.noReply++;
    if (status < 200 || status > 299) this.failed++;
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    if (!kind) return;
    this.kinds.set(kind.kind, (this.kinds.get(kind.kind) ?? 0) + 1);
    this.byKind.get(kind.kind)?.push(latency);
    const values = this.byLabel.get(kind.label);
    if (values) values.push(latency);
    else this.byLabel.set(kind.label, [latency]);
  }

  summary(seconds: number) {
    const post = [...this.post].sort((a, b) => a - b);
    const first = [...this.firstReply].sort((a, b) => a - b);
    return {
      updates: this.answered,
      updatesPerSecond: this.answered / seconds,
      sampled: post.length,
      postP50: percentile(post, 50),
      postP95: percentile(post, 95),
      postP99: percentile(post, 99),
      postMax: post.at(-1) ?? Number.NaN,
      firstP50: percentile(first, 50),
      firstP95: percentile(first, 95),
      firstP99: percentile(first, 99),
      failed: this.failed,
      noReply: this.noReply,
      statuses: Object.fromEntries(this.statuses),
      kinds: Object.fromEntries(this.kinds),
      byKind: Object.fromEntries([...this.byKind].map(([kind, values]) => [kind, spread(values)])) as Record<Kind, Spread>,
      slowest: [...this.byLabel]
        .filter(([, values]) => values.length >= 20)
        .map(([label, values]) => ({ label, ...spread(values) }))
        .sort((a, b) => b.p99 - a.p99)
        .slice(0, 5),
      dialogs: { ...this.dialogs },
      late: this.late,
    };
  }
}

export type RoundSummary = ReturnType<Stats["summary"]>;

/** One bot under load: its fake Bot API, its webhook and the chats that talk to it. */
export class Target {
  stats = new Stats();
  /** The measured window (performance.now()); nothing is recorded outside it. */
  private windowStart = Number.POSITIVE_INFINITY;
  private windowEnd = Number.POSITIVE_INFINITY;
  inFlight = 0;

  constructor(
    readonly name: string,
    readonly api: FakeBotApi,
    readonly client: WebhookClient,
    readonly chats: ChatDriver[],
    /** Checks the dialog's buttons and its end (the real bot); the bare bot answers anything. */
    readonly strict: boolean,
  ) {}

  openWindow(): void {
    this.stats = new Stats();
    this.windowStart = performance.now();
    this.windowEnd = Number.POSITIVE_INFINITY;
  }

  /** Closes the window; returns its length in seconds. Updates sent in it are still recorded when answered. */
  closeWindow(): number {
    this.windowEnd = performance.now();
    return (this.windowEnd - this.windowStart) / 1000;
  }

  /** Forgets the window (after the drain). */
  resetWindow(): void {
    this.windowStart = this.windowEnd = Number.POSITIVE_INFINITY;
  }

  private inWindow(time: number): boolean {
    return time >= this.windowStart && time <= this.windowEnd;
  }

  /** Sends one update and waits for the answer; `scheduledAt` (open loop) is when it was due. */
  async send(update: Update, chatId: number, scheduledAt?: number, kind?: { kind: Kind; label: string }): Promise<{ status: number; view: ChatView; sampled: boolean }> {
    const view = this.api.chat(chatId);
    view.outstanding = true;
    view.firstReplyAt = undefined;
    const callback = update.callback_query?.id;
    if (callback) this.api.callbackChats.set(callback, chatId);
    this.inFlight++;
    const sent = performance.now();
    const from = scheduledAt ?? sent;
    const sampled = this.inWindow(from);
    const stats = this.stats;
    const status = await this.client.post(JSON.stringify(update));
    const answered = performance.now();
    this.inFlight--;
    view.outstanding = false;
    if (callback) this.api.callbackChats.delete(callback);
    if (SLOW_MS > 0 && answered - sent > SLOW_MS) {
      console.log(
        `[slow] ${this.name} chat ${chatId} ${kind?.label ?? "set-up"}: sent at ${((sent - EPOCH) / 1000).toFixed(2)} s, answered after ${(answered - sent).toFixed(0)} ms` +
          (view.firstReplyAt !== undefined ? ` (first reply after ${(view.firstReplyAt - sent).toFixed(0)} ms)` : ""),
      );
    }
    if (this.inWindow(answered)) this.stats.answered++;
    if (sampled) {
      stats.record(answered - from, view.firstReplyAt === undefined ? undefined : view.firstReplyAt - from, status, kind);
      if (scheduledAt !== undefined && sent - scheduledAt > 5) stats.late++;
    }
    return { status, view, sampled };
  }

  /** The chat's next update of the mix, sent and answered. */
  async step(chat: ChatDriver, scheduledAt?: number): Promise<void> {
    const stats = this.stats;
    const scratch: DialogCounts = { completed: 0, desynced: 0, similar: 0 };
    const { update, kind, label } = chat.next(this.api.chat(chat.user.id), this.strict, this.inWindow(scheduledAt ?? performance.now()) ? stats.dialogs : scratch);
    const { view, sampled } = await this.send(update, chat.user.id, scheduledAt, { kind, label });
    chat.answered(view, this.strict, sampled ? stats.dialogs : scratch);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Window {
  /** Called just before the measured window opens and right after it closes. */
  before: () => Promise<void>;
  after: () => Promise<void>;
}

/** Waits out the warm-up, then measures for `windowMs`; returns the window's length in seconds. */
async function measuredWindow(target: Target, warmupMs: number, windowMs: number, window: Window): Promise<number> {
  await sleep(warmupMs);
  await window.before();
  target.openWindow();
  await sleep(windowMs);
  const seconds = target.closeWindow();
  await window.after();
  return seconds;
}

/** Every chat sends its next update as soon as the previous one is answered. */
export async function closedLoop(target: Target, warmupMs: number, windowMs: number, window: Window): Promise<RoundSummary> {
  // Connections first, while the bot is idle: a busy Node server is slow to accept new ones.
  await target.client.connect(target.chats.length);
  let running = true;
  const loops = target.chats.map(async (chat) => {
    while (running) await target.step(chat);
  });
  const seconds = await measuredWindow(target, warmupMs, windowMs, window);
  running = false;
  await Promise.all(loops);
  target.resetWindow();
  return target.stats.summary(seconds);
}

/**
 * Updates due at fixed times (`perSecond`), whatever the answers; each goes to the next chat
 * (round-robin) that has none outstanding, or waits for one. Latency counts from when it was due.
 */
export async function openLoop(target: Target, perSecond: number, warmupMs: number, windowMs: number, window: Window): Promise<RoundSummary & { unsent: number }> {
  await target.client.connect(target.chats.length);
  const free = [...target.chats];
  const waiting: number[] = [];
  const interval = 1000 / perSecond;
  const start = performance.now();
  let issued = 0;
  let running = true;
  const pending = new Set<Promise<void>>();

  const dispatch = (chat: ChatDriver, at: number) => {
    const work = target.step(chat, at).then(() => {
      pending.delete(work);
      const next = waiting.shift();
      if (next !== undefined && running) dispatch(chat, next);
      else free.push(chat);
    });
    pending.add(work);
  };
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    const now = performance.now();
    while (running && start + issued * interval <= now) {
      const at = start + issued * interval;
      issued++;
      const chat = free.shift();
      if (chat) dispatch(chat, at);
      else waiting.push(at);
    }
    if (running) timer = setTimeout(tick, Math.max(0, start + issued * interval - performance.now()));
  };
  tick();
  const seconds = await measuredWindow(target, warmupMs, windowMs, window);
  running = false;
  clearTimeout(timer);
  // Due in the window and never sent: their latency is unknown (at least the time they waited).
  const unsent = waiting.length;
  waiting.length = 0;
  while (pending.size > 0) await Promise.all([...pending]);
  target.resetWindow();
  return { ...target.stats.summary(seconds), unsent };
}
