import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { auditLog } from "../../../src/core/audit-schema.js";
import { interactions } from "../../../src/partners/domain/schema.js";
import { addInteraction } from "../../../src/partners/domain/interactions.js";
import { createPartner } from "../../../src/partners/domain/partners.js";
import { addDepartment, hugeDocument, openPartnerCard, registered } from "../../helpers/bot-people.js";
import { createHarness, type Harness } from "../../helpers/harness.js";
import { partnerDraft } from "../../helpers/partners.js";
import { documentMessage, makeUser, photo, press, text, type TestUser } from "../../helpers/updates.js";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

/** A teacher of the owning department and the partner they answer for, with the card open. */
async function teacherWithPartner(language: "ru" | "en" = "ru") {
  const unitId = await addDepartment(h.database.db, "Отдел техники");
  const teacher = makeUser({ first_name: "Мария", last_name: "Петрова", language_code: language });
  const row = await registered(h, teacher, "staff", unitId);
  const school = partnerDraft({ ownerKind: "department", ownerUnitId: unitId });
  const partner = await createPartner(h.database.db, { user: row, role: "staff" }, school);
  await openPartnerCard(h, teacher, partner.id);
  return { teacher, row, partner, unitId };
}

const last = (user: TestUser) => h.telegram.lastMessageTo(user.id);
const say = (user: TestUser, body: string) => h.send(text(user, body));

