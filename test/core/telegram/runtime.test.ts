import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { processedUpdates } from "../../../src/core/db/schema.js";
import { users } from "../../../src/core/access/schema.js";
import { createHarness, type Harness } from "../../helpers/harness.js";
import { again, command, documentMessage, editedText, GROUP_CHAT, makeUser, photo, press, sticker, text } from "../../helpers/updates.js";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

describe("delivery", () => {
  it("handles a redelivered update (same update_id) only once", async () => {
    const guest = makeUser();
    const update = command(guest, "help");
    await h.send(update);
    await h.send(again(update));
    expect(h.telegram.sent("sendMessage")).toHaveLength(1);
    const claimed = await h.database.db.select().from(processedUpdates).where(eq(processedUpdates.updateId, update.update_id));
    expect(claimed).toHaveLength(1);
  });

  it("retries a rate-limited call (429) on bot.api", async () => {
    const guest = makeUser();
    h.telegram.failNext("sendMessage", { error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } });
    await h.send(command(guest, "help"));
    const attempts = h.telegram.calls.filter((c) => c.method === "sendMessage");
    expect(attempts).toHaveLength(2);
    expect(attempts[0]!.error).toContain("Too Many Requests");
    expect(attempts[1]!.error).toBeUndefined();
  });

  it("retries a rate-limited call inside a conversation too", async () => {
    await h.send(command(h.admin, "invite"));
    const dialog = h.telegram.lastMessageTo(h.admin.id);
    h.telegram.failNext("editMessageText", { error_code: 429, description: "Too Many Requests: retry after 1", parameters: { retry_after: 1 } });
    await h.send(press(h.admin, "invite:role:staff", dialog));
    const edits = h.telegram.calls.filter((c) => c.method === "editMessageText");
    expect(edits).toHaveLength(2);
    expect(edits[1]!.error).toBeUndefined();
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("Создать ссылку-приглашение?");
  });

  it("takes an edit that changes nothing as done, in a feature and inside a conversation", async () => {
    const guest = makeUser({ language_code: "en" });
    await h.send(command(guest, "lang"));
    const menu = h.telegram.lastMessageTo(guest.id);
    const notModified = { error_code: 400, description: "Bad Request: message is not modified: specified new message content and reply markup are exactly the same" };
    h.telegram.failNext("editMessageText", notModified);
    await h.send(press(guest, menu.buttons[0]!.data, menu));
    expect(h.telegram.calls.filter((c) => c.method === "editMessageText").at(-1)!.error).toContain("message is not modified");
    expect(h.logs.filter((line) => line.level >= 50)).toEqual([]);
    expect(h.telegram.textsTo(guest.id).some((t) => t.includes("Sorry, something went wrong"))).toBe(false);

    await h.send(command(h.admin, "invite"));
    const dialog = h.telegram.lastMessageTo(h.admin.id);
    h.telegram.failNext("editMessageText", notModified);
    await h.send(press(h.admin, "invite:role:staff", dialog));
    expect(h.logs.filter((line) => line.level >= 50)).toEqual([]);
    // The dialog goes on to its next step.
    await h.send(press(h.admin, "invite:role:staff", dialog));
    h.expectAllCallbacksAnswered();
  });

  it("logs a failing handler with its update and apologises in the user's language", async () => {
    const guest = makeUser({ language_code: "en" });
    h.telegram.failNext("sendMessage", { error_code: 400, description: "Bad Request: chat not found" });
    const update = command(guest, "privacy");
    await h.send(update);
    expect(h.telegram.lastTextTo(guest.id)).toContain("Sorry, something went wrong");
    const logged = h.logs.find((line) => line.msg === "update handler failed");
    expect(logged).toBeDefined();
    expect((logged!.update as { update_id: number }).update_id).toBe(update.update_id);
    // The bot keeps working afterwards.
    await h.send(command(guest, "help"));
    expect(h.telegram.lastTextTo(guest.id)).toContain("/privacy");
  });

  it("answers stray and outdated callback queries", async () => {
    const guest = makeUser();
    await h.send(press(guest, "something:old"));
    await h.send(press(guest, "lang:xx", { message_id: 3, chat: { id: guest.id, type: "private", first_name: "g" } }));
    expect(h.telegram.sent("answerCallbackQuery").map((a) => a.text)).toEqual([
      "Эта кнопка уже не действует. Начните заново с нужной команды.",
      "Эта кнопка уже не действует. Начните заново с нужной команды.",
    ]);
    h.expectAllCallbacksAnswered();
  });
});

