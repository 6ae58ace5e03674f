/**
 * The playground's page in a real browser: Debian's Chromium driven by playwright-core, page
 * helpers the browser tests share (create a person, send text, press a button, wait for the bot),
 * and a small playground of its own (the emulator, the page server and an echo bot) that does not
 * need the real bot.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Resvg } from "@resvg/resvg-js";
import { Bot, InlineKeyboard, InputFile, InputMediaBuilder, Keyboard } from "grammy";
import { type Browser, type BrowserContext, chromium, type Locator, type Page } from "playwright-core";
import { BotApiEmulator } from "../../src/playground/emulator/emulator.js";
import { type PlaygroundServer, startPlaygroundServer } from "../../src/playground/page-server.js";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

/**
 * Why the browser tests cannot run here, or undefined when they can. Under CI a missing Chromium
 * is an error, not a skip: the tests must run there.
 */
export function chromiumMissing(): string | undefined {
  if (existsSync(CHROMIUM_PATH)) return undefined;
  const message = `Chromium is not at ${CHROMIUM_PATH} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
  if (process.env.CI === "true" || process.env.CI === "1") throw new Error(`${message}: the browser tests must run in CI`);
  process.stderr.write(`\n! ${message}: skipping the browser tests.\n\n`);
  return message;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run", "--disable-quic", "--disable-component-update", "--disable-sync"],
  });
}

/** A fresh profile (storage, cookies): launch() gives every context its own. */
export function newContext(browser: Browser, options: { locale?: string; mobile?: boolean } = {}): Promise<BrowserContext> {
  return browser.newContext({
    locale: options.locale ?? "ru-RU",
    acceptDownloads: true,
    viewport: options.mobile ? { width: 390, height: 780 } : { width: 1100, height: 800 },
    ...(options.mobile ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
  });
}

export const ARTIFACTS = fileURLToPath(new URL("../../test-artifacts/playground/", import.meta.url));

/** Saves a PNG of the page to test-artifacts/playground/<name>.png; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name.replace(/[^\w.-]+/g, "-")}.png`);
  await page.screenshot({ path });
  return path;
}

// --- driving the page -------------------------------------------------------------------------

const DEFAULT_WAIT = 10_000;

/** Opens the chat, as a given person (?as=) or as the page chooses. */
export async function openChat(context: BrowserContext, url: string, personId?: number): Promise<Page> {
  const page = await context.newPage();
  await page.goto(personId === undefined ? url : `${url}/?as=${personId}`);
  await page.getByTestId("bot-name").filter({ hasNotText: "…" }).waitFor();
  return page;
}

/** The person the page chats as (the picker's value), or undefined. */
export async function currentPerson(page: Page): Promise<number | undefined> {
  const value = await page.getByTestId("person-picker").inputValue();
  return /^\d+$/.test(value) ? Number(value) : undefined;
}

/** "New person" in the picker: fills the dialog, and waits until the page chats as them; returns their id. */
export async function createPerson(page: Page, person: { firstName: string; lastName?: string; language?: "ru" | "en" }): Promise<number> {
  const before = await currentPerson(page);
  await page.getByTestId("person-picker").selectOption("new");
  const dialog = page.getByTestId("person-dialog");
  await dialog.waitFor();
  await dialog.getByTestId("person-first-name").fill(person.firstName);
  if (person.lastName) await dialog.getByTestId("person-last-name").fill(person.lastName);
  await dialog.getByTestId("person-language").selectOption(person.language ?? "ru");
  await dialog.getByTestId("person-create").click();
  await dialog.waitFor({ state: "hidden" });
  const until = Date.now() + DEFAULT_WAIT;
  for (;;) {
    const now = await currentPerson(page);
    if (now !== undefined && now !== before) return now;
    if (Date.now() > until) throw new Error(`the page did not switch to the new person ${person.firstName}`);
    await page.waitForTimeout(50);
  }
}

/** Types text into the input and sends it with Enter; waits for its bubble. */
export async function sendText(page: Page, text: string): Promise<Locator> {
  const input = page.getByTestId("message-input");
  await input.fill(text);
  await input.press("Enter");
  const bubble = page.locator('[data-testid=message][data-from=person]').filter({ hasText: text }).last();
  await bubble.waitFor({ timeout: DEFAULT_WAIT });
  return bubble;
}

/** The last message of the bot containing `text` (a string or a pattern), once it is shown. */
export async function waitForBotMessage(page: Page, text: string | RegExp, timeout = DEFAULT_WAIT): Promise<Locator> {
  const bubble = page.locator('[data-testid=message][data-from=bot]').filter({ hasText: text }).last();
  await bubble.waitFor({ timeout });
  return bubble;
}

/** Presses the last inline button with this label (in `within`, by default anywhere in the chat). */
export async function pressButton(page: Page, label: string | RegExp, within?: Locator): Promise<void> {
  const button = (within ?? page.getByTestId("messages")).getByTestId("inline-button").filter({ hasText: label }).last();
  await button.waitFor({ timeout: DEFAULT_WAIT });
  await button.click();
}

/** The toast with this text, once shown. */
export async function waitForToast(page: Page, text: string | RegExp, timeout = DEFAULT_WAIT): Promise<Locator> {
  const toast = page.getByTestId("toast").filter({ hasText: text });
  await toast.waitFor({ timeout });
  return toast;
}

/** Clicks the document row in `message` (a bubble) and waits for the download: its suggested name and bytes. */
export async function downloadDocument(page: Page, message: Locator): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent("download"), message.getByTestId("document").first().click()]);
  return { name: download.suggestedFilename(), bytes: readFileSync(await download.path()) };
}

