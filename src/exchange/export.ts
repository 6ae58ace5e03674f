import { Composer, GrammyError, InlineKeyboard, InputFile } from "grammy";
import type { Language } from "../config.js";
import { localDate } from "../core/dates.js";
import { availableDatasets, buildDataset, DATASETS, type DatasetName } from "./domain/datasets.js";
import { EXPORT_FORMATS, type ExportFormat, writeExport } from "./export-write.js";
import type { BotContext } from "../core/context.js";
import { requireCommandRole, requireRole } from "../core/access/require-role.js";
import { actorOf } from "../core/access/actor.js";

/**
 * /export (staff and admins): a dataset (ex:ds:<name>), then a format (ex:fmt:<name>:<format>);
 * the menu message becomes the progress message, edited at most once a second, and the file
 * (or, for CSV of several tables, the files) is sent as a document. Contacts are personal data:
 * offered, and given, only to those who may see them (datasets.ts decides, on every press).
 */
const composer = new Composer<BotContext>();
const privateChats = composer.chatType("private");
const staffOnly = requireRole("admin", "staff");

/** Telegram takes documents of up to 50 MB from bots. */
export const MAX_UPLOAD_BYTES = 50 * 1024 * 1024;
/** Progress edits: at most one a second (Telegram limits edits, and nobody reads faster). */
export const PROGRESS_INTERVAL_MS = 1_000;

const NUMBER_LOCALES: Record<Language, string> = { ru: "ru-RU", en: "en-GB" };

function formatCount(n: number, language: Language): string {
  return new Intl.NumberFormat(NUMBER_LOCALES[language]).format(n);
}

async function datasetMenu(ctx: BotContext): Promise<{ text: string; keyboard: InlineKeyboard }> {
  const available = await availableDatasets(ctx.deps.db, actorOf(ctx)!);
  const keyboard = new InlineKeyboard();
  available.forEach((name, i) => {
    keyboard.text(ctx.t(`export.datasets.${name}`), `ex:ds:${name}`);
    if (i % 2 === 1) keyboard.row();
  });
  const lines = [ctx.t("export.choose_dataset")];
  if (ctx.role !== "admin" && available.includes("contacts")) lines.push("", ctx.t("export.contacts_note"));
  return { text: lines.join("\n"), keyboard };
}

function formatMenu(ctx: BotContext, name: DatasetName): { text: string; keyboard: InlineKeyboard } {
  const keyboard = new InlineKeyboard();
  for (const format of EXPORT_FORMATS) keyboard.text(ctx.t(`export.formats.${format}`), `ex:fmt:${name}:${format}`);
  keyboard.row().text(ctx.t("export.back"), "ex:back");
  return { text: ctx.t("export.choose_format", { dataset: ctx.t(`export.names.${name}`) }), keyboard };
}

/** A progress message that is gone or too old to edit: it is a courtesy, never a failure (an unchanged edit is done already, api-plugins.ts). */
function isHarmlessEditError(error: unknown): boolean {
  return error instanceof GrammyError && /message to edit not found|message can't be edited/i.test(error.description);
}

/** One message edited as the work goes, at most once per PROGRESS_INTERVAL_MS of the bot's clock. */
class ProgressMessage {
  private lastEditAt: number;

  constructor(
    private readonly ctx: BotContext,
    private readonly chatId: number,
    private readonly messageId: number,
  ) {
    this.lastEditAt = ctx.deps.now().getTime();
  }

  async update(text: string): Promise<void> {
    const now = this.ctx.deps.now().getTime();
    if (now - this.lastEditAt < PROGRESS_INTERVAL_MS) return;
    this.lastEditAt = now;
    try {
      await this.ctx.api.editMessageText(this.chatId, this.messageId, text);
    } catch (error) {
      if (!isHarmlessEditError(error)) this.ctx.deps.logger.warn({ err: error instanceof Error ? error.message : String(error) }, "export progress not shown");
    }
  }

  async remove(): Promise<void> {
    await this.ctx.api.deleteMessage(this.chatId, this.messageId).catch(() => undefined);
  }
}

/** Edits the pressed message, or sends a new one when it cannot be edited. */
async function show(ctx: BotContext, text: string, keyboard?: InlineKeyboard): Promise<void> {
  const options = keyboard ? { reply_markup: keyboard } : {};
  if (ctx.callbackQuery?.message) {
    try {
      await ctx.editMessageText(text, options);
      return;
    } catch (error) {
      if (!isHarmlessEditError(error)) throw error;
    }
  }
  await ctx.reply(text, options);
}

