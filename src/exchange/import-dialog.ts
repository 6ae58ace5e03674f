import { InlineKeyboard, InputFile } from "grammy";
import type { Document } from "grammy/types";
import { applyImport } from "./domain/import-apply.js";
import { IMPORT_FIELDS, importVocabulary } from "./domain/import-columns.js";
import { MAX_DOWNLOAD_BYTES, downloadTelegramFile } from "./import-download.js";
import { type ImportPlan, planImport } from "./domain/import-plan.js";
import { MAX_IMPORT_ROWS, type ReadRefusal, readSpreadsheet } from "./domain/import-read.js";
import { templateHeader, toCsv } from "./import-template.js";
import type { BotContext, ConversationContext } from "../core/context.js";
import { clip, escapeHtml } from "../core/telegram/html.js";
import type { TFunction } from "../core/i18n.js";
import { actorOf } from "../core/access/actor.js";
import type { FormConversation } from "../core/forms/ask.js";

/**
 * /import: the admin sends an XLSX or CSV file; the bot downloads it, checks it (a dry run that
 * writes nothing) and shows what would happen; Import writes every valid new row in one
 * transaction. A corrected file may be sent instead of pressing a button: it is checked anew.
 *
 * The file itself is never kept in the conversation's state: Import downloads it again by its
 * file_id and re-checks it inside the writing transaction, so partners added in the meantime are
 * still recognised as duplicates.
 */
export const IMPORT_CONVERSATION = "import";

/** Enough for many files and buttons; a conversation cannot wait forever. */
const MAX_UPDATES = 200;
/** Problem lines shown in the chat; the rest go into a file. */
const SHOWN_PROBLEMS = 20;
const REPORT_BUDGET = 3500;

export function templateButtons(t: TFunction, keyboard = new InlineKeyboard()): InlineKeyboard {
  return keyboard.text(t("import.template_xlsx"), "imp:tpl:xlsx").text(t("import.template_csv"), "imp:tpl:csv");
}

export function refusalText(t: TFunction, refusal: ReadRefusal): string {
  switch (refusal.reason) {
    case "too_many_rows":
      return t("import.refused.too_many_rows", { limit: refusal.limit });
    case "columns": {
      const list = (items: string[]) =>
        items
          .slice(0, 10)
          .map((item) => t("import.refused.column", { name: clip(item, 40) }))
          .join(", ") + (items.length > 10 ? ", …" : "");
      const details = [
        refusal.missing.length > 0 ? t("import.refused.columns_missing", { list: list(refusal.missing.map((f) => t(`import.columns.${f}`))), interpolation: { escapeValue: false } }) : "",
        refusal.unknown.length > 0 ? t("import.refused.columns_unknown", { list: list(refusal.unknown), interpolation: { escapeValue: false } }) : "",
        refusal.repeated.length > 0 ? t("import.refused.columns_repeated", { list: list(refusal.repeated), interpolation: { escapeValue: false } }) : "",
      ].join("");
      const expected = escapeHtml(IMPORT_FIELDS.map((field) => templateHeader(t, field)).join(", "));
      return t("import.refused.columns", { details, expected, interpolation: { escapeValue: false } });
    }
    case "not_spreadsheet":
      return t(`import.refused.not_spreadsheet.${refusal.kind}`);
    default:
      return t(`import.refused.${refusal.reason}`);
  }
}

interface Problem {
  row: number;
  /** HTML for the chat. */
  line: string;
  /** Plain cells for the file: row, column, reason, value. */
  cells: string[];
}

function problemsOf(t: TFunction, plan: ImportPlan): Problem[] {
  const plain = { interpolation: { escapeValue: false } };
  const problems: Problem[] = plan.problems.map((p) => {
    const column = t(`import.columns.${p.field}`);
    const reason = t(`import.reasons.${p.error}`);
    const line = p.value
      ? t("import.report.line_invalid_value", { row: p.rowNumber, column, reason, value: clip(p.value, 40) })
      : t("import.report.line_invalid", { row: p.rowNumber, column, reason });
    return { row: p.rowNumber, line, cells: [String(p.rowNumber), column, reason, p.value] };
  });
  for (const d of plan.duplicates) {
    const name = clip(d.name, 60);
    const other = d.of.kind === "partner" ? clip(d.of.name, 60) : String(d.of.rowNumber);
    const key = d.of.kind === "partner" ? "partner" : "row";
    problems.push({
      row: d.rowNumber,
      line: t(`import.report.line_duplicate_${key}`, { row: d.rowNumber, name, other }),
      cells: [String(d.rowNumber), t("import.columns.fullName"), t(`import.report.dup_${key}`, { other: d.of.kind === "partner" ? d.of.name : other, ...plain }), d.name],
    });
  }
  return problems.sort((a, b) => a.row - b.row);
}

