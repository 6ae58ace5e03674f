import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { auditLog } from "../../src/core/audit-schema.js";
import { users } from "../../src/core/access/schema.js";
import { pickLanguage } from "../../src/core/i18n.js";
import { createHarness, type Harness } from "../helpers/harness.js";
import { command, makeUser, press } from "../helpers/updates.js";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

describe("choosing the language", () => {
  it("prefers the saved choice, then Telegram's ru/en, then the default", () => {
    expect(pickLanguage("en", "ru", "ru")).toBe("en");
    expect(pickLanguage(null, "en-US", "ru")).toBe("en");
    expect(pickLanguage(null, "de", "ru")).toBe("ru");
    expect(pickLanguage(null, undefined, "en")).toBe("en");
  });

  it("falls back to DEFAULT_LANGUAGE for other Telegram languages", async () => {
    const german = makeUser({ language_code: "de" });
    await h.send(command(german, "help"));
    expect(h.telegram.lastTextTo(german.id)).toContain("Сейчас вам доступны команды");
  });

  it("/lang switches to English with a button, saves it, and audits it", async () => {
    const guest = makeUser({ language_code: "ru" });
    await h.send(command(guest, "lang"));
    const menu = h.telegram.lastMessageTo(guest.id);
    expect(menu.buttons.map((b) => b.text)).toEqual(["✓ 🇷🇺 Русский", "🇬🇧 English"]);
    await h.send(press(guest, "lang:en", menu));
    expect(h.telegram.sent("answerCallbackQuery").at(-1)!.text).toBe("Language saved");
    expect(h.telegram.lastTextTo(guest.id)).toContain("I'll speak English now.");
    await h.send(command(guest, "help"));
    expect(h.telegram.lastTextTo(guest.id)).toContain("For now you can use:");

    const [row] = await h.database.db.select().from(users).where(eq(users.telegramId, guest.id));
    expect(row!.language).toBe("en");
    const [entry] = await h.database.db.select().from(auditLog).where(eq(auditLog.action, "user.language_changed"));
    expect(entry).toMatchObject({ actorUserId: row!.id, before: { language: null }, after: { language: "en" } });
    h.expectAllCallbacksAnswered();
  });

  it("answers a press on the language already shown without editing the message", async () => {
    const guest = makeUser({ language_code: "en" });
    await h.send(command(guest, "lang"));
    await h.send(press(guest, "lang:en", h.telegram.lastMessageTo(guest.id)));
    expect(h.telegram.calls.filter((c) => c.error)).toEqual([]);
    const [row] = await h.database.db.select().from(users).where(eq(users.telegramId, guest.id));
    expect(row!.language).toBe("en");
    h.expectAllCallbacksAnswered();
  });
});

describe("/help and /privacy", () => {
  it("lists exactly the commands of each role", async () => {
    const guest = makeUser();
    await h.send(command(guest, "help"));
    const guestHelp = h.telegram.lastTextTo(guest.id);
    expect(guestHelp.match(/^\/\w+/gm)).toEqual(["/start", "/help", "/lang", "/privacy", "/cancel"]);

    await h.send(command(h.admin, "help"));
    const adminHelp = h.telegram.lastTextTo(h.admin.id);
    expect(adminHelp.match(/^\/\w+/gm)).toEqual([
      "/start",
      "/help",
      "/lang",
      "/privacy",
      "/cancel",
      "/partners",
      "/newpartner",
      "/newevent",
      "/events",
      "/report",
      "/export",
      "/digest",
      "/settings",
      "/invite",
      "/staff",
      "/units",
      "/import",
    ]);
    expect(adminHelp).toContain("Вы — администратор.");
  });

  it("tells what is stored, why, for how long and how to delete it, in both languages", async () => {
    const ru = makeUser({ language_code: "ru" });
    const en = makeUser({ language_code: "en" });
    await h.send(command(ru, "privacy"), command(en, "privacy"));
    const ruText = h.telegram.lastTextTo(ru.id);
    for (const part of ["Что хранится.", "Зачем.", "Как долго.", "Как удалить.", "152-ФЗ"]) expect(ruText).toContain(part);
    const enText = h.telegram.lastTextTo(en.id);
    for (const part of ["What.", "Why.", "How long.", "How to delete it.", "152-FZ"]) expect(enText).toContain(part);
  });

  it("/cancel with nothing to cancel says so", async () => {
    const guest = makeUser({ language_code: "en" });
    await h.send(command(guest, "cancel"));
    expect(h.telegram.lastTextTo(guest.id)).toBe("There is nothing to cancel.");
  });

  it("another command in the middle of a dialog leaves the dialog first", async () => {
    await h.send(command(h.admin, "invite"));
    await h.send(command(h.admin, "help"));
    const texts = h.telegram.textsTo(h.admin.id);
    expect(texts.at(-2)).toBe("Незавершённое действие отменено, ничего не сохранено.");
    expect(texts.at(-1)).toContain("/invite");
  });
});
