/**
 * The playground as a newcomer uses it: the real bot (startPlayground: its own embedded database,
 * the Bot API emulator, the web chat) in Chromium. The administrator registers a partner and
 * proposes an event with it, approves it and downloads its .ics; invites a colleague, who opens
 * the link as a new person and works in English; the demo data fills the registry. Screenshots
 * of each step go to test-artifacts/playground/.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Playground, startPlayground } from "../../src/playground/playground.js";
import {
  chromiumMissing,
  downloadDocument,
  launchBrowser,
  newContext,
  openChat,
  screenshot,
  sendText,
  waitForBotMessage,
} from "../helpers/browser.js";

const missing = chromiumMissing();
const WAIT = 15_000;

const chatText = (page: Page) => page.getByTestId("messages").innerText();

/**
 * Presses the last button on the page with this callback data (the same step in either
 * language), and waits until the chat changes: a new message or an edit. Pressing again before
 * the bot has answered would press the same, older button twice.
 */
async function press(page: Page, data: string): Promise<void> {
  const button = page.locator(`[data-testid=inline-button][data-callback-data="${data}"]`).last();
  await button.waitFor({ timeout: WAIT });
  const before = await chatText(page);
  await button.click();
  await expect.poll(() => chatText(page), { timeout: WAIT }).not.toBe(before);
}

/** Sends text once the bot has asked the question: the last bot message contains `asked`. */
async function answer(page: Page, asked: string | RegExp, text: string): Promise<void> {
  await waitForBotMessage(page, asked, WAIT);
  await sendText(page, text);
}

const TEXTS = {
  ru: {
    shortName: "Краткое название",
    saved: "Партнёр сохранён.",
    title: "Название мероприятия",
    when: "Когда начало?",
    understood: "пятница, 25 декабря",
    place: "Где пройдёт мероприятие?",
    age: "Возраст участников",
    expected: "Сколько участников ожидается?",
    responsible: "Кто из сотрудников отвечает",
    sent: "отправлено на согласование",
    approved: "Мероприятие согласовано.",
    status: "Статус: ✅ согласовано",
    ics: "В календарь",
  },
  en: {
    shortName: "The short name",
    saved: "The partner is saved.",
    title: "The event's title",
    when: "When does it start?",
    understood: "Friday, 25 December",
    place: "Where will the event take place?",
    age: "The participants' age",
    expected: "How many participants are expected?",
    responsible: "Which member of staff is responsible",
    sent: "sent for approval",
    approved: "The event is approved.",
    status: "Status: ✅ approved",
    ics: "To calendar",
  },
} as const;

/** /newpartner through the page, with every optional step skipped; returns when the partner is saved. */
async function registerPartner(page: Page, language: "ru" | "en", name: string): Promise<void> {
  const t = TEXTS[language];
  await sendText(page, "/newpartner");
  await answer(page, language === "ru" ? "полное название" : "full name", name);
  await waitForBotMessage(page, t.shortName, WAIT);
  if (language === "ru") {
    // A reload in the middle of a dialog: the chat comes back as it was, and the dialog goes on.
    await page.reload();
    await page.getByTestId("bot-name").filter({ hasNotText: "…" }).waitFor();
    await waitForBotMessage(page, t.shortName, WAIT);
  }
  await press(page, "ask:skip");
  await press(page, "ask:pick:school");
  await press(page, "ask:pick:institution");
  await press(page, "ask:pick:technical");
  await press(page, "ask:done");
  for (let step = 0; step < 6; step++) await press(page, "ask:skip"); // website, address, INN, motivation, tasks, notes
  await waitForBotMessage(page, name, WAIT);
  await screenshot(page, `real-${language}-partner-summary`);
  await press(page, "ask:pick:confirm");
  await waitForBotMessage(page, t.saved, WAIT);
}

/** From the partner's card: a master class on 25.12 at 15:00, sent for approval. */
async function proposeEvent(page: Page, language: "ru" | "en", title: string): Promise<void> {
  const t = TEXTS[language];
  await press(page, "ask:pick:next");
  await press(page, "ask:pick:master_class");
  await press(page, "ask:pick:municipal"); // the event's level
  await answer(page, t.title, title);
  await press(page, "ask:skip"); // description
  await answer(page, t.when, "25.12 15:00");
  await waitForBotMessage(page, t.understood, WAIT);
  await press(page, "ask:pick:yes");
  await press(page, "ask:pick:120");
  await answer(page, t.place, language === "ru" ? "Дворец творчества, зал 2" : "Palace of Creativity, hall 2");
  await answer(page, t.age, "10-14");
  await press(page, "ask:pick:general");
  await press(page, "ask:done");
  await answer(page, t.expected, "25");
  await waitForBotMessage(page, t.responsible, WAIT);
  const buttons = await page.locator("[data-testid=inline-button][data-callback-data]").all();
  const data = await Promise.all(buttons.map((button) => button.getAttribute("data-callback-data")));
  await press(page, data.filter((d): d is string => d !== null && /^ask:pick:u\d+$/.test(d)).at(-1)!);
  await press(page, "ask:pick:none"); // the institution as a whole
  await waitForBotMessage(page, title, WAIT);
  await screenshot(page, `real-${language}-event-summary`);
  await press(page, "ask:pick:confirm");
  await waitForBotMessage(page, t.sent, WAIT);
}