export interface ImportReport {
  text: string;
  /** The full problem list, when the message shows only part of it. */
  file: Buffer | undefined;
  create: number;
}

export function renderReport(t: TFunction, plan: ImportPlan, fileName: string): ImportReport {
  const lines = [
    t("import.report.title", { file: clip(fileName, 60) }),
    t("import.report.rows", { count: plan.rows }),
    t("import.report.create", { count: plan.create.length }),
  ];
  const withContacts = plan.create.filter((row) => row.contact).length;
  if (withContacts > 0) lines.push(t("import.report.contacts", { count: withContacts }));
  if (plan.duplicates.length > 0) lines.push(t("import.report.duplicates", { count: plan.duplicates.length }));
  if (plan.invalidRows > 0) lines.push(t("import.report.invalid", { count: plan.invalidRows }));
  const problems = problemsOf(t, plan);
  let file: Buffer | undefined;
  if (problems.length > 0) {
    lines.push("", t("import.report.problems_title"));
    let shown = 0;
    let length = lines.join("\n").length;
    for (const problem of problems) {
      if (shown >= SHOWN_PROBLEMS || length + problem.line.length > REPORT_BUDGET) break;
      lines.push(problem.line);
      length += problem.line.length + 1;
      shown++;
    }
    if (shown < problems.length) {
      lines.push(t("import.report.more", { count: problems.length - shown }));
      const header = ["problems_row", "problems_column", "problems_reason", "problems_value"].map((k) => t(`import.report.${k}`));
      file = toCsv([header, ...problems.map((p) => p.cells)]);
    }
  }
  lines.push("");
  if (plan.create.length === 0) lines.push(t("import.report.nothing"));
  else {
    if (withContacts > 0) lines.push(t("import.report.consent"), "");
    lines.push(t("import.report.confirm"));
  }
  return { text: lines.join("\n"), file, create: plan.create.length };
}

type Checked = { kind: "report"; text: string; create: number } | { kind: "refused"; text: string };

/** Downloads and checks a file: the dry run. Inside `external`: it runs once, not on replays. */
async function checkFile(outside: BotContext, document: Document): Promise<Checked> {
  const t = outside.t;
  const downloaded = await downloadTelegramFile(outside.api, document.file_id);
  if (!downloaded.ok) {
    outside.deps.logger.warn({ err: downloaded.error, reason: downloaded.reason }, "import: could not download the file");
    return { kind: "refused", text: downloaded.reason === "too_big" ? t("import.too_big", { mb: MAX_DOWNLOAD_BYTES / 1024 / 1024 }) : t("import.download_failed") };
  }
  const vocabulary = importVocabulary(outside.deps.i18n);
  const sheet = await readSpreadsheet(downloaded.buffer, vocabulary, { fileName: document.file_name });
  if (!sheet.ok) return { kind: "refused", text: refusalText(t, sheet) };
  const plan = await planImport(outside.deps.db, sheet, vocabulary);
  const report = renderReport(t, plan, document.file_name ?? "—");
  if (report.file) {
    await outside.replyWithDocument(new InputFile(report.file, `${t("import.report.problems_file")}.csv`), {
      caption: t("import.report.problems_caption"),
    });
  }
  return { kind: "report", text: report.text, create: report.create };
}

type Saved = { kind: "done"; created: number; contacts: number } | { kind: "forbidden" } | { kind: "failed"; text: string };

