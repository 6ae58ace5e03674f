import { eq } from "drizzle-orm";
import type { Update } from "grammy/types";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { contacts, interactions, partners } from "../../src/partners/domain/schema.js";
import { events } from "../../src/events/domain/schema.js";
import { users } from "../../src/core/access/schema.js";
import { createPartner } from "../../src/partners/domain/partners.js";
import { addDepartment, openPartnerCard, registered } from "../helpers/bot-people.js";
import { createHarness, type Harness } from "../helpers/harness.js";
import { partnerDraft } from "../helpers/partners.js";
import { command, documentMessage, makeUser, press, text, type TestUser } from "../helpers/updates.js";

/**
 * Issue 10, point 2: texts Postgres cannot store. U+0000 is refused in text and jsonb, lone UTF-16
 * surrogates in jsonb; other C0 controls are noise. Such texts reach every step of the dialogs
 * (kept in the dialog state, searched with word_similarity, saved in records). Every step must be
 * answered with the dialog's next question, nothing may be logged as an error, and what is saved
 * is the text with the controls removed (tab and newline kept where the field keeps them) and
 * lone surrogates replaced by U+FFFD.
 */

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());
// Telegram would have refused these: a control character echoed back, bad HTML.
afterEach(() => expect(h.telegram.calls.filter((c) => c.error).map((c) => `${c.method}: ${c.error}`)).toEqual([]));

const NUL = "\u0000";
const HIGH = "\uD800"; // a lone high surrogate
const LOW = "\uDC00"; // a lone low surrogate
const FFFD = "\uFFFD";

/** One thing the person does, and the start of what the bot must answer (undefined: no new text, e.g. a tick). */
interface Step {
  what: string;
  send: (user: TestUser) => Update;
  next: string | undefined;
}

const shown = (s: string) => JSON.stringify(s);

/** A typed message. */
const says = (body: string, next: string): Step => ({ what: `text ${shown(body)}`, send: (user) => text(user, body), next });

/** A press of a button the bot showed under its last message. */
const taps = (data: string, next?: string): Step => ({
  what: `button ${data}`,
  send: (user) => {
    const message = h.telegram.lastMessageTo(user.id);
    expect(message.buttons.map((b) => b.data)).toContain(data);
    return press(user, data, message);
  },
  next,
});

/** A press with data no button carries (forged), under the bot's last message. */
const forges = (data: string, next: string): Step => ({
  what: `forged button ${shown(data)}`,
  send: (user) => press(user, data, h.telegram.lastMessageTo(user.id)),
  next,
});

/** A command with a NUL before it; the bot_command entity points past the NUL, as Telegram's would. */
const commandAfterNul = (name: string, next: string): Step => ({
  what: `${shown(NUL)} + /${name}`,
  send: (user) => text(user, `${NUL}/${name}`, { entities: [{ type: "bot_command", offset: 1, length: name.length + 1 }] }),
  next,
});

const commands = (name: string, next: string): Step => ({ what: `/${name}`, send: (user) => command(user, name), next });

/** A document whose file name and caption carry controls, with a caption entity placed after them. */
const sendsDocument = (fileName: string, caption: string, next: string): Step => ({
  what: `document ${shown(fileName)} captioned ${shown(caption)}`,
  send: (user) => {
    const update = documentMessage(user);
    const message = update.message!;
    message.document!.file_name = fileName;
    message.caption = caption;
    message.caption_entities = [{ type: "hashtag", offset: caption.indexOf("#"), length: "#протокол".length }];
    return update;
  },
  next,
});

/** What went wrong, down to the database's own words: grammY's BotError wraps drizzle's error, which wraps the driver's. */
function failureOf(error: unknown): string {
  const parts: string[] = [];
  for (let e = error; e instanceof Error && parts.length < 5; e = "error" in e && e.error instanceof Error ? e.error : e.cause) {
    parts.push(e.message.split("\n")[0]!);
  }
  return parts.join(" ← ");
}

function errorLines(): string[] {
  return h.logs.filter((line) => line.level >= 50).map((line) => `${line.msg}: ${(line.err as { message?: string } | undefined)?.message ?? ""}`);
}

