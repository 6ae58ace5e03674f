import { InlineKeyboard } from "grammy";
import { and, asc, eq, inArray } from "drizzle-orm";
import { FOCUSES, type Focus, OWNER_KINDS, type OwnerKind, PARTNER_TYPES, type PartnerType, type Stage } from "./domain/schema.js";
import { users } from "../core/access/schema.js";
import { changeStage, createPartner, emptyPartnerDraft, findSimilarPartners, getPartner, type PartnerDraft, updatePartner } from "./domain/partners.js";
import { listActiveUnits } from "../people/index.js";
import { checkInn, checkName, checkText, checkWebsite } from "../core/validation.js";
import type { ConversationContext } from "../core/context.js";
import { clip, escapeHtml } from "../core/telegram/html.js";
import { showPartnerCard } from "./card.js";
import { ownerText } from "./owner-text.js";
import { MAX_PICKER_ITEMS, PAGE_SIZE } from "../core/telegram/paging.js";
import { actorOf } from "./access.js";
import { type Answer, askChoice, askConfirm, askMany, askText, type Choice, type FormConversation } from "../core/forms/ask.js";

/** The names the stage and edit dialogs are registered under and entered by. */
export const STAGE_CONVERSATION = "partnerStage";
export const EDIT_PARTNER_CONVERSATION = "editPartner";


export const NEW_PARTNER_CONVERSATION = "newPartner";

/** The steps of the partner form, in order; Back walks this list. */
const STEPS = [
  "fullName",
  "shortName",
  "type",
  "owner",
  "focuses",
  "website",
  "address",
  "inn",
  "motivation",
  "tasks",
  "notes",
] as const;
type Step = (typeof STEPS)[number];

const MAX_ANSWERS = 80;

interface People {
  units: { id: number; name: string; kind: "department" | "association" }[];
  teachers: { id: number; name: string }[];
  myUnit: { id: number; name: string; kind: "department" | "association" } | undefined;
}

async function loadPeople(conversation: FormConversation): Promise<People> {
  return conversation.external(async (outside) => {
    const unitRows = await listActiveUnits(outside.deps.db);
    const staff = await outside.deps.db
      .select({ id: users.id, firstName: users.firstName, lastName: users.lastName })
      .from(users)
      .where(and(inArray(users.role, ["staff", "admin"]), eq(users.status, "active")))
      .orderBy(asc(users.firstName), asc(users.lastName))
      .limit(MAX_PICKER_ITEMS);
    const units = unitRows.map((u) => ({ id: u.id, name: u.name, kind: u.kind }));
    return {
      units,
      teachers: staff.map((s) => ({ id: s.id, name: [s.firstName, s.lastName].filter(Boolean).join(" ") })),
      myUnit: units.find((u) => u.id === outside.user?.unitId),
    };
  });
}

