import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type User, users } from "../../../src/core/access/schema.js";
import { events } from "../../../src/events/domain/schema.js";
import { partners, planItems } from "../../../src/partners/domain/schema.js";
import { units } from "../../../src/core/access/units-schema.js";
import { addAgreement, addPlanItem } from "../../../src/partners/domain/agreements.js";
import { createPartner } from "../../../src/partners/domain/partners.js";
import { addUnit } from "../../../src/people/domain/units.js";
import { openPartnerCard, registered } from "../../helpers/bot-people.js";
import { createHarness, type Harness } from "../../helpers/harness.js";
import { partnerDraft } from "../../helpers/partners.js";
import { command, makeUser, press, text, type TestUser } from "../../helpers/updates.js";

/**
 * Long lists page as /partners does (issue 11): 8 items a page with a «◀️ 2/3 ▶️» row, the same
 * message edited in place, a forged page number shows the nearest page, and no list stops with
 * an «only the first N are shown» note. Pickers inside conversations, /units, /invite, the unit
 * chooser of /staff, a partner's agreements and an agreement's plan, the person responsible for an
 * event, and /newpartner's owner teacher. /staff itself: staff.test.ts.
 */

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

type Lang = "ru" | "en";
const LANGUAGES: Lang[] = ["ru", "en"];

const tr = (lang: Lang, key: string, options: Record<string, unknown> = {}) => h.i18n.fixedT(lang)(key, options);
const last = (user: TestUser) => h.telegram.lastMessageTo(user.id);
const labels = (user: TestUser) => last(user).buttons.map((b) => b.text);
const datas = (user: TestUser) => last(user).buttons.map((b) => b.data);
/** The texts of the buttons whose data starts with `prefix`. */
const itemsOf = (user: TestUser, prefix: string) => last(user).buttons.filter((b) => b.data.startsWith(prefix)).map((b) => b.text);
/** The navigation row, as «◀️», «2/3», «▶️» with their data. */
const navOf = (user: TestUser, pattern: RegExp) => last(user).buttons.filter((b) => pattern.test(b.data)).map((b) => [b.text, b.data]);

const sends = (user: TestUser) => h.telegram.sent("sendMessage").filter((m) => m.chat_id === user.id).length;
const edits = (user: TestUser) =>
  h.telegram.calls.filter((c) => !c.error && /^editMessage/.test(c.method) && c.payload.chat_id === user.id).map((c) => ({
    method: c.method,
    messageId: Number(c.payload.message_id),
  }));

/** Presses `data` under the last message and checks the bot edited that very message, sending none. */
async function turnInPlace(user: TestUser, data: string, method: "editMessageText" | "editMessageReplyMarkup") {
  const before = last(user);
  const sent = sends(user);
  const edited = edits(user).length;
  await h.send(press(user, data, before));
  expect(sends(user)).toBe(sent);
  expect(edits(user).slice(edited)).toEqual([{ method, messageId: before.message_id }]);
  expect(last(user).message_id).toBe(before.message_id);
}

/** No list says it stopped early. */
function expectNoCapNote(user: TestUser) {
  for (const shown of h.telegram.textsTo(user.id)) expect(shown).not.toMatch(/Показаны первые|Showing the first/);
}

/** An admin speaking `lang`: the configured one in Russian, another admin in English. */
async function adminFor(lang: Lang): Promise<{ user: TestUser; row: User }> {
  if (lang === "ru") return { user: h.admin, row: await registered(h, h.admin, "admin") };
  const user = makeUser({ first_name: "Anna", last_name: "Admin", language_code: "en" });
  return { user, row: await registered(h, user, "admin") };
}

let nextTelegramId = 9_000_000;
/** Active staff «Педагог01 Тестова»…, inserted at once; returns their rows in name order. */
async function manyStaff(count: number, unitId: number | null = null): Promise<User[]> {
  const rows = Array.from({ length: count }, (_, i) => ({
    telegramId: nextTelegramId++,
    firstName: `Педагог${String(i + 1).padStart(2, "0")}`,
    lastName: "Тестова",
    role: "staff" as const,
    unitId,
  }));
  return h.database.db.insert(users).values(rows).returning();
}