/** Runs the steps in order; after each: no error logged, and the bot's newest text is the expected next one. */
async function walk(user: TestUser, steps: Step[]): Promise<void> {
  for (const [i, step] of steps.entries()) {
    const where = `step ${i + 1}, ${step.what}`;
    const from = h.telegram.calls.length;
    const thrown = await h.send(step.send(user)).then(() => undefined, failureOf);
    expect(thrown, where).toBeUndefined();
    expect(errorLines(), where).toEqual([]);
    const texts = h.telegram.calls
      .slice(from)
      .filter((c) => !c.error && (c.method === "sendMessage" || c.method === "editMessageText") && c.payload.chat_id === user.id)
      .map((c) => String(c.payload.text));
    if (step.next === undefined) expect(texts, where).toEqual([]);
    else expect(texts.at(-1), where).toContain(step.next);
  }
  h.expectAllCallbacksAnswered();
}

/** The string values of a stored row that Postgres could not have taken or that carry invisible controls. */
function unstorable(row: object): string[] {
  const bad = (s: string) => [...s].some((ch) => (ch < " " && ch !== "\t" && ch !== "\n") || (ch.length === 1 && ch >= "\uD800" && ch <= "\uDFFF"));
  return Object.entries(row).flatMap(([key, value]) => (typeof value === "string" && bad(value) ? [`${key}: ${shown(value)}`] : []));
}

/** The admin, a department, a teacher of it (staff) and the teacher as an actor for creating partners directly. */
async function institution() {
  await registered(h, h.admin, "admin");
  const unitId = await addDepartment(h.database.db, "Отдел техники");
  const teacher = makeUser({ first_name: "Мария", last_name: "Петрова" });
  const row = await registered(h, teacher, "staff", unitId);
  return { unitId, teacher, row, actor: { user: row, role: "staff" as const } };
}

