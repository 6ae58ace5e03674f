import { Composer, InputFile } from "grammy";
import { FOCUSES, PARTNER_TYPES } from "../partners/index.js";
import { buildTemplate } from "./import-template.js";
import type { BotContext } from "../core/context.js";
import { IMPORT_CONVERSATION } from "./import-dialog.js";
import { requireCommandRole, requireRole } from "../core/access/require-role.js";

/** /import for administrators; the work happens in src/exchange/import-dialog.ts. */
const composer = new Composer<BotContext>();
const privateChats = composer.chatType("private");

privateChats.command("import", requireCommandRole("import"), async (ctx) => {
  await ctx.conversation.enter(IMPORT_CONVERSATION);
});

const buttons = privateChats.callbackQuery(/^imp:/).use(requireRole("admin"));

/** The template, in the admin's language; the buttons work whether or not an import is open. */
buttons.callbackQuery(/^imp:tpl:(xlsx|csv)$/, async (ctx) => {
  await ctx.answerCallbackQuery();
  const format = ctx.match[1] as "xlsx" | "csv";
  const t = ctx.t;
  const caption =
    format === "xlsx"
      ? t("import.template_caption")
      : t("import.template_caption_csv", {
          types: PARTNER_TYPES.map((type) => t(`partners.types.${type}`)).join(", "),
          focuses: FOCUSES.map((focus) => t(`partners.focuses.${focus}`)).join(", "),
        });
  const file = await buildTemplate(format, t);
  await ctx.replyWithDocument(new InputFile(file, `${t("import.template.file_name")}.${format}`), { caption });
});

// Import or Cancel of an import that is no longer open (finished, cancelled, or left).
buttons.callbackQuery(/^imp:/, async (ctx) => {
  await ctx.answerCallbackQuery({ text: ctx.t("import.over"), show_alert: true });
});

export { composer as importFeature };
