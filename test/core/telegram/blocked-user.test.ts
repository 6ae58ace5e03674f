import type { ChatMember, Update } from "grammy/types";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { isBotBlocked } from "../../../src/core/access/users.js";
import { createHarness, type Harness } from "../../helpers/harness.js";
import { command, makeUser, press, type TestUser } from "../../helpers/updates.js";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

const BLOCKED = { error_code: 403, description: "Forbidden: bot was blocked by the user" };
const NOTICED = "the person blocked the bot; marked as blocked until they write again";

/** A Telegram date `seconds` from the harness clock: when the person sent the update. */
const sentAt = (seconds: number) => Math.floor(h.clock.now.getTime() / 1000) + seconds;

const errors = () => h.logs.filter((l) => l.level >= 50);
const noticed = () => h.logs.filter((l) => l.msg === NOTICED);

async function person(language: "ru" | "en"): Promise<TestUser> {
  const user = makeUser({ language_code: language });
  await h.send(command(user, "start"));
  h.logs.length = 0;
  return user;
}

/** The bot's calls from the `from`-th on, with whether Telegram refused them. */
const callsSince = (from: number) => h.telegram.calls.slice(from).map((c) => [c.method, c.error ?? "ok"]);

describe("a person who blocked the bot", () => {
  it("is noted once at info and marked, gets no apology, and a reply sent before they wrote again is not news", async () => {
    const user = await person("ru");

    h.telegram.failNext("sendMessage", BLOCKED);
    let from = h.telegram.calls.length;
    await h.send(command(user, "help", "", { date: sentAt(-30) }));
    // The reply was refused, and no apology followed it.
    expect(callsSince(from)).toEqual([["sendMessage", BLOCKED.description]]);
    expect(errors()).toEqual([]);
    expect(noticed()).toEqual([expect.objectContaining({ level: 30, telegramId: user.id, method: "sendMessage" })]);
    expect(await isBotBlocked(h.database.db, user.id)).toBe(true);

    // A second message written before the block, answered after it: the same block.
    h.telegram.failNext("sendMessage", BLOCKED);
    from = h.telegram.calls.length;
    await h.send(command(user, "privacy", "", { date: sentAt(-20) }));
    expect(callsSince(from)).toEqual([["sendMessage", BLOCKED.description]]);
    expect(errors()).toEqual([]);
    expect(noticed()).toHaveLength(1);
    expect(h.logs.filter((l) => l.msg === "the person still blocks the bot").map((l) => l.level)).toEqual([20]);
    expect(await isBotBlocked(h.database.db, user.id)).toBe(true);
  });

  it("is no longer marked once they write again, and a new block is news again", async () => {
    const user = await person("en");
    h.telegram.failNext("sendMessage", BLOCKED);
    await h.send(command(user, "help", "", { date: sentAt(-10) }));
    expect(await isBotBlocked(h.database.db, user.id)).toBe(true);

    // A day later they unblock the bot and write: they get their answer, the mark is gone.
    h.clock.now = new Date(h.clock.now.getTime() + 24 * 3600_000);
    await h.send(command(user, "help", "", { date: sentAt(-5) }));
    expect(h.telegram.lastTextTo(user.id)).toContain("How to get access");
    expect(await isBotBlocked(h.database.db, user.id)).toBe(false);

    // And later block it again: that is news, logged at info once more.
    h.clock.now = new Date(h.clock.now.getTime() + 3600_000);
    h.telegram.failNext("sendMessage", BLOCKED);
    await h.send(command(user, "privacy", "", { date: sentAt(-5) }));
    expect(noticed()).toHaveLength(2);
    expect(errors()).toEqual([]);
    expect(await isBotBlocked(h.database.db, user.id)).toBe(true);
  });

  it("refusing an edit under a pressed button is noted the same way, the press still answered", async () => {
    const user = await person("ru");
    await h.send(command(user, "lang"));
    h.telegram.failNext("editMessageText", BLOCKED);
    const from = h.telegram.calls.length;
    await h.send(press(user, "lang:en", h.telegram.lastMessageTo(user.id)));
    expect(callsSince(from)).toEqual([
      ["answerCallbackQuery", "ok"],
      ["editMessageText", BLOCKED.description],
    ]);
    expect(errors()).toEqual([]);
    expect(noticed()).toEqual([expect.objectContaining({ level: 30, telegramId: user.id, method: "editMessageText" })]);
    expect(await isBotBlocked(h.database.db, user.id)).toBe(true);
    h.expectAllCallbacksAnswered();
  });

  it("other refusals from Telegram are still errors, with an apology", async () => {
    const user = await person("ru");
    h.telegram.failNext("sendMessage", { error_code: 400, description: "Bad Request: chat not found" });
    await h.send(command(user, "help"));
    expect(errors().map((l) => l.msg)).toEqual(["update handler failed"]);
    expect(noticed()).toEqual([]);
    expect(h.telegram.lastTextTo(user.id)).toContain("Извините, что-то пошло не так");
    expect(await isBotBlocked(h.database.db, user.id)).toBe(false);
  });
});

describe("my_chat_member in a private chat", () => {
  it("marks a person who blocks the bot at once, and clears the mark when they unblock it", async () => {
    const user = await person("en");
    const bot = { id: 42, is_bot: true, first_name: "bot" };
    const member: ChatMember = { user: bot, status: "member" };
    const kicked: ChatMember = { user: bot, status: "kicked", until_date: 0 };
    let nextId = 900_000;
    const change = (status: "kicked" | "member"): Update => ({
      update_id: nextId++,
      my_chat_member: {
        chat: { id: user.id, type: "private", first_name: user.first_name },
        from: user,
        date: sentAt(0),
        old_chat_member: status === "kicked" ? member : kicked,
        new_chat_member: status === "kicked" ? kicked : member,
      },
    });
    const from = h.telegram.calls.length;
    await h.send(change("kicked"));
    expect(await isBotBlocked(h.database.db, user.id)).toBe(true);
    expect(noticed()).toHaveLength(1);
    await h.send(change("member"));
    expect(await isBotBlocked(h.database.db, user.id)).toBe(false);
    // Nothing is sent to either change.
    expect(callsSince(from)).toEqual([]);
    expect(errors()).toEqual([]);
  });
});
