import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { agreements, planItems } from "../../../src/partners/domain/schema.js";
import { auditLog } from "../../../src/core/audit-schema.js";
import { addAgreement } from "../../../src/partners/domain/agreements.js";
import { createPartner } from "../../../src/partners/domain/partners.js";
import { addDepartment, hugeDocument, openPartnerCard, registered } from "../../helpers/bot-people.js";
import { createHarness, type Harness } from "../../helpers/harness.js";
import { partnerDraft } from "../../helpers/partners.js";
import { makeUser, photo, press, text, type TestUser } from "../../helpers/updates.js";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

const last = (user: TestUser) => h.telegram.lastMessageTo(user.id);
const say = (user: TestUser, body: string) => h.send(text(user, body));

async function teacherWithPartner(language: "ru" | "en" = "ru") {
  const unitId = await addDepartment(h.database.db, "Отдел техники");
  const teacher = makeUser({ first_name: "Мария", last_name: "Петрова", language_code: language });
  const row = await registered(h, teacher, "staff", unitId);
  const colleague = makeUser({ first_name: "Олег", last_name: "Сидоров" });
  const colleagueRow = await registered(h, colleague, "staff", unitId);
  const university = partnerDraft({
    fullName: "Иркутский государственный университет",
    shortName: "ИГУ",
    type: "university",
    ownerKind: "department",
    ownerUnitId: unitId,
  });
  const partner = await createPartner(h.database.db, { user: row, role: "staff" }, university);
  await openPartnerCard(h, teacher, partner.id);
  return { teacher, row, colleagueRow, partner };
}

