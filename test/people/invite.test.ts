import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { auditLog } from "../../src/core/audit-schema.js";
import { invites } from "../../src/people/domain/invites-schema.js";
import { units } from "../../src/core/access/units-schema.js";
import { users } from "../../src/core/access/schema.js";
import { hashInviteToken } from "../../src/people/domain/invites.js";
import { commandsFor } from "../../src/core/telegram/commands.js";
import { createHarness, type Harness } from "../helpers/harness.js";
import { command, makeUser, press, sticker, text } from "../helpers/updates.js";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

const LINK = /https:\/\/t\.me\/palace_partners_bot\?start=([A-Za-z0-9_-]+)/;

async function createInviteLink(role: "staff" | "admin" = "staff", unit = "none"): Promise<string> {
  await h.send(command(h.admin, "invite"));
  await h.pressButton(h.admin, `invite:role:${role}`);
  if (h.telegram.lastMessageTo(h.admin.id).buttons.some((b) => b.data.startsWith("invite:unit:"))) {
    await h.pressButton(h.admin, `invite:unit:${unit}`);
  }
  await h.pressButton(h.admin, "invite:create");
  const match = LINK.exec(h.telegram.lastTextTo(h.admin.id));
  expect(match).not.toBeNull();
  return match![1]!;
}

describe("/invite", () => {
  it("walks an admin through role, unit and confirmation, in Russian", async () => {
    const [department] = await h.database.db.insert(units).values({ kind: "department", name: "Отдел техники" }).returning();
    await h.database.db.insert(units).values({ kind: "association", name: "Робототехника", parentId: department!.id });

    await h.send(command(h.admin, "invite"));
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("Какую роль получит приглашённый?");
    await h.pressButton(h.admin, "invite:role:staff");
    const unitStep = h.telegram.lastMessageTo(h.admin.id);
    expect(unitStep.text).toContain("В каком подразделении");
    expect(unitStep.buttons.map((b) => b.text)).toEqual(["Отдел техники", "↳ Робототехника", "Без подразделения", "« Назад", "Отмена"]);
    await h.pressButton(h.admin, `invite:unit:${department!.id}`);
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("Подразделение: Отдел техники");
    await h.pressButton(h.admin, "invite:create");

    const created = h.telegram.lastTextTo(h.admin.id);
    expect(created).toContain("Приглашение создано");
    expect(created).toMatch(/Действует до: 8 декабря 2026, \d\d:\d\d/);
    const token = LINK.exec(created)![1]!;
    expect(token).toHaveLength(43); // 256 random bits

    const [stored] = await h.database.db.select().from(invites);
    expect(stored!.tokenHash).toBe(hashInviteToken(token));
    expect(JSON.stringify(stored)).not.toContain(token);
    expect(stored!.unitId).toBe(department!.id);
    expect(stored!.expiresAt.toISOString()).toBe("2026-12-08T02:00:00.000Z");
    const audit = await h.database.db.select().from(auditLog).where(eq(auditLog.action, "invite.created"));
    expect(audit).toHaveLength(1);
    h.expectAllCallbacksAnswered();
  });

  it("speaks English to an English-speaking admin and goes back a step", async () => {
    await h.send(command(h.admin, "lang"));
    await h.pressButton(h.admin, "lang:en");
    await h.send(command(h.admin, "invite"));
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("Which role will the invited person get?");
    await h.pressButton(h.admin, "invite:role:admin");
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("Create the invite link?");
    await h.pressButton(h.admin, "invite:back");
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("Which role");
    await h.pressButton(h.admin, "invite:role:staff");
    await h.pressButton(h.admin, "invite:create");
    expect(h.telegram.lastTextTo(h.admin.id)).toMatch(/Invite created<\/b>\nRole: Staff member\nUnit: No unit\nValid until: 8 December 2026/);
    h.expectAllCallbacksAnswered();
  });

  it("asks for buttons when it gets text or a sticker, and keeps the draft", async () => {
    await h.send(command(h.admin, "invite"));
    const dialog = h.telegram.lastMessageTo(h.admin.id);
    await h.send(text(h.admin, "сотрудник"));
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("выберите вариант кнопкой");
    await h.send(sticker(h.admin));
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("выберите вариант кнопкой");
    await h.send(press(h.admin, "invite:role:staff", dialog));
    await h.pressButton(h.admin, "invite:create");
    expect(h.telegram.lastTextTo(h.admin.id)).toMatch(LINK);
  });

  it("cancels with the button or /cancel and saves nothing", async () => {
    await h.send(command(h.admin, "invite"));
    await h.pressButton(h.admin, "invite:cancel");
    expect(h.telegram.lastTextTo(h.admin.id)).toBe("Приглашение не создано.");

    await h.send(command(h.admin, "invite"));
    const dialog = h.telegram.lastMessageTo(h.admin.id);
    await h.pressButton(h.admin, "invite:role:staff");
    await h.send(command(h.admin, "cancel"));
    expect(h.telegram.lastTextTo(h.admin.id)).toBe("Действие отменено, ничего не сохранено.");
    // The old dialog's buttons are dead now.
    await h.send(press(h.admin, "invite:create", dialog));
    expect(h.telegram.sent("answerCallbackQuery").at(-1)!.text).toContain("кнопка уже не действует");
    expect(await h.database.db.select().from(invites)).toHaveLength(0);
    h.expectAllCallbacksAnswered();
  });

  it("is refused to guests and staff, including forged buttons", async () => {
    const guest = makeUser();
    await h.send(command(guest, "invite"));
    expect(h.telegram.lastTextTo(guest.id)).toContain("попросите администратора Дворца творчества прислать вам ссылку-приглашение");
    await h.send(press(guest, "invite:create", { message_id: 1, chat: { id: guest.id, type: "private", first_name: "x" } }));
    const answer = h.telegram.sent("answerCallbackQuery").at(-1)!;
    expect(answer.text).toBe("Это действие вам недоступно.");
    expect(answer.show_alert).toBe(true);
    expect(await h.database.db.select().from(invites)).toHaveLength(0);
    h.expectAllCallbacksAnswered();
  });

  it("survives a restart half-way: a new bot over the same database finishes the dialog", async () => {
    await h.send(command(h.admin, "invite"));
    await h.pressButton(h.admin, "invite:role:staff");
    h.restart();
    await h.pressButton(h.admin, "invite:create");
    expect(h.telegram.lastTextTo(h.admin.id)).toMatch(LINK);
    expect(await h.database.db.select().from(invites)).toHaveLength(1);
  });
});