describe.skipIf(missing !== undefined)("the playground with the real bot, in a browser", { timeout: 120_000 }, () => {
  let dataDir: string;
  let playground: Playground;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "playground-real-"));
    playground = await startPlayground({ host: "127.0.0.1", port: 0, dataDir, logLevel: "silent" }, { TZ: "Asia/Irkutsk" }, pino({ level: "silent" }));
    browser = await launchBrowser();
    context = await newContext(browser);
    context.on("page", (p) => {
      p.on("pageerror", (error) => pageErrors.push(error.message));
      p.on("console", (message) => {
        if (message.type() === "error") pageErrors.push(message.text());
      });
    });
    page = await openChat(context, playground.url);
  }, 90_000);

  afterEach(async (context) => {
    if (context.task.result?.state !== "fail" || !page) return;
    await screenshot(page, `real-failed-${context.task.name.slice(0, 40)}`);
    // What the chat showed last, for the failure's report.
    const last = playground.emulator.history(Number(await page.getByTestId("person-picker").inputValue())).slice(-3);
    process.stderr.write(JSON.stringify(last.map((m) => ({ from: m.from, text: m.text, buttons: m.reply_markup?.inline_keyboard.flat().map((b) => "callback_data" in b ? b.callback_data : b.text) })), null, 1) + "\n");
  });

  afterAll(async () => {
    await browser?.close();
    await playground?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("starts as its administrator, with the admin's command menu", async () => {
    expect(await page.getByTestId("person-picker").inputValue()).toBe(String(playground.admin.id));
    await sendText(page, "/start");
    await waitForBotMessage(page, "Вы — администратор.", WAIT);
    await page.getByTestId("menu-button").click();
    const commands = await page.getByTestId("command-item").allTextContents();
    expect(commands.some((c) => c.includes("/invite"))).toBe(true);
    expect(commands.some((c) => c.includes("/newpartner"))).toBe(true);
    await screenshot(page, "real-ru-start-menu");
    await page.keyboard.press("Escape");
  });

  it("registers a partner, proposes an event with it, approves it and downloads its .ics (Russian)", async () => {
    await registerPartner(page, "ru", "Лицей № 99 г. Иркутска");
    await press(page, "pc:open:1");
    await waitForBotMessage(page, "Чек-лист этапов", WAIT);
    await press(page, "ev:new:1");
    await proposeEvent(page, "ru", "Мастер-класс по робототехнике");
    // The administrator decides too: the proposal waits for them in the same chat.
    await waitForBotMessage(page, "ждёт вашего решения", WAIT);
    await press(page, "ea:ok:1");
    await press(page, "ask:skip"); // no comment
    await waitForBotMessage(page, TEXTS.ru.approved, WAIT);
    await press(page, "ev:open:1");
    const card = await waitForBotMessage(page, TEXTS.ru.status, WAIT);
    await screenshot(page, "real-ru-event-card");
    await press(page, "ev:ics:1");
    const ics = page.locator("[data-testid=message][data-from=bot]").filter({ has: page.getByTestId("document") }).last();
    await ics.waitFor({ timeout: WAIT });
    const file = await downloadDocument(page, ics);
    expect(file.name).toMatch(/\.ics$/);
    const text = file.bytes.toString("utf8");
    expect(text).toContain("BEGIN:VCALENDAR");
    expect(text).toContain("SUMMARY:Мастер-класс по робототехнике");
    expect(text).toContain("LOCATION:Дворец творчества\\, зал 2");
    expect(await card.textContent()).toContain("Лицей № 99 г. Иркутска");
    await screenshot(page, "real-ru-ics");
  });

  it("invites a colleague, who opens the link as a new person and works in English", async () => {
    await sendText(page, "/invite");
    await press(page, "invite:role:staff");
    await press(page, "invite:create");
    const invite = await waitForBotMessage(page, "t.me/", WAIT);
    await invite.getByTestId("start-link").first().click();
    await page.getByTestId("open-as-dialog").waitFor();
    await page.getByTestId("open-as-picker").selectOption("new");
    await page.getByTestId("open-as-open").click();
    const dialog = page.getByTestId("person-dialog");
    await dialog.waitFor();
    await dialog.getByTestId("person-first-name").fill("Boris");
    await dialog.getByTestId("person-last-name").fill("Smith");
    await dialog.getByTestId("person-language").selectOption("en");
    await dialog.getByTestId("person-create").click();
    await waitForBotMessage(page, /staff/i, WAIT);
    const boris = playground.emulator.people().find((p) => p.first_name === "Boris");
    expect(boris).toBeDefined();
    expect(await page.getByTestId("person-picker").inputValue()).toBe(String(boris!.id));
    await screenshot(page, "real-en-invited");

    await registerPartner(page, "en", "Irkutsk Lyceum No. 77");
    await press(page, "pc:open:2");
    await press(page, "ev:new:2");
    await proposeEvent(page, "en", "Robotics master class");
    await screenshot(page, "real-en-proposed");
    // The administrator's chat got Boris's proposal to decide on.
    const adminChat = playground.emulator.history(playground.admin.id).map((m) => m.text ?? "");
    expect(adminChat.some((text) => text.includes("Robotics master class") && text.includes("ждёт вашего решения"))).toBe(true);
  });

  it("fills the registry with the demo data from the page's button", async () => {
    await page.getByTestId("person-picker").selectOption(String(playground.admin.id));
    await page.getByTestId("demo-button").click();
    const alert = page.getByTestId("alert");
    await alert.waitFor({ timeout: 60_000 });
    expect(await page.getByTestId("alert-text").textContent()).toMatch(/40 partners/);
    await page.getByTestId("alert-ok").click();
    const people = await page.getByTestId("person-picker").locator("option").count();
    expect(people).toBeGreaterThan(20);
    await sendText(page, "/partners");
    await waitForBotMessage(page, /42/, WAIT);
    await screenshot(page, "real-ru-demo-partners");
    expect(pageErrors).toEqual([]);
  });
});
