import { Composer, InlineKeyboard } from "grammy";
import { noticeDepsOf } from "../core/outbox/notices.js";
import { type StaffMember, getStaffMember, listStaff, setStaffStatus } from "../core/access/users.js";
import { publishChatMenu } from "../core/telegram/commands.js";
import { enqueueUserNotice } from "../core/outbox/notify.js";
import type { BotContext } from "../core/context.js";
import { displayName, plainName } from "../core/telegram/format.js";
import { fitButton } from "../core/telegram/button-label.js";
import { PAGE_SIZE, addPageNav, clampPage, pageCount } from "../core/telegram/paging.js";
import { requireCommandRole, requireRole } from "../core/access/require-role.js";

declare module "../core/context.js" {
  interface SessionData {
    /** The page of /staff last looked at, so the list reopens where the admin left it. */
    staffPage: number;
  }
}

const composer = new Composer<BotContext>();
const privateChats = composer.chatType("private");

privateChats.command("staff", requireCommandRole("staff"), async (ctx) => {
  const view = await renderList(ctx, ctx.session.staffPage);
  await ctx.reply(view.text, { reply_markup: view.keyboard });
});

privateChats.callbackQuery(/^staff:/, requireRole("admin"), async (ctx) => {
  const match = /^staff:(list|open|deactivate|activate):(\d{1,9})(?::(\d{1,9}))?$/.exec(ctx.callbackQuery.data);
  if (!match) {
    await ctx.answerCallbackQuery({ text: ctx.t("common.button_outdated") });
    return;
  }
  const [, action, first, second] = match;
  const page = Number(action === "list" ? first : (second ?? 0));
  const userId = Number(first);

  if (action === "list") {
    await ctx.answerCallbackQuery();
    const view = await renderList(ctx, page);
    await ctx.editMessageText(view.text, { reply_markup: view.keyboard });
    return;
  }
  if (action === "deactivate" || action === "activate") {
    // The status change and the notice to the person commit together.
    const result = await ctx.deps.db.transaction(async (tx) => {
      const changed = await setStaffStatus(tx, {
        actor: ctx.user!,
        targetUserId: userId,
        status: action === "deactivate" ? "inactive" : "active",
        adminTelegramIds: ctx.deps.config.adminTelegramIds,
      });
      if (changed.ok) await enqueueUserNotice(tx, noticeDepsOf(ctx.deps), changed.user, `staff.notice_${action}d`);
      return changed;
    });
    if (!result.ok) {
      await ctx.answerCallbackQuery({ text: ctx.t(`staff.refused_${result.reason}`), show_alert: true });
      return;
    }
    ctx.deps.wakeOutbox();
    await ctx.answerCallbackQuery({ text: ctx.t(`staff.${action}d`) });
    const role = result.user.status === "active" ? result.user.role : "guest";
    await publishChatMenu(ctx.api, ctx.deps.i18n, result.user.telegramId, role, ctx.deps.logger);
  }
  const member = await getStaffMember(ctx.deps.db, userId);
  if (!member) {
    await ctx.answerCallbackQuery({ text: ctx.t("staff.refused_not_found"), show_alert: true });
    return;
  }
  if (action === "open") await ctx.answerCallbackQuery();
  await ctx.editMessageText(renderCard(ctx, member), { reply_markup: cardKeyboard(ctx, member, page) });
});

async function renderList(ctx: BotContext, requestedPage: number) {
  const { members, total } = await listStaff(ctx.deps.db, requestedPage, PAGE_SIZE);
  const pages = pageCount(total);
  const page = clampPage(requestedPage, pages);
  // A page beyond the end (staff left since the list was drawn) shows the last one instead.
  const shown = page === requestedPage ? members : (await listStaff(ctx.deps.db, page, PAGE_SIZE)).members;
  ctx.session.staffPage = page;

  const keyboard = new InlineKeyboard();
  for (const member of shown) {
    keyboard.text(fitButton(`${member.status === "active" ? "🟢" : "⛔"} ${plainName(member)}`), `staff:open:${member.id}:${page}`).row();
  }
  addPageNav(keyboard, ctx.t, { page, pages }, (p) => `staff:list:${p}`);
  const text =
    total === 0
      ? ctx.t("staff.empty")
      : [ctx.t("staff.title", { count: total }), ctx.t("staff.page", { page: page + 1, pages }), "", ctx.t("staff.pick")].join(
          "\n",
        );
  return { text, keyboard };
}

export function renderCard(ctx: BotContext, member: StaffMember): string {
  return [
    `<b>${displayName(member)}</b>`,
    ctx.t("staff.card_role", { role: ctx.t(`roles.${member.role}`) }),
    ctx.t("staff.card_unit", { unit: member.unitName ?? ctx.t("staff.no_unit") }),
    ctx.t(`staff.card_status_${member.status}`),
  ].join("\n");
}

export function cardKeyboard(ctx: BotContext, member: StaffMember, page: number): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  const protectedMember =
    member.id === ctx.user?.id || ctx.deps.config.adminTelegramIds.includes(member.telegramId);
  if (!protectedMember) {
    if (member.status === "active") keyboard.text(ctx.t("staff.deactivate"), `staff:deactivate:${member.id}:${page}`).row();
    else keyboard.text(ctx.t("staff.activate"), `staff:activate:${member.id}:${page}`).row();
  }
  keyboard.text(ctx.t("units.change_unit"), `un:setuser:${member.id}`).row();
  return keyboard.text(ctx.t("staff.back_to_list"), `staff:list:${page}`);
}

export { composer as staffFeature };
