import { eq, inArray } from "drizzle-orm";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { partners } from "../../src/partners/domain/schema.js";
import { institutionStudents } from "../../src/reports/domain/schema.js";
import type * as WorkbookModule from "../../src/reports/workbook.js";
import { registered } from "../helpers/bot-people.js";
import { lastAnswer, pressIn } from "../helpers/event-world.js";
import { type ApiCall, isUploadedFile } from "../helpers/fake-telegram.js";
import { addContact, addParticipant, addPrompt, AFTER_THE_EVENT, heldEventWithRound } from "../helpers/feedback-rows.js";
import { createHarness, type Harness } from "../helpers/harness.js";
import { command, makeUser, sticker, text, type TestUser } from "../helpers/updates.js";

// The workbooks the bot builds, kept as sent: the fake Bot API reads uploads as text.
const built = vi.hoisted(() => [] as Buffer[]);
vi.mock("../../src/reports/workbook.js", async (importOriginal) => {
  const real = await importOriginal<typeof WorkbookModule>();
  return {
    ...real,
    reportWorkbook: async (...args: Parameters<typeof real.reportWorkbook>) => {
      const bytes = await real.reportWorkbook(...args);
      built.push(bytes);
      return bytes;
    },
  };
});

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());
beforeEach(async () => {
  await h.reset();
  built.length = 0;
});

const last = (user: TestUser) => h.telegram.lastMessageTo(user.id);

/**
 * eventWorld's master class held on 10 December (8 gifted, 2 with disabilities, 5 on career
 * guidance, 3 others), with two of three partner contacts' ratings (5 and 4) and three
 * participants' (5, 4, 4). СОШ № 5 registered in December, Лицей № 2 in 2025.
 */
async function decemberWorld(language: "ru" | "en") {
  const world = await heldEventWithRound(h, language);
  const db = h.database.db;
  const { event, partner, otherPartner, contactRecord, adminRow } = world;
  await db.update(partners).set({ createdAt: new Date("2026-12-01T05:00:00Z") }).where(eq(partners.id, partner.id));
  await db.update(partners).set({ createdAt: new Date("2025-03-01T05:00:00Z") }).where(eq(partners.id, otherPartner.id));
  const olga = await addContact(db, partner.id, "Ольга Молчанова", adminRow.id);
  const pavel = await addContact(db, partner.id, "Павел Орлов", adminRow.id);
  const base = { eventId: event.id, partnerId: partner.id };
  await addPrompt(db, { ...base, contactId: contactRecord.id, rating: 5, answeredAt: AFTER_THE_EVENT });
  await addPrompt(db, { ...base, contactId: olga.id, rating: 4, answeredAt: AFTER_THE_EVENT });
  await addPrompt(db, { ...base, contactId: pavel.id });
  for (const rating of [5, 4, 4]) await addParticipant(db, { eventId: event.id, rating });
  h.clock.now = new Date("2026-12-20T03:00:00Z");
  h.telegram.reset();
  return world;
}

/** The calls the bot made to a chat from the `from`-th call on. */
function callsTo(chatId: number, from = 0): ApiCall[] {
  return h.telegram.calls.slice(from).filter((c) => !c.error && Number(c.payload.chat_id) === chatId);
}

/** The report's uploads to a chat: photos (captions, file names) and the workbook. */
function uploads(chatId: number, from = 0) {
  const calls = callsTo(chatId, from);
  // The charts come as one album: the items of sendMediaGroup, each an uploaded PNG with its caption.
  const albums = calls.filter((c) => c.method === "sendMediaGroup");
  expect(albums.length).toBeLessThanOrEqual(1);
  const photos = albums
    .flatMap((c) => c.payload.media as { type: string; media: unknown; caption?: string }[])
    .map((item) => {
      expect(item.type).toBe("photo");
      const file = item.media;
      if (!isUploadedFile(file)) throw new Error("the chart was not uploaded");
      // The fake reads uploads as UTF-8: the PNG signature's first byte (0x89) becomes U+FFFD.
      expect(file.content.startsWith("\uFFFDPNG\r\n\u001a\n")).toBe(true);
      return { caption: String(item.caption), filename: file.filename };
    });
  const documents = calls
    .filter((c) => c.method === "sendDocument")
    .map((c) => {
      const file = c.payload.document;
      if (!isUploadedFile(file)) throw new Error("the workbook was not uploaded");
      expect(file.content.startsWith("PK")).toBe(true);
      return { caption: String(c.payload.caption), filename: file.filename };
    });
  return { photos, documents };
}