/** Import: rights checked again, the file downloaded and checked again, then written in one transaction. */
async function saveFile(outside: BotContext, fileId: string, fileName: string | undefined): Promise<Saved> {
  const actor = actorOf(outside);
  if (!actor || actor.role !== "admin") return { kind: "forbidden" };
  const downloaded = await downloadTelegramFile(outside.api, fileId);
  if (!downloaded.ok) return { kind: "failed", text: outside.t("import.download_failed") };
  const vocabulary = importVocabulary(outside.deps.i18n);
  const sheet = await readSpreadsheet(downloaded.buffer, vocabulary, { fileName });
  if (!sheet.ok) return { kind: "failed", text: refusalText(outside.t, sheet) };
  const result = await applyImport(outside.deps.db, actor, sheet, vocabulary);
  if (!result.ok) return { kind: "forbidden" };
  outside.deps.logger.info({ userId: actor.user.id, created: result.created, contacts: result.contacts }, "partners imported");
  return { kind: "done", created: result.created, contacts: result.contacts };
}

export async function importConversation(conversation: FormConversation, ctx: ConversationContext): Promise<void> {
  const intro = await ctx.reply(ctx.t("import.intro", { limit: MAX_IMPORT_ROWS }), {
    reply_markup: templateButtons(ctx.t).row().text(ctx.t("common.cancel"), "imp:cancel"),
  });
  /** The last file checked, and the message whose Import button saves it. */
  let pending: { fileId: string; fileName: string | undefined; messageId: number; create: number } | undefined;
  /** Messages whose Cancel button still works: the introduction and the latest answer to a file. */
  let latest = intro.message_id;
  const liveMessages = () => [intro.message_id, latest];

  for (let updates = 0; updates < MAX_UPDATES; updates++) {
    const update = await conversation.wait();
    const query = update.callbackQuery;
    if (query) {
      const data = query.data ?? "";
      // Templates are sent by the import feature, whether or not an import is open.
      if (/^imp:tpl:/.test(data)) await conversation.skip({ next: true });
      const messageId = query.message?.message_id ?? -1;
      if (data === "imp:cancel" && liveMessages().includes(messageId)) {
        await update.answerCallbackQuery();
        await update.reply(update.t("cancel.done"));
        return;
      }
      if (data === "imp:go" && pending && pending.create > 0 && messageId === pending.messageId) {
        await update.answerCallbackQuery();
        await update.reply(update.t("import.saving"));
        const { fileId, fileName } = pending;
        const saved = await conversation.external((outside) => saveFile(outside, fileId, fileName));
        if (saved.kind === "failed") {
          await update.reply(saved.text);
          continue;
        }
        if (saved.kind === "forbidden") {
          await update.reply(update.t("import.forbidden"));
          return;
        }
        const lines = [update.t("import.done", { created: saved.created, contacts: saved.contacts })];
        if (saved.created < pending.create) lines.push("", update.t("import.changed"));
        await update.reply(lines.join("\n"));
        return;
      }
      await update.answerCallbackQuery({ text: update.t("common.button_outdated") });
      continue;
    }
    const message = update.message;
    if (!message) continue;
    const document = message.document;
    if (!document) {
      await update.reply(update.t(message.photo ? "import.photo_instead" : "import.send_file"));
      continue;
    }
    if ((document.file_size ?? 0) > MAX_DOWNLOAD_BYTES) {
      await update.reply(update.t("import.too_big", { mb: MAX_DOWNLOAD_BYTES / 1024 / 1024 }));
      continue;
    }
    await update.reply(update.t("import.checking"));
    const checked = await conversation.external((outside) => checkFile(outside, document));
    if (checked.kind === "refused") {
      pending = undefined;
      const refusal = await update.reply(checked.text, { reply_markup: templateButtons(update.t).row().text(update.t("common.cancel"), "imp:cancel") });
      latest = refusal.message_id;
      continue;
    }
    const keyboard = new InlineKeyboard();
    if (checked.create > 0) keyboard.text(update.t("import.report.import_button", { count: checked.create }), "imp:go");
    keyboard.text(update.t("common.cancel"), "imp:cancel");
    const report = await update.reply(checked.text, { reply_markup: keyboard, link_preview_options: { is_disabled: true } });
    pending = { fileId: document.file_id, fileName: document.file_name, messageId: report.message_id, create: checked.create };
    latest = report.message_id;
  }
  await ctx.reply(ctx.t("cancel.done"));
}
