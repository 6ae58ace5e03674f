import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { auditLog } from "../../src/core/audit-schema.js";
import { units } from "../../src/core/access/units-schema.js";
import { users } from "../../src/core/access/schema.js";
import { addStaff as addStaffTo } from "../helpers/bot-people.js";
import { createHarness, type Harness } from "../helpers/harness.js";
import { command, makeUser, press, text } from "../helpers/updates.js";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

type TestUser = ReturnType<typeof makeUser>;

const addStaff = (overrides: Partial<TestUser> = {}) => addStaffTo(h, overrides);

async function unitNamed(name: string) {
  const [unit] = await h.database.db.select().from(units).where(eq(units.name, name));
  expect(unit).toBeDefined();
  return unit!;
}

/** Adds a department and an association through the bot; ends on the association's card. */
async function addStructure(department: string, association: string) {
  await h.send(command(h.admin, "units"));
  await h.pressButton(h.admin, "un:add:0:0");
  await h.send(text(h.admin, department));
  const dep = await unitNamed(department);
  await h.pressButton(h.admin, `un:add:${dep.id}:0`);
  await h.send(text(h.admin, association));
  return { dep, assoc: await unitNamed(association) };
}

const buttons = () => h.telegram.lastMessageTo(h.admin.id).buttons;
const lastAnswer = () => h.telegram.sent("answerCallbackQuery").at(-1)!;