async function manyDepartments(admin: User, count: number) {
  const made = [];
  for (let i = 1; i <= count; i++) {
    const result = await addUnit(h.database.db, { user: admin, role: "admin" }, { kind: "department", name: `Отдел ${String(i).padStart(2, "0")}` });
    if (!result.ok) throw new Error(result.reason);
    made.push(result.unit);
  }
  return made;
}

describe.each(LANGUAGES)("pickers inside a conversation page (%s)", (lang) => {
  it("the head of a unit: 21 people on three pages, turned in place, a forged page clamped, a pick on page 3 taken", async () => {
    const { user: admin, row } = await adminFor(lang);
    const [dep] = await manyDepartments(row, 1);
    const staff = await manyStaff(20);
    await h.send(command(admin, "units"));
    await h.pressButton(admin, `un:open:${dep!.id}:0`);
    await h.pressButton(admin, `un:head:${dep!.id}:0`);

    const prompt = last(admin);
    expect(prompt.text).toBe(tr(lang, "units.ask_head", { name: "Отдел 01" }));
    // The admin first («Anna»/«Анна» sorts before «Педагог»), then seven of the twenty.
    expect(itemsOf(admin, "ask:pick:")).toEqual([`${row.firstName} ${row.lastName}`, ...staff.slice(0, 7).map((s) => `${s.firstName} Тестова`)]);
    expect(labels(admin)).toEqual([
      ...itemsOf(admin, "ask:pick:"),
      "1/3",
      "▶️",
      tr(lang, "common.back"),
      tr(lang, "common.cancel"),
    ]);
    expect(navOf(admin, /^ask:page:/)).toEqual([
      ["1/3", "ask:page:0"],
      ["▶️", "ask:page:1"],
    ]);

    // The position button redraws nothing: the page already shown is left as it is.
    const before = edits(admin).length;
    await h.pressButton(admin, "ask:page:0");
    expect(edits(admin)).toHaveLength(before);

    await turnInPlace(admin, "ask:page:1", "editMessageReplyMarkup");
    expect(itemsOf(admin, "ask:pick:")).toEqual(staff.slice(7, 15).map((s) => `${s.firstName} Тестова`));
    expect(navOf(admin, /^ask:page:/)).toEqual([
      ["◀️", "ask:page:0"],
      ["2/3", "ask:page:1"],
      ["▶️", "ask:page:2"],
    ]);

    // A forged page number shows the last page, and the picker goes on working.
    await turnInPlace(admin, "ask:page:999999", "editMessageReplyMarkup");
    expect(itemsOf(admin, "ask:pick:")).toEqual(staff.slice(15).map((s) => `${s.firstName} Тестова`));
    expect(navOf(admin, /^ask:page:/)).toEqual([
      ["◀️", "ask:page:1"],
      ["3/3", "ask:page:2"],
    ]);
    expect(last(admin).text).toBe(prompt.text);

    const chosen = staff[17]!;
    await h.pressButton(admin, `ask:pick:${chosen.id}`);
    const [unit] = await h.database.db.select().from(units).where(eq(units.id, dep!.id));
    expect(unit!.headUserId).toBe(chosen.id);
    const card = h.telegram.lastTextTo(admin.id);
    expect(card).toContain(tr(lang, "units.head_set"));
    expect(card).toContain(tr(lang, "units.card_head", { name: "Педагог18 Тестова" }));
    expectNoCapNote(admin);
    h.expectAllCallbacksAnswered();
  });

  it("the person responsible for a plan item: 20 colleagues on three pages, «someone else» under every page", async () => {
    const { row: adminRow } = await adminFor(lang);
    const [dep] = await manyDepartments(adminRow, 1);
    const teacher = makeUser({ first_name: "Мария", last_name: "Петрова", language_code: lang });
    const teacherRow = await registered(h, teacher, "staff", dep!.id);
    const colleagues = await manyStaff(19, dep!.id);
    const actor = { user: teacherRow, role: "staff" as const };
    const partner = await createPartner(h.database.db, actor, partnerDraft({ shortName: "ИГУ", ownerKind: "department", ownerUnitId: dep!.id }));
    const agreement = await addAgreement(
      h.database.db,
      actor,
      { partnerId: partner.id, number: "7", signedOn: "2026-11-20", validFrom: "2026-12-01", validTo: null, subject: "Профориентация", scan: null },
      "2026-12-01",
    );
    if (!agreement.ok) throw new Error(agreement.reason);

    await openPartnerCard(h, teacher, partner.id);
    await h.pressButton(teacher, `ag:list:${partner.id}`);
    await h.pressButton(teacher, `ag:plan:${agreement.agreement.id}`);
    await h.send(text(teacher, "Мастер-класс по робототехнике"));
    await h.pressButton(teacher, "ask:pick:master_class");
    await h.send(text(teacher, "15.03.2027"));

    const prompt = last(teacher);
    expect(prompt.text).toBe(tr(lang, "agreements.plan_ask_responsible"));
    // In name order: «Мария Петрова» sorts before «Педагог…».
    const people = ["Мария Петрова", ...colleagues.map((c) => `${c.firstName} Тестова`)];
    const controls = [tr(lang, "agreements.plan_someone_else"), tr(lang, "common.back"), tr(lang, "ask.skip"), tr(lang, "common.cancel")];
    expect(labels(teacher)).toEqual([...people.slice(0, 8), "1/3", "▶️", ...controls]);

    await turnInPlace(teacher, "ask:page:1", "editMessageReplyMarkup");
    expect(labels(teacher)).toEqual([...people.slice(8, 16), "◀️", "2/3", "▶️", ...controls]);
    await turnInPlace(teacher, "ask:page:2", "editMessageReplyMarkup");
    expect(labels(teacher)).toEqual([...people.slice(16), "◀️", "3/3", ...controls]);
    expect(itemsOf(teacher, "ask:pick:u")).toHaveLength(4);

    // Back to page 1 and forward again by the forged number: the nearest page is the last one.
    await turnInPlace(teacher, "ask:page:0", "editMessageReplyMarkup");
    expect(navOf(teacher, /^ask:page:/).map(([label]) => label)).toEqual(["1/3", "▶️"]);
    await turnInPlace(teacher, "ask:page:999999", "editMessageReplyMarkup");
    expect(navOf(teacher, /^ask:page:/).map(([label]) => label)).toEqual(["◀️", "3/3"]);

    const chosen = colleagues.at(-1)!;
    await h.pressButton(teacher, `ask:pick:u${chosen.id}`);
    expect(h.telegram.lastTextTo(teacher.id)).toContain(lang === "ru" ? "Ответственный: Педагог19 Тестова" : "Responsible: Педагог19 Тестова");
    await h.pressButton(teacher, "ask:pick:confirm");
    const saved = await h.database.db.select().from(planItems);
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({ title: "Мастер-класс по робототехнике", responsibleUserId: chosen.id, responsibleName: null });
    expectNoCapNote(teacher);
    h.expectAllCallbacksAnswered();
  });
});