describe("/report", () => {
  it("makes this month's report for a teacher: progress, summary, four charts and the workbook, in Russian", async () => {
    const { teacher } = await decemberWorld("ru");
    await h.send(command(teacher, "report"));
    const question = last(teacher);
    expect(question.text).toBe("📊 <b>Отчёт о социальном партнёрстве</b>\nЗа какой период подготовить отчёт?");
    expect(question.buttons).toEqual([
      { text: "Этот месяц", data: "rp:month" },
      { text: "Этот квартал", data: "rp:quarter" },
      { text: "Учебный год 2026/27", data: "rp:academic_year" },
      { text: "2026 год", data: "rp:year" },
      { text: "✏️ Ввести даты", data: "rp:dates" },
    ]);

    const before = h.telegram.calls.length;
    await h.pressButton(teacher, "rp:month");
    const calls = callsTo(teacher.id, before);
    // One message, the period question, edited as the work goes; then the summary, the charts, the workbook.
    const edits = calls.filter((c) => c.method === "editMessageText");
    expect(edits.every((c) => c.payload.message_id === question.message_id)).toBe(true);
    expect(edits.map((c) => c.payload.text)).toEqual([
      "⏳ Отчёт за 01.12.2026 – 31.12.2026: собираю данные…",
      "⏳ Отчёт за 01.12.2026 – 31.12.2026: рисую графики…",
      "⏳ Отчёт за 01.12.2026 – 31.12.2026: готовлю таблицу Excel…",
      "✅ Отчёт за 01.12.2026 – 31.12.2026 готов: сводка, графики и таблица Excel — ниже.",
    ]);
    expect(edits[0]!.payload.reply_markup).toBeUndefined();
    // The button is answered at once, before the work starts.
    const methods = h.telegram.calls.slice(before).map((c) => c.method);
    expect(methods.indexOf("answerCallbackQuery")).toBeLessThan(methods.indexOf("editMessageText"));
    expect(calls.map((c) => c.method).filter((m) => m !== "editMessageText")).toEqual([
      "sendMessage",
      "sendMediaGroup",
      "sendDocument",
    ]);
    expect(calls.find((c) => c.method === "sendMessage")!.payload.text).toBe(
      [
        "📊 <b>Социальное партнёрство: отчёт за 01.12.2026 – 31.12.2026</b>",
        "",
        "<b>Партнёры</b>",
        "В реестре: 2, из них новых за период: 1",
        "По этапам: подготовительный — 2",
        "",
        "<b>Совместные мероприятия</b> за период: 1",
        "проведено — 1",
        "",
        "<b>Участники проведённых мероприятий</b>: 18",
        "одарённые дети — 8; дети с ОВЗ — 2; профориентация, 15–17 лет — 5; другие участники — 3",
        "",
        "<b>Удовлетворённость</b> (средняя оценка из 5)",
        "Партнёры: <b>4,5</b> — 2 оценки",
        "Партнёры ответили на опросы: 2 из 3 (67 %)",
        "Участники: <b>4,3</b> — 3 оценки",
        "",
        "<b>Показатели самообследования</b>",
        "1.8 Участники массовых мероприятий: 18 (—)",
        "1.9 Победители и призёры: 0 (—)",
        "1.10 Участники проектов: 0 (—)",
        "1.11 Проведено массовых мероприятий: 1",
        "Одарённые дети на совместных мероприятиях: 8 (—); дети с ОВЗ: 2 (—)",
        "Долю можно посчитать, когда администратор укажет число учащихся.",
      ].join("\n"),
    );
    const { photos, documents } = uploads(teacher.id, before);
    expect(photos).toEqual([
      { caption: "Проведённые совместные мероприятия по форматам\n01.12.2026 – 31.12.2026", filename: "formats.png" },
      { caption: "Средняя оценка по месяцам (из 5)\n01.12.2026 – 31.12.2026", filename: "satisfaction.png" },
      { caption: "Партнёры по типам организаций\n01.12.2026 – 31.12.2026", filename: "types.png" },
      { caption: "Партнёры по этапам партнёрства\n01.12.2026 – 31.12.2026", filename: "stages.png" },
    ]);
    expect(documents).toEqual([
      {
        caption: "📎 Таблица для раздела о социальном партнёрстве в отчёте о самообследовании, 01.12.2026 – 31.12.2026",
        filename: "social-partnership-2026-12-01_2026-12-31.xlsx",
      },
    ]);

    // The workbook sent reopens, in Russian, with the month's partners, event and feedback.
    expect(built).toHaveLength(1);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(built[0]! as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((ws) => ws.name)).toEqual(["Сводка", "Самообследование", "Партнёры", "Мероприятия", "Отзывы", "Отзывы по партнёрам"]);
    const row = (sheet: string, n: number) => (workbook.getWorksheet(sheet)!.getRow(n).values as unknown[]).slice(1);
    expect(row("Партнёры", 2).slice(1, 4)).toEqual(["Лицей № 2", "Лицей № 2", "Школа"]);
    expect(row("Партнёры", 3).slice(1, 4)).toEqual(["Средняя общеобразовательная школа № 5", "СОШ № 5", "Школа"]);
    expect(row("Мероприятия", 2)).toEqual([
      1,
      "Мастер-класс по робототехнике",
      "Мастер-класс",
      "Учреждение",
      new Date("2026-12-10T15:00:00Z"),
      new Date("2026-12-10T17:00:00Z"),
      "Дворец творчества, каб. 12",
      "Проведено",
      "СОШ № 5",
      "Мария Петрова",
      undefined, // no unit
      8,
      2,
      5,
      3,
      18,
      undefined,
      undefined,
      undefined,
      "Собрали трёх роботов",
    ]);
    expect(row("Самообследование", 5).slice(0, 5)).toEqual(["1.8", expect.stringContaining("массовых мероприятиях"), "человек/%", 18, "—"]);
    expect(row("Отзывы", 2).slice(5)).toEqual([3, 2, 2 / 3, 4.5, 3, 4.3]);
    expect(row("Отзывы по партнёрам", 2)).toEqual([1, "СОШ № 5", 3, 2, 2 / 3, 4.5, 3, 4.3]);
    h.expectAllCallbacksAnswered();
  });

  it("makes the academic year's report for an admin in English, with the period in the summary", async () => {
    const { admin } = await decemberWorld("en");
    await h.send(command(admin, "report"));
    expect(last(admin).buttons.map((b) => b.text)).toEqual(["This month", "This quarter", "Academic year 2026/27", "Year 2026", "✏️ Type dates", "👩‍🎓 Students"]);
    await h.pressButton(admin, "rp:academic_year");
    // The year has no total of students: the admin is asked first, and skips.
    expect(last(admin).text).toBe(
      "How many students does the Palace have in the academic year <b>2026/27</b>? The shares of the self-assessment indicators need it.\nType the number, e.g. <code>1200</code>",
    );
    expect(last(admin).buttons).toEqual([
      { text: "Skip ›", data: "ask:skip" },
      { text: "Cancel", data: "ask:cancel" },
    ]);
    const before = h.telegram.calls.length;
    await h.pressButton(admin, "ask:skip");
    const sent = callsTo(admin.id, before).filter((c) => c.method === "sendMessage").map((c) => c.payload.text as string);
    expect(sent[0]).toBe("All right, the shares will be “—”. I'll ask again with the next report.");
    expect(sent[1]).toBe("⏳ Report for 01.09.2026 – 31.08.2027: collecting data…");
    const summary = sent[2]!;
    expect(summary.split("\n")).toEqual([
      "📊 <b>Social partnership: report for 01.09.2026 – 31.08.2027</b>",
      "",
      "<b>Partners</b>",
      "In the registry: 2, of them new in the period: 1",
      "By stage: preparatory — 2",
      "",
      "<b>Joint events</b> in the period: 1",
      "held — 1",
      "",
      "<b>Participants of the events held</b>: 18",
      "gifted children — 8; children with SEN — 2; career guidance, ages 15–17 — 5; other participants — 3",
      "",
      "<b>Satisfaction</b> (average rating out of 5)",
      "Partners: <b>4.5</b> from 2 ratings",
      "Partners who answered the surveys: 2 of 3 (67%)",
      "Participants: <b>4.3</b> from 3 ratings",
      "",
      "<b>Self-assessment indicators</b>",
      "1.8 Students in mass events: 18 (—)",
      "1.9 Winners and prize-winners: 0 (—)",
      "1.10 Students in projects: 0 (—)",
      "1.11 Mass events held: 1",
      "Gifted children at joint events: 8 (—); children with SEN: 2 (—)",
      "The shares appear once you give the number of students: the “👩‍🎓 Students” button in /report.",
    ]);
    const { photos, documents } = uploads(admin.id, before);
    expect(photos.map((p) => p.caption.split("\n")[0])).toEqual([
      "Joint events held, by format",
      "Average rating by month (out of 5)",
      "Partners by type of organisation",
      "Partners by partnership stage",
    ]);
    expect(documents.map((d) => d.filename)).toEqual(["social-partnership-2026-09-01_2027-08-31.xlsx"]);
    expect(h.telegram.lastTextTo(admin.id)).toBe("✅ The report for 01.09.2026 – 31.08.2027 is ready: the summary, charts and Excel workbook are below.");
    expect(await h.database.db.select().from(institutionStudents)).toEqual([]);

    // Skipped: the question comes again with the next report.
    await h.send(command(admin, "report"));
    await h.pressButton(admin, "rp:month");
    expect(last(admin).text).toContain("How many students does the Palace have in the academic year <b>2026/27</b>?");
    h.expectAllCallbacksAnswered();
  });

  it("takes typed dates, refusing a period that ends before it starts and a day that does not exist, in English", async () => {
    const { teacher } = await decemberWorld("en");
    await h.send(command(teacher, "report"));
    await h.pressButton(teacher, "rp:dates");
    expect(last(teacher).text).toBe(
      "Type the first and the last day of the period with a dash between them, e.g. <code>01.09.2026 - 31.12.2026</code>\nBoth days are included.",
    );
    expect(last(teacher).buttons).toEqual([{ text: "Cancel", data: "ask:cancel" }]);

    await h.send(text(teacher, "31.12.2026 - 01.09.2026"));
    expect(last(teacher).text).toBe(
      "The period ends (01.09.2026) before it starts (31.12.2026). Please type the first day first and the last day second, e.g. <code>01.09.2026 - 31.12.2026</code>",
    );
    expect(last(teacher).buttons).toEqual([{ text: "Cancel", data: "ask:cancel" }]);
    await h.send(text(teacher, "31.02.2026 - 31.12.2026"));
    expect(last(teacher).text).toBe(
      "There is no such date as 31.02.2026. Please check the day and the month and type the period again, e.g. <code>01.09.2026 - 31.12.2026</code>",
    );
    await h.send(text(teacher, "since September"));
    expect(last(teacher).text).toContain("I couldn't read that period.");
    await h.send(sticker(teacher));
    expect(h.telegram.lastTextTo(teacher.id)).toBe(h.i18n.fixedT("en")("ask.text_expected"));
    await h.send(text(teacher, "01.01.2020 - 01.01.2026"));
    expect(last(teacher).text).toBe("The period from 01.01.2020 to 01.01.2026 is longer than 5 years. Please choose a shorter one.");
    expect(h.telegram.sent("sendDocument")).toHaveLength(0);

    const before = h.telegram.calls.length;
    await h.send(text(teacher, "1.9.2026–31.12.2026"));
    const calls = callsTo(teacher.id, before);
    // A new progress message, then edited.
    const progress = calls.find((c) => c.method === "sendMessage")!;
    expect(progress.payload.text).toBe("⏳ Report for 01.09.2026 – 31.12.2026: collecting data…");
    expect(calls.filter((c) => c.method === "editMessageText").map((c) => c.payload.text)).toEqual([
      "⏳ Report for 01.09.2026 – 31.12.2026: drawing charts…",
      "⏳ Report for 01.09.2026 – 31.12.2026: building the Excel workbook…",
      "✅ The report for 01.09.2026 – 31.12.2026 is ready: the summary, charts and Excel workbook are below.",
    ]);
    expect(calls.filter((c) => c.method === "sendMessage")[1]!.payload.text).toContain("📊 <b>Social partnership: report for 01.09.2026 – 31.12.2026</b>");
    const { photos, documents } = uploads(teacher.id, before);
    expect(photos).toHaveLength(4);
    expect(documents.map((d) => d.filename)).toEqual(["social-partnership-2026-09-01_2026-12-31.xlsx"]);

    // The conversation is over: the next text is not a period.
    await h.send(text(teacher, "01.09.2026 - 31.12.2026"));
    expect(h.telegram.sent("sendDocument")).toHaveLength(1);
    h.expectAllCallbacksAnswered();
  });

  it("refuses a backwards period in Russian, with the dates echoed, and can be cancelled", async () => {
    const { teacher } = await decemberWorld("ru");
    await h.send(command(teacher, "report"));
    await h.pressButton(teacher, "rp:dates");
    await h.send(text(teacher, "31.12.2026 - 01.09.2026"));
    expect(last(teacher).text).toBe(
      "Период заканчивается (01.09.2026) раньше, чем начинается (31.12.2026). Сначала укажите дату начала, потом дату окончания, например: <code>01.09.2026 - 31.12.2026</code>",
    );
    await h.send(text(teacher, "01.01.2020 - 01.01.2026"));
    expect(last(teacher).text).toBe("Период с 01.01.2020 по 01.01.2026 длиннее 5 лет. Выберите период покороче.");
    await h.pressButton(teacher, "ask:cancel");
    expect(h.telegram.lastTextTo(teacher.id)).toBe(h.i18n.fixedT("ru")("cancel.done"));
    expect(h.telegram.sent("sendDocument")).toHaveLength(0);
    expect(h.telegram.sent("sendPhoto")).toHaveLength(0);
    h.expectAllCallbacksAnswered();
  });

  it("leaves out charts without data and says which, still sending the summary and the workbook", async () => {
    const { teacher, partner, otherPartner } = await decemberWorld("ru");
    await h.database.db.update(partners).set({ createdAt: new Date("2026-12-01T05:00:00Z") }).where(inArray(partners.id, [partner.id, otherPartner.id]));
    await h.send(command(teacher, "report"));
    await h.pressButton(teacher, "rp:dates");
    const before = h.telegram.calls.length;
    await h.send(text(teacher, "01.01.2025 - 31.12.2025"));
    const summary = callsTo(teacher.id, before).filter((c) => c.method === "sendMessage")[1]!.payload.text as string;
    expect(summary.split("\n")).toEqual([
      "📊 <b>Социальное партнёрство: отчёт за 01.01.2025 – 31.12.2025</b>",
      "",
      "<b>Партнёры</b>",
      "В реестре: 0, из них новых за период: 0",
      "",
      "<b>Совместные мероприятия</b> за период: 0",
      "За период мероприятий нет.",
      "",
      "<b>Удовлетворённость</b> (средняя оценка из 5)",
      "Партнёры: оценок нет",
      "Опросы партнёрам за период не рассылались.",
      "Участники: оценок нет",
      "",
      "<b>Показатели самообследования</b>",
      "1.8 Участники массовых мероприятий: 0 (—)",
      "1.9 Победители и призёры: 0 (—)",
      "1.10 Участники проектов: 0 (—)",
      "1.11 Проведено массовых мероприятий: 0",
      "Одарённые дети на совместных мероприятиях: 0 (—); дети с ОВЗ: 0 (—)",
      "Долю можно посчитать, когда администратор укажет число учащихся.",
      "",
      "Без графиков (нет данных за период): мероприятия по форматам, удовлетворённость, партнёры по типам, партнёры по этапам.",
    ]);
    const { photos, documents } = uploads(teacher.id, before);
    expect(photos).toEqual([]);
    expect(documents).toHaveLength(1);
  });

  it("refuses partner contacts and guests, by command and by button", async () => {
    const { contact, stranger } = await decemberWorld("ru");
    const guest = makeUser();
    await registered(h, guest, "guest");
    const t = h.i18n.fixedT("ru");
    for (const user of [contact, stranger, guest]) {
      await h.send(command(user, "report"));
      // A guest is told how to get access; a partner contact that the command is for staff.
      expect(h.telegram.lastTextTo(user.id)).toBe(t(user === guest ? "access.denied_guest_command" : "access.denied_command"));
      for (const data of ["rp:month", "rp:dates"]) {
        await h.send(pressIn(user, data));
        expect(lastAnswer(h)).toMatchObject({ text: "Это действие вам недоступно.", show_alert: true });
      }
    }
    expect(h.telegram.sent("sendPhoto")).toHaveLength(0);
    expect(h.telegram.sent("sendDocument")).toHaveLength(0);
    h.expectAllCallbacksAnswered();
  });

  it("answers forged or outdated report buttons politely", async () => {
    const { teacher } = await decemberWorld("en");
    for (const data of ["rp:decade", "rp:month:1", "rp:", "rp:dates:x"]) {
      await h.send(pressIn(teacher, data));
      expect(lastAnswer(h)?.text).toBe(h.i18n.fixedT("en")("common.button_outdated"));
    }
    expect(h.telegram.sent("sendDocument")).toHaveLength(0);
    h.expectAllCallbacksAnswered();
  });
});

