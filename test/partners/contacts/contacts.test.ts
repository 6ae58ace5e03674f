import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Partner, contacts } from "../../../src/partners/domain/schema.js";
import { auditLog } from "../../../src/core/audit-schema.js";
import { invites } from "../../../src/people/domain/invites-schema.js";
import { units } from "../../../src/core/access/units-schema.js";
import { users } from "../../../src/core/access/schema.js";
import { addContact } from "../../../src/partners/domain/contacts.js";
import { type Actor, createPartner, type PartnerDraft } from "../../../src/partners/domain/partners.js";
import { createHarness, type Harness } from "../../helpers/harness.js";
import { partnerDraft } from "../../helpers/partners.js";
import { command, makeUser, press, text } from "../../helpers/updates.js";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());
// Telegram would have refused these: bad HTML, long texts, long callback data.
afterEach(() => expect(h.telegram.calls.filter((c) => c.error).map((c) => `${c.method}: ${c.error}`)).toEqual([]));

type TestUser = ReturnType<typeof makeUser>;

const LINK = /https:\/\/t\.me\/palace_partners_bot\?start=([A-Za-z0-9_-]{43})/;

async function registered(user: TestUser, role: "admin" | "staff" | "guest", unitId: number | null = null) {
  await h.send(command(user, "start"));
  const [row] = await h.database.db.update(users).set({ role, unitId }).where(eq(users.telegramId, user.id)).returning();
  return row!;
}

async function adminActor(): Promise<Actor> {
  const [admin] = await h.database.db.select().from(users).where(eq(users.telegramId, h.admin.id));
  return { user: admin!, role: "admin" };
}

async function partner(overrides: Partial<PartnerDraft> = {}): Promise<Partner> {
  return createPartner(h.database.db, await adminActor(), partnerDraft(overrides));
}

const PAPER_PERSON = {
  fullName: "Иванова Мария Петровна",
  position: "Заместитель директора",
  phone: "+73952123456",
  email: "ivanova@school5.ru",
  telegramUsername: "ivanova_school5",
};

const last = (user: TestUser) => h.telegram.lastMessageTo(user.id);
const say = (user: TestUser, body: string) => h.send(text(user, body));
/** Presses a button that is not on the last message: how the partner card opens a list, or a forged press. */
const forge = (user: TestUser, data: string) => h.send(press(user, data, last(user)));
const lastAnswer = () => h.telegram.sent("answerCallbackQuery").at(-1)!;

/** The admin adds a contact with a consent on paper through the bot and returns the stored row. */
async function addPaperContactThroughBot(partnerId: number) {
  await forge(h.admin, `ct:list:${partnerId}`);
  await h.pressButton(h.admin, `ct:add:${partnerId}`);
  await h.pressButton(h.admin, "ask:pick:paper");
  await say(h.admin, "Иванова Мария Петровна");
  await say(h.admin, "Заместитель директора");
  await say(h.admin, "8 (3952) 12-34-56");
  await h.pressButton(h.admin, "ask:skip");
  await h.pressButton(h.admin, "ask:skip");
  await h.pressButton(h.admin, "ask:pick:confirm");
  const [row] = await h.database.db.select().from(contacts).where(eq(contacts.partnerId, partnerId));
  return row!;
}

async function inviteLinkFor(contactId: number): Promise<string> {
  await h.pressButton(h.admin, `ct:open:${contactId}`);
  await h.pressButton(h.admin, `ct:inv:${contactId}`);
  return LINK.exec(h.telegram.lastTextTo(h.admin.id))![1]!;
}