describe.each(LANGUAGES)("staff pickers of the event form and /newpartner page (%s)", (lang) => {
  const controls = () => [tr(lang, "common.back"), tr(lang, "common.cancel")];

  it("the person responsible for an event: 22 people on three pages, turned in place both ways, a colleague on page 2 saved", async () => {
    const { row: adminRow } = await adminFor(lang);
    const [dep] = await manyDepartments(adminRow, 1);
    const teacher = makeUser({ first_name: "Мария", last_name: "Петрова", language_code: lang });
    const teacherRow = await registered(h, teacher, "staff", dep!.id);
    const colleagues = await manyStaff(20, dep!.id);
    const actor = { user: teacherRow, role: "staff" as const };
    const partner = await createPartner(h.database.db, actor, partnerDraft({ shortName: "ИГУ", ownerKind: "department", ownerUnitId: dep!.id }));

    await openPartnerCard(h, teacher, partner.id);
    await h.pressButton(teacher, `ev:new:${partner.id}`);
    await h.pressButton(teacher, "ask:pick:next");
    await h.pressButton(teacher, "ask:pick:master_class");
    await h.pressButton(teacher, "ask:pick:institutional");
    await h.send(text(teacher, "Мастер-класс по робототехнике"));
    await h.pressButton(teacher, "ask:skip"); // description
    await h.send(text(teacher, "25.12.2026 15:00"));
    await h.pressButton(teacher, "ask:pick:yes");
    await h.pressButton(teacher, "ask:pick:90");
    await h.pressButton(teacher, "ask:skip"); // place
    await h.pressButton(teacher, "ask:skip"); // ages
    await h.pressButton(teacher, "ask:pick:general");
    await h.pressButton(teacher, "ask:done");
    await h.pressButton(teacher, "ask:skip"); // participants

    const prompt = last(teacher);
    expect(prompt.text).toBe(tr(lang, "event_form.ask_responsible"));
    // The proposer first, then in name order: the admin («Anna»/«Анна») before «Педагог…».
    const people = ["Мария Петрова", `${adminRow.firstName} ${adminRow.lastName}`, ...colleagues.map((c) => `${c.firstName} Тестова`)];
    const ids = [teacherRow.id, adminRow.id, ...colleagues.map((c) => c.id)].map((id) => `ask:pick:u${id}`);
    expect(labels(teacher)).toEqual([...people.slice(0, 8), "1/3", "▶️", ...controls()]);
    expect(datas(teacher).slice(0, 8)).toEqual(ids.slice(0, 8));
    expect(navOf(teacher, /^ask:page:/)).toEqual([
      ["1/3", "ask:page:0"],
      ["▶️", "ask:page:1"],
    ]);

    await turnInPlace(teacher, "ask:page:1", "editMessageReplyMarkup");
    expect(labels(teacher)).toEqual([...people.slice(8, 16), "◀️", "2/3", "▶️", ...controls()]);
    expect(datas(teacher).slice(0, 8)).toEqual(ids.slice(8, 16));
    expect(navOf(teacher, /^ask:page:/)).toEqual([
      ["◀️", "ask:page:0"],
      ["2/3", "ask:page:1"],
      ["▶️", "ask:page:2"],
    ]);
    expect(last(teacher).text).toBe(prompt.text);
    // ◀️ brings the first page back and ▶️ the second again, in the same message.
    await turnInPlace(teacher, "ask:page:0", "editMessageReplyMarkup");
    expect(labels(teacher)).toEqual([...people.slice(0, 8), "1/3", "▶️", ...controls()]);
    await turnInPlace(teacher, "ask:page:1", "editMessageReplyMarkup");
    expect(labels(teacher)).toEqual([...people.slice(8, 16), "◀️", "2/3", "▶️", ...controls()]);

    const chosen = colleagues[9]!;
    expect(itemsOf(teacher, "ask:pick:u")).toContain("Педагог10 Тестова");
    await h.pressButton(teacher, `ask:pick:u${chosen.id}`);
    expect(last(teacher).text).toBe(tr(lang, "event_form.ask_unit_own", { unit: "Отдел 01" }));
    await h.pressButton(teacher, `ask:pick:n${dep!.id}`);
    expect(h.telegram.lastTextTo(teacher.id)).toContain(`\n${tr(lang, "event_form.summary_responsible", { name: "Педагог10 Тестова" })}\n`);
    await h.pressButton(teacher, "ask:pick:confirm");
    const saved = await h.database.db.select().from(events);
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({
      title: "Мастер-класс по робототехнике",
      status: "proposed",
      proposedBy: teacherRow.id,
      responsibleUserId: chosen.id,
      ownerUnitId: dep!.id,
    });
    expectNoCapNote(teacher);
    h.expectAllCallbacksAnswered();
  });

  it("/newpartner's owner teacher: 22 people on three pages, turned in place both ways, a teacher on page 2 saved as the owner", async () => {
    const { row: adminRow } = await adminFor(lang);
    const teacher = makeUser({ first_name: "Мария", last_name: "Петрова", language_code: lang });
    const teacherRow = await registered(h, teacher, "staff");
    const colleagues = await manyStaff(20);

    await h.send(command(teacher, "newpartner"));
    await h.send(text(teacher, "Байкальский музей"));
    await h.pressButton(teacher, "ask:skip"); // short name
    await h.pressButton(teacher, "ask:pick:culture_organisation");
    await h.pressButton(teacher, "ask:pick:teacher");

    const prompt = last(teacher);
    expect(prompt.text).toBe(tr(lang, "partners.new.owner_teacher"));
    // In name order: the admin («Anna»/«Анна»), «Мария Петрова», then «Педагог…».
    const people = [`${adminRow.firstName} ${adminRow.lastName}`, "Мария Петрова", ...colleagues.map((c) => `${c.firstName} Тестова`)];
    const ids = [adminRow.id, teacherRow.id, ...colleagues.map((c) => c.id)].map((id) => `ask:pick:${id}`);
    expect(labels(teacher)).toEqual([...people.slice(0, 8), "1/3", "▶️", ...controls()]);
    expect(datas(teacher).slice(0, 8)).toEqual(ids.slice(0, 8));
    expect(navOf(teacher, /^ask:page:/)).toEqual([
      ["1/3", "ask:page:0"],
      ["▶️", "ask:page:1"],
    ]);

    await turnInPlace(teacher, "ask:page:1", "editMessageReplyMarkup");
    expect(labels(teacher)).toEqual([...people.slice(8, 16), "◀️", "2/3", "▶️", ...controls()]);
    expect(datas(teacher).slice(0, 8)).toEqual(ids.slice(8, 16));
    expect(navOf(teacher, /^ask:page:/)).toEqual([
      ["◀️", "ask:page:0"],
      ["2/3", "ask:page:1"],
      ["▶️", "ask:page:2"],
    ]);
    expect(last(teacher).text).toBe(prompt.text);
    await turnInPlace(teacher, "ask:page:0", "editMessageReplyMarkup");
    expect(labels(teacher)).toEqual([...people.slice(0, 8), "1/3", "▶️", ...controls()]);
    await turnInPlace(teacher, "ask:page:1", "editMessageReplyMarkup");
    expect(labels(teacher)).toEqual([...people.slice(8, 16), "◀️", "2/3", "▶️", ...controls()]);

    const chosen = colleagues[10]!;
    expect(itemsOf(teacher, "ask:pick:")).toContain("Педагог11 Тестова");
    await h.pressButton(teacher, `ask:pick:${chosen.id}`);
    await h.pressButton(teacher, "ask:pick:arts");
    await h.pressButton(teacher, "ask:done");
    for (let i = 0; i < 6; i++) await h.pressButton(teacher, "ask:skip"); // website … notes
    const owner = lang === "ru" ? "<b>Ответственный:</b> Педагог11 Тестова (педагог)\n" : "<b>Owner:</b> Педагог11 Тестова (teacher)\n";
    expect(last(teacher).text).toContain(owner);
    await h.pressButton(teacher, "ask:pick:confirm");
    const saved = await h.database.db.select().from(partners);
    expect(saved).toHaveLength(1);
    expect(saved[0]).toMatchObject({
      fullName: "Байкальский музей",
      ownerKind: "teacher",
      ownerUnitId: null,
      ownerUserId: chosen.id,
      createdBy: teacherRow.id,
    });
    expectNoCapNote(teacher);
    h.expectAllCallbacksAnswered();
  });
});