/** Asks one step of the form and writes the answer into the draft. */
async function askStep(
  conversation: FormConversation,
  ctx: ConversationContext,
  step: Step,
  draft: PartnerDraft,
  people: People,
  back: boolean,
): Promise<Answer<unknown>> {
  const t = ctx.t;
  const optional = { optional: true, back };
  switch (step) {
    case "fullName": {
      const answer = await askText(conversation, ctx, { prompt: t("partners.new.full_name"), back, check: (s) => checkName(s, { min: 2, max: 300 }) });
      if (answer.kind === "value") draft.fullName = answer.value;
      return answer;
    }
    case "shortName": {
      const answer = await askText(conversation, ctx, { prompt: t("partners.new.short_name"), ...optional, check: (s) => checkName(s, { min: 1, max: 100 }) });
      if (answer.kind !== "back") draft.shortName = answer.kind === "value" ? answer.value : null;
      return answer;
    }
    case "type": {
      const choices = PARTNER_TYPES.map((type) => ({ id: type, label: t(`partners.types.${type}`) }));
      const answer = await askChoice(conversation, ctx, { prompt: t("partners.new.type"), back, choices, columns: 2 });
      if (answer.kind === "value") draft.type = answer.value as PartnerType;
      return answer;
    }
    case "owner":
      return askOwner(conversation, ctx, draft, people, back);
    case "focuses": {
      const choices = FOCUSES.map((d) => ({ id: d, label: t(`partners.focus_buttons.${d}`) }));
      const answer = await askMany(conversation, ctx, { prompt: t("partners.new.focuses"), back, choices, selected: draft.focuses });
      if (answer.kind === "value") draft.focuses = answer.value as Focus[];
      return answer;
    }
    case "website": {
      const answer = await askText(conversation, ctx, { prompt: t("partners.new.website"), ...optional, check: checkWebsite });
      if (answer.kind !== "back") draft.website = answer.kind === "value" ? answer.value : null;
      return answer;
    }
    case "address": {
      const answer = await askText(conversation, ctx, { prompt: t("partners.new.address"), ...optional, check: (s) => checkText(s, 500) });
      if (answer.kind !== "back") draft.address = answer.kind === "value" ? answer.value : null;
      return answer;
    }
    case "inn": {
      const answer = await askText(conversation, ctx, { prompt: t("partners.new.inn"), ...optional, check: checkInn });
      if (answer.kind !== "back") draft.inn = answer.kind === "value" ? answer.value : null;
      return answer;
    }
    case "motivation":
    case "tasks":
    case "notes": {
      const answer = await askText(conversation, ctx, { prompt: t(`partners.new.${step}`), ...optional, check: (s) => checkText(s, 2000) });
      if (answer.kind !== "back") draft[step] = answer.kind === "value" ? answer.value : null;
      return answer;
    }
  }
}

async function askOwner(
  conversation: FormConversation,
  ctx: ConversationContext,
  draft: PartnerDraft,
  people: People,
  back: boolean,
): Promise<Answer<unknown>> {
  const t = ctx.t;
  const choices: Choice[] = [];
  if (people.myUnit) choices.push({ id: "mine", label: `⭐ ${people.myUnit.name}` });
  for (const kind of OWNER_KINDS) choices.push({ id: kind, label: t(`partners.owner_kinds.${kind}`) });
  const kindAnswer = await askChoice(conversation, ctx, { prompt: t("partners.new.owner_kind"), back, choices });
  if (kindAnswer.kind !== "value") return kindAnswer;
  const set = (ownerKind: OwnerKind, unitId: number | null, userId: number | null) => {
    draft.ownerKind = ownerKind;
    draft.ownerUnitId = unitId;
    draft.ownerUserId = userId;
  };
  if (kindAnswer.value === "mine" && people.myUnit) {
    set(people.myUnit.kind, people.myUnit.id, null);
    return kindAnswer;
  }
  const kind = kindAnswer.value as OwnerKind;
  if (kind === "institution") {
    set("institution", null, null);
    return kindAnswer;
  }
  if (kind === "teacher") {
    if (people.teachers.length === 0) {
      await ctx.reply(t("partners.new.no_teachers"));
      set("institution", null, null);
      return kindAnswer;
    }
    const who = await askChoice(conversation, ctx, {
      prompt: t("partners.new.owner_teacher"),
      back: true,
      pageSize: PAGE_SIZE,
      choices: people.teachers.map((p) => ({ id: String(p.id), label: p.name })),
    });
    if (who.kind === "back") return askOwner(conversation, ctx, draft, people, back);
    if (who.kind === "value") set("teacher", null, Number(who.value));
    return who;
  }
  const units = people.units.filter((u) => u.kind === kind);
  if (units.length === 0) {
    await ctx.reply(t("partners.new.no_units"));
    set("institution", null, null);
    return kindAnswer;
  }
  const unit = await askChoice(conversation, ctx, {
    prompt: t("partners.new.owner_unit"),
    back: true,
    pageSize: PAGE_SIZE,
    choices: units.map((u) => ({ id: String(u.id), label: u.name })),
  });
  if (unit.kind === "back") return askOwner(conversation, ctx, draft, people, back);
  if (unit.kind === "value") set(kind, Number(unit.value), null);
  return unit;
}

