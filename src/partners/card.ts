import { EDIT_PARTNER_CONVERSATION, STAGE_CONVERSATION } from "./partner-dialogs.js";
import { Composer, InlineKeyboard } from "grammy";
import { STAGES, type Stage } from "./domain/schema.js";
import { formatDay, localDate } from "../core/dates.js";
import { type PartnerOverview, partnerOverview } from "./domain/overview.js";
import { formatPhone } from "./domain/contacts.js";
import { canEditPartner, stageHistory } from "./domain/partners.js";
import type { BotContext } from "../core/context.js";
import { Extension } from "../core/extension.js";
import { ownerText } from "./owner-text.js";
import { clip, escapeHtml } from "../core/telegram/html.js";
import { requireRole } from "../core/access/require-role.js";
import { actorOf, partnerForAction } from "./access.js";


const composer = new Composer<BotContext>();
const privateChats = composer.chatType("private");

/**
 * What other areas add to the partner card: "events" lines (the next joint events) go after the
 * agreements; "internal" lines (the 90-day satisfaction) go with the checklist, which only the
 * institution's staff see. A section returns no lines to add nothing.
 */
export interface PartnerCardSection {
  place: "events" | "internal";
  lines(ctx: BotContext, partnerId: number): Promise<string[]>;
}
export const partnerCardSections = new Extension<PartnerCardSection>("partner card sections");

async function sectionLines(ctx: BotContext, partnerId: number, place: PartnerCardSection["place"]): Promise<string[]> {
  const lines: string[] = [];
  for (const section of partnerCardSections.items) if (section.place === place) lines.push(...(await section.lines(ctx, partnerId)));
  return lines;
}

/** Shows the partner card: one message, edited in place when `mode` is "edit" and a button was pressed. */
export async function showPartnerCard(ctx: BotContext, partnerId: number, mode: "reply" | "edit"): Promise<void> {
  const partner = await partnerForAction(ctx, partnerId, "view");
  if (!partner) return;
  const actor = actorOf(ctx)!;
  const today = localDate(ctx.deps.now(), ctx.deps.config.timeZone);
  const overview = await partnerOverview(ctx.deps.db, partner, today);
  const canEdit = await canEditPartner(ctx.deps.db, actor, partner);
  // The internal lines (ratings) are for staff and admins; the partner's own contacts do not see them.
  const internal = ctx.role === "staff" || ctx.role === "admin" ? await sectionLines(ctx, partner.id, "internal") : [];
  const text = renderCard(ctx, overview, canEdit, await sectionLines(ctx, partner.id, "events"), internal);
  const keyboard = cardKeyboard(ctx, overview, canEdit);
  if (mode === "edit" && ctx.callbackQuery?.message) {
    await ctx.editMessageText(text, { reply_markup: keyboard, link_preview_options: { is_disabled: true } });
  } else {
    await ctx.reply(text, { reply_markup: keyboard, link_preview_options: { is_disabled: true } });
  }
}