describe("logging an interaction", () => {
  it("walks through kind, date, text and a photo in Russian, refusing 31.02 and a 60 MB file, then shows the card", async () => {
    const { teacher, partner } = await teacherWithPartner();
    expect(last(teacher).text).toContain("Взаимодействий пока нет.");
    await h.pressButton(teacher, `ix:add:${partner.id}`);
    expect(last(teacher).text).toContain("<b>Новое взаимодействие</b> — СОШ № 5");
    expect(last(teacher).buttons.map((b) => b.text)).toContain("Согласование позиций");
    await h.pressButton(teacher, "ask:pick:agreeing_positions");
    expect(last(teacher).text).toContain("(сегодня 01.12.2026)");
    await say(teacher, "31.02.2026");
    expect(h.telegram.lastTextTo(teacher.id)).toContain("Такой даты нет");
    await say(teacher, "28.11.2026");
    await say(teacher, "Обсудили <план> мастер-классов & экскурсий");
    expect(last(teacher).text).toContain("Если есть документ или фотография");
    await h.send(hugeDocument(teacher));
    expect(h.telegram.lastTextTo(teacher.id)).toBe(
      "Файл слишком большой: я принимаю файлы до 20 МБ. Отправьте, пожалуйста, файл поменьше или сжатый скан.",
    );
    await h.send(photo(teacher));

    const summary = last(teacher).text;
    expect(summary).toContain("Что: Согласование позиций");
    expect(summary).toContain("Когда: 28.11.2026");
    expect(summary).toContain("Файл: фотография");
    expect(summary).toContain("Обсудили &lt;план&gt; мастер-классов &amp; экскурсий");
    await h.pressButton(teacher, "ask:pick:confirm");

    expect(last(teacher).text).toBe("✅ Взаимодействие записано.");
    await h.pressButton(teacher, `pc:open:${partner.id}`);
    const card = last(teacher).text;
    expect(card).toContain("<b>Последние взаимодействия</b>");
    expect(card).toContain("• 28.11.2026 — Согласование позиций: Обсудили &lt;план&gt; мастер-классов &amp; экскурсий 📎");

    const [saved] = await h.database.db.select().from(interactions);
    expect(saved).toMatchObject({ partnerId: partner.id, kind: "agreeing_positions", occurredOn: "2026-11-28", fileId: "AgACAgIAAx", fileKind: "photo" });
    expect(await h.database.db.select().from(auditLog).where(eq(auditLog.action, "interaction.added"))).toHaveLength(1);

    // The list offers the photo back, sent by its file_id.
    await h.pressButton(teacher, `ix:list:${partner.id}`);
    expect(last(teacher).text).toContain("1. <b>28.11.2026</b> · Согласование позиций · Мария Петрова 📎");
    await h.pressButton(teacher, `ix:file:${saved!.id}`);
    expect(h.telegram.sent("sendPhoto").at(-1)).toMatchObject({ chat_id: teacher.id, photo: "AgACAgIAAx" });
    h.expectAllCallbacksAnswered();
  });

  it("speaks English, accepts “today”, goes back a step and keeps a document", async () => {
    const { teacher, partner } = await teacherWithPartner("en");
    await h.pressButton(teacher, `ix:add:${partner.id}`);
    expect(last(teacher).text).toContain("<b>New interaction</b> — СОШ № 5");
    await h.pressButton(teacher, "ask:pick:call");
    await say(teacher, "today");
    await h.pressButton(teacher, "ask:back");
    expect(last(teacher).text).toContain("When was it?");
    await say(teacher, "30.11.26");
    await say(teacher, "Agreed on the date of the open day");
    await h.send(documentMessage(teacher));
    expect(last(teacher).text).toMatch(/What: Phone call\nWhen: 30\.11\.2026\nFile: plan\.docx/);
    await h.pressButton(teacher, "ask:pick:confirm");
    expect(last(teacher).text).toBe("✅ The interaction is logged.");
    await h.pressButton(teacher, `pc:open:${partner.id}`);
    expect(last(teacher).text).toContain("• 30.11.2026 — Phone call: Agreed on the date of the open day 📎");
    const [saved] = await h.database.db.select().from(interactions);
    expect(saved).toMatchObject({ fileKind: "document", fileName: "plan.docx", fileId: "BQACAgIAAx" });
    await h.pressButton(teacher, `ix:list:${partner.id}`);
    await h.pressButton(teacher, `ix:file:${saved!.id}`);
    expect(h.telegram.sent("sendDocument").at(-1)).toMatchObject({ document: "BQACAgIAAx", caption: "30.11.2026 · Phone call\nAgreed on the date of the open day" });
    h.expectAllCallbacksAnswered();
  });

  it("is refused to staff of another unit and partner contacts, forged buttons included", async () => {
    const { partner, row } = await teacherWithPartner();
    const saved = await addInteraction(h.database.db, { user: row, role: "staff" }, {
      partnerId: partner.id, kind: "meeting", occurredOn: "2026-11-20", text: "Встреча", file: { fileId: "BQAC-secret", kind: "document", fileName: "x.pdf" },
    });
    if (!saved.ok) throw new Error(saved.reason);

    const stranger = makeUser();
    await registered(h, stranger, "staff", await addDepartment(h.database.db, "Отдел искусств"));
    await openPartnerCard(h, stranger, partner.id);
    expect(last(stranger).buttons.map((b) => b.data)).not.toContain(`ix:add:${partner.id}`);
    await h.send(press(stranger, `ix:add:${partner.id}`, last(stranger)));
    expect(h.telegram.sent("answerCallbackQuery").at(-1)).toMatchObject({ text: "Это действие вам недоступно.", show_alert: true });
    // No conversation started: a text goes to the general fallback.
    await say(stranger, "Переговоры");
    expect(h.telegram.lastTextTo(stranger.id)).toContain("Я понимаю команды и кнопки.");
    // Reading the log is fine for any staff member; the add button is not offered.
    await h.send(press(stranger, `ix:list:${partner.id}`, last(stranger)));
    expect(last(stranger).buttons.map((b) => b.data)).not.toContain(`ix:add:${partner.id}`);

    const contact = makeUser();
    await registered(h, contact, "partner");
    const chat = { message_id: 1, chat: { id: contact.id, type: "private" as const, first_name: "x" } };
    for (const data of [`ix:add:${partner.id}`, `ix:list:${partner.id}`, `ix:file:${saved.interaction.id}`]) {
      await h.send(press(contact, data, chat));
      expect(h.telegram.sent("answerCallbackQuery").at(-1)).toMatchObject({ text: "Это действие вам недоступно.", show_alert: true });
    }
    await h.send(press(contact, "ix:file:abc", chat));
    expect(h.telegram.sent("answerCallbackQuery").at(-1)!.text).toContain("кнопка уже не действует");
    expect(h.telegram.sent("sendDocument")).toHaveLength(0);
    expect(await h.database.db.select().from(interactions)).toHaveLength(1);
    h.expectAllCallbacksAnswered();
  });

  it("pages through the log ten at a time", async () => {
    const { teacher, partner, row } = await teacherWithPartner();
    for (let day = 1; day <= 12; day++) {
      await addInteraction(h.database.db, { user: row, role: "staff" }, {
        partnerId: partner.id, kind: "letter", occurredOn: `2026-11-${String(day).padStart(2, "0")}`, text: `Письмо ${day}`, file: null,
      });
    }
    await h.pressButton(teacher, `ix:list:${partner.id}`);
    const first = last(teacher);
    expect(first.text).toContain("Всего записей: 12, страница 1 из 2");
    expect(first.text).toContain("1. <b>12.11.2026</b>");
    expect(first.text).not.toContain("Письмо 2\n");
    await h.pressButton(teacher, `ix:list:${partner.id}:1`);
    const second = last(teacher);
    expect(second.message_id).toBe(first.message_id);
    expect(second.text).toContain("страница 2 из 2");
    expect(second.text).toMatch(/11\. <b>02\.11\.2026<\/b> · Письмо · Мария Петрова\nПисьмо 2\n\n12\. <b>01\.11\.2026<\/b>/);
    expect(second.buttons.map((b) => b.data)).toEqual([`ix:list:${partner.id}:0`, `ix:add:${partner.id}`, `pc:open:${partner.id}`]);
    h.expectAllCallbacksAnswered();
  });
});
