import { Composer, InlineKeyboard } from "grammy";
import type { Partner } from "../domain/schema.js";
import { formatDay } from "../../core/dates.js";
import { getInteraction, listRecentInteractions } from "../domain/interactions.js";
import { canEditPartner } from "../domain/partners.js";
import type { BotContext } from "../../core/context.js";
import { INTERACTION_CONVERSATION } from "./dialog.js";
import { clip } from "../../core/telegram/html.js";
import { refuseAccess } from "../../core/access/require-role.js";
import { actorOf, partnerForAction } from "../access.js";

const PAGE_SIZE = 10;

const composer = new Composer<BotContext>();
const privateChats = composer.chatType("private");

privateChats.callbackQuery(/^ix:/, async (ctx) => {
  const match = /^ix:(add|list|file):(\d{1,9})(?::(\d{1,5}))?$/.exec(ctx.callbackQuery.data);
  if (!match) {
    await ctx.answerCallbackQuery({ text: ctx.t("common.button_outdated") });
    return;
  }
  // The interaction log is internal work: staff keep and read it, partner contacts do not.
  if (ctx.role !== "staff" && ctx.role !== "admin") {
    await refuseAccess(ctx);
    return;
  }
  const [, action, rawId, rawPage] = match;
  const id = Number(rawId);
  if (action === "add") {
    if (!(await partnerForAction(ctx, id, "edit"))) return;
    await ctx.answerCallbackQuery();
    await ctx.conversation.enter(INTERACTION_CONVERSATION, id);
    return;
  }
  if (action === "list") {
    const partner = await partnerForAction(ctx, id, "view");
    if (!partner) return;
    await ctx.answerCallbackQuery();
    await showList(ctx, partner, Number(rawPage ?? 0), rawPage === undefined ? "reply" : "edit");
    return;
  }
  const interaction = await getInteraction(ctx.deps.db, id);
  if (!interaction) {
    await ctx.answerCallbackQuery({ text: ctx.t("common.button_outdated"), show_alert: true });
    return;
  }
  if (!(await partnerForAction(ctx, interaction.partnerId, "view"))) return;
  if (!interaction.fileId) {
    await ctx.answerCallbackQuery({ text: ctx.t("interactions.file_missing"), show_alert: true });
    return;
  }
  await ctx.answerCallbackQuery();
  const caption = ctx.t("interactions.file_caption", {
    date: formatDay(interaction.occurredOn),
    kind: ctx.t(`interactions.kinds.${interaction.kind}`),
    text: clip(interaction.text, 200),
  });
  if (interaction.fileKind === "photo") await ctx.replyWithPhoto(interaction.fileId, { caption });
  else await ctx.replyWithDocument(interaction.fileId, { caption });
});

async function showList(ctx: BotContext, partner: Partner, requestedPage: number, mode: "reply" | "edit"): Promise<void> {
  const { db } = ctx.deps;
  let { items, total } = await listRecentInteractions(db, partner.id, PAGE_SIZE, requestedPage * PAGE_SIZE);
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const page = Math.min(requestedPage, pages - 1);
  if (page !== requestedPage) ({ items, total } = await listRecentInteractions(db, partner.id, PAGE_SIZE, page * PAGE_SIZE));

  const name = partner.shortName ?? partner.fullName;
  const lines =
    total === 0
      ? [ctx.t("interactions.list_empty", { name })]
      : [
          ctx.t("interactions.list_title", { name, total, page: page + 1, pages }),
          ...items.map((item, i) =>
            ctx.t("interactions.list_item", {
              n: page * PAGE_SIZE + i + 1,
              date: formatDay(item.occurredOn),
              kind: ctx.t(`interactions.kinds.${item.kind}`),
              author: clip(item.authorName, 60),
              file: item.fileId ? " 📎" : "",
              text: clip(item.text, 250),
            }),
          ),
        ];

  const keyboard = new InlineKeyboard();
  const withFiles = items.map((item, i) => ({ item, n: page * PAGE_SIZE + i + 1 })).filter(({ item }) => item.fileId);
  withFiles.forEach(({ item, n }, i) => {
    keyboard.text(ctx.t("interactions.file_button", { n }), `ix:file:${item.id}`);
    if ((i + 1) % 5 === 0) keyboard.row();
  });
  keyboard.row();
  if (pages > 1) {
    if (page > 0) keyboard.text(ctx.t("common.previous"), `ix:list:${partner.id}:${page - 1}`);
    if (page < pages - 1) keyboard.text(ctx.t("common.next"), `ix:list:${partner.id}:${page + 1}`);
    keyboard.row();
  }
  if (await canEditPartner(db, actorOf(ctx)!, partner)) keyboard.text(ctx.t("interactions.add"), `ix:add:${partner.id}`);
  keyboard.text(ctx.t("interactions.back_to_card"), `pc:open:${partner.id}`);

  const text = lines.join("\n\n");
  if (mode === "edit" && ctx.callbackQuery?.message) await ctx.editMessageText(text, { reply_markup: keyboard });
  else await ctx.reply(text, { reply_markup: keyboard });
}

export { composer as interactionsFeature };
