import type { Bot, Context, MiddlewareFn, Transformer } from "grammy";
import type { Update } from "grammy/types";
import type { Db } from "../db/client.js";
import { stateChanges } from "../db/state-storage.js";
import { activeScope, journaled, loadJournal, recordAnswers, runInScope, type UpdateScope } from "../db/update-scope.js";
import { beginUpdate, claimUpdates, finishUpdate, type Prefetched, type PrefetchPlan, prefetchUpdate, unfinishedUpdates, type UpdateOwner } from "../db/processed-updates.js";
import { makeUpdateStorable } from "../storable-text.js";
import type { Logger } from "../../logger.js";
import type { BotContext } from "../context.js";

/**
 * Every update is handled to its end exactly once, even when the process dies half-way.
 *
 * 1. The inbox. An update is claimed, and stored, before anything else happens to it: in polling
 *    mode inside getUpdates itself (the runner confirms a batch to Telegram with its next call, so
 *    an update must be in the database by then), in webhook mode by the middleware below. A claim
 *    names its owner (UpdateOwner: an instance, alive while its connection to Postgres is).
 * 2. Effects once. While the update is handled, what it does is journaled in order: each write
 *    transaction commits together with a journal row of its result, each Bot API call's answer
 *    is journaled before the next request goes out (the last one needs no row: the update's end
 *    records it), reads go with the next row (src/core/db/update-scope.ts).
 *    Session and dialog state are held back (DbStateStorage) and committed with the claim's
 *    end, in one statement, which also forgets the journal: it is needed only until then. A
 *    write that gives back what was read is no write.
 * 3. Handling again. An update whose owner died before finishing it is taken over, at start-up
 *    (recoverUnfinishedUpdates) or when Telegram delivers it again. The dialog state is as it
 *    was before the update (step 2), so the dialog replays to the same step; the effects the
 *    first attempt got to return their journaled results instead of happening again: nothing is
 *    created twice and no question is sent twice. An update finished already is skipped.
 * 4. Several instances. The claim is one statement; a second instance that gets the same update
 *    while the first is alive and handling it waits for the first to finish, then skips it.
 */

/** An update that stopped the bot this many times is given up (logged), not tried forever. */
const MAX_ATTEMPTS = 3;
/** How long a duplicate waits for a live instance handling the same update. */
const BUSY_WAIT_MS = 60_000;

export class Inbox {
  /** Claimed by getUpdates and not yet handled: update id → attempt. */
  private readonly claimed = new Map<number, number>();

  constructor(
    readonly db: Db,
    readonly owner: UpdateOwner,
    private readonly logger: Logger,
    /** What the handling of an update reads first: read with its claim, in one statement. */
    private readonly planOf: (ctx: Context) => PrefetchPlan = () => ({ telegramId: null, blockedKey: null, stateKeys: [] }),
  ) {}

  /** The getUpdates transformer: the batch is claimed and stored before the runner sees it. */
  readonly onGetUpdates: Transformer = async (prev, method, payload, signal) => {
    const response = await prev(method, payload, signal);
    if (method !== "getUpdates" || !response.ok) return response;
    const updates = (response.result as Update[]).map((u) => makeUpdateStorable(u));
    for (const [id, attempt] of await claimUpdates(this.db, this.owner, updates)) this.claimed.set(id, attempt);
    return response;
  };

  /** The middleware: claim (unless getUpdates did), handle in a scope, finish with the state. */
  readonly middleware: MiddlewareFn<BotContext> = async (ctx, next) => {
    const update = ctx.update;
    const taken = await this.take(update, this.planOf(ctx));
    if (taken === undefined) return;
    const { attempts, prefetched } = taken;
    if (attempts > MAX_ATTEMPTS) {
      this.logger.error({ updateId: update.update_id, attempts: attempts - 1 }, "giving up on an update whose handling never finished");
      await finishUpdate(this.db, this.owner, update.update_id, "failed");
      return;
    }
    if (attempts > 1) this.logger.info({ updateId: update.update_id, attempt: attempts }, "handling again an update whose handling did not finish");
    const rerun = attempts > 1;
    const scope: UpdateScope = {
      updateId: update.update_id,
      db: this.db,
      rerun,
      earlier: rerun ? await loadJournal(this.db, update.update_id) : new Map<number, unknown>(),
      seq: 0,
      pendingReads: [],
      unrecordedAnswer: false,
      pendingState: new Map(),
      readState: new Map(),
      journaledAny: rerun,
      open: true,
      prefetched,
    };
    let status: "done" | "failed" = "failed";
    try {
      await runInScope(scope, next);
      status = "done";
    } finally {
      scope.open = false;
      await finishUpdate(this.db, this.owner, update.update_id, status, {
        changes: stateChanges(scope.pendingState),
        forgetJournal: scope.journaledAny,
      });
    }
  };