describe("adding a contact person", () => {
  it("asks for the consent basis first, re-asks a bad phone and e-mail, and records the consent, in Russian", async () => {
    await h.send(command(h.admin, "start"));
    const school = await partner();
    await forge(h.admin, `ct:list:${school.id}`);
    expect(last(h.admin).text).toContain("Контактных лиц пока нет.");
    await h.pressButton(h.admin, `ct:add:${school.id}`);
    expect(last(h.admin).text).toContain("На каком основании мы будем хранить данные этого человека?");
    expect(last(h.admin).buttons.map((b) => b.text)).toEqual(["📝 Согласие на бумаге", "📲 Согласие в боте", "Отмена"]);
    await h.pressButton(h.admin, "ask:pick:paper");
    expect(last(h.admin).text).toContain("Фамилия, имя и отчество");
    await say(h.admin, "Иванова Мария Петровна");
    await say(h.admin, "Заместитель директора");
    expect(last(h.admin).text).toContain("Рабочий телефон");
    await say(h.admin, "123");
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("Не похоже на номер телефона");
    await say(h.admin, "8 (3952) 12-34-56");
    expect(last(h.admin).text).toContain("Рабочий адрес электронной почты");
    await say(h.admin, "ivanova@");
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("Не похоже на адрес электронной почты");
    await say(h.admin, "ivanova@school5.ru");
    await say(h.admin, "@ivanova_school5");
    const summary = last(h.admin).text;
    expect(summary).toContain("<b>Телефон:</b> +7 3952 12-34-56");
    expect(summary).toContain("<b>Основание:</b> согласие на бумаге");
    await h.pressButton(h.admin, "ask:pick:confirm");

    expect(h.telegram.textsTo(h.admin.id)).toContain("Контактное лицо сохранено.");
    const list = last(h.admin);
    expect(list.text).toContain("<b>Иванова Мария Петровна</b>, Заместитель директора");
    expect(list.text).toContain("+7 3952 12-34-56 · ivanova@school5.ru · @ivanova_school5");
    expect(list.text).toContain("согласие на бумаге; доступа к боту нет");

    const [admin] = await h.database.db.select().from(users).where(eq(users.telegramId, h.admin.id));
    const [row] = await h.database.db.select().from(contacts);
    expect(row).toMatchObject({ phone: "+73952123456", email: "ivanova@school5.ru", telegramUsername: "ivanova_school5", consentBasis: "paper", consentRecordedBy: admin!.id });
    const [audit] = await h.database.db.select().from(auditLog).where(eq(auditLog.action, "contact.created"));
    expect(audit!.after).toEqual({ partnerId: school.id, consentBasis: "paper", fields: ["fullName", "position", "phone", "email", "telegramUsername"] });
    h.expectAllCallbacksAnswered();
  });

  it("edits a field from the contact card", async () => {
    await h.send(command(h.admin, "start"));
    const school = await partner();
    const contact = await addPaperContactThroughBot(school.id);
    await h.pressButton(h.admin, `ct:open:${contact.id}`);
    expect(last(h.admin).text).toContain("Согласие подписано на бумаге (отметка: Анна Админова,");
    await h.pressButton(h.admin, `ct:edit:${contact.id}`);
    expect(last(h.admin).text).toContain("Иванова Мария Петровна: что изменить?");
    await h.pressButton(h.admin, "ask:pick:phone");
    expect(last(h.admin).text).toContain("Сейчас: +7 3952 12-34-56");
    await say(h.admin, "+7 914 123-45-67");
    await h.pressButton(h.admin, "ask:pick:confirm");
    expect(h.telegram.textsTo(h.admin.id)).toContain("Изменения сохранены.");
    const [row] = await h.database.db.select().from(contacts);
    expect(row!.phone).toBe("+79141234567");
    h.expectAllCallbacksAnswered();
  });

  it("is refused to staff who do not own the partnership, buttons included", async () => {
    await h.send(command(h.admin, "start"));
    const [mine] = await h.database.db.insert(units).values({ kind: "department", name: "Отдел техники" }).returning();
    const school = await partner({ ownerKind: "department", ownerUnitId: mine!.id });
    await addContact(h.database.db, await adminActor(), school.id, { ...PAPER_PERSON, consentBasis: "paper" });
    const stranger = makeUser();
    await registered(stranger, "staff");
    await forge(stranger, `ct:list:${school.id}`);
    expect(last(stranger).text).toContain("<b>Иванова Мария Петровна</b>, Заместитель директора");
    expect(last(stranger).text).toContain("Телефоны, e-mail и имена в Telegram видны только ответственным за партнёра.");
    expect(last(stranger).text).not.toContain("3952");
    expect(last(stranger).text).not.toContain("school5.ru");
    // Staff may see who the contacts are, but not add or edit them.
    expect(last(stranger).buttons.map((b) => b.data)).toEqual([`pc:open:${school.id}`]);
    await forge(stranger, `ct:add:${school.id}`);
    expect(lastAnswer()).toMatchObject({ text: "Это действие вам недоступно.", show_alert: true });
    h.expectAllCallbacksAnswered();
  });
});