function summary(ctx: ConversationContext, draft: PartnerDraft, people: People): string {
  const t = ctx.t;
  const empty = t("partners.new.empty");
  const value = (text: string | null) => (text ? escapeHtml(clip(text, 300)) : empty);
  const ownerName =
    draft.ownerKind === "teacher"
      ? people.teachers.find((p) => p.id === draft.ownerUserId)?.name
      : people.units.find((u) => u.id === draft.ownerUnitId)?.name;
  const owner = escapeHtml(ownerText(t, draft.ownerKind, ownerName));
  const rows: [string, string][] = [
    ["fullName", value(draft.fullName)],
    ["shortName", value(draft.shortName)],
    ["type", t(`partners.types.${draft.type}`)],
    ["owner", owner],
    ["focuses", draft.focuses.map((d) => t(`partners.focuses.${d}`).toLocaleLowerCase()).join(", ") || empty],
    ["website", value(draft.website)],
    ["address", value(draft.address)],
    ["inn", value(draft.inn)],
    ["motivation", value(draft.motivation)],
    ["tasks", value(draft.tasks)],
    ["notes", value(draft.notes)],
  ];
  return rows.map(([field, text]) => `<b>${t(`partners.fields.${field}`)}:</b> ${text}`).join("\n");
}

function openCardKeyboard(ctx: ConversationContext, partnerId: number): InlineKeyboard {
  return new InlineKeyboard().text(ctx.t("partners.stage.back_to_card"), `pc:open:${partnerId}`);
}

/** Offers existing partners with similar names; returns the id to open, or undefined to go on. */
async function checkDuplicates(conversation: FormConversation, ctx: ConversationContext, draft: PartnerDraft): Promise<number | undefined> {
  const similar = await conversation.external(async (outside) => {
    const found = await findSimilarPartners(outside.deps.db, draft.fullName);
    const byShort = draft.shortName ? await findSimilarPartners(outside.deps.db, draft.shortName) : [];
    return [...found, ...byShort.filter((b) => !found.some((f) => f.id === b.id))].slice(0, 5);
  });
  if (similar.length === 0) return undefined;
  const list = similar.map((p) => `• ${escapeHtml(p.fullName)}${p.shortName ? ` (${escapeHtml(p.shortName)})` : ""}`).join("\n");
  const answer = await askChoice(conversation, ctx, {
    prompt: ctx.t("partners.new.similar", { list, interpolation: { escapeValue: false } }),
    choices: [
      ...similar.map((p) => ({ id: `open-${p.id}`, label: `📂 ${clip(p.shortName ?? p.fullName, 50)}` })),
      { id: "continue", label: ctx.t("partners.new.similar_continue") },
    ],
  });
  return answer.kind === "value" && answer.value.startsWith("open-") ? Number(answer.value.slice(5)) : undefined;
}

/** /newpartner: the whole form with Back, Skip and Cancel, duplicates shown, a summary before saving. */
export async function newPartnerConversation(conversation: FormConversation, ctx: ConversationContext): Promise<void> {
  const people = await loadPeople(conversation);
  const draft = emptyPartnerDraft();
  if (people.myUnit) {
    draft.ownerKind = people.myUnit.kind;
    draft.ownerUnitId = people.myUnit.id;
  }
  let index = 0;
  let duplicatesChecked = false;
  for (let answers = 0; answers < MAX_ANSWERS && index < STEPS.length; answers++) {
    const step = STEPS[index]!;
    const answer = await askStep(conversation, ctx, step, draft, people, index > 0);
    if (answer.kind === "back") {
      index = Math.max(0, index - 1);
      continue;
    }
    if (step === "shortName" && !duplicatesChecked) {
      duplicatesChecked = true;
      const existing = await checkDuplicates(conversation, ctx, draft);
      if (existing !== undefined) {
        // The partner is already in the registry: the form ends, nothing is saved, its card opens.
        await conversation.external((outside) => showPartnerCard(outside, existing, "reply"));
        return;
      }
    }
    index++;
  }
  if (index < STEPS.length) {
    await ctx.reply(ctx.t("partners.new.too_long"));
    return;
  }
  for (let rounds = 0; rounds < MAX_ANSWERS; rounds++) {
    const decision = await askConfirm(conversation, ctx, {
      summary: ctx.t("partners.new.summary", { summary: summary(ctx, draft, people), interpolation: { escapeValue: false } }),
      confirmLabel: ctx.t("partners.new.save"),
      editLabel: ctx.t("partners.new.edit"),
    });
    if (decision === "confirm") break;
    const field = await askChoice(conversation, ctx, {
      prompt: ctx.t("partners.new.edit_which"),
      choices: STEPS.map((s) => ({ id: s, label: ctx.t(`partners.fields.${s}`) })),
      columns: 2,
    });
    if (field.kind === "value") await askStep(conversation, ctx, field.value as Step, draft, people, false);
  }
  const saved = await conversation.external(async (outside) => {
    const actor = actorOf(outside);
    if (!actor || (actor.role !== "staff" && actor.role !== "admin")) return undefined;
    return (await createPartner(outside.deps.db, actor, draft)).id;
  });
  if (saved === undefined) {
    await ctx.reply(ctx.t("access.denied_command"));
    return;
  }
  await ctx.reply(ctx.t("partners.new.saved"), { reply_markup: openCardKeyboard(ctx, saved) });
}

