import ExcelJS from "exceljs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { CSV_BOM } from "../../src/exchange/export-write.js";
import { registered } from "../helpers/bot-people.js";
import { lastAnswer, pressIn } from "../helpers/event-world.js";
import { isUploadedFile } from "../helpers/fake-telegram.js";
import { createHarness, type Harness } from "../helpers/harness.js";
import { command, makeUser, type TestUser } from "../helpers/updates.js";
import { exportWorld, insertPartners } from "./export-world.js";

let h: Harness;
/** Uploads as raw bytes (the fake keeps them as UTF-8 text, which spoils an XLSX). */
const uploads: { filename: string; bytes: Buffer }[] = [];

/** Wraps the fake Bot API so multipart uploads are also kept byte for byte. */
function keepRawUploads(harness: Harness): void {
  const original = harness.telegram.fetch;
  const wrapped = async (input: unknown, init?: { body?: unknown; headers?: unknown }) => {
    const body = init?.body;
    if (body === null || typeof body !== "object" || !(Symbol.asyncIterator in body)) return original(input, init);
    const chunks: Buffer[] = [];
    for await (const chunk of body as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
    const raw = Buffer.concat(chunks);
    const latin = raw.toString("latin1");
    const boundary = /^--([^\r\n]+)/.exec(latin)?.[1];
    for (const piece of boundary ? latin.split(`--${boundary}`) : []) {
      const filename = /filename="?([^"\r\n;]+)"?/.exec(piece)?.[1];
      if (filename === undefined) continue;
      const start = piece.indexOf("\r\n\r\n") + 4;
      uploads.push({ filename, bytes: Buffer.from(piece.slice(start, piece.length - 2), "latin1") });
    }
    async function* replay() {
      yield await Promise.resolve(new Uint8Array(raw));
    }
    return original(input, { ...init, body: replay() });
  };
  Object.defineProperty(harness.telegram, "fetch", { value: wrapped });
  harness.restart();
}

beforeAll(async () => {
  h = await createHarness();
  keepRawUploads(h);
});
afterAll(async () => h.close());
beforeEach(async () => {
  uploads.length = 0;
  stopTicking();
  await h.reset();
});

/** Makes the bot's clock advance `stepMs` every time it is read: time passes during a long export. */
function tickClock(stepMs: number): void {
  let current = h.clock.now.getTime();
  Object.defineProperty(h.clock, "now", {
    configurable: true,
    enumerable: true,
    get: () => new Date((current += stepMs)),
    set: (value: Date) => {
      current = value.getTime();
    },
  });
}

function stopTicking(): void {
  const now = h.clock.now;
  Object.defineProperty(h.clock, "now", { configurable: true, enumerable: true, writable: true, value: now });
}

const last = (user: TestUser) => h.telegram.lastMessageTo(user.id);
const documents = (user: TestUser) => h.telegram.sent("sendDocument").filter((d) => d.chat_id === user.id);
const fileOf = (sent: Record<string, unknown> | undefined) => {
  const file = sent?.document;
  if (!isUploadedFile(file)) throw new Error("expected an uploaded file");
  return file;
};
const progressEdits = (user: TestUser) =>
  h.telegram.sent("editMessageText").filter((p) => p.chat_id === user.id && String(p.text).startsWith("⏳"));

async function exportAs(user: TestUser, dataset: string, format: "xlsx" | "csv") {
  await h.send(command(user, "export"));
  await h.pressButton(user, `ex:ds:${dataset}`);
  await h.pressButton(user, `ex:fmt:${dataset}:${format}`);
}