describe("agreements", () => {
  it("records an agreement with a scan in Russian, re-asking wrong dates, then a plan item for a month", async () => {
    const { teacher, partner, row, colleagueRow } = await teacherWithPartner();
    await h.pressButton(teacher, `ag:list:${partner.id}`);
    expect(last(teacher).text).toContain("Договоров пока нет.");
    await h.pressButton(teacher, `ag:add:${partner.id}`);
    expect(last(teacher).text).toContain("<b>Новый договор о сотрудничестве</b> — ИГУ");
    await say(teacher, "12/2026");
    await say(teacher, "05.12.2026");
    expect(h.telegram.textsTo(teacher.id).slice(-2)).toEqual([
      "Дата подписания не может быть позже сегодняшнего дня (01.12.2026). Проверьте, пожалуйста, дату.",
      "Когда договор подписан? Напишите дату в виде ДД.ММ.ГГГГ, например 01.12.2026.",
    ]);
    await say(teacher, "31.02.2026");
    expect(h.telegram.lastTextTo(teacher.id)).toContain("Такой даты нет");
    await say(teacher, "20.11.2026");
    await say(teacher, "01.12.2026");
    expect(last(teacher).buttons.map((b) => b.text)).toContain("Пропустить ›");
    await say(teacher, "30.11.2026");
    expect(h.telegram.textsTo(teacher.id).at(-2)).toContain("не может закончиться раньше, чем начнёт действовать (01.12.2026)");
    await say(teacher, "31.08.2027");
    await say(teacher, "Совместная работа по профориентации школьников 15–17 лет");
    await h.send(hugeDocument(teacher));
    expect(h.telegram.lastTextTo(teacher.id)).toContain("Файл слишком большой");
    await h.send(photo(teacher));
    const summary = last(teacher).text;
    expect(summary).toContain("Договор № 12/2026 от 20.11.2026");
    expect(summary).toContain("Срок действия: с 01.12.2026 по 31.08.2027");
    expect(summary).toContain("Скан: приложен");
    await h.pressButton(teacher, "ask:pick:confirm");

    // One short confirmation, not the card again; the card is a button away.
    expect(h.telegram.textsTo(teacher.id).at(-2)).toBe(summary);
    expect(last(teacher).text).toBe("✅ Договор № 12/2026 сохранён. Теперь к нему можно добавить план совместных мероприятий.");
    await h.pressButton(teacher, `pc:open:${partner.id}`);
    expect(last(teacher).text).toContain("<b>Договоры</b>\n• № 12/2026 от 20.11.2026, действует до 31.08.2027; пунктов плана: 0");
    const [agreement] = await h.database.db.select().from(agreements);
    expect(agreement).toMatchObject({ number: "12/2026", signedOn: "2026-11-20", validTo: "2027-08-31", scanFileId: "AgACAgIAAx", scanFileKind: "photo", createdBy: row.id });

    await h.send(press(teacher, `ag:plan:${agreement!.id}`, h.telegram.lastMessageTo(teacher.id)));
    expect(last(teacher).text).toContain("<b>Пункт плана</b> к договору № 12/2026 (ИГУ)");
    await say(teacher, "Мастер-класс по робототехнике");
    expect(last(teacher).buttons.map((b) => b.text)).toContain("Встреча: интересные люди");
    await h.pressButton(teacher, "ask:pick:master_class");
    await say(teacher, "13.2027");
    expect(h.telegram.lastTextTo(teacher.id)).toContain("Напишите месяц в виде ММ.ГГГГ");
    await say(teacher, "03.2027");
    expect(last(teacher).buttons.map((b) => b.text)).toEqual(["Мария Петрова", "Олег Сидоров", "✍️ Другой человек", "« Назад", "Пропустить ›", "Отмена"]);
    await h.pressButton(teacher, `ask:pick:u${colleagueRow.id}`);
    expect(last(teacher).text).toContain("Когда: март 2027 г.\nОтветственный: Олег Сидоров");
    await h.pressButton(teacher, "ask:pick:confirm");
    expect(last(teacher).text).toBe("✅ Пункт плана добавлен к договору № 12/2026.");
    expect(last(teacher).buttons.map((b) => b.data)).toEqual([`ag:plan:${agreement!.id}`, `ag:list:${partner.id}`, `pc:open:${partner.id}`]);
    await h.pressButton(teacher, `pc:open:${partner.id}`);
    expect(last(teacher).text).toContain("пунктов плана: 1");
    const [item] = await h.database.db.select().from(planItems);
    expect(item).toMatchObject({ format: "master_class", plannedOn: "2027-03-01", plannedMonthOnly: true, responsibleUserId: colleagueRow.id });

    await h.pressButton(teacher, `ag:list:${partner.id}`);
    const list = last(teacher).text;
    expect(list).toContain("<b>№ 12/2026</b> от 20.11.2026\nСрок действия: с 01.12.2026 по 31.08.2027");
    expect(list).toContain("• март 2027 г. — Мастер-класс по робототехнике (Мастер-класс); ответственный: Олег Сидоров");
    await h.pressButton(teacher, `ag:scan:${agreement!.id}`);
    expect(h.telegram.sent("sendPhoto").at(-1)).toMatchObject({ photo: "AgACAgIAAx", caption: "Договор № 12/2026 от 20.11.2026 — ИГУ" });
    const actions = (await h.database.db.select().from(auditLog)).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(["agreement.added", "plan_item.added"]));
    h.expectAllCallbacksAnswered();
  });

  it("speaks English: an open-ended agreement without a scan, a dated plan item with someone else in charge", async () => {
    const { teacher, partner } = await teacherWithPartner("en");
    await h.pressButton(teacher, `ag:list:${partner.id}`);
    await h.pressButton(teacher, `ag:add:${partner.id}`);
    await say(teacher, "7-П");
    await say(teacher, "01.12.2026");
    await say(teacher, "01.12.2026");
    expect(last(teacher).text).toContain("If the agreement is open-ended, press Skip.");
    await h.pressButton(teacher, "ask:skip");
    await say(teacher, "Joint contests & exhibitions");
    await h.pressButton(teacher, "ask:skip");
    expect(last(teacher).text).toContain("In force: from 01.12.2026, open-ended\nScan: none\n\nSubject: Joint contests &amp; exhibitions");
    await h.pressButton(teacher, "ask:pick:confirm");
    expect(last(teacher).text).toBe("✅ Agreement No. 7-П is saved. You can now add its plan of joint events.");
    expect(last(teacher).buttons.map((b) => b.text)).toEqual(["➕ Add a plan item", "« Back to the card"]);
    await h.pressButton(teacher, last(teacher).buttons[0]!.data);
    await say(teacher, "Excursion to the physics lab");
    await h.pressButton(teacher, "ask:pick:excursion");
    await say(teacher, "31.02.2027");
    expect(h.telegram.lastTextTo(teacher.id)).toContain("There is no such date");
    await say(teacher, "15.03.2027");
    await h.pressButton(teacher, "ask:pick:other");
    await say(teacher, "Prof. Ivanov (ISU)");
    expect(last(teacher).text).toContain("Format: Excursion\nWhen: 15.03.2027\nResponsible: Prof. Ivanov (ISU)");
    await h.pressButton(teacher, "ask:pick:confirm");
    await h.pressButton(teacher, `ag:list:${partner.id}`);
    const list = last(teacher);
    expect(list.text).toContain("In force: from 01.12.2026, open-ended");
    expect(list.text).toContain("• 15.03.2027 — Excursion to the physics lab (Excursion); responsible: Prof. Ivanov (ISU)");
    expect(list.buttons.map((b) => b.text)).toEqual(["➕ Plan for No. 7-П", "📅 Excursion to the phys…", "➕ Add an agreement", "« Back to the card"]);
    const [agreement] = await h.database.db.select().from(agreements);
    expect(agreement!.validTo).toBeNull();
    h.expectAllCallbacksAnswered();
  });

  it("refuses staff of another unit, forged buttons included, but lets them read the plan", async () => {
    const { partner, row } = await teacherWithPartner();
    const added = await addAgreement(
      h.database.db,
      { user: row, role: "staff" },
      { partnerId: partner.id, number: "1", signedOn: "2026-11-01", validFrom: "2026-11-01", validTo: null, subject: "Сотрудничество", scan: { fileId: "BQAC-scan", kind: "document" } },
      "2026-12-01",
    );
    if (!added.ok) throw new Error(added.reason);
    const stranger = makeUser({ language_code: "en" });
    await registered(h, stranger, "staff", await addDepartment(h.database.db, "Отдел искусств"));
    await openPartnerCard(h, stranger, partner.id);
    await h.pressButton(stranger, `ag:list:${partner.id}`);
    const list = last(stranger);
    expect(list.buttons.map((b) => b.data)).toEqual([`ag:scan:${added.agreement.id}`, `pc:open:${partner.id}`]);
    for (const data of [`ag:add:${partner.id}`, `ag:plan:${added.agreement.id}`]) {
      await h.send(press(stranger, data, list));
      expect(h.telegram.sent("answerCallbackQuery").at(-1)).toMatchObject({ text: "This action isn't available to you.", show_alert: true });
    }
    await say(stranger, "12/2026");
    expect(h.telegram.lastTextTo(stranger.id)).toContain("I understand commands and buttons");
    await h.send(press(stranger, `ag:scan:${added.agreement.id}`, list));
    expect(h.telegram.sent("sendDocument").at(-1)).toMatchObject({ chat_id: stranger.id, document: "BQAC-scan" });
    expect(await h.database.db.select().from(agreements)).toHaveLength(1);
    expect(await h.database.db.select().from(planItems)).toHaveLength(0);
    h.expectAllCallbacksAnswered();
  });
});
