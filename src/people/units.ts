import { Composer, InlineKeyboard } from "grammy";
import { archiveUnit, findActiveUnit, getUnitCard, listActiveUnits, listUnits, restoreUnit, setUserUnit } from "./domain/units.js";
import { getStaffMember } from "../core/access/users.js";
import type { BotContext } from "../core/context.js";
import { Extension } from "../core/extension.js";
import { UNIT_HEAD_CONVERSATION, UNIT_NAME_CONVERSATION, type UnitHeadTask, type UnitNameTask } from "./units-dialogs.js";
import { plainName } from "../core/telegram/format.js";
import { addPageNav, pageOf } from "../core/telegram/paging.js";
import { listPageOf, refusalText, toCardData, unitCardView, unitLabel, unitListView } from "./units-keyboard.js";
import { requireCommandRole, requireRole } from "../core/access/require-role.js";
import { actorOf } from "../core/access/actor.js";
import { cardKeyboard, renderCard } from "./staff.js";

const composer = new Composer<BotContext>();

composer.chatType("private").command("units", requireCommandRole("units"), async (ctx) => {
  const view = unitListView(ctx.t, await listUnits(ctx.deps.db, { includeArchived: false }), false);
  await ctx.reply(view.text, { reply_markup: view.keyboard });
});

const ROUTE = /^un:(list|open|add|rename|head|archive|restore|setuser|putuser):(\d{1,9})(?::(\d{1,9}))?$/;

// Any chat: a forged button from a stranger is refused by requireRole, with an alert.
composer.callbackQuery(/^un:/, requireRole("admin"), async (ctx) => {
  const match = ROUTE.exec(ctx.callbackQuery.data);
  const actor = actorOf(ctx);
  if (!match || !actor) {
    await ctx.answerCallbackQuery({ text: ctx.t("common.button_outdated") });
    return;
  }
  const [, action, first, second] = match;
  const id = Number(first);
  const showArchived = second === "1";

  switch (action) {
    case "list":
      await ctx.answerCallbackQuery();
      // un:list:<archived>[:<page>]; a page beyond the end shows the last one.
      await showList(ctx, first === "1", Number(second ?? 0));
      return;
    case "open":
      await showCard(ctx, id, showArchived);
      return;
    case "add": {
      // 0 adds a department; otherwise an association under department `id`.
      const parent = id === 0 ? undefined : await findActiveUnit(ctx.deps.db, id);
      if (id !== 0 && parent?.kind !== "department") {
        await refuse(ctx, ctx.t("units.refused_parent_not_found"));
        return;
      }
      await ctx.answerCallbackQuery();
      const task: UnitNameTask = { mode: "add", parentId: parent?.id ?? null, showArchived };
      await ctx.conversation.enter(UNIT_NAME_CONVERSATION, task);
      return;
    }
    case "rename":
    case "head": {
      if (!(await findActiveUnit(ctx.deps.db, id))) {
        await refuse(ctx, ctx.t("units.refused_not_found"));
        return;
      }
      await ctx.answerCallbackQuery();
      if (action === "rename") {
        const task: UnitNameTask = { mode: "rename", unitId: id, showArchived };
        await ctx.conversation.enter(UNIT_NAME_CONVERSATION, task);
      } else {
        const task: UnitHeadTask = { unitId: id, showArchived };
        await ctx.conversation.enter(UNIT_HEAD_CONVERSATION, task);
      }
      return;
    }
    case "archive":
    case "restore": {
      const result =
        action === "archive" ? await archiveUnit(ctx.deps.db, actor, id, ctx.deps.now()) : await restoreUnit(ctx.deps.db, actor, id);
      if (!result.ok) {
        await refuse(ctx, refusalText(ctx.t, result));
        return;
      }
      await ctx.answerCallbackQuery({ text: ctx.t(action === "archive" ? "units.archived" : "units.restored") });
      await showCard(ctx, id, showArchived, { answered: true });
      return;
    }
    case "setuser":
      await showUnitChooser(ctx, id, Number(second ?? 0));
      return;
    case "putuser": {
      const result = await setUserUnit(ctx.deps.db, actor, id, second === undefined || second === "0" ? null : Number(second));
      if (!result.ok) {
        await refuse(ctx, refusalText(ctx.t, result));
        return;
      }
      await ctx.answerCallbackQuery({ text: ctx.t(result.changed ? "units.user_unit_changed" : "units.user_unit_unchanged") });
      const member = await getStaffMember(ctx.deps.db, id);
      if (member) await ctx.editMessageText(renderCard(ctx, member), { reply_markup: cardKeyboard(ctx, member, ctx.session.staffPage) });
      return;
    }
  }
});

async function refuse(ctx: BotContext, text: string): Promise<void> {
  await ctx.answerCallbackQuery({ text, show_alert: true });
}

async function showList(ctx: BotContext, showArchived: boolean, page = 0): Promise<void> {
  const view = unitListView(ctx.t, await listUnits(ctx.deps.db, { includeArchived: showArchived }), showArchived, page);
  await ctx.editMessageText(view.text, { reply_markup: view.keyboard });
}

/** Lines other areas add under a unit's card (the feedback on the events it owns). */
export type UnitCardLine = (ctx: BotContext, unitId: number) => Promise<string | null>;
export const unitCardLines = new Extension<UnitCardLine>("unit card lines");

async function showCard(ctx: BotContext, unitId: number, showArchived: boolean, options: { answered?: boolean } = {}) {
  const card = await getUnitCard(ctx.deps.db, unitId);
  if (!card) {
    await refuse(ctx, ctx.t("units.refused_not_found"));
    return;
  }
  if (!options.answered) await ctx.answerCallbackQuery();
  const listPage = listPageOf(await listUnits(ctx.deps.db, { includeArchived: showArchived }), unitId);
  const view = unitCardView(ctx.t, { ...toCardData(card), listPage }, showArchived);
  const extra: string[] = [];
  for (const line of unitCardLines.items) {
    const text = await line(ctx, unitId);
    if (text) extra.push(text);
  }
  await ctx.editMessageText([view.text, ...extra].join("\n"), { reply_markup: view.keyboard });
}

/** From the /staff card: the active units as buttons, paged; the staff card comes back after the choice. */
async function showUnitChooser(ctx: BotContext, userId: number, requestedPage: number): Promise<void> {
  const member = await getStaffMember(ctx.deps.db, userId);
  if (!member) {
    await refuse(ctx, ctx.t("units.refused_user_not_found"));
    return;
  }
  await ctx.answerCallbackQuery();
  const page = pageOf(await listActiveUnits(ctx.deps.db), requestedPage);
  const keyboard = new InlineKeyboard();
  for (const unit of page.items) keyboard.text(unitLabel(unit), `un:putuser:${userId}:${unit.id}`).row();
  addPageNav(keyboard, ctx.t, page, (p) => `un:setuser:${userId}:${p}`);
  keyboard.text(ctx.t("units.no_unit"), `un:putuser:${userId}:0`).row();
  keyboard.text(ctx.t("common.back"), `staff:open:${userId}:${ctx.session.staffPage}`);
  const text = ctx.t("units.choose_user_unit", { name: plainName(member), unit: member.unitName ?? ctx.t("units.no_unit") });
  await ctx.editMessageText(text, { reply_markup: keyboard });
}

export { composer as unitsFeature };
