import { eq, sql } from "drizzle-orm";
import type { Update } from "grammy/types";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { inboxOf } from "../../../src/bot.js";
import { partners } from "../../../src/partners/domain/schema.js";
import { processedUpdates, updateEffects } from "../../../src/core/db/schema.js";
import { localOwner, postgresOwner, type UpdateOwner } from "../../../src/core/db/processed-updates.js";
import { forgetProcessedUpdates } from "../../../src/core/housekeeping.js";
import { TEST_DRIVER } from "../../helpers/db.js";
import type { FakeTelegram } from "../../helpers/fake-telegram.js";
import { createHarness, type Harness } from "../../helpers/harness.js";
import { command, press, text, type TestUser } from "../../helpers/updates.js";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

/** Another instance of the bot over the same database, with its own identity and Telegram client. */
const instance = (owner: UpdateOwner, fetch?: FakeTelegram["fetch"]) => h.instance({ owner, ...(fetch ? { fetch } : {}) });
const logs = () => h.logs;

/** Walks the admin through /newpartner up to the summary; returns the Save press. */
async function upToSave(user: TestUser): Promise<Update> {
  await h.send(command(user, "newpartner"));
  await h.send(text(user, "Иркутский государственный университет"));
  await h.pressButton(user, "ask:skip");
  await h.pressButton(user, "ask:pick:university");
  await h.pressButton(user, "ask:pick:institution");
  await h.pressButton(user, "ask:pick:technical");
  await h.pressButton(user, "ask:done");
  for (let i = 0; i < 6; i++) await h.pressButton(user, "ask:skip");
  expect(h.telegram.lastTextTo(user.id)).toContain("<b>Полное название:</b> Иркутский государственный университет");
  return press(user, "ask:pick:confirm", h.telegram.lastMessageTo(user.id));
}

const saved = () => h.telegram.textsTo(h.admin.id).filter((t) => t === "Партнёр сохранён.");