describe("/export", () => {
  it("gives an admin the partners workbook in Russian, with Cyrillic headers and real dates", async () => {
    const { admin } = await exportWorld(h, "ru");
    await h.send(command(admin, "export"));
    expect(last(admin).text).toBe("📤 <b>Выгрузка</b>\nЧто выгрузить в таблицу?");
    expect(last(admin).buttons).toEqual([
      { text: "🤝 Партнёры", data: "ex:ds:partners" },
      { text: "📇 Контакты", data: "ex:ds:contacts" },
      { text: "📅 Мероприятия", data: "ex:ds:events" },
      { text: "⭐ Отзывы", data: "ex:ds:feedback" },
    ]);
    await h.pressButton(admin, "ex:ds:partners");
    expect(last(admin).text).toContain("📤 <b>Партнёры</b>\nВ каком формате?");
    expect(last(admin).buttons.map((b) => b.data)).toEqual(["ex:fmt:partners:xlsx", "ex:fmt:partners:csv", "ex:back"]);
    await h.pressButton(admin, "ex:back");
    expect(last(admin).text).toBe("📤 <b>Выгрузка</b>\nЧто выгрузить в таблицу?");
    await h.pressButton(admin, "ex:ds:partners");
    await h.pressButton(admin, "ex:fmt:partners:xlsx");

    expect(h.telegram.textsTo(admin.id)).toContain("⏳ Готовлю выгрузку «Партнёры»…");
    const [sent] = documents(admin);
    expect(sent).toMatchObject({ caption: "«Партнёры»: 4 строки, на 10.12.2026" });
    expect(fileOf(sent).filename).toContain("partners-2026-12-10.xlsx");
    // The progress message goes once the file is there.
    expect(h.telegram.sent("deleteMessage")).toHaveLength(1);

    const upload = uploads.find((u) => u.filename === "partners-2026-12-10.xlsx");
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(upload!.bytes as unknown as ArrayBuffer);
    const sheet = workbook.getWorksheet("Партнёры")!;
    expect(sheet.getRow(1).values).toEqual([
      undefined,
      "Полное название",
      "Краткое название",
      "Тип",
      "Направленность",
      "Кто ведёт",
      "Подразделение",
      "Ответственный педагог",
      "Этап",
      "На этапе с",
      "ИНН",
      "Сайт",
      "Адрес",
      "Договоры",
      "Добавлен",
    ]);
    expect(sheet.rowCount).toBe(5);
    expect(sheet.getCell("A4").value).toBe("ООО «Технопарк; Иркутск»");
    expect(sheet.getCell("I4").value).toEqual(new Date("2026-11-20T11:00:00Z"));
    h.expectAllCallbacksAnswered();
  });

  it("gives staff of a unit their partners' contacts as CSV in English, and the feedback as three CSV files", async () => {
    const { colleague } = await exportWorld(h, "en");
    await h.send(command(colleague, "export"));
    expect(last(colleague).text).toBe(
      "📤 <b>Export</b>\nWhat would you like to download as a spreadsheet?\n\nContacts are personal data: you'll get those of the partners you look after.",
    );
    expect(last(colleague).buttons.map((b) => b.data)).toContain("ex:ds:contacts");
    await h.pressButton(colleague, "ex:ds:contacts");
    await h.pressButton(colleague, "ex:fmt:contacts:csv");
    const [sent] = documents(colleague);
    expect(sent).toMatchObject({ caption: "“Partner contacts”, 1 row, as of 10/12/2026" });
    const file = fileOf(sent);
    expect(file.filename).toContain("contacts-2026-12-10.csv");
    expect(file.content.startsWith(CSV_BOM)).toBe(true);
    expect(file.content).toBe(
      `${CSV_BOM}Partner;Full name;Position;Phone;E-mail;Telegram;Consent to data processing;Consent date\r\n` +
        "Технопарк;Иван Петров;Директор;'+7 3952 12-34-56;ivan@technopark.example;'@ivan_tech;Signed on paper;02.11.2026 09:30\r\n",
    );

    await exportAs(colleague, "feedback", "csv");
    const feedback = documents(colleague).slice(1);
    expect(feedback.map((d) => d.caption)).toEqual([
      "“Feedback by event”, 1 row, as of 10/12/2026",
      "“Partner answers”, 1 row, as of 10/12/2026",
      "“Participant answers”, 2 rows, as of 10/12/2026",
    ]);
    expect(feedback.map((d) => fileOf(d).filename)).toEqual([
      expect.stringContaining("feedback-summary-2026-12-10.csv"),
      expect.stringContaining("feedback-partner-answers-2026-12-10.csv"),
      expect.stringContaining("feedback-participant-answers-2026-12-10.csv"),
    ]);
    expect(fileOf(feedback[0]).content).toBe(
      `${CSV_BOM}Event;Date;Format;Partners;Surveys sent to partners;Partner answers;Partner response rate;Partners' average rating;Participant answers;Participants' average rating\r\n` +
        "Мастер-класс по робототехнике;10.12.2026;Master class;СОШ № 5;2;1;50%;5;2;3,5\r\n",
    );
    expect(fileOf(feedback[1]).content).toContain('"Больше времени\nна сборку"');
    expect(fileOf(feedback[1]).content).toContain('"Дети в восторге, ""роботы"" ожили"');
    h.expectAllCallbacksAnswered();
  });

  it("refuses contacts to staff who look after no partner, even with a forged button (Russian)", async () => {
    const { outsider } = await exportWorld(h, "ru");
    await h.send(command(outsider, "export"));
    expect(last(outsider).text).toBe("📤 <b>Выгрузка</b>\nЧто выгрузить в таблицу?");
    expect(last(outsider).buttons.map((b) => b.data)).toEqual(["ex:ds:partners", "ex:ds:events", "ex:ds:feedback"]);
    await h.send(pressIn(outsider, "ex:ds:contacts"));
    expect(lastAnswer(h)).toMatchObject({ text: "Это действие вам недоступно.", show_alert: true });
    await h.send(pressIn(outsider, "ex:fmt:contacts:csv"));
    expect(lastAnswer(h)).toMatchObject({ text: "Это действие вам недоступно.", show_alert: true });
    expect(documents(outsider)).toEqual([]);
    // The events export is theirs to take.
    await exportAs(outsider, "events", "csv");
    expect(documents(outsider)).toHaveLength(1);
    expect(fileOf(documents(outsider)[0]).content).toContain(
      'Выставка «Роботы»;Выставка;Учреждение;20.12.2026 11:00;20.12.2026 14:00;;Ждёт согласования;Музей истории города, Технопарк;Олег Сидоров;Технический отдел;;;;;;;;;\r\n',
    );
    h.expectAllCallbacksAnswered();
  });

  it("refuses partner contacts and guests politely, commands and buttons alike (English and Russian)", async () => {
    const { contact } = await exportWorld(h, "en");
    await h.send(command(contact, "export"));
    expect(h.telegram.lastTextTo(contact.id)).toBe(
      "This command is only for staff with the right permissions. See /help for the commands you can use.",
    );
    await h.send(pressIn(contact, "ex:fmt:partners:csv"));
    expect(lastAnswer(h)).toMatchObject({ text: "This action isn't available to you.", show_alert: true });
    const guest = makeUser({ language_code: "ru" });
    await h.send(command(guest, "export"));
    expect(h.telegram.lastTextTo(guest.id)).toBe("Эта команда доступна только после подключения к боту. Чтобы подключиться, попросите администратора Дворца творчества прислать вам ссылку-приглашение и откройте её.");
    await h.send(pressIn(guest, "ex:ds:events"));
    expect(lastAnswer(h)).toMatchObject({ text: "Это действие вам недоступно.", show_alert: true });
    expect(h.telegram.sent("sendDocument")).toEqual([]);
    h.expectAllCallbacksAnswered();
  });

  it("answers old or forged buttons, says when there is nothing to export, and lists /export in /help", async () => {
    const admin = h.admin;
    await registered(h, admin, "admin");
    await h.send(pressIn(admin, "ex:fmt:partners:pdf"));
    expect(lastAnswer(h)).toMatchObject({ text: "Эта кнопка уже не действует. Начните заново с нужной команды." });
    await exportAs(admin, "events", "xlsx");
    expect(h.telegram.lastTextTo(admin.id)).toBe("В разделе «Совместные мероприятия» пока нечего выгружать.");
    expect(h.telegram.sent("sendDocument")).toEqual([]);

    const staff = makeUser({ language_code: "en" });
    await registered(h, staff, "staff");
    await h.send(command(staff, "help"));
    expect(h.telegram.lastTextTo(staff.id)).toContain("/export — Download data as Excel or CSV");
    h.expectAllCallbacksAnswered();
  });
});