describe.each(LANGUAGES)("lists of units page (%s)", (lang) => {
  it("/units with 30 departments: four pages, edited in place, a forged page clamped, the card returns to its page", async () => {
    const { user: admin, row } = await adminFor(lang);
    const deps = await manyDepartments(row, 30);
    const name = (i: number) => `🏛 ${deps[i]!.name}`;
    await h.send(command(admin, "units"));
    const list = last(admin);
    expect(list.text).toContain(tr(lang, "units.summary", { departments: 30, associations: 0 }));
    expect(labels(admin)).toEqual([
      ...deps.slice(0, 8).map((_, i) => name(i)),
      "1/4",
      "▶️",
      tr(lang, "units.add_department"),
      tr(lang, "units.show_archived"),
    ]);
    expect(navOf(admin, /^un:list:0(:\d+)?$/)).toEqual([
      ["1/4", "un:list:0"],
      ["▶️", "un:list:0:1"],
    ]);

    await turnInPlace(admin, "un:list:0:1", "editMessageText");
    expect(itemsOf(admin, "un:open:")).toEqual(deps.slice(8, 16).map((_, i) => name(i + 8)));
    expect(navOf(admin, /^un:list:0(:\d+)?$/)).toEqual([
      ["◀️", "un:list:0"],
      ["2/4", "un:list:0:1"],
      ["▶️", "un:list:0:2"],
    ]);
    // The page shown pressed again: Telegram refuses an edit that changes nothing, and that is fine.
    const [sent, edited] = [sends(admin), edits(admin).length];
    await h.send(press(admin, "un:list:0:1", last(admin)));
    expect([sends(admin), edits(admin).length]).toEqual([sent, edited]);
    expect(h.telegram.calls.at(-1)!.error).toMatch(/message is not modified/);
    expect(h.logs.filter((line) => line.level >= 50)).toEqual([]);

    await turnInPlace(admin, "un:list:0:999999999", "editMessageText");
    expect(itemsOf(admin, "un:open:")).toEqual(deps.slice(24).map((_, i) => name(i + 24)));
    expect(navOf(admin, /^un:list:0(:\d+)?$/)).toEqual([
      ["◀️", "un:list:0:2"],
      ["4/4", "un:list:0:3"],
    ]);

    await h.pressButton(admin, `un:open:${deps[26]!.id}:0`);
    expect(last(admin).text).toContain("Отдел 27");
    expect(last(admin).buttons.find((b) => b.text === tr(lang, "units.back_to_list"))!.data).toBe("un:list:0:3");
    await h.pressButton(admin, "un:list:0:3");
    expect(navOf(admin, /^un:list:0(:\d+)?$/).map(([label]) => label)).toEqual(["◀️", "4/4"]);
    expectNoCapNote(admin);
    h.expectAllCallbacksAnswered();
  });

  it("the unit chooser of a /staff card pages through 30 units and puts the person on page 4 into a unit there", async () => {
    const { user: admin, row } = await adminFor(lang);
    const deps = await manyDepartments(row, 30);
    const [person] = await manyStaff(1);
    await h.send(command(admin, "staff"));
    await h.pressButton(admin, `staff:open:${person!.id}:0`);
    await h.pressButton(admin, `un:setuser:${person!.id}`);
    const controls = [tr(lang, "units.no_unit"), tr(lang, "common.back")];
    expect(labels(admin)).toEqual([...deps.slice(0, 8).map((d) => `🏛 ${d.name}`), "1/4", "▶️", ...controls]);
    expect(navOf(admin, /^un:setuser:/)).toEqual([
      ["1/4", `un:setuser:${person!.id}:0`],
      ["▶️", `un:setuser:${person!.id}:1`],
    ]);
    await turnInPlace(admin, `un:setuser:${person!.id}:1`, "editMessageText");
    expect(labels(admin)).toEqual([...deps.slice(8, 16).map((d) => `🏛 ${d.name}`), "◀️", "2/4", "▶️", ...controls]);
    await turnInPlace(admin, `un:setuser:${person!.id}:999999999`, "editMessageText");
    expect(labels(admin)).toEqual([...deps.slice(24).map((d) => `🏛 ${d.name}`), "◀️", "4/4", ...controls]);
    await h.pressButton(admin, `un:putuser:${person!.id}:${deps[29]!.id}`);
    const [stored] = await h.database.db.select().from(users).where(eq(users.id, person!.id));
    expect(stored!.unitId).toBe(deps[29]!.id);
    expect(h.telegram.lastTextTo(admin.id)).toContain("Отдел 30");
    h.expectAllCallbacksAnswered();
  });

  it("/invite pages through 30 units at the unit step and takes a unit from the last page", async () => {
    const { user: admin, row } = await adminFor(lang);
    const deps = await manyDepartments(row, 30);
    await h.send(command(admin, "invite"));
    await h.pressButton(admin, "invite:role:staff");
    expect(last(admin).text).toBe(tr(lang, "invite.choose_unit", { role: tr(lang, "roles.staff") }));
    const controls = [tr(lang, "invite.no_unit"), tr(lang, "common.back"), tr(lang, "common.cancel")];
    expect(labels(admin)).toEqual([...deps.slice(0, 8).map((d) => d.name), "1/4", "▶️", ...controls]);
    await turnInPlace(admin, "invite:page:1", "editMessageText");
    expect(labels(admin)).toEqual([...deps.slice(8, 16).map((d) => d.name), "◀️", "2/4", "▶️", ...controls]);
    expect(navOf(admin, /^invite:page:/)).toEqual([
      ["◀️", "invite:page:0"],
      ["2/4", "invite:page:1"],
      ["▶️", "invite:page:2"],
    ]);
    await turnInPlace(admin, "invite:page:999999", "editMessageText");
    expect(labels(admin)).toEqual([...deps.slice(24).map((d) => d.name), "◀️", "4/4", ...controls]);
    await h.pressButton(admin, `invite:unit:${deps[28]!.id}`);
    expect(last(admin).text).toBe(tr(lang, "invite.confirm", { role: tr(lang, "roles.staff"), unit: "Отдел 29" }));
    expectNoCapNote(admin);
    h.expectAllCallbacksAnswered();
  });
});

