import { Composer, InlineKeyboard } from "grammy";
import type { Agreement, Partner } from "../domain/schema.js";
import { type AgreementWithPlan, type PlanItemView, getAgreement, listAgreements } from "../domain/agreements.js";
import { formatDay, localDate } from "../../core/dates.js";
import { type PlanFact, planItemFacts } from "../domain/plan-facts.js";
import { canEditPartner } from "../domain/partners.js";
import type { BotContext } from "../../core/context.js";
import { AGREEMENT_CONVERSATION, PLAN_ITEM_CONVERSATION, formatPeriod, formatPlanned } from "./dialogs.js";
import { clip } from "../../core/telegram/html.js";
import { fitLabel } from "../../core/telegram/button-label.js";
import { addPageNav, clampPage, pageOf } from "../../core/telegram/paging.js";
import { requireRole } from "../../core/access/require-role.js";
import { actorOf, partnerForAction } from "../access.js";

/** Room for a page of the list within Telegram's 4096 characters, with the header. */
const TEXT_BUDGET = 3600;
/** Agreements on one page of the list, at most; fewer when their texts are long. */
const AGREEMENTS_PER_PAGE = 5;
/** A plan this long is listed under its agreement; a longer one opens on its own, a page at a time. */
const PLAN_INLINE = 5;

const composer = new Composer<BotContext>();
const privateChats = composer.chatType("private");