describe("/units", () => {
  it("lists the structure and adds a department and an association, in Russian", async () => {
    await h.send(command(h.admin, "units"));
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("Отделов пока нет");
    await h.pressButton(h.admin, "un:add:0:0");
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("Как называется новый отдел?");
    await h.send(text(h.admin, "  Отдел   технического творчества "));
    const card = h.telegram.lastTextTo(h.admin.id);
    expect(card).toContain("✅ Отдел добавлен.");
    expect(card).toContain("<b>Отдел технического творчества</b>\nТип: отдел\nТворческих объединений: 0\nРуководитель: не назначен");
    const dep = await unitNamed("Отдел технического творчества");

    await h.pressButton(h.admin, `un:add:${dep.id}:0`);
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("в отделе «Отдел технического творчества»");
    await h.send(text(h.admin, "Робототехника <LEGO>"));
    const assocCard = h.telegram.lastTextTo(h.admin.id);
    expect(assocCard).toContain("✅ Творческое объединение добавлено.");
    expect(assocCard).toContain("<b>Робототехника &lt;LEGO&gt;</b>\nТип: творческое объединение\nВходит в отдел: Отдел технического творчества");
    expect(buttons().map((b) => b.data)).not.toContain(expect.stringMatching(/^un:add:/));

    await h.pressButton(h.admin, "un:list:0");
    const list = h.telegram.lastMessageTo(h.admin.id);
    expect(list.text).toContain("Отделов: 1, творческих объединений: 1.");
    expect(list.buttons.map((b) => b.text).slice(0, 3)).toEqual(["🏛 Отдел технического тв…", "↳ Робототехника <LEGO>", "➕ Добавить отдел"]);

    // A name already taken at the same level is re-asked.
    await h.pressButton(h.admin, "un:add:0:0");
    await h.send(text(h.admin, "отдел ТЕХНИЧЕСКОГО творчества"));
    expect(h.telegram.textsTo(h.admin.id).slice(-2)).toEqual([
      "Подразделение «Отдел технического творчества» уже есть на этом уровне.",
      "Напишите, пожалуйста, другое название.",
    ]);
    await h.send(text(h.admin, "Отдел художественного творчества"));
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("✅ Отдел добавлен.");

    const created = await h.database.db.select().from(auditLog).where(eq(auditLog.action, "unit.created"));
    expect(created).toHaveLength(3);
    h.expectAllCallbacksAnswered();
  });

  it("renames with re-asks for a 1-character and a 200-character name, in English; Back returns to the card", async () => {
    await h.send(command(h.admin, "lang"));
    await h.pressButton(h.admin, "lang:en");
    const { assoc } = await addStructure("Technical department", "Robotics");
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("✅ Creative association added.");

    await h.pressButton(h.admin, `un:rename:${assoc.id}:0`);
    const prompt = h.telegram.lastMessageTo(h.admin.id);
    expect(prompt.text).toContain("The unit is now called “Robotics”");
    await h.send(text(h.admin, "R"));
    expect(h.telegram.lastTextTo(h.admin.id)).toBe("That's too short. Please try again.");
    await h.send(text(h.admin, "R".repeat(200)));
    expect(h.telegram.lastTextTo(h.admin.id)).toBe("That's too long. Please shorten it and send it again.");
    expect((await unitNamed("Robotics")).id).toBe(assoc.id);

    await h.send(press(h.admin, "ask:back", prompt));
    expect(h.telegram.lastTextTo(h.admin.id)).toMatch(/^<b>Robotics<\/b>\nType: creative association/);

    await h.pressButton(h.admin, `un:rename:${assoc.id}:0`);
    await h.send(text(h.admin, "Robotics and programming"));
    expect(h.telegram.lastTextTo(h.admin.id)).toMatch(/^✅ Name changed\.\n\n<b>Robotics and programming<\/b>/);
    const [renamed] = await h.database.db.select().from(auditLog).where(eq(auditLog.action, "unit.renamed"));
    expect(renamed).toMatchObject({ before: { name: "Robotics" }, after: { name: "Robotics and programming" } });

    // Cancel leaves the name alone.
    await h.pressButton(h.admin, `un:rename:${assoc.id}:0`);
    await h.pressButton(h.admin, "ask:cancel");
    expect(h.telegram.lastTextTo(h.admin.id)).toBe("Cancelled. Nothing was saved.");
    expect((await unitNamed("Robotics and programming")).id).toBe(assoc.id);
    h.expectAllCallbacksAnswered();
  });

  it("sets and clears the head among active staff, in Russian", async () => {
    const { dep } = await addStructure("Отдел техники", "Робототехника");
    const { id: mariaId } = await addStaff({ first_name: "Мария", last_name: "Петрова" });
    const { id: suspendedId } = await addStaff({ first_name: "Пётр", last_name: "Отключённый" });
    await h.database.db.update(users).set({ status: "inactive" }).where(eq(users.id, suspendedId));

    await h.send(command(h.admin, "units"));
    await h.pressButton(h.admin, `un:open:${dep.id}:0`);
    await h.pressButton(h.admin, `un:head:${dep.id}:0`);
    const prompt = h.telegram.lastMessageTo(h.admin.id);
    expect(prompt.text).toContain("Кто руководит подразделением «Отдел техники»?");
    expect(prompt.buttons.map((b) => b.text)).toEqual(["Анна Админова", "Мария Петрова", "« Назад", "Отмена"]);
    await h.pressButton(h.admin, `ask:pick:${mariaId}`);
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("✅ Руководитель назначен.\n\n<b>Отдел техники</b>");
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("Руководитель: Мария Петрова");
    expect((await unitNamed("Отдел техники")).headUserId).toBe(mariaId);

    await h.pressButton(h.admin, `un:head:${dep.id}:0`);
    expect(buttons().map((b) => b.text)).toContain("✅ Мария Петрова");
    await h.pressButton(h.admin, "ask:pick:none");
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("Руководитель: не назначен");
    expect(await h.database.db.select().from(auditLog).where(eq(auditLog.action, "unit.head_set"))).toHaveLength(2);
    h.expectAllCallbacksAnswered();
  });

  it("refuses to archive a department with active associations, then archives and restores", async () => {
    const { dep, assoc } = await addStructure("Отдел техники", "Робототехника");
    await h.send(command(h.admin, "units"));
    await h.pressButton(h.admin, `un:open:${dep.id}:0`);
    await h.pressButton(h.admin, `un:archive:${dep.id}:0`);
    expect(lastAnswer()).toMatchObject({
      text: "В отделе есть 1 действующее творческое объединение. Сначала перенесите его в архив.",
      show_alert: true,
    });
    expect((await unitNamed("Отдел техники")).archivedAt).toBeNull();

    await h.pressButton(h.admin, "un:list:0");
    await h.pressButton(h.admin, `un:open:${assoc.id}:0`);
    await h.pressButton(h.admin, `un:archive:${assoc.id}:0`);
    expect(lastAnswer().text).toBe("Перенесено в архив");
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("🗄 В архиве");
    expect(buttons().map((b) => b.data)).toEqual([`un:restore:${assoc.id}:0`, "un:list:0"]);

    await h.pressButton(h.admin, "un:list:0");
    expect(buttons().map((b) => b.text)).toEqual(["🏛 Отдел техники", "➕ Добавить отдел", "🗄 Показать архив"]);
    await h.pressButton(h.admin, `un:open:${dep.id}:0`);
    await h.pressButton(h.admin, `un:archive:${dep.id}:0`);
    expect((await unitNamed("Отдел техники")).archivedAt).toEqual(h.clock.now);

    await h.pressButton(h.admin, "un:list:0");
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("Отделов пока нет");
    await h.pressButton(h.admin, "un:list:1");
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("В архиве: 2");
    expect(buttons().map((b) => b.text).slice(0, 2)).toEqual(["🗄 🏛 Отдел техники", "🗄 ↳ Робототехника"]);

    // The association cannot come back before its department.
    await h.pressButton(h.admin, `un:open:${assoc.id}:1`);
    await h.pressButton(h.admin, `un:restore:${assoc.id}:1`);
    expect(lastAnswer()).toMatchObject({ text: "Отдел этого объединения в архиве. Сначала восстановите отдел.", show_alert: true });
    await h.pressButton(h.admin, "un:list:1");
    await h.pressButton(h.admin, `un:open:${dep.id}:1`);
    await h.pressButton(h.admin, `un:restore:${dep.id}:1`);
    expect(lastAnswer().text).toBe("Восстановлено");
    expect((await unitNamed("Отдел техники")).archivedAt).toBeNull();

    const actions = (await h.database.db.select().from(auditLog)).map((a) => a.action);
    expect(actions.filter((a) => a === "unit.archived")).toHaveLength(2);
    expect(actions.filter((a) => a === "unit.restored")).toHaveLength(1);
    h.expectAllCallbacksAnswered();
  });

  it("refuses /units and forged un: buttons to a staff member and a guest", async () => {
    const { dep } = await addStructure("Отдел техники", "Робототехника");
    const { user: teacher, id: teacherId } = await addStaff();
    const guest = makeUser({ language_code: "en" });
    await h.send(command(teacher, "units"));
    expect(h.telegram.lastTextTo(teacher.id)).toContain("Эта команда доступна только сотрудникам с нужными правами");
    await h.send(command(guest, "units"));
    expect(h.telegram.lastTextTo(guest.id)).toContain("ask an administrator of the Palace of Creativity for an invite link");

    const at = (user: TestUser) => ({ message_id: 5, chat: { id: user.id, type: "private" as const, first_name: "x" } });
    const forged = [`un:archive:${dep.id}:0`, "un:add:0:0", `un:rename:${dep.id}:0`, `un:putuser:${teacherId}:${dep.id}`, "un:list:1"];
    for (const data of forged) {
      await h.send(press(teacher, data, at(teacher)));
      expect(lastAnswer()).toMatchObject({ text: "Это действие вам недоступно.", show_alert: true });
      await h.send(press(guest, data, at(guest)));
      expect(lastAnswer()).toMatchObject({ text: "This action isn't available to you.", show_alert: true });
    }
    // Nothing changed, and no dialog was started for them.
    expect((await unitNamed("Отдел техники")).archivedAt).toBeNull();
    const [row] = await h.database.db.select().from(users).where(eq(users.id, teacherId));
    expect(row!.unitId).toBeNull();
    await h.send(text(teacher, "Новый отдел"));
    expect(await h.database.db.select().from(units)).toHaveLength(2);
    h.expectAllCallbacksAnswered();
  });
});