describe("/export of a large table", () => {
  it("shows progress in one message, at most once a second, and sends every row (Russian)", async () => {
    const adminRow = await registered(h, h.admin, "admin");
    await insertPartners(h, 3_000, adminRow.id);
    await h.send(command(h.admin, "export"));
    await h.pressButton(h.admin, "ex:ds:partners");
    const menu = last(h.admin);
    tickClock(400);
    await h.pressButton(h.admin, "ex:fmt:partners:csv");
    stopTicking();

    const edits = progressEdits(h.admin);
    expect(edits.map((e) => e.message_id)).toEqual(edits.map(() => menu.message_id));
    const texts = edits.map((e) => e.text);
    expect(texts[0]).toBe("⏳ Готовлю выгрузку «Партнёры»…");
    // Three pages of 1,000 rows, 0.4 s apart: a progress edit, but not one per page.
    expect(texts.slice(1).length).toBeGreaterThanOrEqual(1);
    expect(texts.slice(1).length).toBeLessThan(3);
    for (const text of texts.slice(1)) expect(text).toMatch(/^⏳ Готовлю выгрузку «Партнёры»: [123]\u00a0000 из 3\u00a0000 строк…$/);
    expect(h.telegram.sent("deleteMessage")).toEqual([{ chat_id: h.admin.id, message_id: menu.message_id }]);

    const [sent] = documents(h.admin);
    expect(sent).toMatchObject({ caption: "«Партнёры»: 3\u00a0000 строк, на 01.12.2026" });
    const lines = fileOf(sent).content.split("\r\n");
    expect(lines).toHaveLength(3_002); // the header, 3,000 rows and the empty end
    expect(lines[1]).toMatch(/^Школа № 1;;Школа;;Учреждение в целом;;;Подготовительный;/);
    expect(lines[3_000]).toMatch(/^Школа № 3000;/);
    h.expectAllCallbacksAnswered();
  });

  it("edits no more than once a second when time stands still, and survives «message is not modified» (English)", async () => {
    const admin = { ...h.admin, language_code: "en" };
    const adminRow = await registered(h, admin, "admin");
    await insertPartners(h, 2_500, adminRow.id);
    await h.send(command(admin, "export"));
    await h.pressButton(admin, "ex:ds:partners");
    // The clock does not move: only the first "Preparing…" edit is allowed.
    await h.pressButton(admin, "ex:fmt:partners:xlsx");
    expect(progressEdits(admin).map((e) => e.text)).toEqual(["⏳ Preparing “Partners”…"]);
    expect(documents(admin)).toHaveLength(1);
    expect(documents(admin)[0]).toMatchObject({ caption: "“Partners”, 2,500 rows, as of 01/12/2026" });

    // Telegram refuses the "Preparing…" edit and the first progress edit: the export goes on regardless.
    await h.send(command(admin, "export"));
    await h.pressButton(admin, "ex:ds:partners");
    tickClock(2_000);
    const notModified = { error_code: 400, description: "Bad Request: message is not modified" };
    h.telegram.failNext("editMessageText", notModified);
    h.telegram.failNext("editMessageText", notModified);
    await h.pressButton(admin, "ex:fmt:partners:csv");
    stopTicking();
    expect(h.telegram.calls.filter((c) => c.method === "editMessageText" && c.error)).toHaveLength(2);
    expect(progressEdits(admin).map((e) => e.text).slice(1)).toEqual(["⏳ Preparing “Partners”: 2,000 of 2,500 rows…", "⏳ Preparing “Partners”: 2,500 of 2,500 rows…"]);
    const [, csv] = documents(admin);
    expect(fileOf(csv).content.split("\r\n")).toHaveLength(2_502);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(uploads.find((u) => u.filename.endsWith(".xlsx"))!.bytes as unknown as ArrayBuffer);
    expect(workbook.getWorksheet("Partners")!.rowCount).toBe(2_501);
    h.expectAllCallbacksAnswered();
  });
});