describe("the total of students for the self-assessment shares", () => {
  const students = async () => (await h.database.db.select().from(institutionStudents)).map((r) => [r.academicYear, r.students, r.setBy]);

  it("asks an admin once before the report, refuses what is not a number or fewer than the participants, and saves it (Russian)", async () => {
    const { admin, adminRow } = await decemberWorld("ru");
    await h.send(command(admin, "report"));
    expect(last(admin).buttons.at(-1)).toEqual({ text: "👩‍🎓 Число учащихся", data: "rp:students" });
    await h.pressButton(admin, "rp:quarter");
    expect(last(admin).text).toBe(
      "Сколько всего учащихся во Дворце в <b>2026/27</b> учебном году? Это нужно для долей в показателях самообследования.\nНапишите число, например: <code>1200</code>",
    );
    expect(last(admin).buttons).toEqual([
      { text: "Пропустить ›", data: "ask:skip" },
      { text: "Отмена", data: "ask:cancel" },
    ]);
    expect(h.telegram.sent("sendDocument")).toHaveLength(0);

    await h.send(text(admin, "тысяча двести"));
    expect(last(admin).text).toBe(
      "Напишите, пожалуйста, целое число от 1 до 100 000, например: <code>1200</code>. Если числа пока нет, нажмите «Пропустить».",
    );
    expect(last(admin).buttons.map((b) => b.data)).toEqual(["ask:skip", "ask:cancel"]);
    await h.send(text(admin, "0"));
    expect(last(admin).text).toContain("целое число от 1 до 100 000");
    // The master class of December counts 18 students in mass events.
    await h.send(text(admin, "17"));
    expect(last(admin).text).toBe(
      "Число учащихся (17) меньше, чем участников массовых мероприятий: 18. Проверьте, пожалуйста, и напишите общее число учащихся ещё раз.",
    );
    expect(await students()).toEqual([]);

    const before = h.telegram.calls.length;
    await h.send(text(admin, "1 200"));
    const sent = callsTo(admin.id, before).filter((c) => c.method === "sendMessage").map((c) => c.payload.text as string);
    expect(sent[0]).toBe("✅ Сохранено: в <b>2026/27</b> учебном году во Дворце 1200 учащихся.");
    expect(sent[1]).toBe("⏳ Отчёт за 01.10.2026 – 31.12.2026: собираю данные…");
    // 18 of 1200 = 1.5 %, 8 = 0.7 %, 2 = 0.2 %.
    expect(sent[2]!.split("\n").slice(-7)).toEqual([
      "<b>Показатели самообследования</b>",
      "1.8 Участники массовых мероприятий: 18 (1,5 %)",
      "1.9 Победители и призёры: 0 (0,0 %)",
      "1.10 Участники проектов: 0 (0,0 %)",
      "1.11 Проведено массовых мероприятий: 1",
      "Одарённые дети на совместных мероприятиях: 8 (0,7 %); дети с ОВЗ: 2 (0,2 %)",
      "Доли — от 1200 учащихся за учебный год 2026/27.",
    ]);
    expect(h.telegram.sent("sendDocument")).toHaveLength(1);
    expect(await students()).toEqual([[2026, 1200, adminRow.id]]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(built.at(-1)! as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet("Самообследование")!;
    expect((sheet.getRow(5).values as unknown[]).slice(1)).toEqual(["1.8", expect.stringContaining("массовых мероприятиях"), "человек/%", 18, 1.5]);

    // Asked once: the next report of the year goes straight on.
    await h.send(command(admin, "report"));
    const next = h.telegram.calls.length;
    await h.pressButton(admin, "rp:month");
    expect(callsTo(admin.id, next).filter((c) => c.method === "sendMessage").map((c) => c.payload.text as string)[0]).toContain("📊 <b>Социальное партнёрство: отчёт за 01.12.2026 – 31.12.2026</b>");
    expect(h.telegram.sent("sendDocument")).toHaveLength(2);
    h.expectAllCallbacksAnswered();
  });

  it("lets an admin change the total with the report's button, and asks before typed dates too (English)", async () => {
    const { admin, adminRow } = await decemberWorld("en");
    await h.send(command(admin, "report"));
    await h.pressButton(admin, "rp:students");
    expect(last(admin).text).toBe(
      "How many students does the Palace have in the academic year <b>2026/27</b>? The shares of the self-assessment indicators need it.\nType the number, e.g. <code>1200</code>",
    );
    await h.send(text(admin, "12"));
    expect(last(admin).text).toBe("12 is fewer than the students in mass events: 18. Please check and type the total of students again.");
    await h.send(text(admin, "100001"));
    expect(last(admin).text).toBe("Please type a whole number from 1 to 100,000, e.g. <code>1200</code>. If you don't have it yet, press “Skip”.");
    await h.send(text(admin, "950"));
    expect(last(admin).text).toBe("✅ Saved: the Palace has 950 students in the academic year <b>2026/27</b>.");
    expect(h.telegram.sent("sendDocument")).toHaveLength(0);
    expect(await students()).toEqual([[2026, 950, adminRow.id]]);

    await h.send(command(admin, "report"));
    await h.pressButton(admin, "rp:students");
    expect(last(admin).text).toBe(
      "The number of students given for the academic year <b>2026/27</b> is 950. Type the new total of the Palace's students, e.g. <code>1200</code>",
    );
    await h.pressButton(admin, "ask:skip");
    expect(last(admin).text).toBe("The number of students is unchanged.");
    await h.send(command(admin, "report"));
    await h.pressButton(admin, "rp:students");
    await h.send(text(admin, "1000"));
    expect(await students()).toEqual([[2026, 1000, adminRow.id]]);

    // A typed period of the year before: that year has no total, so it is asked for.
    await h.send(command(admin, "report"));
    await h.pressButton(admin, "rp:dates");
    await h.send(text(admin, "01.01.2026 - 31.03.2026"));
    expect(last(admin).text).toContain("How many students does the Palace have in the academic year <b>2025/26</b>?");
    const before = h.telegram.calls.length;
    await h.send(text(admin, "700"));
    const sent = callsTo(admin.id, before).filter((c) => c.method === "sendMessage").map((c) => c.payload.text as string);
    expect(sent[0]).toBe("✅ Saved: the Palace has 700 students in the academic year <b>2025/26</b>.");
    expect(sent[1]).toBe("⏳ Report for 01.01.2026 – 31.03.2026: collecting data…");
    expect(sent[2]!.split("\n").at(-3)).toBe("Shares are of 700 students in the academic year 2025/26.");
    expect(await students()).toEqual([
      [2026, 1000, adminRow.id],
      [2025, 700, adminRow.id],
    ]);
    h.expectAllCallbacksAnswered();
  });

  it("never asks staff, and a staff member's forged button changes nothing", async () => {
    const { teacher } = await decemberWorld("ru");
    await h.send(command(teacher, "report"));
    expect(last(teacher).buttons.map((b) => b.data)).not.toContain("rp:students");
    await h.send(pressIn(teacher, "rp:students"));
    expect(lastAnswer(h)).toMatchObject({ text: "Это действие вам недоступно.", show_alert: true });
    await h.send(text(teacher, "5000"));
    expect(await students()).toEqual([]);
    await h.send(command(teacher, "report"));
    await h.pressButton(teacher, "rp:academic_year");
    expect(h.telegram.textsTo(teacher.id).some((t) => t.startsWith("Сколько всего учащихся"))).toBe(false);
    expect(h.telegram.sent("sendDocument")).toHaveLength(1);
    expect(h.telegram.textsTo(teacher.id).find((t) => t.startsWith("📊 <b>Социальное"))).toContain("Долю можно посчитать, когда администратор укажет число учащихся.");
    h.expectAllCallbacksAnswered();
  });
});