describe("changing a staff member's unit from /staff", () => {
  it("picks the unit with buttons and shows the staff card again, in English and Russian", async () => {
    const { dep, assoc } = await addStructure("Отдел техники", "Робототехника");
    const { id } = await addStaff({ first_name: "Мария", last_name: "Петрова" });

    await h.send(command(h.admin, "staff"));
    await h.pressButton(h.admin, `staff:open:${id}:0`);
    await h.pressButton(h.admin, `un:setuser:${id}`);
    const chooser = h.telegram.lastMessageTo(h.admin.id);
    expect(chooser.text).toBe("В каком подразделении работает Мария Петрова?\nСейчас: Без подразделения");
    expect(chooser.buttons.map((b) => b.text)).toEqual(["🏛 Отдел техники", "↳ Робототехника", "Без подразделения", "« Назад"]);
    expect(chooser.buttons.map((b) => b.data)).toEqual([
      `un:putuser:${id}:${dep.id}`,
      `un:putuser:${id}:${assoc.id}`,
      `un:putuser:${id}:0`,
      `staff:open:${id}:0`,
    ]);
    await h.pressButton(h.admin, `un:putuser:${id}:${assoc.id}`);
    expect(lastAnswer().text).toBe("Подразделение изменено");
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("Подразделение: Робототехника");
    const [row] = await h.database.db.select().from(users).where(eq(users.id, id));
    expect(row!.unitId).toBe(assoc.id);
    const [entry] = await h.database.db.select().from(auditLog).where(eq(auditLog.action, "user.unit_changed"));
    expect(entry!.after).toMatchObject({ unitId: assoc.id });

    // The unit card counts the staff member now.
    await h.send(command(h.admin, "units"));
    await h.pressButton(h.admin, `un:open:${assoc.id}:0`);
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("Сотрудников в боте: 1");

    await h.send(command(h.admin, "lang"));
    await h.pressButton(h.admin, "lang:en");
    await h.send(command(h.admin, "staff"));
    await h.pressButton(h.admin, `staff:open:${id}:0`);
    await h.pressButton(h.admin, `un:setuser:${id}`);
    expect(h.telegram.lastTextTo(h.admin.id)).toBe("Which unit does Мария Петрова work in?\nNow: Робототехника");
    await h.pressButton(h.admin, `un:putuser:${id}:0`);
    expect(lastAnswer().text).toBe("Unit changed");
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("Unit: not set");

    // An archived unit offered by a stale button is refused.
    await h.pressButton(h.admin, `un:setuser:${id}`);
    await h.database.db.update(units).set({ archivedAt: h.clock.now }).where(eq(units.id, assoc.id));
    await h.pressButton(h.admin, `un:putuser:${id}:${assoc.id}`);
    expect(lastAnswer()).toMatchObject({ text: "This unit no longer exists or is archived.", show_alert: true });
    h.expectAllCallbacksAnswered();
  });
});
