import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { partners, stageChanges } from "../../src/partners/domain/schema.js";
import { units } from "../../src/core/access/units-schema.js";
import { createPartner } from "../../src/partners/domain/partners.js";
import { registered as registerAs } from "../helpers/bot-people.js";
import { partnerDraft } from "../helpers/partners.js";
import { createHarness, type Harness } from "../helpers/harness.js";
import { command, makeUser, press, sticker, text } from "../helpers/updates.js";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

type TestUser = ReturnType<typeof makeUser>;

const registered = (user: TestUser, role: "admin" | "staff" | "guest", unitId: number | null = null) => registerAs(h, user, role, unitId);

const draft = partnerDraft;

const last = (user: TestUser) => h.telegram.lastMessageTo(user.id);
const say = (user: TestUser, body: string) => h.send(text(user, body));

describe("/newpartner", () => {
  it("registers a partner step by step in Russian, re-asking bad answers, and shows the card", async () => {
    const teacher = makeUser({ language_code: "ru" });
    const [unit] = await h.database.db.insert(units).values({ kind: "department", name: "Отдел техники" }).returning();
    await registered(teacher, "staff", unit!.id);

    await h.send(command(teacher, "newpartner"));
    expect(last(teacher).text).toContain("Напишите полное название организации");
    await say(teacher, "Ш");
    expect(h.telegram.lastTextTo(teacher.id)).toBe("Слишком коротко. Попробуйте ещё раз.");
    await say(teacher, "Ш".repeat(1000));
    expect(h.telegram.lastTextTo(teacher.id)).toContain("Слишком длинно");
    await say(teacher, "🎉🎉🎉");
    expect(h.telegram.lastTextTo(teacher.id)).toContain("нужны буквы или цифры");
    await h.send(sticker(teacher));
    expect(h.telegram.lastTextTo(teacher.id)).toContain("отправьте ответ текстом");
    await say(teacher, "Иркутский государственный университет");
    await h.pressButton(teacher, "ask:skip"); // no short name
    await h.pressButton(teacher, "ask:pick:university");
    expect(last(teacher).buttons[0]!.text).toBe("⭐ Отдел техники");
    await h.pressButton(teacher, "ask:pick:mine");
    await h.pressButton(teacher, "ask:pick:natural_science");
    await h.pressButton(teacher, "ask:pick:social_humanitarian");
    expect(last(teacher).buttons.filter((b) => b.text.startsWith("✅")).map((b) => b.text)).toEqual([
      "✅ Естественнонаучная",
      "✅ Социально-гуманитарная",
    ]);
    await h.pressButton(teacher, "ask:done");
    await say(teacher, "isu.ru");
    await h.pressButton(teacher, "ask:skip"); // address
    await say(teacher, "3808013277");
    expect(h.telegram.lastTextTo(teacher.id)).toContain("ИНН не прошёл проверку");
    await say(teacher, "3808013278");
    await say(teacher, "Профориентация старшеклассников");
    await h.pressButton(teacher, "ask:back");
    expect(last(teacher).text).toContain("Зачем нам этот партнёр?");
    await say(teacher, "Профориентация школьников 15–17 лет");
    await say(teacher, "Лекции и экскурсии в лаборатории");
    await h.pressButton(teacher, "ask:skip"); // notes

    const summary = last(teacher);
    expect(summary.text).toContain("<b>Полное название:</b> Иркутский государственный университет");
    expect(summary.text).toContain("<b>Ответственный:</b> Отдел техники (отдел)");
    expect(summary.text).toContain("<b>Сайт:</b> https://isu.ru");
    await h.pressButton(teacher, "ask:pick:confirm");
    expect(h.telegram.lastTextTo(teacher.id)).toBe("Партнёр сохранён.");

    const [saved] = await h.database.db.select().from(partners);
    expect(saved).toMatchObject({
      fullName: "Иркутский государственный университет",
      shortName: null,
      type: "university",
      ownerKind: "department",
      ownerUnitId: unit!.id,
      focuses: ["natural_science", "social_humanitarian"],
      inn: "3808013278",
      motivation: "Профориентация школьников 15–17 лет",
      stage: "preparatory",
    });
    await h.pressButton(teacher, `pc:open:${saved!.id}`);
    const card = last(teacher);
    expect(card.text).toContain("<b>Иркутский государственный университет</b>");
    expect(card.text).toContain("Этап: <b>Подготовительный</b>");
    expect(card.text).toContain("✅ мотивация и задачи сформулированы");
    expect(card.text).toContain("💡 Можно переходить на этап «Организационный»: мотивация и задачи сформулированы. Пока отмечены не все пункты чек-листа.");
    expect(card.buttons.map((b) => b.data)).toContain(`st:menu:${saved!.id}`);
    h.expectAllCallbacksAnswered();
  });

  it("shows partners with similar names before saving and opens the existing one, in English", async () => {
    const admin = await registered(h.admin, "admin");
    const existing = await createPartner(h.database.db, { user: admin, role: "admin" }, draft());
    await h.send(command(h.admin, "lang"));
    await h.pressButton(h.admin, "lang:en");
    await h.send(command(h.admin, "newpartner"));
    await say(h.admin, "МБОУ г. Иркутска школа 5");
    await say(h.admin, "школа 5");
    const offer = last(h.admin);
    expect(offer.text).toContain("Similar partners are already in the registry");
    expect(offer.text).toContain("Средняя общеобразовательная школа № 5");
    await h.pressButton(h.admin, `ask:pick:open-${existing.id}`);
    // The form ends and the existing partner's card opens at once.
    expect(last(h.admin).text).toContain("Stage: <b>Preparatory</b>");
    expect(last(h.admin).buttons.map((b) => b.data)).toContain(`pc:edit:${existing.id}`);
    expect(await h.database.db.select().from(partners)).toHaveLength(1);
    h.expectAllCallbacksAnswered();
  });

  it("is refused to guests", async () => {
    const guest = makeUser();
    await h.send(command(guest, "newpartner"));
    expect(h.telegram.lastTextTo(guest.id)).toContain("Эта команда доступна только после подключения к боту");
    await h.send(command(guest, "partners"));
    expect(h.telegram.lastTextTo(guest.id)).toContain("Эта команда доступна только после подключения к боту");
  });
});