describe("groups", () => {
  it("answers only /start, with a note to write in private", async () => {
    const member = makeUser({ language_code: "en" });
    await h.send(command(member, "start", "", { chat: GROUP_CHAT }));
    await h.send(command(member, "help", "", { chat: GROUP_CHAT }));
    await h.send(text(member, "hello everyone", { chat: GROUP_CHAT }));
    const sent = h.telegram.sent("sendMessage");
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ chat_id: GROUP_CHAT.id, text: "I only work in private messages. Write to me: @palace_partners_bot" });
    // Nobody is registered from a group.
    expect(await h.database.db.select().from(users).where(eq(users.telegramId, member.id))).toHaveLength(0);
  });

  it("answers a button pressed in a group", async () => {
    const member = makeUser();
    await h.send(press(member, "lang:en", { message_id: 9, chat: GROUP_CHAT }));
    h.expectAllCallbacksAnswered();
  });
});

describe("input the bot does not expect", () => {
  for (const [language, unknown, freeText, notText, edited] of [
    ["ru", "Я не знаю команды /foo.", "Я понимаю команды и кнопки.", "Такие сообщения я не обрабатываю.", "Исправленные сообщения я не обрабатываю."],
    ["en", "I don't know the command /foo.", "I understand commands and buttons.", "I can't process messages like this one.", "I don't act on edited messages."],
  ] as const) {
    it(`gets a clear answer (${language})`, async () => {
      const guest = makeUser({ language_code: language });
      await h.send(command(guest, "foo"));
      expect(h.telegram.lastTextTo(guest.id)).toContain(unknown);
      await h.send(text(guest, "добрый день"));
      expect(h.telegram.lastTextTo(guest.id)).toContain(freeText);
      for (const update of [sticker(guest), photo(guest, "подпись"), documentMessage(guest)]) {
        await h.send(update);
        expect(h.telegram.lastTextTo(guest.id)).toContain(notText);
      }
      await h.send(editedText(guest, 1, "исправлено"));
      expect(h.telegram.lastTextTo(guest.id)).toContain(edited);
      expect(h.telegram.calls.filter((c) => c.error)).toEqual([]);
    });
  }

  it("keeps replies valid for Telegram when a 5,000-character message with HTML arrives", async () => {
    const guest = makeUser();
    const hostile = `<b>${"<script>alert(1)</script> & ".repeat(180)}`.slice(0, 5000);
    await h.send(text(guest, hostile));
    await h.send(command(guest, `x${"<i>".repeat(10)}`.replace(/[<>]/g, "_"), hostile));
    const longCommand = command(guest, "a".repeat(40));
    longCommand.message!.text = `/${"<b>&".repeat(1200)}`;
    longCommand.message!.entities = [{ type: "bot_command", offset: 0, length: longCommand.message!.text.length }];
    await h.send(longCommand);
    expect(h.telegram.calls.filter((c) => c.error)).toEqual([]);
    const last = h.telegram.lastTextTo(guest.id);
    expect(last).toContain("&lt;b&gt;&amp;");
    expect(last.length).toBeLessThan(4096);
  });

  it("stores a very long name from Telegram and escapes it in lists", async () => {
    const odd = makeUser({ first_name: "<b>Лена</b> & Co", last_name: "x".repeat(60) });
    await h.send(command(odd, "start"));
    await h.database.db.update(users).set({ role: "staff" }).where(eq(users.telegramId, odd.id));
    await h.send(command(h.admin, "staff"));
    const list = h.telegram.lastMessageTo(h.admin.id);
    const button = list.buttons.find((b) => b.data.startsWith("staff:open:") && b.text.includes("Лена"))!;
    await h.send(press(h.admin, button.data, list));
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("&lt;b&gt;Лена&lt;/b&gt; &amp; Co");
    expect(h.telegram.calls.filter((c) => c.error)).toEqual([]);
  });
});