describe.each(LANGUAGES)("a partner's agreements and plans page (%s)", (lang) => {
  async function partnerWith(agreementCount: number, numberOf = (i: number) => String(i)) {
    const { row: adminRow } = await adminFor(lang);
    const [dep] = await manyDepartments(adminRow, 1);
    const teacher = makeUser({ first_name: "Мария", last_name: "Петрова", language_code: lang });
    const teacherRow = await registered(h, teacher, "staff", dep!.id);
    const actor = { user: teacherRow, role: "staff" as const };
    const partner = await createPartner(h.database.db, actor, partnerDraft({ shortName: "ИГУ", ownerKind: "department", ownerUnitId: dep!.id }));
    const made = [];
    for (let i = 1; i <= agreementCount; i++) {
      const signedOn = `2026-${String(i).padStart(2, "0")}-01`;
      const draft = { partnerId: partner.id, number: numberOf(i), signedOn, validFrom: signedOn, validTo: null, subject: `Предмет ${i}`, scan: null };
      const result = await addAgreement(h.database.db, actor, draft, "2026-12-01");
      if (!result.ok) throw new Error(result.reason);
      made.push(result.agreement);
    }
    return { teacher, actor, partner, agreements: made };
  }

  it("12 agreements: three pages of five, edited in place, a forged page clamped", async () => {
    const { teacher, partner, agreements } = await partnerWith(12);
    // Latest signed first: № 12 … № 1.
    const newestFirst = [...agreements].reverse();
    const planButton = (n: string) => tr(lang, "agreements.plan_button", { number: n });
    const tail = [tr(lang, "agreements.add"), tr(lang, "agreements.back_to_card")];
    await openPartnerCard(h, teacher, partner.id);
    await h.pressButton(teacher, `ag:list:${partner.id}`);
    const list = last(teacher);
    expect(list.text.startsWith(tr(lang, "agreements.list_title", { name: "ИГУ" }))).toBe(true);
    expect(list.text).toContain("12</b>");
    expect(list.text).not.toContain("7</b>");
    expect(labels(teacher)).toEqual([...newestFirst.slice(0, 5).map((a) => planButton(a.number)), "1/3", "▶️", ...tail]);
    expect(navOf(teacher, /^ag:list:\d+:\d+$/)).toEqual([
      ["1/3", `ag:list:${partner.id}:0`],
      ["▶️", `ag:list:${partner.id}:1`],
    ]);

    await turnInPlace(teacher, `ag:list:${partner.id}:1`, "editMessageText");
    expect(labels(teacher)).toEqual([...newestFirst.slice(5, 10).map((a) => planButton(a.number)), "◀️", "2/3", "▶️", ...tail]);
    expect(last(teacher).text).toContain("7</b>");
    expect(last(teacher).text).not.toContain("12</b>");

    await turnInPlace(teacher, `ag:list:${partner.id}:99999`, "editMessageText");
    expect(labels(teacher)).toEqual([...newestFirst.slice(10).map((a) => planButton(a.number)), "◀️", "3/3", ...tail]);
    expect(navOf(teacher, /^ag:list:\d+:\d+$/)).toEqual([
      ["◀️", `ag:list:${partner.id}:1`],
      ["3/3", `ag:list:${partner.id}:2`],
    ]);
    expectNoCapNote(teacher);
    h.expectAllCallbacksAnswered();
  });

  it("a plan of 30 items opens on its own, eight a page, and Back returns to the agreements", async () => {
    // A long number: the buttons shorten it to fit a phone, the text keeps it whole.
    const number = "2026-ПР-000123";
    const { teacher, actor, partner, agreements } = await partnerWith(1, () => number);
    const agreement = agreements[0]!;
    const items = [];
    for (let i = 1; i <= 30; i++) {
      const result = await addPlanItem(h.database.db, actor, {
        agreementId: agreement.id,
        title: `Мастер-класс по робототехнике № ${i}`,
        format: "master_class",
        plannedOn: `2027-01-${String(i).padStart(2, "0")}`,
        plannedMonthOnly: false,
        responsibleUserId: null,
        responsibleName: null,
      });
      if (!result.ok) throw new Error(result.reason);
      items.push(result.planItem);
    }
    await openPartnerCard(h, teacher, partner.id);
    await h.pressButton(teacher, `ag:list:${partner.id}`);
    // Too long to list under the agreement: a count and a button that opens it.
    expect(last(teacher).text).toContain(tr(lang, "agreements.list_plan_count", { count: 30, number: "2026-ПР-000…" }));
    expect(last(teacher).text).not.toContain("Мастер-класс по робототехнике № 1 (");
    const planButton = lang === "ru" ? "➕ План к № 2026-ПР-000…" : "➕ Plan for No. 2026-ПР-…";
    const openButton = lang === "ru" ? "📋 План № 2026-ПР-000…" : "📋 Plan No. 2026-ПР-000…";
    expect(labels(teacher)).toEqual([planButton, openButton, tr(lang, "agreements.add"), tr(lang, "agreements.back_to_card")]);
    await turnInPlace(teacher, `ag:items:${agreement.id}:0:0`, "editMessageText");

    // «📅 Мастер-класс по робот…»: the title shortened so that the label fits a phone.
    const label = "📅 Мастер-класс по робот…";
    const tail = [planButton, tr(lang, "agreements.back_to_list")];
    const view = last(teacher);
    expect(view.text.startsWith(tr(lang, "agreements.plan_view_title", { name: "ИГУ", number, signed: "01.01.2026" }))).toBe(true);
    expect(view.text).toContain("Мастер-класс по робототехнике № 8 (");
    expect(view.text).not.toContain("Мастер-класс по робототехнике № 9 (");
    expect(labels(teacher)).toEqual([...Array<string>(8).fill(label), "1/4", "▶️", ...tail]);
    expect(datas(teacher).slice(0, 8)).toEqual(items.slice(0, 8).map((item) => `ev:plan:${item.id}`));
    expect(navOf(teacher, /^ag:items:/)).toEqual([
      ["1/4", `ag:items:${agreement.id}:0:0`],
      ["▶️", `ag:items:${agreement.id}:1:0`],
    ]);

    await turnInPlace(teacher, `ag:items:${agreement.id}:1:0`, "editMessageText");
    expect(datas(teacher).slice(0, 8)).toEqual(items.slice(8, 16).map((item) => `ev:plan:${item.id}`));
    expect(navOf(teacher, /^ag:items:/).map(([text]) => text)).toEqual(["◀️", "2/4", "▶️"]);
    expect(last(teacher).text).toContain("Мастер-класс по робототехнике № 9 (");

    await turnInPlace(teacher, `ag:items:${agreement.id}:99999:0`, "editMessageText");
    expect(itemsOf(teacher, "ev:plan:")).toHaveLength(6);
    expect(datas(teacher).slice(0, 6)).toEqual(items.slice(24).map((item) => `ev:plan:${item.id}`));
    expect(navOf(teacher, /^ag:items:/)).toEqual([
      ["◀️", `ag:items:${agreement.id}:2:0`],
      ["4/4", `ag:items:${agreement.id}:3:0`],
    ]);
    expect(last(teacher).text).toContain("Мастер-класс по робототехнике № 30 (");

    await turnInPlace(teacher, `ag:list:${partner.id}:0`, "editMessageText");
    expect(last(teacher).text.startsWith(tr(lang, "agreements.list_title", { name: "ИГУ" }))).toBe(true);
    expectNoCapNote(teacher);
    h.expectAllCallbacksAnswered();
  });
});