describe("stages", () => {
  it("moves a partnership to another stage with a comment, refusing staff of other units and forged buttons", async () => {
    const [mine] = await h.database.db.insert(units).values({ kind: "department", name: "Мой отдел" }).returning();
    const [theirs] = await h.database.db.insert(units).values({ kind: "department", name: "Чужой отдел" }).returning();
    const owner = makeUser({ language_code: "en" });
    const ownerRow = await registered(owner, "staff", mine!.id);
    const other = makeUser();
    await registered(other, "staff", theirs!.id);
    const partner = await createPartner(h.database.db, { user: ownerRow, role: "staff" }, draft({ ownerKind: "department", ownerUnitId: mine!.id }));

    await h.send(command(owner, "partners"));
    await h.pressButton(owner, `pc:open:${partner.id}`);
    await h.pressButton(owner, `st:menu:${partner.id}`);
    await h.pressButton(owner, `st:to:${partner.id}:organisational`);
    expect(last(owner).text).toContain("why is the stage changing?");
    await say(owner, "Agreement drafted together");
    expect(h.telegram.lastTextTo(owner.id)).toBe("Stage changed: “Preparatory” → “Organisational”.");
    await h.pressButton(owner, `pc:open:${partner.id}`);
    await h.pressButton(owner, `pc:history:${partner.id}`);
    expect(last(owner).text).toContain("Preparatory → Organisational");
    expect(last(owner).text).toContain("): “Agreement drafted together”");

    // Another unit's teacher reads the card but gets no edit buttons, and forged ones are refused.
    await h.send(command(other, "partners"));
    await h.pressButton(other, `pc:open:${partner.id}`);
    expect(last(other).buttons.map((b) => b.data)).not.toContain(`st:menu:${partner.id}`);
    await h.send(press(other, `st:to:${partner.id}:archived`, last(other)));
    expect(h.telegram.sent("answerCallbackQuery").at(-1)).toMatchObject({ text: "Это действие вам недоступно.", show_alert: true });
    const [row] = await h.database.db.select().from(partners).where(eq(partners.id, partner.id));
    expect(row!.stage).toBe("organisational");
    expect(await h.database.db.select().from(stageChanges)).toHaveLength(2);
    h.expectAllCallbacksAnswered();
  });
});

