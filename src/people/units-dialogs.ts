import {
  addUnit,
  checkUnitName,
  getUnit,
  getUnitCard,
  listHeadCandidates,
  listUnits,
  renameUnit,
  setUnitHead,
} from "./domain/units.js";
import type { BotContext, ConversationContext } from "../core/context.js";
import { plainName } from "../core/telegram/format.js";
import { clip } from "../core/telegram/html.js";
import { MAX_PICKER_ITEMS, PAGE_SIZE } from "../core/telegram/paging.js";
import { type UnitCardData, listPageOf, refusalText, toCardData, unitCardView, unitListView } from "./units-keyboard.js";
import { actorOf } from "../core/access/actor.js";
import { type Choice, type FormConversation, askChoice, askText } from "../core/forms/ask.js";

export const UNIT_NAME_CONVERSATION = "unit_name";
export const UNIT_HEAD_CONVERSATION = "unit_head";

/** A new department (parentId null), a new association under a department, or a new name. */
export type UnitNameTask =
  | { mode: "add"; parentId: number | null; showArchived: boolean }
  | { mode: "rename"; unitId: number; showArchived: boolean };

export interface UnitHeadTask {
  unitId: number;
  showArchived: boolean;
}

/** Names taken by another unit are re-asked; this caps the loop. */
const MAX_NAME_TRIES = 10;

type Outcome = { ok: true; card: UnitCardData } | { ok: false; message: string; retry: boolean };

/** The card, with the page of the list (archived units shown or not) that holds it. */
async function loadCard(outside: BotContext, unitId: number, showArchived: boolean): Promise<UnitCardData | undefined> {
  const card = await getUnitCard(outside.deps.db, unitId);
  if (!card) return undefined;
  const listPage = listPageOf(await listUnits(outside.deps.db, { includeArchived: showArchived }), unitId);
  return { ...toCardData(card), listPage };
}

async function showCard(ctx: ConversationContext, card: UnitCardData | undefined, showArchived: boolean, notice?: string) {
  if (!card) {
    if (notice) await ctx.reply(notice);
    return;
  }
  const view = unitCardView(ctx.t, card, showArchived);
  await ctx.reply(notice ? `${notice}\n\n${view.text}` : view.text, { reply_markup: view.keyboard });
}

/** Asks for a unit's name (re-asking invalid and taken names) and adds or renames the unit. */
export async function unitNameConversation(conversation: FormConversation, ctx: ConversationContext, task: UnitNameTask) {
  const about = await conversation.external(async (outside) => {
    const id = task.mode === "rename" ? task.unitId : task.parentId;
    return id === null ? null : ((await getUnit(outside.deps.db, id))?.name ?? null);
  });
  let prompt =
    task.mode === "rename"
      ? ctx.t("units.ask_rename", { name: about ?? "" })
      : task.parentId === null
        ? ctx.t("units.ask_department_name")
        : ctx.t("units.ask_association_name", { department: about ?? "" });
  const backTo = task.mode === "rename" ? task.unitId : task.parentId;

  for (let tries = 0; tries < MAX_NAME_TRIES; tries++) {
    const answer = await askText(conversation, ctx, { prompt, back: true, check: checkUnitName });
    if (answer.kind !== "value") {
      await goBack(conversation, ctx, backTo, task.showArchived);
      return;
    }
    const name = answer.value;
    const outcome = await conversation.external(async (outside): Promise<Outcome> => {
      const actor = actorOf(outside);
      if (!actor) return { ok: false, message: outside.t("access.denied_button"), retry: false };
      const db = outside.deps.db;
      const result =
        task.mode === "rename"
          ? await renameUnit(db, actor, task.unitId, name)
          : await addUnit(db, actor, { kind: task.parentId === null ? "department" : "association", name, parentId: task.parentId });
      if (!result.ok) {
        const retry = result.reason === "duplicate" || result.reason === "invalid_name";
        return { ok: false, message: refusalText(outside.t, result), retry };
      }
      const card = await loadCard(outside, result.unit.id, task.showArchived);
      if (!card) throw new Error(`unit ${result.unit.id} vanished`);
      return { ok: true, card };
    });
    if (outcome.ok) {
      const notice =
        task.mode === "rename"
          ? ctx.t("units.renamed")
          : ctx.t(task.parentId === null ? "units.added_department" : "units.added_association");
      await showCard(ctx, outcome.card, task.showArchived, notice);
      return;
    }
    await ctx.reply(outcome.message);
    if (!outcome.retry) return;
    prompt = ctx.t("units.ask_again");
  }
  await ctx.reply(ctx.t("units.too_many_tries"));
}