/** Edits one field of an existing partner (pc:edit). */
export async function editPartnerConversation(conversation: FormConversation, ctx: ConversationContext, partnerId: number): Promise<void> {
  const people = await loadPeople(conversation);
  const current = await conversation.external((outside) => getPartner(outside.deps.db, partnerId).then((p) => (p ? { ...p, createdAt: "", updatedAt: "" } : undefined)));
  if (!current) {
    await ctx.reply(ctx.t("partners.not_found"));
    return;
  }
  const draft: PartnerDraft = {
    fullName: current.fullName,
    shortName: current.shortName,
    type: current.type,
    ownerKind: current.ownerKind,
    ownerUnitId: current.ownerUnitId,
    ownerUserId: current.ownerUserId,
    focuses: current.focuses,
    website: current.website,
    address: current.address,
    inn: current.inn,
    motivation: current.motivation,
    tasks: current.tasks,
    notes: current.notes,
  };
  const field = await askChoice(conversation, ctx, {
    prompt: ctx.t("partners.edit_prompt", { name: current.shortName ?? current.fullName }),
    choices: STEPS.map((s) => ({ id: s, label: ctx.t(`partners.fields.${s}`) })),
    columns: 2,
  });
  if (field.kind !== "value") return;
  const answer = await askStep(conversation, ctx, field.value as Step, draft, people, false);
  if (answer.kind === "back") return;
  const result = await conversation.external(async (outside) => {
    const actor = actorOf(outside);
    if (!actor) return "forbidden";
    const updated = await updatePartner(outside.deps.db, actor, partnerId, draft);
    return updated.ok ? "ok" : updated.reason;
  });
  await ctx.reply(result === "ok" ? ctx.t("partners.updated") : ctx.t("access.denied_button"), {
    reply_markup: openCardKeyboard(ctx, partnerId),
  });
}

/** Moving a partnership to another stage: asks for the comment, then saves the change. */
export async function stageConversation(conversation: FormConversation, ctx: ConversationContext, partnerId: number, stage: Stage): Promise<void> {
  const answer = await askText(conversation, ctx, {
    prompt: ctx.t("partners.stage.comment", { stage: ctx.t(`partners.stages.${stage}`) }),
    check: (s) => checkText(s, 1000),
  });
  if (answer.kind !== "value") return;
  const result = await conversation.external(async (outside) => {
    const actor = actorOf(outside);
    if (!actor) return { ok: false as const, reason: "forbidden" };
    const before = await getPartner(outside.deps.db, partnerId);
    const changed = await changeStage(outside.deps.db, actor, { partnerId, to: stage, comment: answer.value });
    return changed.ok ? { ok: true as const, from: before?.stage ?? stage } : { ok: false as const, reason: changed.reason };
  });
  const text = result.ok
    ? ctx.t("partners.stage.changed", { from: ctx.t(`partners.stages.${result.from}`), to: ctx.t(`partners.stages.${stage}`) })
    : result.reason === "same_stage"
      ? ctx.t("partners.stage.same")
      : ctx.t("access.denied_button");
  await ctx.reply(text, { reply_markup: openCardKeyboard(ctx, partnerId) });
}