describe("opening an invite link", () => {
  it("makes a guest a staff member, tells the inviter, and audits the change", async () => {
    const token = await createInviteLink();
    const newcomer = makeUser({ first_name: "Пётр", last_name: "Иванов", language_code: "ru" });
    await h.send(command(newcomer, "start", token));
    expect(h.telegram.lastTextTo(newcomer.id)).toContain("Готово! Вы подключены к боту, ваша роль — «Сотрудник».");
    expect(h.telegram.lastTextTo(h.admin.id)).toBe("Приглашение принято: Пётр Иванов теперь работает в боте.");

    const [row] = await h.database.db.select().from(users).where(eq(users.telegramId, newcomer.id));
    expect(row).toMatchObject({ role: "staff", status: "active" });
    const [invite] = await h.database.db.select().from(invites);
    expect(invite!.usedBy).toBe(row!.id);
    const menus = h.telegram.sent("setMyCommands").filter((m) => (m.scope as { chat_id?: number } | undefined)?.chat_id === newcomer.id);
    expect(menus.map((m) => m.language_code)).toEqual(["ru", "en", undefined]);
    const joined = await h.database.db.select().from(auditLog).where(eq(auditLog.action, "user.joined_by_invite"));
    expect(joined[0]).toMatchObject({ actorUserId: row!.id, entityId: String(row!.id) });
    expect(joined[0]!.before).toMatchObject({ role: "guest" });
    expect(joined[0]!.after).toMatchObject({ role: "staff" });
  });

  it("gives an invited admin the admin command menu in both languages", async () => {
    const token = await createInviteLink("admin");
    const deputy = makeUser({ language_code: "en" });
    await h.send(command(deputy, "start", token));
    expect(h.telegram.lastTextTo(deputy.id)).toContain("Done! You're connected to the bot as Administrator.");
    const menu = h.telegram.sent("setMyCommands").find(
      (m) => (m.scope as { chat_id?: number } | undefined)?.chat_id === deputy.id && m.language_code === "en",
    );
    const admin = (menu!.commands as { command: string }[]).map((c) => c.command);
    expect(admin).toEqual(commandsFor("admin"));
    expect(admin).toEqual(expect.arrayContaining(["invite", "staff"]));
    await h.send(command(deputy, "invite"));
    expect(h.telegram.lastTextTo(deputy.id)).toContain("Which role will the invited person get?");
  });

  it("refuses a used link, in English too", async () => {
    const token = await createInviteLink();
    await h.send(command(makeUser(), "start", token));
    const late = makeUser({ language_code: "en" });
    await h.send(command(late, "start", token));
    expect(h.telegram.lastTextTo(late.id)).toBe(
      "This invite has already been used: each link works only once. Please ask an administrator for a new one.",
    );
    const [row] = await h.database.db.select().from(users).where(eq(users.telegramId, late.id));
    expect(row!.role).toBe("guest");
  });

  it("refuses an expired link", async () => {
    const token = await createInviteLink();
    h.clock.now = new Date(h.clock.now.getTime() + 7 * 24 * 3600 * 1000 + 1000);
    const late = makeUser();
    await h.send(command(late, "start", token));
    expect(h.telegram.lastTextTo(late.id)).toContain("Срок действия приглашения истёк");
  });

  it("refuses unknown and malformed tokens", async () => {
    const guest = makeUser({ language_code: "en" });
    await h.send(command(guest, "start", "A".repeat(43)));
    expect(h.telegram.lastTextTo(guest.id)).toBe("There is no such invite. Please ask an administrator for a new link.");
    await h.send(command(guest, "start", "<b>hello</b>"));
    expect(h.telegram.lastTextTo(guest.id)).toContain("doesn't look like an invite");
  });

  it("keeps the link unused when the person already has access", async () => {
    const token = await createInviteLink();
    await h.send(command(h.admin, "start", token));
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("У вас уже есть доступ");
    const [invite] = await h.database.db.select().from(invites);
    expect(invite!.usedAt).toBeNull();
  });

  it("lets only one of two people racing for a link win", async () => {
    const token = await createInviteLink();
    const first = makeUser();
    const second = makeUser();
    // Both updates at once, then one delivery of the outbox: the inviter hears of one newcomer.
    const before = h.telegram.textsTo(h.admin.id).length;
    await Promise.all([h.bot.handleUpdate(command(first, "start", token)), h.bot.handleUpdate(command(second, "start", token))]);
    await h.flushOutbox();
    const staff = await h.database.db.select().from(users).where(eq(users.role, "staff"));
    expect(staff).toHaveLength(1);
    expect(h.telegram.textsTo(h.admin.id).slice(before)).toHaveLength(1);
  });
});