describe("inviting a contact person to the bot", () => {
  it("with consent in the bot: keeps name and position, the person accepts and sees only their organisation, in English", async () => {
    await h.send(command(h.admin, "start"));
    const [unit] = await h.database.db.insert(units).values({ kind: "department", name: "Technical department" }).returning();
    const owner = makeUser({ first_name: "Olga", last_name: "Owner", language_code: "en" });
    await registered(owner, "staff", unit!.id);
    const school = await partner({ ownerKind: "department", ownerUnitId: unit!.id });
    const other = await partner({ fullName: "Irkutsk State University", shortName: "ISU", type: "university" });
    await addContact(h.database.db, await adminActor(), other.id, {
      fullName: "Петров Пётр",
      position: "Проректор",
      phone: "+79140000001",
      email: null,
      telegramUsername: null,
      consentBasis: "paper",
    });

    await forge(owner, `ct:list:${school.id}`);
    await h.pressButton(owner, `ct:add:${school.id}`);
    expect(last(owner).text).toContain("On what basis will we keep this person's data?");
    await h.pressButton(owner, "ask:pick:bot");
    await say(owner, "Sidorova Anna");
    await h.pressButton(owner, "ask:skip");
    const summary = last(owner).text;
    expect(summary).toContain("Until the person consents in the bot, we keep only their name and position.");
    expect(summary).not.toContain("Phone");
    await h.pressButton(owner, "ask:pick:confirm");
    const link = h.telegram.textsTo(owner.id).find((t) => LINK.test(t))!;
    expect(link).toContain("<b>Bot invite: Sidorova Anna</b>");
    const token = LINK.exec(link)![1]!;
    expect(last(owner).text).toContain("⏳ waiting for consent in the bot");
    const [pending] = await h.database.db.select().from(contacts).where(eq(contacts.partnerId, school.id));
    expect(pending).toMatchObject({ consentBasis: "bot", userId: null, phone: null, email: null });

    const person = makeUser({ first_name: "Anna", last_name: "Sidorova", language_code: "en" });
    await h.send(command(person, "start", token));
    const consent = last(person);
    expect(consent.text).toContain("<b>Consent to the processing of personal data</b>");
    expect(consent.text).toContain("“Средняя общеобразовательная школа № 5”");
    expect(consent.text).toContain("<b>How to withdraw.</b>");
    expect(consent.buttons.map((b) => b.text)).toEqual(["✅ I agree", "✖️ I don't agree"]);
    h.clock.now = new Date(h.clock.now.getTime() + 60_000);
    await h.pressButton(person, `ct:yes:${token}`);
    expect(h.telegram.lastTextTo(person.id)).toContain("Thank you! You're connected to the bot as a representative of “СОШ № 5”.");
    expect(h.telegram.lastTextTo(owner.id)).toBe("Sidorova Anna (СОШ № 5) accepted the invite and now has access to the bot.");

    const [personRow] = await h.database.db.select().from(users).where(eq(users.telegramId, person.id));
    expect(personRow!.role).toBe("partner");
    const [linked] = await h.database.db.select().from(contacts).where(eq(contacts.id, pending!.id));
    expect(linked).toMatchObject({ userId: personRow!.id, consentRecordedBy: personRow!.id, consentRecordedAt: h.clock.now });

    // Their own organisation: the card, and names only in the contact list.
    await h.send(command(person, "partners"));
    expect(h.telegram.lastTextTo(person.id)).toContain("Средняя общеобразовательная школа № 5");
    await addContact(h.database.db, await adminActor(), school.id, { ...PAPER_PERSON, consentBasis: "paper" });
    await forge(person, `ct:list:${school.id}`);
    expect(last(person).text).toContain("<b>Sidorova Anna</b>");
    expect(last(person).text).toContain("<b>Иванова Мария Петровна</b>, Заместитель директора");
    expect(last(person).text).toContain("Phones, e-mails and Telegram usernames are visible only to the partnership's owners.");
    expect(last(person).text).not.toContain("school5.ru");
    expect(last(person).buttons.map((b) => b.data)).toEqual([`pc:open:${school.id}`]);
    // Another organisation's buttons are refused.
    for (const data of [`ct:list:${other.id}`, `ct:add:${other.id}`, `pc:open:${other.id}`]) {
      await forge(person, data);
      expect(lastAnswer(), data).toMatchObject({ text: "This action isn't available to you.", show_alert: true });
    }
    const [otherContact] = await h.database.db.select().from(contacts).where(eq(contacts.partnerId, other.id));
    for (const data of [`ct:open:${otherContact!.id}`, `ct:inv:${otherContact!.id}`, `ct:delok:${otherContact!.id}`]) {
      await forge(person, data);
      expect(lastAnswer(), data).toMatchObject({ text: "This action isn't available to you.", show_alert: true });
    }
    expect(h.telegram.textsTo(person.id).join("\n")).not.toContain("+79140000001");
    expect(await h.database.db.select().from(contacts).where(eq(contacts.partnerId, other.id))).toHaveLength(1);

    // The link worked once.
    const late = makeUser({ language_code: "en" });
    await h.send(command(late, "start", token));
    expect(h.telegram.lastTextTo(late.id)).toContain("This invite has already been used");
    const [lateRow] = await h.database.db.select().from(users).where(eq(users.telegramId, late.id));
    expect(lateRow!.role).toBe("guest");
    h.expectAllCallbacksAnswered();
  });

  it("with a paper consent: a refusal links nothing, keeps the data and spends the link, in Russian", async () => {
    await h.send(command(h.admin, "start"));
    const school = await partner();
    const contact = await addPaperContactThroughBot(school.id);
    const token = await inviteLinkFor(contact.id);
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("<b>Приглашение в бот: Иванова Мария Петровна</b>");

    const person = makeUser();
    await h.send(command(person, "start", token));
    expect(last(person).text).toContain("<b>Согласие на обработку персональных данных</b>");
    expect(last(person).text).toContain("<b>Что мы храним.</b>");
    expect(last(person).text).toContain("Нажимая «Даю согласие», вы соглашаетесь на обработку этих данных");
    expect(last(person).buttons.map((b) => b.text)).toEqual(["✅ Даю согласие", "✖️ Отказаться"]);
    await h.pressButton(person, `ct:no:${token}`);
    expect(h.telegram.lastTextTo(person.id)).toContain("Вы отказались подключаться к боту; ссылка больше не действует.");
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("Приглашение в бот для контактного лица организации «СОШ № 5» отклонено.");

    const [row] = await h.database.db.select().from(contacts);
    expect(row!.userId).toBeNull();
    const [personRow] = await h.database.db.select().from(users).where(eq(users.telegramId, person.id));
    expect(personRow!.role).toBe("guest");
    const [invite] = await h.database.db.select().from(invites);
    expect(invite!.usedAt).not.toBeNull();

    await h.send(command(person, "start", token));
    expect(h.telegram.lastTextTo(person.id)).toContain("Это приглашение уже использовано");
    // The old consent buttons are dead too.
    await h.send(press(person, `ct:yes:${token}`, last(person)));
    expect(lastAnswer()).toMatchObject({ text: expect.stringContaining("Это приглашение уже использовано") as unknown, show_alert: true });
    expect((await h.database.db.select().from(contacts))[0]!.userId).toBeNull();
    h.expectAllCallbacksAnswered();
  });

  it("with consent in the bot: a refusal deletes the name and position", async () => {
    await h.send(command(h.admin, "start"));
    const school = await partner();
    await forge(h.admin, `ct:list:${school.id}`);
    await h.pressButton(h.admin, `ct:add:${school.id}`);
    await h.pressButton(h.admin, "ask:pick:bot");
    await say(h.admin, "Сидорова Анна");
    await say(h.admin, "Методист");
    await h.pressButton(h.admin, "ask:pick:confirm");
    const token = LINK.exec(h.telegram.textsTo(h.admin.id).find((t) => LINK.test(t))!)![1]!;

    const person = makeUser();
    await h.send(command(person, "start", token));
    await h.pressButton(person, `ct:no:${token}`);
    expect(h.telegram.lastTextTo(person.id)).toBe("Вы отказались от подключения к боту. Ваши ФИО и должность удалены, ссылка больше не действует.");
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("Согласия нет, поэтому ФИО и должность удалены.");
    expect(await h.database.db.select().from(contacts)).toEqual([]);
    expect(JSON.stringify(await h.database.db.select().from(auditLog))).not.toContain("Сидорова");
    h.expectAllCallbacksAnswered();
  });

  it("is not taken by a staff member, and staff invites still work", async () => {
    await h.send(command(h.admin, "start"));
    const school = await partner();
    const contact = await addPaperContactThroughBot(school.id);
    const token = await inviteLinkFor(contact.id);
    const teacher = makeUser();
    await registered(teacher, "staff");
    await h.send(command(teacher, "start", token));
    expect(h.telegram.lastTextTo(teacher.id)).toContain("у вас уже есть доступ сотрудника");
    const [invite] = await h.database.db.select().from(invites);
    expect(invite!.usedAt).toBeNull();
    const [teacherRow] = await h.database.db.select().from(users).where(eq(users.telegramId, teacher.id));
    expect(teacherRow!.role).toBe("staff");
  });
});