async function runExport(ctx: BotContext, name: DatasetName, format: ExportFormat): Promise<void> {
  const { db, config, logger } = ctx.deps;
  const actor = actorOf(ctx)!;
  const dataset = await buildDataset(name, { db, actor, t: ctx.t });
  if (!dataset) {
    logger.warn({ telegramId: ctx.from?.id, role: ctx.role, dataset: name }, "export refused");
    await ctx.answerCallbackQuery({ text: ctx.t("access.denied_button"), show_alert: true });
    return;
  }
  await ctx.answerCallbackQuery();
  const title = ctx.t(`export.names.${name}`);
  const total = (await Promise.all(dataset.parts.map((part) => part.count()))).reduce((a, b) => a + b, 0);
  if (total === 0) {
    await show(ctx, ctx.t("export.empty", { dataset: title }));
    return;
  }

  await show(ctx, ctx.t("export.preparing", { dataset: title }));
  const chatId = ctx.chat!.id;
  const messageId = ctx.callbackQuery?.message?.message_id;
  const progress = messageId !== undefined ? new ProgressMessage(ctx, chatId, messageId) : undefined;
  const now = ctx.deps.now();
  const date = localDate(now, config.timeZone);
  try {
    const files = await writeExport(dataset, format, {
      timeZone: config.timeZone,
      date,
      onProgress: (done, all) =>
        progress?.update(
          ctx.t("export.progress", { dataset: title, done: formatCount(done, ctx.lang), total: formatCount(all, ctx.lang), count: all }),
        ),
    });
    const tooLarge = files.find((file) => file.data.length > MAX_UPLOAD_BYTES);
    if (tooLarge) {
      await progress?.remove();
      await ctx.reply(ctx.t("export.too_large", { size: Math.ceil(tooLarge.data.length / 1024 / 1024) }));
      return;
    }
    const day = new Intl.DateTimeFormat(NUMBER_LOCALES[ctx.lang], { timeZone: config.timeZone, day: "2-digit", month: "2-digit", year: "numeric" }).format(now);
    for (const file of files) {
      const caption = ctx.t("export.caption", {
        title: files.length > 1 ? file.title : title,
        rows: formatCount(file.rows, ctx.lang),
        count: file.rows,
        date: day,
      });
      await ctx.replyWithDocument(new InputFile(file.data, file.fileName), { caption });
    }
    await progress?.remove();
    logger.info({ telegramId: ctx.from?.id, dataset: name, format, rows: files.reduce((n, f) => n + f.rows, 0) }, "export sent");
  } catch (error) {
    logger.error({ err: error instanceof Error ? error.message : String(error), dataset: name, format }, "export failed");
    await progress?.remove();
    await ctx.reply(ctx.t("export.failed"));
  }
}

privateChats.command("export", requireCommandRole("export"), async (ctx) => {
  const menu = await datasetMenu(ctx);
  await ctx.reply(menu.text, { reply_markup: menu.keyboard });
});

const DATASET_PATTERN = DATASETS.join("|");
const FORMAT_PATTERN = EXPORT_FORMATS.join("|");

privateChats.callbackQuery(new RegExp(`^ex:ds:(${DATASET_PATTERN})$`), staffOnly, async (ctx) => {
  const name = ctx.match[1] as DatasetName;
  if (!(await availableDatasets(ctx.deps.db, actorOf(ctx)!)).includes(name)) {
    ctx.deps.logger.warn({ telegramId: ctx.from.id, role: ctx.role, dataset: name }, "export refused");
    await ctx.answerCallbackQuery({ text: ctx.t("access.denied_button"), show_alert: true });
    return;
  }
  await ctx.answerCallbackQuery();
  const menu = formatMenu(ctx, name);
  await show(ctx, menu.text, menu.keyboard);
});

privateChats.callbackQuery(new RegExp(`^ex:fmt:(${DATASET_PATTERN}):(${FORMAT_PATTERN})$`), staffOnly, async (ctx) => {
  await runExport(ctx, ctx.match[1] as DatasetName, ctx.match[2] as ExportFormat);
});

privateChats.callbackQuery("ex:back", staffOnly, async (ctx) => {
  await ctx.answerCallbackQuery();
  const menu = await datasetMenu(ctx);
  await show(ctx, menu.text, menu.keyboard);
});

// Any other ex: data is forged or from an old version of the bot.
privateChats.callbackQuery(/^ex:/, staffOnly, async (ctx) => {
  await ctx.answerCallbackQuery({ text: ctx.t("common.button_outdated") });
});

export { composer as exportFeature };