  /**
   * The attempt number when this instance is to handle the update, with what its handling reads
   * first; undefined to skip it.
   */
  private async take(update: Update, plan: PrefetchPlan): Promise<{ attempts: number; prefetched: Prefetched } | undefined> {
    const id = update.update_id;
    const claimed = this.claimed.get(id);
    if (claimed !== undefined) {
      this.claimed.delete(id);
      return { attempts: claimed, prefetched: await prefetchUpdate(this.db, plan) };
    }
    const deadline = Date.now() + BUSY_WAIT_MS;
    for (;;) {
      const { claim, prefetched } = await beginUpdate(this.db, this.owner, update, plan);
      if (claim.kind === "mine") return { attempts: claim.attempts, prefetched };
      if (claim.kind === "finished") {
        this.logger.info({ updateId: id }, "skipping an update already handled");
        return undefined;
      }
      if (Date.now() > deadline) {
        this.logger.warn({ updateId: id }, "skipping an update another instance is still handling");
        return undefined;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * Hands the updates whose handling a dead process left unfinished to the bot again, oldest
   * first, one at a time (so each chat's stay in order). Returns how many.
   */
  async recover(bot: Bot<BotContext>): Promise<number> {
    const unfinished = await unfinishedUpdates(this.db, this.owner);
    if (unfinished.length === 0) return 0;
    this.logger.info({ updates: unfinished.length }, "handling the updates a stopped process did not finish");
    for (const update of unfinished) await bot.handleUpdate(update);
    return unfinished.length;
  }
}

/** Methods that only read: their answers are not journaled (a file path expires, for one). */
const isRead = (method: string) => method.startsWith("get");

type Fetch = typeof globalThis.fetch;

/**
 * The Bot API client's fetch, journaled: inside an update's handling, each answer Telegram
 * gives (success or error, in order) is journaled, and when the same update is handled again
 * the journaled answer comes back instead of a second request, so the user does not get the
 * same question twice. It sits below every transformer (auto-retry, the conversations' own
 * replay of earlier calls), so only requests that really go out are journaled.
 */
export function journalingFetch(base: Fetch): Fetch {
  return async (input, init) => {
    const scope = activeScope();
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    const method = url.slice(url.lastIndexOf("/") + 1);
    // File downloads (…/file/bot<token>/<path>) only read, like the get… methods.
    if (!scope || isRead(method) || url.includes("/file/bot")) return base(input, init);
    const seq = scope.seq++;
    const earlier = journaled(scope, seq);
    if (earlier.found) {
      const { status, body } = earlier.value as { status: number; body: string };
      return answer(status, body);
    }
    await recordAnswers(scope);
    const response = await base(input, init);
    const text = await response.text();
    // Handled again later, a button press may be answered already or too old to answer (400):
    // the rest of the update must still happen.
    const tooOld = scope.rerun && method === "answerCallbackQuery" && refused(response.status, text);
    const body = tooOld ? JSON.stringify({ ok: true, result: true }) : text;
    const status = tooOld ? 200 : response.status;
    scope.pendingReads.push([seq, { status, body }]);
    // An answer to a button press is harmless to repeat (a second one is refused, taken as done
    // above): it waits for the next journal row instead of needing one before the next request.
    if (method !== "answerCallbackQuery") scope.unrecordedAnswer = true;
    return answer(status, body);
  };
}

/** Whether Telegram refused the call as a bad request (by the HTTP status or the answer's error code). */
function refused(status: number, body: string): boolean {
  if (status === 400) return true;
  try {
    return (JSON.parse(body) as { error_code?: number }).error_code === 400;
  } catch {
    return false;
  }
}

/**
 * An answer of the Bot API as grammY reads it (status, json, text): a whole Response object with
 * its streams costs more than the call's own parsing, and the body is in hand already.
 */
function answer(status: number, body: string): Response {
  return {
    status,
    ok: status >= 200 && status < 300,
    json: () => Promise.resolve(JSON.parse(body) as unknown),
    text: () => Promise.resolve(body),
  } as Response;
}
