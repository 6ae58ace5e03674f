import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { auditLog } from "../../src/core/audit-schema.js";
import { users } from "../../src/core/access/schema.js";
import { addStaff as addStaffTo } from "../helpers/bot-people.js";
import { createHarness, type Harness } from "../helpers/harness.js";
import { command, makeUser, press } from "../helpers/updates.js";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

type TestUser = ReturnType<typeof makeUser>;

const addStaff = (overrides: Partial<TestUser> = {}) => addStaffTo(h, overrides);

describe("/staff", () => {
  it("lists staff, opens a card and switches access off and on again, in Russian", async () => {
    await h.send(command(h.admin, "start"));
    const { user: teacher, id } = await addStaff({ first_name: "Мария", last_name: "Петрова" });

    await h.send(command(h.admin, "staff"));
    const list = h.telegram.lastMessageTo(h.admin.id);
    expect(list.text).toContain("<b>Сотрудники</b> — 2 человека");
    expect(list.buttons.map((b) => b.text)).toContain("🟢 Мария Петрова");

    await h.pressButton(h.admin, `staff:open:${id}:0`);
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("Доступ: 🟢 есть");
    await h.pressButton(h.admin, `staff:deactivate:${id}:0`);
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("Доступ: ⛔ отключён");
    expect(h.telegram.lastTextTo(teacher.id)).toContain("приостановил ваш доступ");
    const removed = h.telegram.sent("deleteMyCommands").filter((m) => (m.scope as { chat_id: number }).chat_id === teacher.id);
    expect(removed).toHaveLength(3);

    // Switched off: the teacher is a guest now, and says so on /start.
    await h.send(command(teacher, "start"));
    expect(h.telegram.lastTextTo(teacher.id)).toContain("Ваш доступ к боту приостановлен");

    await h.pressButton(h.admin, `staff:activate:${id}:0`);
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("Доступ: 🟢 есть");
    expect(h.telegram.lastTextTo(teacher.id)).toContain("вернул вам доступ");

    const actions = (await h.database.db.select().from(auditLog).where(eq(auditLog.entityId, String(id)))).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(["user.deactivated", "user.reactivated"]));
    const [deactivation] = await h.database.db.select().from(auditLog).where(eq(auditLog.action, "user.deactivated"));
    expect(deactivation!.before).toMatchObject({ status: "active" });
    expect(deactivation!.after).toMatchObject({ status: "inactive" });
    h.expectAllCallbacksAnswered();
  });

  it("works in English and pages through a long list", async () => {
    await h.send(command(h.admin, "lang"));
    await h.pressButton(h.admin, "lang:en");
    for (let i = 0; i < 9; i++) await addStaff({ first_name: `Teacher${String(i).padStart(2, "0")}` });
    await h.send(command(h.admin, "staff"));
    const first = h.telegram.lastMessageTo(h.admin.id);
    expect(first.text).toContain("<b>Staff</b> — 10 people");
    expect(first.text).toContain("Page 1 of 2");
    expect(first.buttons.filter((b) => b.data.startsWith("staff:open:"))).toHaveLength(8);
    await h.pressButton(h.admin, "staff:list:1");
    const second = h.telegram.lastMessageTo(h.admin.id);
    expect(second.text).toContain("Page 2 of 2");
    expect(second.buttons.filter((b) => b.data.startsWith("staff:open:"))).toHaveLength(2);
    // The session remembers the page for the next /staff.
    await h.send(command(h.admin, "staff"));
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("Page 2 of 2");
    h.expectAllCallbacksAnswered();
  });

  it("protects the admin's own access and configured admins", async () => {
    await h.send(command(h.admin, "start"));
    const [self] = await h.database.db.select().from(users).where(eq(users.telegramId, h.admin.id));
    await h.send(command(h.admin, "staff"));
    await h.pressButton(h.admin, `staff:open:${self!.id}:0`);
    const card = h.telegram.lastMessageTo(h.admin.id);
    expect(card.buttons.map((b) => b.data)).not.toContain(`staff:deactivate:${self!.id}:0`);
    // A forged press is refused by the server, not just hidden.
    await h.send(press(h.admin, `staff:deactivate:${self!.id}:0`, card));
    expect(h.telegram.sent("answerCallbackQuery").at(-1)!.text).toBe("Свой собственный доступ отключить нельзя.");
    const [after] = await h.database.db.select().from(users).where(eq(users.id, self!.id));
    expect(after!.status).toBe("active");
    h.expectAllCallbacksAnswered();
  });

  it("refuses /staff and forged staff buttons to staff and guests", async () => {
    const { user: teacher, id } = await addStaff();
    const guest = makeUser({ language_code: "en" });
    await h.send(command(teacher, "staff"));
    expect(h.telegram.lastTextTo(teacher.id)).toContain("Эта команда доступна только сотрудникам с нужными правами");
    await h.send(press(guest, `staff:deactivate:${id}:0`, { message_id: 5, chat: { id: guest.id, type: "private", first_name: "g" } }));
    expect(h.telegram.sent("answerCallbackQuery").at(-1)).toMatchObject({ text: "This action isn't available to you.", show_alert: true });
    await h.send(press(teacher, `staff:deactivate:${id}:0`, { message_id: 6, chat: { id: teacher.id, type: "private", first_name: "t" } }));
    const [row] = await h.database.db.select().from(users).where(eq(users.id, id));
    expect(row!.status).toBe("active");
    expect(await h.database.db.select().from(auditLog).where(eq(auditLog.action, "user.deactivated"))).toHaveLength(0);
    h.expectAllCallbacksAnswered();
  });

  it("answers a garbled staff button from an admin without acting", async () => {
    await h.send(command(h.admin, "start"));
    await h.send(press(h.admin, "staff:deactivate:abc", { message_id: 7, chat: { id: h.admin.id, type: "private", first_name: "a" } }));
    await h.send(press(h.admin, "staff:open:999999:0", { message_id: 7, chat: { id: h.admin.id, type: "private", first_name: "a" } }));
    const answers = h.telegram.sent("answerCallbackQuery").map((a) => a.text);
    expect(answers).toEqual(["Эта кнопка уже не действует. Начните заново с нужной команды.", "Такого сотрудника нет в списке."]);
    h.expectAllCallbacksAnswered();
  });
});