/** The message bubble with this id. */
export const messageById = (page: Page, messageId: number): Locator => page.locator(`[data-testid=message][data-message-id="${messageId}"]`);

// --- a playground with an echo bot ------------------------------------------------------------

/** A small PNG (an orange square with a blue circle), width × height pixels. */
export function testPng(width = 64, height = 48): Buffer {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#f90"/><circle cx="${width / 2}" cy="${height / 2}" r="${Math.min(width, height) / 3}" fill="#36c"/></svg>`;
  return Buffer.from(new Resvg(svg).render().asPng());
}

export const ECHO_DOCUMENT = { name: "Отчёт за май 2024.txt", bytes: Buffer.from("Отчёт: всё хорошо.\n", "utf8") };

export interface EchoPlayground {
  url: string;
  emulator: BotApiEmulator;
  server: PlaygroundServer;
  bot: Bot;
  stop(): Promise<void>;
}

/**
 * The emulator behind the page server, and a real grammY bot polling it:
 * - any text → "echo: <text>" with the buttons "Press me" (edits the message to "pressed: <n>"
 *   and answers with the toast "Done"), "Alert" (answers with an alert) and "Site" (a url);
 * - /photo → a photo with a caption; /doc → ECHO_DOCUMENT; /album → two photos;
 * - /link → a text link and a bare link to t.me/<bot>?start=hello; /start <payload> → "started: <payload>";
 * - /keyboard → a one-time reply keyboard (Да, Нет, Может быть); /nokeyboard removes it; /typing → "typing";
 * - a document or photo from the person → "got <name> (<bytes> bytes)" after downloading it.
 */
export async function startEchoPlayground(options: { seedDemo?: () => Promise<{ seeded: boolean; summary: string }> } = {}): Promise<EchoPlayground> {
  const stateDir = mkdtempSync(join(tmpdir(), "playground-page-"));
  const emulator = await BotApiEmulator.open({ stateDir, rateLimits: false, writeDelayMs: 10 });
  const quiet = () => undefined;
  let server: PlaygroundServer;
  try {
    server = await startPlaygroundServer({ emulator, host: "127.0.0.1", port: 0, logger: { info: quiet, warn: quiet, error: quiet }, ...options });
  } catch (error) {
    await emulator.close();
    throw error;
  }
  const bot = new Bot(emulator.token, { client: { apiRoot: server.url } });
  let presses = 0;
  const echoKeyboard = () => new InlineKeyboard().text("Press me", "press").text("Alert", "alert").row().url("Site", "https://example.org/");
  bot.command("start", async (ctx) => {
    await ctx.reply(ctx.match ? `started: ${ctx.match}` : "Hello! Write anything.");
  });
  bot.command("photo", async (ctx) => {
    await ctx.replyWithChatAction("upload_photo");
    await ctx.replyWithPhoto(new InputFile(testPng(320, 200), "square.png"), { caption: "A <b>photo</b>", parse_mode: "HTML" });
  });
  bot.command("doc", async (ctx) => {
    await ctx.replyWithDocument(new InputFile(ECHO_DOCUMENT.bytes, ECHO_DOCUMENT.name), { caption: "The report" });
  });
  bot.command("album", async (ctx) => {
    await ctx.replyWithMediaGroup([
      InputMediaBuilder.photo(new InputFile(testPng(200, 200), "one.png"), { caption: "Two photos" }),
      InputMediaBuilder.photo(new InputFile(testPng(300, 200), "two.png")),
    ]);
  });
  bot.command("link", async (ctx) => {
    const me = ctx.me.username;
    await ctx.reply(`Open <a href="https://t.me/${me}?start=hello">the start link</a> or t.me/${me}?start=bare, or <a href="https://example.org/">a site</a>. <i>Safe</i> &lt;b&gt;`, { parse_mode: "HTML" });
  });
  bot.command("keyboard", async (ctx) => {
    await ctx.reply("Choose", { reply_markup: new Keyboard().text("Да").text("Нет").row().text("Может быть").oneTime().resized().placeholder("Да или нет?") });
  });
  bot.command("nokeyboard", async (ctx) => {
    await ctx.reply("Removed", { reply_markup: { remove_keyboard: true } });
  });
  bot.command("typing", async (ctx) => {
    await ctx.replyWithChatAction("typing");
  });
  bot.on("message:text", async (ctx) => {
    await ctx.replyWithChatAction("typing");
    await ctx.reply(`echo: ${ctx.message.text}`, { reply_markup: echoKeyboard() });
  });
  bot.on(["message:document", "message:photo"], async (ctx) => {
    const file = await ctx.getFile();
    const response = await fetch(`${server.url}/file/bot${emulator.token}/${file.file_path}`);
    const bytes = Buffer.from(await response.arrayBuffer());
    const name = ctx.message.document?.file_name ?? "photo";
    await ctx.reply(`got ${name} (${bytes.length} bytes)`);
  });
  bot.callbackQuery("press", async (ctx) => {
    presses += 1;
    await ctx.editMessageText(`pressed: ${presses}`, { reply_markup: echoKeyboard() });
    await ctx.answerCallbackQuery({ text: "Done" });
  });
  bot.callbackQuery("alert", async (ctx) => {
    await ctx.answerCallbackQuery({ text: "This is an alert", show_alert: true });
  });
  bot.catch(() => undefined);
  await bot.init();
  const polling = bot.start({ drop_pending_updates: false });
  let stopped: Promise<void> | undefined;
  return {
    url: server.url,
    emulator,
    server,
    bot,
    stop: () =>
      (stopped ??= (async () => {
        await bot.stop();
        await polling.catch(() => undefined);
        await server.close();
        await emulator.close();
        rmSync(stateDir, { recursive: true, force: true });
      })()),
  };
}
