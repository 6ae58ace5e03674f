import { Composer, InlineKeyboard } from "grammy";
import type { Partner } from "../../db/schema/index.js";
import { type AgreementWithPlan, getAgreement, listAgreements } from "../../domain/agreements.js";
import { formatDay, localDate } from "../../domain/dates.js";
import { type PlanFact, planItemFacts } from "../../domain/plan-facts.js";
import { canEditPartner } from "../../domain/partners.js";
import type { BotContext } from "../context.js";
import { AGREEMENT_CONVERSATION, PLAN_ITEM_CONVERSATION, formatPeriod, formatPlanned } from "../conversations/agreement.js";
import { clip } from "../html.js";
import { requireRole } from "../middlewares/require-role.js";
import { actorOf, partnerForAction } from "../partner-access.js";

/** Room for the list within Telegram's 4096 characters, with the header and the «more» line. */
const TEXT_BUDGET = 3600;
const ITEMS_SHOWN = 15;

const composer = new Composer<BotContext>();
const privateChats = composer.chatType("private");

// Partner contacts read their own organisation's agreements; partnerForAction checks which partner.
privateChats.callbackQuery(/^ag:/, requireRole("admin", "staff", "partner"), async (ctx) => {
  const match = /^ag:(list|add|plan|scan):(\d{1,9})$/.exec(ctx.callbackQuery.data);
  if (!match) {
    await ctx.answerCallbackQuery({ text: ctx.t("common.button_outdated") });
    return;
  }
  const [, action, rawId] = match;
  const id = Number(rawId);
  if (action === "list" || action === "add") {
    const partner = await partnerForAction(ctx, id, action === "add" ? "edit" : "view");
    if (!partner) return;
    await ctx.answerCallbackQuery();
    if (action === "add") await ctx.conversation.enter(AGREEMENT_CONVERSATION, id);
    else await showAgreements(ctx, partner);
    return;
  }
  const agreement = await getAgreement(ctx.deps.db, id);
  if (!agreement) {
    await ctx.answerCallbackQuery({ text: ctx.t("agreements.not_found"), show_alert: true });
    return;
  }
  const partner = await partnerForAction(ctx, agreement.partnerId, action === "plan" ? "edit" : "view");
  if (!partner) return;
  if (action === "plan") {
    await ctx.answerCallbackQuery();
    await ctx.conversation.enter(PLAN_ITEM_CONVERSATION, agreement.id);
    return;
  }
  if (!agreement.scanFileId) {
    await ctx.answerCallbackQuery({ text: ctx.t("agreements.scan_missing"), show_alert: true });
    return;
  }
  await ctx.answerCallbackQuery();
  const caption = ctx.t("agreements.scan_caption", {
    number: agreement.number,
    signed: formatDay(agreement.signedOn),
    name: partner.shortName ?? partner.fullName,
  });
  if (agreement.scanFileKind === "photo") await ctx.replyWithPhoto(agreement.scanFileId, { caption });
  else await ctx.replyWithDocument(agreement.scanFileId, { caption });
});

/** The partner's agreements with their joint plans, as a new message under the card. */
async function showAgreements(ctx: BotContext, partner: Partner): Promise<void> {
  const agreements = await listAgreements(ctx.deps.db, partner.id);
  const canEdit = await canEditPartner(ctx.deps.db, actorOf(ctx)!, partner);
  const header = ctx.t("agreements.list_title", { name: partner.shortName ?? partner.fullName });
  const blocks: string[] = [];
  let length = header.length;
  let hidden = 0;
  const today = localDate(ctx.deps.now(), ctx.deps.config.timeZone);
  for (const agreement of agreements) {
    const block = renderAgreement(ctx, agreement, await planItemFacts(ctx.deps.db, agreement.id, today));
    if (length + block.length > TEXT_BUDGET) {
      hidden++;
      continue;
    }
    blocks.push(block);
    length += block.length + 2;
  }
  const text = [
    header,
    ...(agreements.length === 0 ? [ctx.t("agreements.list_empty")] : blocks),
    ...(hidden > 0 ? [ctx.t("agreements.list_more", { count: hidden })] : []),
  ].join("\n\n");

  const keyboard = new InlineKeyboard();
  const proposer = (ctx.role === "staff" || ctx.role === "admin") && partner.stage !== "archived";
  for (const agreement of agreements) {
    const number = clip(agreement.number, 20);
    let buttons = 0;
    if (agreement.scanFileId) {
      keyboard.text(ctx.t("agreements.scan_button", { number, interpolation: { escapeValue: false } }), `ag:scan:${agreement.id}`);
      buttons++;
    }
    if (canEdit) {
      keyboard.text(ctx.t("agreements.plan_button", { number, interpolation: { escapeValue: false } }), `ag:plan:${agreement.id}`);
      buttons++;
    }
    if (buttons > 0) keyboard.row();
    for (const item of proposer ? agreement.plan.slice(0, ITEMS_SHOWN) : []) {
      keyboard.text(ctx.t("event_form.propose_for_item", { title: clip(item.title, 30), interpolation: { escapeValue: false } }), `ev:plan:${item.id}`).row();
    }
  }
  if (canEdit) keyboard.text(ctx.t("agreements.add"), `ag:add:${partner.id}`);
  keyboard.text(ctx.t("agreements.back_to_card"), `pc:open:${partner.id}`);
  await ctx.reply(text, { reply_markup: keyboard });
}

function renderAgreement(ctx: BotContext, agreement: AgreementWithPlan, facts: Map<number, PlanFact>): string {
  const t = ctx.t;
  const lines = [
    t("agreements.list_agreement", {
      number: clip(agreement.number, 50),
      signed: formatDay(agreement.signedOn),
      period: formatPeriod(t, agreement.validFrom, agreement.validTo),
      subject: clip(agreement.subject, 300),
    }),
  ];
  if (agreement.plan.length === 0) lines.push(t("agreements.list_plan_empty"));
  else {
    lines.push(t("agreements.list_plan_title"));
    for (const item of agreement.plan.slice(0, ITEMS_SHOWN)) {
      lines.push(
        t("agreements.list_plan_item", {
          when: formatPlanned(ctx.lang, item.plannedOn, item.plannedMonthOnly),
          title: clip(item.title, 120),
          format: t(`agreements.formats.${item.format}`),
        }) +
          (item.responsible ? t("agreements.list_plan_responsible", { name: clip(item.responsible, 60) }) : "") +
          planFactText(ctx, facts.get(item.id)),
      );
    }
    if (agreement.plan.length > ITEMS_SHOWN) lines.push(t("agreements.list_plan_more", { count: agreement.plan.length - ITEMS_SHOWN }));
  }
  return lines.join("\n");
}

/** Plan vs fact after a plan item: « — ✅ held on 10.12.2026». */
function planFactText(ctx: BotContext, fact: PlanFact | undefined): string {
  if (!fact) return "";
  const date = fact.eventStartsAt ? formatDay(localDate(fact.eventStartsAt, ctx.deps.config.timeZone)) : "";
  const key = fact.state === "overdue" && fact.eventStartsAt ? "overdue_scheduled" : fact.state;
  return ` — ${ctx.t(`calendar.plan_fact.${key}`, { date })}`;
}

export { composer as agreementsFeature };