// Partner contacts read their own organisation's agreements; partnerForAction checks which partner.
privateChats.callbackQuery(/^ag:/, requireRole("admin", "staff", "partner"), async (ctx) => {
  // ag:list:<partner>[:<page>] (with a page: edited in place); ag:items:<agreement>:<page>:<list page>.
  const match = /^ag:(list|add|plan|scan|items):(\d{1,9})(?::(\d{1,5}))?(?::(\d{1,5}))?$/.exec(ctx.callbackQuery.data);
  if (!match) {
    await ctx.answerCallbackQuery({ text: ctx.t("common.button_outdated") });
    return;
  }
  const [, action, rawId, rawPage, rawListPage] = match;
  const id = Number(rawId);
  if (action === "list" || action === "add") {
    const partner = await partnerForAction(ctx, id, action === "add" ? "edit" : "view");
    if (!partner) return;
    await ctx.answerCallbackQuery();
    if (action === "add") await ctx.conversation.enter(AGREEMENT_CONVERSATION, id);
    else await showAgreements(ctx, partner, Number(rawPage ?? 0), rawPage === undefined ? "reply" : "edit");
    return;
  }
  const agreement = await getAgreement(ctx.deps.db, id);
  if (!agreement) {
    await ctx.answerCallbackQuery({ text: ctx.t("agreements.not_found"), show_alert: true });
    return;
  }
  const partner = await partnerForAction(ctx, agreement.partnerId, action === "plan" ? "edit" : "view");
  if (!partner) return;
  if (action === "items") {
    await ctx.answerCallbackQuery();
    await showPlan(ctx, partner, agreement, Number(rawPage ?? 0), Number(rawListPage ?? 0));
    return;
  }
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

/**
 * The partner's agreements with their joint plans, a page at a time: as a new message under the
 * card, then edited in place. A page holds up to AGREEMENTS_PER_PAGE agreements, fewer when their
 * texts would not fit one message; a plan longer than PLAN_INLINE opens on its own (showPlan).
 */
async function showAgreements(ctx: BotContext, partner: Partner, requestedPage: number, mode: "reply" | "edit"): Promise<void> {
  const agreements = await listAgreements(ctx.deps.db, partner.id);
  const canEdit = await canEditPartner(ctx.deps.db, actorOf(ctx)!, partner);
  const header = ctx.t("agreements.list_title", { name: partner.shortName ?? partner.fullName });
  const today = localDate(ctx.deps.now(), ctx.deps.config.timeZone);
  const pages: { agreement: AgreementWithPlan; block: string }[][] = [];
  let length = 0;
  for (const agreement of agreements) {
    const block = renderAgreement(ctx, agreement, await planItemFacts(ctx.deps.db, agreement.id, today));
    const current = pages.at(-1);
    if (!current || current.length >= AGREEMENTS_PER_PAGE || length + block.length > TEXT_BUDGET) {
      pages.push([{ agreement, block }]);
      length = header.length + block.length;
    } else {
      current.push({ agreement, block });
      length += block.length + 2;
    }
  }
  // A page beyond the end (agreements deleted since, or a forged number) shows the nearest one.
  const page = clampPage(requestedPage, pages.length);
  const shown = pages[page] ?? [];
  const text = [header, ...(shown.length === 0 ? [ctx.t("agreements.list_empty")] : shown.map((s) => s.block))].join("\n\n");

  const keyboard = new InlineKeyboard();
  const proposer = (ctx.role === "staff" || ctx.role === "admin") && partner.stage !== "archived";
  for (const { agreement } of shown) {
    const number = clip(agreement.number, 12);
    let buttons = 0;
    if (agreement.scanFileId) {
      keyboard.text(fitLabel((n) => ctx.t("agreements.scan_button", { number: n, interpolation: { escapeValue: false } }), number), `ag:scan:${agreement.id}`);
      buttons++;
    }
    if (canEdit) {
      keyboard.text(fitLabel((n) => ctx.t("agreements.plan_button", { number: n, interpolation: { escapeValue: false } }), number), `ag:plan:${agreement.id}`);
      buttons++;
    }
    if (buttons > 0) keyboard.row();
    if (agreement.plan.length > PLAN_INLINE) {
      keyboard.text(ctx.t("agreements.plan_open", { number, interpolation: { escapeValue: false } }), `ag:items:${agreement.id}:0:${page}`).row();
      continue;
    }
    for (const item of proposer ? agreement.plan : []) {
      const label = fitLabel((title) => ctx.t("event_form.propose_for_item", { title, interpolation: { escapeValue: false } }), item.title);
      keyboard.text(label, `ev:plan:${item.id}`).row();
    }
  }
  addPageNav(keyboard, ctx.t, { page, pages: Math.max(1, pages.length) }, (p) => `ag:list:${partner.id}:${p}`);
  if (canEdit) keyboard.text(ctx.t("agreements.add"), `ag:add:${partner.id}`);
  keyboard.text(ctx.t("agreements.back_to_card"), `pc:open:${partner.id}`);
  if (mode === "edit" && ctx.callbackQuery?.message) await ctx.editMessageText(text, { reply_markup: keyboard });
  else await ctx.reply(text, { reply_markup: keyboard });
}

/** One agreement's joint plan, a page of items at a time, edited in place; Back returns to page `listPage` of the list. */
async function showPlan(ctx: BotContext, partner: Partner, agreement: Agreement, requestedPage: number, listPage: number): Promise<void> {
  const t = ctx.t;
  const withPlan = (await listAgreements(ctx.deps.db, partner.id)).find((a) => a.id === agreement.id);
  const facts = await planItemFacts(ctx.deps.db, agreement.id, localDate(ctx.deps.now(), ctx.deps.config.timeZone));
  const page = pageOf(withPlan?.plan ?? [], requestedPage);
  const lines = [
    t("agreements.plan_view_title", {
      name: partner.shortName ?? partner.fullName,
      number: clip(agreement.number, 50),
      signed: formatDay(agreement.signedOn),
    }),
    "",
    ...(page.total === 0 ? [t("agreements.list_plan_empty")] : page.items.map((item) => planLine(ctx, item, facts))),
  ];
  const keyboard = new InlineKeyboard();
  if ((ctx.role === "staff" || ctx.role === "admin") && partner.stage !== "archived") {
    for (const item of page.items) {
      const label = fitLabel((title) => t("event_form.propose_for_item", { title, interpolation: { escapeValue: false } }), item.title);
      keyboard.text(label, `ev:plan:${item.id}`).row();
    }
  }
  addPageNav(keyboard, t, page, (p) => `ag:items:${agreement.id}:${p}:${listPage}`);
  if (await canEditPartner(ctx.deps.db, actorOf(ctx)!, partner)) {
    const label = fitLabel((n) => t("agreements.plan_button", { number: n, interpolation: { escapeValue: false } }), clip(agreement.number, 12));
    keyboard.text(label, `ag:plan:${agreement.id}`).row();
  }
  keyboard.text(t("agreements.back_to_list"), `ag:list:${partner.id}:${listPage}`);
  await ctx.editMessageText(lines.join("\n"), { reply_markup: keyboard });
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
  else if (agreement.plan.length > PLAN_INLINE) {
    lines.push(t("agreements.list_plan_count", { count: agreement.plan.length, number: clip(agreement.number, 12) }));
  } else {
    lines.push(t("agreements.list_plan_title"));
    for (const item of agreement.plan) lines.push(planLine(ctx, item, facts));
  }
  return lines.join("\n");
}

function planLine(ctx: BotContext, item: PlanItemView, facts: Map<number, PlanFact>): string {
  const t = ctx.t;
  return (
    t("agreements.list_plan_item", {
      when: formatPlanned(ctx.lang, item.plannedOn, item.plannedMonthOnly),
      title: clip(item.title, 120),
      format: t(`agreements.formats.${item.format}`),
    }) +
    (item.responsible ? t("agreements.list_plan_responsible", { name: clip(item.responsible, 60) }) : "") +
    planFactText(ctx, facts.get(item.id))
  );
}

/** Plan vs fact after a plan item: « — ✅ held on 10.12.2026». */
function planFactText(ctx: BotContext, fact: PlanFact | undefined): string {
  if (!fact) return "";
  const date = fact.eventStartsAt ? formatDay(localDate(fact.eventStartsAt, ctx.deps.config.timeZone)) : "";
  const key = fact.state === "overdue" && fact.eventStartsAt ? "overdue_scheduled" : fact.state;
  return ` — ${ctx.t(`calendar.plan_fact.${key}`, { date })}`;
}

export { composer as agreementsFeature };