function renderCard(ctx: BotContext, overview: PartnerOverview, canEdit: boolean, events: string[], extraInternal: string[]): string {
  const { partner } = overview;
  const t = ctx.t;
  // A partner's own contact sees what is meant for the partner: no stage, motivation, tasks,
  // checklist, notes, ratings or interaction log — those are the institution's internal work.
  const internal = ctx.role === "staff" || ctx.role === "admin";
  const lines: string[] = [`<b>${escapeHtml(partner.fullName)}</b>${partner.shortName ? ` (${escapeHtml(partner.shortName)})` : ""}`];
  lines.push(t("partners.card.type", { type: t(`partners.types.${partner.type}`) }));
  if (internal) lines.push(t("partners.card.stage", { stage: t(`partners.stages.${partner.stage}`), interpolation: { escapeValue: false } }));
  const ownerName = partner.ownerKind === "teacher" ? overview.ownerUserName : overview.ownerUnitName;
  lines.push(t("partners.card.owner", { owner: ownerText(t, partner.ownerKind, ownerName) }));
  if (partner.focuses.length > 0) {
    lines.push(t("partners.card.focuses", { focuses: partner.focuses.map((d) => t(`partners.focuses.${d}`).toLocaleLowerCase()).join(", ") }));
  }
  if (partner.website) lines.push(t("partners.card.website", { website: partner.website }));
  if (partner.address) lines.push(t("partners.card.address", { address: clip(partner.address, 200) }));
  if (partner.inn) lines.push(t("partners.card.inn", { inn: partner.inn }));
  if (internal) lines.push(...internalLines(ctx, overview, canEdit, extraInternal));

  lines.push("");
  if (overview.contacts.length === 0) lines.push(t("partners.card.no_contacts"));
  else if (canEdit || !internal) {
    // Editors see the details; the partner's own people see each other's names and positions.
    lines.push(t("partners.card.contacts_title", { count: overview.contacts.length }));
    for (const contact of overview.contacts.slice(0, 5)) {
      const details = [
        contact.position,
        ...(canEdit ? [contact.phone && formatPhone(contact.phone), contact.email, contact.telegramUsername && `@${contact.telegramUsername}`] : []),
      ]
        .filter(Boolean)
        .join(", ");
      lines.push(`• ${escapeHtml(clip(contact.fullName, 100))}${details ? ` — ${escapeHtml(clip(details, 200))}` : ""}`);
    }
  } else lines.push(t("partners.card.contacts_hidden", { count: overview.contacts.length }));

  lines.push("");
  if (overview.agreements.length === 0) lines.push(t("partners.card.no_agreements"));
  else {
    lines.push(t("partners.card.agreements_title"));
    for (const agreement of overview.agreements.slice(0, 5)) {
      const until = agreement.validTo
        ? t("partners.card.agreement_until", { date: formatDay(agreement.validTo) })
        : t("partners.card.agreement_open");
      lines.push(
        `• ${t("partners.card.agreement_line", { number: clip(agreement.number, 40), signed: formatDay(agreement.signedOn), until, items: agreement.planItems, interpolation: { escapeValue: true } })}`,
      );
    }
  }

  if (internal) {
    lines.push("");
    if (overview.recentInteractions.length === 0) lines.push(t("partners.card.no_interactions"));
    else {
      lines.push(t("partners.card.interactions_title"));
      for (const item of overview.recentInteractions) {
        lines.push(`• ${formatDay(item.occurredOn)} — ${t(`interactions.kinds.${item.kind}`)}: ${escapeHtml(clip(item.text, 120))}${item.fileId ? " 📎" : ""}`);
      }
    }
  }
  if (events.length > 0) lines.push("", ...events);
  return lines.join("\n");
}

/** What only the institution's staff see: why and what for, the stage checklist and its hint, notes, ratings. */
function internalLines(ctx: BotContext, overview: PartnerOverview, canEdit: boolean, extra: string[]): string[] {
  const { partner, checklist } = overview;
  const t = ctx.t;
  const lines: string[] = [];
  if (partner.motivation) lines.push("", t("partners.card.motivation", { text: clip(partner.motivation, 400) }));
  if (partner.tasks) lines.push(t("partners.card.tasks", { text: clip(partner.tasks, 400) }));
  if (partner.notes && canEdit) lines.push(t("partners.card.notes", { text: clip(partner.notes, 300) }));

  const items: [boolean, string][] = [
    [checklist.motivationAndTasks, t("partners.card.check_motivation")],
    [checklist.agreementWithPlan, t("partners.card.check_agreement")],
    [checklist.recentJointActivity, t("partners.card.check_activity")],
  ];
  lines.push("", t("partners.card.checklist"), ...items.map(([done, text]) => `${done ? "✅" : "⬜"} ${text}`));
  if (checklist.suggestedNext && canEdit) {
    const stage = t(`partners.stages.${checklist.suggestedNext}`);
    // «Всё готово» only when every item is ticked; otherwise name what the move rests on.
    if (items.every(([done]) => done)) lines.push(t("partners.card.suggest_next", { stage }));
    else {
      const reason = checklist.suggestedNext === "organisational" ? items[0]![1] : items[1]![1];
      lines.push(t("partners.card.suggest_next_partly", { stage, reason }));
    }
  }
  lines.push(...extra);
  return lines;
}

function cardKeyboard(ctx: BotContext, overview: PartnerOverview, canEdit: boolean): InlineKeyboard {
  const id = overview.partner.id;
  const keyboard = new InlineKeyboard();
  if (canEdit) {
    keyboard.text(ctx.t("partners.card.edit"), `pc:edit:${id}`).text(ctx.t("partners.card.stage_button"), `st:menu:${id}`).row();
    keyboard.text(ctx.t("partners.card.add_interaction"), `ix:add:${id}`).text(ctx.t("partners.card.contacts"), `ct:list:${id}`).row();
  }
  if (ctx.role === "staff" || ctx.role === "admin") {
    keyboard.text(ctx.t("partners.card.interactions"), `ix:list:${id}`).text(ctx.t("partners.card.agreements"), `ag:list:${id}`).row();
    if (overview.partner.stage !== "archived") keyboard.text(ctx.t("event_form.propose"), `ev:new:${id}`).row();
    keyboard.text(ctx.t("partners.card.history"), `pc:history:${id}`).text(ctx.t("partners.card.to_list"), "pl:show").row();
  } else {
    keyboard.text(ctx.t("partners.card.agreements"), `ag:list:${id}`).row();
  }
  return keyboard;
}

