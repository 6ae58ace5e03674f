/**
 * The playground's page in Chromium: the page server and the Bot API emulator with an echo bot
 * (test/helpers/browser.ts), driven as a person would. Screenshots of each step go to
 * test-artifacts/playground/.
 */
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chromiumMissing,
  createPerson,
  currentPerson,
  downloadDocument,
  ECHO_DOCUMENT,
  type EchoPlayground,
  launchBrowser,
  messageById,
  newContext,
  openChat,
  pressButton,
  screenshot,
  sendText,
  startEchoPlayground,
  testPng,
  waitForBotMessage,
  waitForToast,
} from "../helpers/browser.js";

const missing = chromiumMissing();

/** The width of a loaded image, 0 until it is loaded. */
const naturalWidth = (image: Locator) => image.evaluate((img) => (img as unknown as { complete: boolean; naturalWidth: number }).complete && (img as unknown as { naturalWidth: number }).naturalWidth);

describe.skipIf(missing !== undefined)("the playground's page in a browser", { timeout: 60_000 }, () => {
  let playground: EchoPlayground;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let personId: number;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    playground = await startEchoPlayground({
      seedDemo: () => {
        if (!playground.emulator.person(777_001)) playground.emulator.addPerson({ id: 777_001, first_name: "Пётр", last_name: "Партнёров", language_code: "ru" });
        return Promise.resolve({ seeded: true, summary: "1 partner contact" });
      },
    });
    browser = await launchBrowser();
    context = await newContext(browser);
    context.on("page", (p) => {
      p.on("pageerror", (error) => pageErrors.push(error.message));
      p.on("console", (message) => {
        // The banner test answers one request with a 400 on purpose.
        if (message.type() === "error" && !message.text().includes("400 (Bad Request)")) pageErrors.push(message.text());
      });
    });
  });

  afterAll(async () => {
    await browser?.close();
    await playground?.stop();
  });

  it("opens with no person, and creates one", async () => {
    page = await openChat(context, playground.url);
    await expect.poll(() => page.getByTestId("bot-name").textContent()).toBe(playground.emulator.bot.first_name);
    await page.getByTestId("new-person-button").waitFor();
    await screenshot(page, "01-no-person");
    personId = await createPerson(page, { firstName: "Мария", lastName: "Иванова", language: "ru" });
    expect(playground.emulator.person(personId)).toMatchObject({ first_name: "Мария", last_name: "Иванова", language_code: "ru" });
    expect(new URL(page.url()).searchParams.get("as")).toBe(String(personId));
    await page.getByTestId("start-button").waitFor();
    await screenshot(page, "02-new-person");
  });

  it("starts the bot and echoes text", async () => {
    await page.getByTestId("start-button").click();
    await waitForBotMessage(page, "Hello! Write anything.");
    await sendText(page, "Привет, бот!");
    const echo = await waitForBotMessage(page, "echo: Привет, бот!");
    await expect.poll(() => echo.getByTestId("inline-button").allTextContents()).toEqual(["Press me", "Alert", "Site"]);
    expect(await page.getByTestId("message-input").inputValue()).toBe("");
    await screenshot(page, "03-echo");
  });

  it("keeps Shift+Enter as a new line", async () => {
    const input = page.getByTestId("message-input");
    await input.fill("строка 1");
    await input.press("Shift+Enter");
    await input.pressSequentially("строка 2");
    expect(await input.inputValue()).toBe("строка 1\nстрока 2");
    await page.getByTestId("send-button").click();
    await waitForBotMessage(page, /echo: строка 1\s+строка 2/);
  });

  it("presses an inline button: the message is edited in place, and the answer shows as a toast", async () => {
    const echo = await waitForBotMessage(page, "echo: Привет, бот!");
    const id = Number(await echo.getAttribute("data-message-id"));
    await pressButton(page, "Press me", echo);
    await expect.poll(() => messageById(page, id).getByTestId("message-text").textContent()).toBe("pressed: 1");
    await messageById(page, id).getByTestId("edited").waitFor();
    await waitForToast(page, "Done");
    await screenshot(page, "04-edited-and-toast");
    await page.getByTestId("toast").waitFor({ state: "hidden", timeout: 8000 });
  });

  it("shows an alert with OK for show_alert", async () => {
    await pressButton(page, "Alert");
    const alert = page.getByTestId("alert");
    await alert.waitFor();
    expect(await page.getByTestId("alert-text").textContent()).toBe("This is an alert");
    await screenshot(page, "05-alert");
    await alert.getByTestId("alert-ok").click();
    await alert.waitFor({ state: "hidden" });
  });

  it("shows the typing status for a while", async () => {
    await sendText(page, "/typing");
    await expect.poll(() => page.getByTestId("status").textContent()).toBe("печатает…");
    await expect.poll(() => page.getByTestId("status").textContent(), { timeout: 8000 }).toBe("бот");
  });

  it("receives a photo with a caption, opens it full size", async () => {
    await sendText(page, "/photo");
    const message = await waitForBotMessage(page, "A photo");
    const photo = message.getByTestId("photo");
    await expect.poll(() => naturalWidth(photo)).toBe(320);
    expect(await message.locator("b").textContent()).toBe("photo");
    await screenshot(page, "06-photo");
    await photo.click();
    await page.getByTestId("lightbox").waitFor();
    await screenshot(page, "07-photo-full-size");
    await page.getByTestId("lightbox").click();
    await page.getByTestId("lightbox").waitFor({ state: "hidden" });
  });

  it("receives a document that downloads with its name", async () => {
    await sendText(page, "/doc");
    const message = await waitForBotMessage(page, "The report");
    const row = message.getByTestId("document");
    expect(await row.getByTestId("document-name").textContent()).toBe(ECHO_DOCUMENT.name);
    expect(await row.getByTestId("document-size").textContent()).toBe(`${ECHO_DOCUMENT.bytes.length} Б`);
    await screenshot(page, "08-document");
    const download = await downloadDocument(page, message);
    expect(download.name).toBe(ECHO_DOCUMENT.name);
    expect(download.bytes.equals(ECHO_DOCUMENT.bytes)).toBe(true);
  });

  it("groups an album", async () => {
    await sendText(page, "/album");
    const album = page.locator("[data-testid=message][data-album]").last();
    await album.waitFor();
    await expect.poll(() => album.getByTestId("photo").count()).toBe(2);
    expect(await album.getByTestId("message-text").textContent()).toBe("Two photos");
    await screenshot(page, "09-album");
  });

  it("renders the bot's HTML safely, and opens a t.me start link in the chat", async () => {
    await sendText(page, "/link");
    const message = await waitForBotMessage(page, "Open the start link");
    const text = message.getByTestId("message-text");
    expect(await text.locator("i").textContent()).toBe("Safe");
    expect(await text.textContent()).toContain("<b>");
    expect(await text.locator("b").count()).toBe(0);
    expect(await text.locator("a", { hasText: "a site" }).getAttribute("target")).toBe("_blank");
    await screenshot(page, "10-links");
    await text.getByTestId("start-link").filter({ hasText: "the start link" }).click();
    // As a link forwarded in Telegram, it may be opened by someone else: the page asks who, the current person first.
    const openAs = page.getByTestId("open-as-dialog");
    await openAs.waitFor();
    expect(await page.getByTestId("open-as-picker").inputValue()).toBe(String(await currentPerson(page)));
    await screenshot(page, "10b-open-as");
    await page.getByTestId("open-as-open").click();
    await waitForBotMessage(page, "started: hello");
    expect(page.url()).toContain(playground.url);
    await page.locator("[data-testid=message][data-from=person]").filter({ hasText: "/start hello" }).waitFor();
    await text.getByTestId("start-link").filter({ hasText: "start=bare" }).click();
    await page.getByTestId("open-as-open").click();
    await waitForBotMessage(page, "started: bare");
    await screenshot(page, "11-start-link");
  });

  it("sends a file and a photo through the attach button", async () => {
    await page.getByTestId("file-input").setInputFiles({ name: "заметки.txt", mimeType: "text/plain", buffer: Buffer.from("hello from the page") });
    const dialog = page.getByTestId("attach-dialog");
    await dialog.waitFor();
    expect(await dialog.getByTestId("attach-as-photo").isVisible()).toBe(false);
    await dialog.getByTestId("attach-caption").fill("мои заметки");
    await dialog.getByTestId("attach-as-file").click();
    await waitForBotMessage(page, "got заметки.txt (19 bytes)");
    const sent = page.locator("[data-testid=message][data-from=person]").filter({ hasText: "мои заметки" });
    expect(await sent.getByTestId("document-name").textContent()).toBe("заметки.txt");

    const png = testPng(90, 60);
    await page.getByTestId("file-input").setInputFiles({ name: "снимок.png", mimeType: "image/png", buffer: png });
    await dialog.waitFor();
    await screenshot(page, "12-attach-choice");
    await dialog.getByTestId("attach-as-photo").click();
    await waitForBotMessage(page, `got photo (${png.length} bytes)`);
    const photo = page.locator("[data-testid=message][data-from=person]").last().getByTestId("photo");
    await expect.poll(() => naturalWidth(photo)).toBe(90);
    await screenshot(page, "13-sent-photo");
  });

  it("shows the command menu, and commands matching what is typed", async () => {
    expect(await page.getByTestId("menu-button").isVisible()).toBe(false);
    await playground.bot.api.setMyCommands(
      [
        { command: "start", description: "Начать" },
        { command: "photo", description: "Прислать фото" },
        { command: "doc", description: "Прислать документ" },
      ],
      { scope: { type: "chat", chat_id: personId } },
    );
    await page.getByTestId("menu-button").waitFor();
    await page.getByTestId("menu-button").click();
    await expect.poll(() => page.getByTestId("command-item").count()).toBe(3);
    await screenshot(page, "14-command-menu");
    await page.getByTestId("menu-button").click();
    await page.getByTestId("command-list").waitFor({ state: "hidden" });
    await page.getByTestId("message-input").fill("/ph");
    await expect.poll(() => page.getByTestId("command-item").allTextContents()).toEqual(["/photoПрислать фото"]);
    await page.getByTestId("command-item").click();
    await waitForBotMessage(page, "A photo");
    expect(await page.getByTestId("message-input").inputValue()).toBe("");
  });

  it("shows a reply keyboard above the input; a key sends its text", async () => {
    await sendText(page, "/keyboard");
    await waitForBotMessage(page, "Choose");
    const keyboard = page.getByTestId("reply-keyboard");
    await keyboard.waitFor();
    expect(await keyboard.getByTestId("reply-button").allTextContents()).toEqual(["Да", "Нет", "Может быть"]);
    expect(await page.getByTestId("message-input").getAttribute("placeholder")).toBe("Да или нет?");
    await screenshot(page, "15-reply-keyboard");
    await keyboard.getByTestId("reply-button").filter({ hasText: "Нет" }).click();
    await waitForBotMessage(page, "echo: Нет");
    await keyboard.waitFor({ state: "hidden" });
    await page.getByTestId("keyboard-toggle").click();
    await keyboard.waitFor();
    await sendText(page, "/nokeyboard");
    await waitForBotMessage(page, "Removed");
    await keyboard.waitFor({ state: "hidden" });
    expect(await page.getByTestId("keyboard-toggle").isVisible()).toBe(false);
  });

  it("shows errors politely in a banner", async () => {
    await page.route("**/api/people/*/messages", (route) => route.fulfill({ status: 400, contentType: "application/json", body: JSON.stringify({ error: "the text is empty" }) }));
    const input = page.getByTestId("message-input");
    await input.fill("не дойдёт");
    await input.press("Enter");
    await expect.poll(() => page.getByTestId("banner-text").textContent()).toBe("Не получилось: the text is empty");
    expect(await input.inputValue()).toBe("не дойдёт");
    await screenshot(page, "16-error-banner");
    await page.unroute("**/api/people/*/messages");
    await page.getByTestId("banner-close").click();
    await input.fill("");
  });

  it("shows new messages live in a second tab as the same person", async () => {
    const second = await openChat(context, playground.url);
    await expect.poll(() => currentPerson(second)).toBe(personId);
    await waitForBotMessage(second, "started: bare");
    await sendText(page, "из первой вкладки");
    await waitForBotMessage(second, "echo: из первой вкладки");
    await second.locator("[data-testid=message][data-from=person]").filter({ hasText: "из первой вкладки" }).waitFor();
    await screenshot(second, "17-second-tab");
    await second.close();
  });

  it("keeps the person and the chat on reload", async () => {
    const count = await page.getByTestId("message").count();
    await page.reload();
    await expect.poll(() => currentPerson(page)).toBe(personId);
    await waitForBotMessage(page, "echo: из первой вкладки");
    expect(await page.getByTestId("message").count()).toBe(count);
    await screenshot(page, "18-reloaded");
  });

  it("seeds the demo data and lists its people", async () => {
    await page.getByTestId("demo-button").click();
    await expect.poll(() => page.getByTestId("alert-text").textContent()).toBe("1 partner contact");
    await page.getByTestId("alert-ok").click();
    await expect.poll(() => page.getByTestId("person-picker").locator("option").allTextContents()).toContain("Пётр Партнёров · ru");
    await page.getByTestId("person-picker").selectOption(String(777_001));
    await page.getByTestId("start-button").waitFor();
    expect(new URL(page.url()).searchParams.get("as")).toBe("777001");
    await screenshot(page, "19-demo-person");
    await page.getByTestId("person-picker").selectOption(String(personId));
    await waitForBotMessage(page, "echo: из первой вкладки");
  });

  it("switches the page's language", async () => {
    await page.getByTestId("lang-switch").click();
    await expect.poll(() => page.getByTestId("status").textContent()).toBe("bot");
    expect(await page.getByTestId("message-input").getAttribute("placeholder")).toBe("Message");
    await screenshot(page, "20-english");
    await page.getByTestId("lang-switch").click();
    await expect.poll(() => page.getByTestId("status").textContent()).toBe("бот");
  });

  it("fits a phone, and has a dark theme", async () => {
    const phone = await newContext(browser, { mobile: true, locale: "en-US" });
    try {
      const mobile = await openChat(phone, playground.url, personId);
      await waitForBotMessage(mobile, "echo: из первой вкладки");
      expect(await mobile.getByTestId("message-input").getAttribute("placeholder")).toBe("Message");
      const width = await mobile.locator("html").evaluate((html) => (html as unknown as { scrollWidth: number }).scrollWidth);
      expect(width).toBeLessThanOrEqual(390);
      await screenshot(mobile, "21-phone");
      await mobile.emulateMedia({ colorScheme: "dark" });
      await screenshot(mobile, "22-phone-dark");
    } finally {
      await phone.close();
    }
  });

  it("raised no errors in the page (scripts, the console)", () => {
    expect(pageErrors).toEqual([]);
  });
});