describe("hostile texts in the dialogs", () => {
  it("/newpartner: every text step, a command after a NUL and a forged button, saved clean", async () => {
    const { teacher, unitId } = await institution();
    await walk(teacher, [
      commandAfterNul("newpartner", "Напишите полное название организации"),
      says(`${NUL}\u0007\u001F`, "Здесь нужны буквы или цифры"), // nothing left once cleaned: asked again
      says(`Гимназия${NUL} № 3 г.\u0007 Иркутска`, "Краткое название"),
      says(`\u0001\u0007Гимназия\u001F 3`, "Тип организации"), // also the duplicate search (word_similarity)
      forges(`ask:pick:school${NUL}`, "Кто отвечает за партнёрство?"),
      taps("ask:pick:mine", "Направленность совместной деятельности"),
      taps("ask:pick:natural_science"),
      taps("ask:done", "Сайт организации."),
      says(`${NUL}gymnasium3\u0007.ru\u001F`, "Адрес организации."),
      says(`г. Иркутск,\tул. Ленина${NUL}, 5\r\nвход со двора ${HIGH}`, "ИНН организации"),
      says(`3808${NUL}013278`, "Зачем нам этот партнёр?"),
      says(`Профориентация${NUL} старшеклассников:\n\t— лекции ${LOW}и экскурсии`, "Какие задачи должно решить партнёрство?"),
      says(`${LOW}Совместные${NUL} мастер-классы 🎉`, "Заметки"),
      says(`Звонить после 14:00${NUL}${NUL}\tпо средам`, "Проверьте, пожалуйста"),
      taps("ask:pick:confirm", "Партнёр сохранён."),
    ]);

    const [saved] = await h.database.db.select().from(partners);
    expect(saved).toMatchObject({
      fullName: "Гимназия № 3 г. Иркутска",
      shortName: "Гимназия 3",
      type: "school",
      ownerKind: "department",
      ownerUnitId: unitId,
      focuses: ["natural_science"],
      website: "https://gymnasium3.ru",
      address: `г. Иркутск,\tул. Ленина, 5\nвход со двора ${FFFD}`,
      inn: "3808013278",
      motivation: `Профориентация старшеклассников:\n\t— лекции ${FFFD}и экскурсии`,
      tasks: `${FFFD}Совместные мастер-классы 🎉`, // a surrogate pair (the emoji) is kept
      notes: "Звонить после 14:00\tпо средам",
    });
    expect(unstorable(saved!)).toEqual([]);
  });

  it("the contact dialog and an interaction with a document: names, phone, e-mail, date, text, file name", async () => {
    const { teacher, unitId, actor } = await institution();
    const partner = await createPartner(
      h.database.db,
      actor,
      partnerDraft({ fullName: "Гимназия № 3 г. Иркутска", shortName: "Гимназия 3", ownerKind: "department", ownerUnitId: unitId }),
    );
    await openPartnerCard(h, teacher, partner.id);
    await walk(teacher, [
      taps(`ct:list:${partner.id}`, "Контактных лиц пока нет."),
      taps(`ct:add:${partner.id}`, "На каком основании"),
      taps("ask:pick:paper", "Фамилия, имя и отчество"),
      says(`Иванова${NUL} Мария\u0007 Петровна${HIGH}`, "Должность"),
      says(`Заместитель${NUL} директора\nпо воспитательной работе`, "Рабочий телефон"),
      says(`+7${NUL} 914 123-45-67\u0007`, "Рабочий адрес электронной почты"),
      says(`${NUL}ivanova@gymnasium3.ru\u001F`, "Имя пользователя в Telegram"),
      says(`@ivanova${NUL}_gym3`, "Проверьте, пожалуйста"),
      taps("ask:pick:confirm", "Заместитель директора по воспитательной работе"),
    ]);
    const [contact] = await h.database.db.select().from(contacts);
    expect(contact).toMatchObject({
      fullName: `Иванова Мария Петровна${FFFD}`,
      position: "Заместитель директора по воспитательной работе", // a name field: whitespace collapsed
      phone: "+79141234567",
      email: "ivanova@gymnasium3.ru",
      telegramUsername: "ivanova_gym3",
    });
    expect(unstorable(contact!)).toEqual([]);

    await openPartnerCard(h, teacher, partner.id);
    await walk(teacher, [
      taps(`ix:add:${partner.id}`, "Новое взаимодействие"),
      taps("ask:pick:meeting", "Когда это было?"),
      says(`вчера${NUL}`, "Коротко опишите"),
      says(`Обсудили${NUL} план:\n\t1) мастер-классы\r\n\t2) экскурсии ${HIGH}`, "Если есть документ или фотография"),
      sendsDocument(`Про${NUL}токол\u0007 встречи.pdf`, `Подписанный${NUL} протокол #протокол`, "Файл: Протокол встречи.pdf"),
      taps("ask:pick:confirm", "Взаимодействие записано"),
    ]);
    const [interaction] = await h.database.db.select().from(interactions);
    expect(interaction).toMatchObject({
      partnerId: partner.id,
      kind: "meeting",
      occurredOn: "2026-11-30",
      text: `Обсудили план:\n\t1) мастер-классы\n\t2) экскурсии ${FFFD}`,
      fileKind: "document",
      fileName: "Протокол встречи.pdf",
    });
    expect(unstorable(interaction!)).toEqual([]);
  });

  it("the partner search on /partners finds the partner whatever the query carries", async () => {
    const { teacher, actor } = await institution();
    const names: [string, string][] = [
      ["Гимназия № 3 г. Иркутска", "Гимназия 3"],
      ["Лицей № 1", "Лицей № 1"],
      ["Иркутский колледж связи", "Колледж связи"],
    ];
    for (const [fullName, shortName] of names) await createPartner(h.database.db, actor, partnerDraft({ fullName, shortName }));
    const searches: { query: string; found: string }[] = [
      { query: `${NUL}гимн\u0007азия 3`, found: "Гимназия 3" },
      { query: `Лицей ${HIGH} 1`, found: "Лицей № 1" },
      { query: `${LOW}Колледж${NUL}`, found: "Колледж связи" },
    ];
    await walk(teacher, [commands("partners", "<b>Партнёры</b> — 3 организации")]);
    for (const { query, found } of searches) {
      await walk(teacher, [taps("pl:search", "Напишите часть названия"), says(query, "<b>Партнёры</b> — 1 организация")]);
      expect(h.telegram.lastMessageTo(teacher.id).buttons.filter((b) => b.data.startsWith("pc:open:")).map((b) => b.text), query).toEqual([
        `🌱 ${found}`,
      ]);
      await walk(teacher, [taps("pl:reset", "<b>Партнёры</b> — 3 организации")]);
    }
  });

  it("/newevent: partner search, title, description, date and time typed freely, duration, place, ages, participants", async () => {
    const { teacher, row, unitId, actor } = await institution();
    const partner = await createPartner(
      h.database.db,
      actor,
      partnerDraft({ fullName: "Гимназия № 3 г. Иркутска", shortName: "Гимназия 3", ownerKind: "department", ownerUnitId: unitId }),
    );
    await walk(teacher, [
      commandAfterNul("newevent", "С каким партнёром?"),
      says(`гимн${NUL}азия${HIGH}`, "Выберите партнёра:"),
      taps(`ask:pick:p${partner.id}`, "Партнёры: Гимназия 3"),
      taps("ask:pick:next", "В каком формате"),
      taps("ask:pick:master_class", "Какой уровень у мероприятия?"),
      says(`регион${NUL}альный`, "Пожалуйста, выберите уровень кнопкой ниже."),
      taps("ask:pick:regional", "Название мероприятия"),
      says(`\u0001Мастер-класс${NUL} по робототехнике`, "Коротко опишите мероприятие"),
      says(`Собираем${NUL} роботов:\n\t— из конструктора\r\n\t— ${LOW}с программированием`, "Когда начало?"),
      says(`25.12${NUL} 15:00\u0007`, "Понял: <b>пятница, 25 декабря 2026, 15:00</b>"),
      taps("ask:pick:yes", "Сколько продлится мероприятие?"),
      taps("ask:pick:typed", "Напишите длительность"),
      says(`до 17:30${NUL}`, "Где пройдёт мероприятие?"),
      says(`Дворец творчества,${NUL} каб. 12\u001F`, "Возраст участников"),
      says(`10${NUL}-14`, "Для кого мероприятие?"),
      taps("ask:pick:gifted"),
      taps("ask:done", "Сколько участников ожидается?"),
      says(`2${NUL}5`, "Кто из сотрудников отвечает"),
      taps(`ask:pick:u${row.id}`, "Какое подразделение проводит"),
      taps(`ask:pick:n${unitId}`, "Проверьте, пожалуйста"),
      taps("ask:pick:confirm", "Мероприятие «Мастер-класс по робототехнике» отправлено на согласование."),
    ]);
    const [event] = await h.database.db.select().from(events);
    expect(event).toMatchObject({
      title: "Мастер-класс по робототехнике",
      description: `Собираем роботов:\n\t— из конструктора\n\t— ${FFFD}с программированием`,
      format: "master_class",
      level: "regional",
      startsAt: new Date("2026-12-25T07:00:00Z"),
      endsAt: new Date("2026-12-25T09:30:00Z"),
      place: "Дворец творчества, каб. 12",
      ageFrom: 10,
      ageTo: 14,
      categories: ["gifted"],
      expectedParticipants: 25,
      responsibleUserId: row.id,
      ownerUnitId: unitId,
    });
    expect(unstorable(event!)).toEqual([]);
  });

  it("a Telegram name with a NUL and a lone surrogate is stored clean once, not rewritten by every update", async () => {
    const person = makeUser({ first_name: `Мар${NUL}ия`, last_name: `${LOW}Петрова`, username: "maria_p" });
    await walk(person, [commands("start", "Здравствуйте, Мария"), commands("help", "Сейчас вам доступны команды")]);
    const [row] = await h.database.db.select().from(users).where(eq(users.telegramId, person.id));
    expect(row).toMatchObject({ firstName: "Мария", lastName: `${FFFD}Петрова`, username: "maria_p" });
    expect(unstorable(row!)).toEqual([]);
    await walk(person, [commands("start", "Здравствуйте, Мария")]);
    const [again] = await h.database.db.select().from(users).where(eq(users.telegramId, person.id));
    expect(again!.updatedAt).toEqual(row!.updatedAt);
  });
});