privateChats.callbackQuery(/^pc:open:(\d{1,9})$/, requireRole("admin", "staff", "partner"), async (ctx) => {
  const partnerId = Number(ctx.match[1]);
  if (!(await partnerForAction(ctx, partnerId, "view"))) return;
  await ctx.answerCallbackQuery();
  await showPartnerCard(ctx, partnerId, "edit");
});

privateChats.callbackQuery(/^pc:edit:(\d{1,9})$/, requireRole("admin", "staff"), async (ctx) => {
  const partnerId = Number(ctx.match[1]);
  if (!(await partnerForAction(ctx, partnerId, "edit"))) return;
  await ctx.answerCallbackQuery();
  await ctx.conversation.enter(EDIT_PARTNER_CONVERSATION, partnerId);
});

privateChats.callbackQuery(/^pc:history:(\d{1,9})$/, requireRole("admin", "staff"), async (ctx) => {
  const partnerId = Number(ctx.match[1]);
  const partner = await partnerForAction(ctx, partnerId, "view");
  if (!partner) return;
  await ctx.answerCallbackQuery();
  const history = await stageHistory(ctx.deps.db, partnerId);
  const stage = (s: Stage | null) => (s ? ctx.t(`partners.stages.${s}`) : "");
  const lines = history.map((change) => {
    const date = formatDay(localDate(change.changedAt, ctx.deps.config.timeZone));
    return change.fromStage === null
      ? ctx.t("partners.stage.history_created", { date, to: stage(change.toStage), who: change.changedByName })
      : ctx.t(change.comment ? "partners.stage.history_line_comment" : "partners.stage.history_line", {
          date,
          from: stage(change.fromStage),
          to: stage(change.toStage),
          who: change.changedByName,
          comment: clip(change.comment ?? "", 200),
        });
  });
  await ctx.editMessageText([ctx.t("partners.stage.history_title", { name: partner.shortName ?? partner.fullName }), "", ...lines.slice(-30)].join("\n"), {
    reply_markup: new InlineKeyboard().text(ctx.t("partners.stage.back_to_card"), `pc:open:${partnerId}`),
  });
});

privateChats.callbackQuery(/^st:menu:(\d{1,9})$/, requireRole("admin", "staff"), async (ctx) => {
  const partner = await partnerForAction(ctx, Number(ctx.match[1]), "edit");
  if (!partner) return;
  await ctx.answerCallbackQuery();
  const keyboard = new InlineKeyboard();
  for (const stage of STAGES.filter((s) => s !== partner.stage)) {
    keyboard.text(ctx.t(`partners.stages.${stage}`), `st:to:${partner.id}:${stage}`).row();
  }
  keyboard.text(ctx.t("partners.stage.back_to_card"), `pc:open:${partner.id}`);
  await ctx.editMessageText(
    ctx.t("partners.stage.choose", { name: partner.shortName ?? partner.fullName, stage: ctx.t(`partners.stages.${partner.stage}`) }),
    { reply_markup: keyboard },
  );
});

privateChats.callbackQuery(/^st:to:(\d{1,9}):([a-z_]+)$/, requireRole("admin", "staff"), async (ctx) => {
  const partner = await partnerForAction(ctx, Number(ctx.match[1]), "edit");
  if (!partner) return;
  const stage = STAGES.find((s) => s === ctx.match[2]);
  if (!stage || stage === partner.stage) {
    await ctx.answerCallbackQuery({ text: ctx.t(stage ? "partners.stage.same" : "common.button_outdated"), show_alert: true });
    return;
  }
  await ctx.answerCallbackQuery();
  await ctx.conversation.enter(STAGE_CONVERSATION, partner.id, stage);
});

// Any other pc:/st: data is forged or from an old version of the bot.
privateChats.callbackQuery(/^(pc|st):/, async (ctx) => {
  await ctx.answerCallbackQuery({ text: ctx.t("common.button_outdated") });
});

export { composer as partnerCardFeature };