describe("editing a partner", () => {
  it("changes one field from the card and audits it; archived partners leave the default list", async () => {
    const admin = await registered(h.admin, "admin");
    const partner = await createPartner(h.database.db, { user: admin, role: "admin" }, draft());
    await h.send(command(h.admin, "partners"));
    await h.pressButton(h.admin, `pc:open:${partner.id}`);
    await h.pressButton(h.admin, `pc:edit:${partner.id}`);
    expect(last(h.admin).text).toContain("Что изменить в карточке «СОШ № 5»?");
    await h.pressButton(h.admin, "ask:pick:website");
    await say(h.admin, "not a site");
    expect(h.telegram.lastTextTo(h.admin.id)).toContain("Не похоже на адрес сайта");
    await say(h.admin, "school5.ru");
    expect(h.telegram.lastTextTo(h.admin.id)).toBe("Изменения сохранены.");
    await h.pressButton(h.admin, `pc:open:${partner.id}`);
    expect(last(h.admin).text).toContain("Сайт: https://school5.ru");

    await h.pressButton(h.admin, `st:menu:${partner.id}`);
    await h.pressButton(h.admin, `st:to:${partner.id}:archived`);
    await say(h.admin, "Сотрудничество завершено");
    await h.send(command(h.admin, "partners"));
    expect(last(h.admin).text).toContain("Ничего не найдено");
    await h.pressButton(h.admin, "pl:f:stage");
    await h.pressButton(h.admin, "pl:set:stage:archived");
    expect(last(h.admin).buttons.map((b) => b.text)).toContain("🗄 СОШ № 5");
    h.expectAllCallbacksAnswered();
  });
});

describe("hints", () => {
  it("carry working buttons: Skip pressed under a hint skips the step", async () => {
    await registered(h.admin, "admin");
    await h.send(command(h.admin, "newpartner"));
    await say(h.admin, "Колледж связи");
    await say(h.admin, "🙂");
    expect(last(h.admin).text).toContain("нужны буквы или цифры");
    await h.pressButton(h.admin, "ask:skip");
    expect(last(h.admin).text).toContain("Тип организации");
    h.expectAllCallbacksAnswered();
  });
});

describe("/partners", () => {
  it("lists, filters and searches, edited in place", async () => {
    const admin = await registered(h.admin, "admin");
    const actor = { user: admin, role: "admin" as const };
    await createPartner(h.database.db, actor, draft());
    await createPartner(h.database.db, actor, draft({ fullName: "Иркутский государственный университет", shortName: "ИГУ", type: "university" }));
    await createPartner(h.database.db, actor, draft({ fullName: "Музей истории города Иркутска", shortName: null, type: "culture_organisation", focuses: ["arts"] }));
    await h.send(command(h.admin, "partners"));
    const list = last(h.admin);
    expect(list.text).toContain("<b>Партнёры</b> — 3 организации");
    expect(list.buttons.filter((b) => b.data.startsWith("pc:open:"))).toHaveLength(3);

    await h.pressButton(h.admin, "pl:f:type");
    await h.pressButton(h.admin, "pl:set:type:university");
    expect(last(h.admin).text).toContain("Фильтры: Вуз");
    expect(last(h.admin).buttons.filter((b) => b.data.startsWith("pc:open:")).map((b) => b.text)).toEqual(["🌱 ИГУ"]);
    await h.pressButton(h.admin, "pl:reset");
    await h.pressButton(h.admin, "pl:search");
    await say(h.admin, "музей");
    expect(last(h.admin).text).toContain("<b>Партнёры</b> — 1 организация");
    expect(last(h.admin).text).toContain("поиск «музей»");
    h.expectAllCallbacksAnswered();
  });
});