/** Back from the only step: to the unit's card, or to the list when adding a department. */
async function goBack(conversation: FormConversation, ctx: ConversationContext, unitId: number | null, showArchived: boolean) {
  const card = unitId === null ? undefined : await conversation.external((outside) => loadCard(outside, unitId, showArchived));
  if (card) {
    await showCard(ctx, card, showArchived);
    return;
  }
  const list = await conversation.external(async (outside) => {
    const view = unitListView(outside.t, await listUnits(outside.deps.db, { includeArchived: showArchived }), showArchived);
    return { text: view.text, inline_keyboard: view.keyboard.inline_keyboard };
  });
  await ctx.reply(list.text, { reply_markup: { inline_keyboard: list.inline_keyboard } });
}

/** Picks the head of a unit among active staff and admins. */
export async function unitHeadConversation(conversation: FormConversation, ctx: ConversationContext, task: UnitHeadTask) {
  const data = await conversation.external(async (outside) => {
    const card = await loadCard(outside, task.unitId, task.showArchived);
    if (!card || card.archived) return undefined;
    const candidates = await listHeadCandidates(outside.deps.db);
    const headUserId = (await getUnit(outside.deps.db, task.unitId))?.headUserId ?? null;
    return {
      card,
      headUserId,
      total: candidates.length,
      choices: candidates.slice(0, MAX_PICKER_ITEMS).map((user): Choice => ({ id: String(user.id), label: clip(plainName(user), 48) })),
    };
  });
  if (!data) {
    await ctx.reply(ctx.t("units.refused_not_found"));
    return;
  }
  if (data.total === 0) {
    await ctx.reply(ctx.t("units.no_candidates"));
    return;
  }
  const choices = data.choices.map((choice) => (choice.id === String(data.headUserId) ? { ...choice, label: `✅ ${choice.label}` } : choice));
  // «No head» stays under every page of the people.
  const fixed = data.headUserId !== null ? [{ id: "none", label: ctx.t("units.no_head_choice") }] : [];
  const prompt = ctx.t("units.ask_head", { name: data.card.name });
  const answer = await askChoice(conversation, ctx, { prompt, choices, fixed, pageSize: PAGE_SIZE, back: true });
  if (answer.kind !== "value") {
    await showCard(ctx, data.card, task.showArchived);
    return;
  }
  const headUserId = answer.value === "none" ? null : Number(answer.value);
  const outcome = await conversation.external(async (outside): Promise<Outcome> => {
    const actor = actorOf(outside);
    if (!actor) return { ok: false, message: outside.t("access.denied_button"), retry: false };
    const result = await setUnitHead(outside.deps.db, actor, task.unitId, headUserId);
    if (!result.ok) return { ok: false, message: refusalText(outside.t, result), retry: false };
    const card = await loadCard(outside, task.unitId, task.showArchived);
    if (!card) throw new Error(`unit ${task.unitId} vanished`);
    return { ok: true, card };
  });
  if (!outcome.ok) {
    await ctx.reply(outcome.message);
    return;
  }
  await showCard(ctx, outcome.card, task.showArchived, ctx.t(headUserId === null ? "units.head_cleared" : "units.head_set"));
}