describe("deleting a contact's data", () => {
  async function linkedContact(language: "ru" | "en") {
    await h.send(command(h.admin, "start"));
    const school = await partner();
    const contact = await addPaperContactThroughBot(school.id);
    const token = await inviteLinkFor(contact.id);
    const person = makeUser({ language_code: language });
    await h.send(command(person, "start", token));
    await h.pressButton(person, `ct:yes:${token}`);
    return { school, contact, person };
  }

  it("on the person's request from /privacy: the data goes, the person becomes a guest, in Russian", async () => {
    const { contact, person } = await linkedContact("ru");
    await h.send(command(person, "privacy"));
    expect(last(person).text).toContain("<b>Вы — контактное лицо организации-партнёра.</b>");
    await h.pressButton(person, "ct:forget");
    expect(last(person).text).toContain("Удалить ваши данные контактного лица организации «СОШ № 5»");
    await h.pressButton(person, "ct:forgetok");
    expect(h.telegram.lastTextTo(person.id)).toContain("Ваши данные удалены");

    expect(await h.database.db.select().from(contacts)).toEqual([]);
    expect(await h.database.db.select().from(invites)).toEqual([]);
    const [row] = await h.database.db.select().from(users).where(eq(users.telegramId, person.id));
    expect(row!.role).toBe("guest");
    const removed = h.telegram.sent("deleteMyCommands").filter((m) => (m.scope as { chat_id: number }).chat_id === person.id);
    expect(removed).toHaveLength(3);
    const [entry] = await h.database.db.select().from(auditLog).where(eq(auditLog.action, "contact.deleted"));
    expect(entry).toMatchObject({ actorUserId: row!.id, entityId: String(contact.id) });
    const log = JSON.stringify(await h.database.db.select().from(auditLog));
    for (const secret of ["Иванова", "3952123456", "Заместитель"]) expect(log).not.toContain(secret);

    await h.send(command(person, "privacy"));
    expect(last(person).buttons).toEqual([]);
    await h.send(command(person, "partners"));
    expect(h.telegram.lastTextTo(person.id)).not.toContain("Средняя общеобразовательная школа № 5");
    h.expectAllCallbacksAnswered();
  });

  it("on the person's request, cancelled, in English", async () => {
    const { person } = await linkedContact("en");
    await h.send(command(person, "privacy"));
    expect(last(person).text).toContain("<b>You are a contact person of a partner organisation.</b>");
    await h.pressButton(person, "ct:forget");
    await h.pressButton(person, "ct:forgetno");
    expect(h.telegram.lastTextTo(person.id)).toBe("All right, your data has not been deleted.");
    expect(await h.database.db.select().from(contacts)).toHaveLength(1);
    await h.send(command(person, "privacy"));
    await h.pressButton(person, "ct:forget");
    await h.pressButton(person, "ct:forgetok");
    expect(h.telegram.lastTextTo(person.id)).toContain("Your data has been deleted");
    expect(await h.database.db.select().from(contacts)).toEqual([]);
    h.expectAllCallbacksAnswered();
  });

  it("by an admin, after a confirmation; owners who are not admins cannot", async () => {
    const { school, contact, person } = await linkedContact("ru");
    const [unit] = await h.database.db.insert(units).values({ kind: "department", name: "Отдел" }).returning();
    const owner = makeUser();
    await registered(owner, "staff", unit!.id);
    await h.database.db.execute(`update partners set owner_kind = 'department', owner_unit_id = ${unit!.id}`);
    await forge(owner, `ct:open:${contact.id}`);
    expect(last(owner).buttons.map((b) => b.data)).not.toContain(`ct:del:${contact.id}`);
    await forge(owner, `ct:delok:${contact.id}`);
    expect(lastAnswer()).toMatchObject({ text: "Это действие вам недоступно.", show_alert: true });

    await forge(h.admin, `ct:list:${school.id}`);
    await h.pressButton(h.admin, `ct:open:${contact.id}`);
    await h.pressButton(h.admin, `ct:del:${contact.id}`);
    expect(last(h.admin).text).toContain("Удалить все данные контактного лица Иванова Мария Петровна?");
    await h.pressButton(h.admin, `ct:delok:${contact.id}`);
    expect(lastAnswer().text).toBe("Данные удалены.");
    expect(last(h.admin).text).toContain("Контактных лиц пока нет.");
    const [row] = await h.database.db.select().from(users).where(eq(users.telegramId, person.id));
    expect(row!.role).toBe("guest");
    await h.send(press(h.admin, `ct:open:${contact.id}`, last(h.admin)));
    expect(lastAnswer().text).toContain("Такого контакта нет");
    h.expectAllCallbacksAnswered();
  });
});