describe("each update is handled once, to its end", () => {
  it("skips a redelivered update that was handled", async () => {
    const update = command(h.admin, "help");
    await h.send(update);
    await h.send(update);
    expect(h.telegram.textsTo(h.admin.id)).toHaveLength(1);
    const [row] = await h.database.db.select().from(processedUpdates).where(eq(processedUpdates.updateId, update.update_id));
    // Finished: the text of the update is not kept.
    expect(row).toMatchObject({ status: "done", update: null });
  });

  it("handles the same update delivered twice at once only once", async () => {
    const save = await upToSave(h.admin);
    await Promise.all([h.bot.handleUpdate(save), h.bot.handleUpdate(save)]);
    expect(await h.database.db.select().from(partners)).toHaveLength(1);
    expect(saved()).toHaveLength(1);
  });

  it("takes over an update whose process died after saving: one partner, one answer, and the dialog goes on", async () => {
    const save = await upToSave(h.admin);
    // The first instance saves the partner, then hangs on its answer: it never finishes (it died).
    let hung = false;
    const dying = instance(localOwner(), async (input, init) => {
      const url = typeof input === "string" ? input : String(input);
      if (url.endsWith("/sendMessage") || url.endsWith("/editMessageText")) {
        hung = true;
        return new Promise<Response>(() => undefined);
      }
      return h.telegram.fetch(input, init);
    });
    void dying.handleUpdate(save);
    await expect.poll(() => hung).toBe(true);
    expect(await h.database.db.select().from(partners)).toHaveLength(1);
    const [claim] = await h.database.db.select().from(processedUpdates).where(eq(processedUpdates.updateId, save.update_id));
    expect(claim).toMatchObject({ status: "handling" });

    // What the dying instance did is journaled, the partner's transaction among it.
    const journal = () => h.database.db.select().from(updateEffects).where(eq(updateEffects.updateId, save.update_id));
    expect((await journal()).length).toBeGreaterThan(2);

    // The next start takes it over from the inbox: the partner is not created again.
    const next = instance(localOwner());
    expect(await inboxOf(next).recover(next)).toBe(1);
    expect(await h.database.db.select().from(partners)).toHaveLength(1);
    expect(saved()).toHaveLength(1);
    const [done] = await h.database.db.select().from(processedUpdates).where(eq(processedUpdates.updateId, save.update_id));
    expect(done).toMatchObject({ status: "done", attempts: 2, update: null });
    // Finished, it needs no journal any more.
    expect(await journal()).toEqual([]);
    expect(logs().some((l) => l.msg === "handling again an update whose handling did not finish")).toBe(true);
    // The dialog ended where it should: a new command is a new command.
    await next.handleUpdate(command(h.admin, "help"));
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("администратор");
  });

  it("takes over a button press answered before its process died: answered once, and the dialog goes on", async () => {
    await h.send(command(h.admin, "newpartner"), text(h.admin, "Иркутский государственный университет"), text(h.admin, "ИГУ"));
    const pick = press(h.admin, "ask:pick:university", h.telegram.lastMessageTo(h.admin.id));
    // The first instance answers the press, then hangs on the next question: it died.
    let hung = false;
    const dying = instance(localOwner(), async (input, init) => {
      const url = typeof input === "string" ? input : String(input);
      if (url.endsWith("/sendMessage") || url.endsWith("/editMessageText")) {
        hung = true;
        return new Promise<Response>(() => undefined);
      }
      return h.telegram.fetch(input, init);
    });
    void dying.handleUpdate(pick);
    await expect.poll(() => hung).toBe(true);
    expect(h.telegram.sent("answerCallbackQuery").filter((p) => p.callback_query_id === pick.callback_query!.id)).toHaveLength(1);

    const next = instance(localOwner());
    expect(await inboxOf(next).recover(next)).toBe(1);
    // Telegram refused the second answer, and the rest of the update happened.
    expect(h.telegram.sent("answerCallbackQuery").filter((p) => p.callback_query_id === pick.callback_query!.id)).toHaveLength(1);
    expect(logs().filter((l) => l.level >= 40).map((l) => `${String(l.msg)} ${JSON.stringify(l.err ?? "").slice(0, 300)}`)).toEqual([]);
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("Кто отвечает за партнёрство?");
  });

  it("gives up, with an error in the log, on an update that stopped the bot three times", async () => {
    const update = command(h.admin, "help");
    await h.database.db.insert(processedUpdates).values({ updateId: update.update_id, status: "handling", owner: "dead", attempts: 3, update });
    const next = instance(localOwner());
    await inboxOf(next).recover(next);
    expect(h.telegram.textsTo(h.admin.id)).toEqual([]);
    const [row] = await h.database.db.select().from(processedUpdates).where(eq(processedUpdates.updateId, update.update_id));
    expect(row).toMatchObject({ status: "failed", update: null });
    expect(logs().some((l) => l.level === 50 && l.msg === "giving up on an update whose handling never finished")).toBe(true);
  });

  it("keeps no journal of a finished update, and housekeeping forgets old ids and leftovers", async () => {
    const save = await upToSave(h.admin);
    await h.send(save);
    expect(await h.database.db.select().from(updateEffects)).toEqual([]);
    await h.database.db.insert(updateEffects).values({ updateId: 1, seq: 0, result: { left: "over" } });
    await forgetProcessedUpdates(h.database.db, new Date(Date.now() + 60_000));
    expect(await h.database.db.select().from(updateEffects)).toEqual([]);
    expect(await h.database.db.select().from(processedUpdates)).toEqual([]);
  });
});

describe.runIf(TEST_DRIVER === "postgres")("several instances on one Postgres", () => {
  it("give one effect when both get the same update at once", async () => {
    const save = await upToSave(h.admin);
    const url = h.database.url!;
    const [a, b] = await Promise.all([postgresOwner(url), postgresOwner(url)]);
    try {
      const first = instance(a);
      const second = instance(b);
      await Promise.all([first.handleUpdate(save), second.handleUpdate(save)]);
      expect(await h.database.db.select().from(partners)).toHaveLength(1);
      expect(saved()).toHaveLength(1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("do not take over an update from an instance that is alive, and do once it is gone", async () => {
    const update = command(h.admin, "help");
    const url = h.database.url!;
    const alive = await postgresOwner(url);
    const other = await postgresOwner(url);
    try {
      await h.database.db.insert(processedUpdates).values({
        updateId: update.update_id,
        status: "handling",
        owner: alive.id,
        ownerPid: alive.pid,
        ownerSince: new Date(0),
        update,
      });
      // ownerSince is compared exactly: write the real one.
      await h.database.db.execute(sql`update processed_updates set owner_since = ${alive.since}::timestamptz where update_id = ${update.update_id}`);
      const bot = instance(other);
      expect(await inboxOf(bot).recover(bot)).toBe(0);
      await alive.close();
      // Postgres drops the closed connection from pg_stat_activity a moment later.
      await expect.poll(() => inboxOf(bot).recover(bot), { timeout: 5000 }).toBe(1);
      expect(h.telegram.textsTo(h.admin.id)).toHaveLength(1);
    } finally {
      await other.close();
    }
  });
});
