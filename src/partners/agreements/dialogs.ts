import { InlineKeyboard } from "grammy";
import type { Language } from "../../config.js";
import { EVENT_FORMATS, type EventFormat } from "../domain/schema.js";
import {
  MAX_AGREEMENT_NUMBER,
  MAX_AGREEMENT_SUBJECT,
  MAX_PLAN_TITLE,
  addAgreement,
  addPlanItem,
  checkPlannedOn,
  getAgreement,
  responsibleCandidates,
} from "../domain/agreements.js";
import { formatDay } from "../../core/dates.js";
import { getPartner } from "../domain/partners.js";
import { checkDate, checkName, checkText } from "../../core/validation.js";
import type { ConversationContext } from "../../core/context.js";
import { clip } from "../../core/telegram/html.js";
import type { TFunction } from "../../core/i18n.js";
import { MAX_PICKER_ITEMS, PAGE_SIZE } from "../../core/telegram/paging.js";
import { actorOf } from "../access.js";
import { type SentFile, askChoice, askConfirm, askFile, askText, type FormConversation } from "../../core/forms/ask.js";
import { type StepResult, walkSteps } from "../../core/forms/steps.js";
import { partnerAndToday } from "../form-start.js";

export const AGREEMENT_CONVERSATION = "agreement";
export const PLAN_ITEM_CONVERSATION = "planItem";

/** How a planned date reads: «15.03.2027», or «март 2027 г.» when only the month is known. */
export function formatPlanned(lang: Language, plannedOn: string, monthOnly: boolean): string {
  if (!monthOnly) return formatDay(plannedOn);
  return new Intl.DateTimeFormat(lang === "ru" ? "ru-RU" : "en-GB", { month: "long", year: "numeric", timeZone: "UTC" }).format(
    new Date(`${plannedOn}T00:00:00Z`),
  );
}

export function formatPeriod(t: TFunction, validFrom: string, validTo: string | null): string {
  return validTo
    ? t("agreements.period", { from: formatDay(validFrom), to: formatDay(validTo) })
    : t("agreements.period_open", { from: formatDay(validFrom) });
}

interface AgreementForm {
  number: string;
  signedOn: string;
  validFrom: string;
  validTo: string | null;
  subject: string;
  scan: SentFile | null;
}

const STEPS = ["number", "signedOn", "validFrom", "validTo", "subject", "scan", "confirm"] as const;

/** ag:add — number, dates (open-ended allowed), subject, an optional scan; then an offer to add the plan. */
export async function agreementConversation(conversation: FormConversation, ctx: ConversationContext, partnerId: number): Promise<void> {
  const t = ctx.t;
  const { name, today } = await partnerAndToday(conversation, partnerId);
  if (name === undefined) {
    await ctx.reply(t("partners.not_found"));
    return;
  }
  const form: AgreementForm = { number: "", signedOn: today, validFrom: today, validTo: null, subject: "", scan: null };
  const date = (prompt: string, optional = false) => askText(conversation, ctx, { prompt, back: true, optional, check: checkDate });
  const done = await walkSteps(STEPS.length, async (index): Promise<StepResult> => {
    const step = STEPS[index]!;
    if (step === "number") {
      const answer = await askText(conversation, ctx, {
        prompt: t("agreements.ask_number", { name }),
        check: (raw) => checkName(raw, { min: 1, max: MAX_AGREEMENT_NUMBER }),
      });
      if (answer.kind === "value") form.number = answer.value;
      return answer;
    }
    if (step === "signedOn") {
      const answer = await date(t("agreements.ask_signed", { example: formatDay(today) }));
      if (answer.kind === "value" && answer.value > today) {
        await ctx.reply(t("agreements.signed_in_future", { today: formatDay(today) }));
        return "again";
      }
      if (answer.kind === "value") form.signedOn = answer.value;
      return answer;
    }
    if (step === "validFrom") {
      const answer = await date(t("agreements.ask_valid_from", { signed: formatDay(form.signedOn) }));
      if (answer.kind === "value") form.validFrom = answer.value;
      return answer;
    }
    if (step === "validTo") {
      const answer = await date(t("agreements.ask_valid_to"), true);
      if (answer.kind === "value" && answer.value < form.validFrom) {
        await ctx.reply(t("agreements.ends_before_start", { from: formatDay(form.validFrom) }));
        return "again";
      }
      if (answer.kind !== "back") form.validTo = answer.kind === "value" ? answer.value : null;
      return answer;
    }
    if (step === "subject") {
      const answer = await askText(conversation, ctx, {
        prompt: t("agreements.ask_subject", { count: MAX_AGREEMENT_SUBJECT }),
        back: true,
        check: (raw) => checkText(raw, MAX_AGREEMENT_SUBJECT),
      });
      if (answer.kind === "value") form.subject = answer.value;
      return answer;
    }
    if (step === "scan") {
      const answer = await askFile(conversation, ctx, { prompt: t("agreements.ask_scan"), optional: true, back: true });
      if (answer.kind !== "back") form.scan = answer.kind === "value" ? answer.value : null;
      return answer;
    }
    const summary = t("agreements.summary", {
      name,
      number: form.number,
      signed: formatDay(form.signedOn),
      period: formatPeriod(t, form.validFrom, form.validTo),
      scan: t(form.scan ? "agreements.scan_yes" : "agreements.scan_no"),
      subject: clip(form.subject, 1500),
    });
    return confirm(conversation, ctx, summary);
  });
  if (!done) {
    await ctx.reply(t("agreements.too_long"), { reply_markup: toCard(ctx, partnerId) });
    return;
  }
  const outcome = await conversation.external(async (outside) => {
    const actor = actorOf(outside);
    const scan = form.scan && { fileId: form.scan.fileId, kind: form.scan.kind };
    const result = actor
      ? await addAgreement(outside.deps.db, actor, { partnerId, ...form, scan }, today)
      : ({ ok: false, reason: "forbidden" } as const);
    if (!result.ok) return { ok: false as const, reason: result.reason };
    return { ok: true as const, agreementId: result.agreement.id };
  });
  if (!outcome.ok) {
    await ctx.reply(t(`agreements.refused_${outcome.reason}`));
    return;
  }
  // One short message, not the whole card again: the card is a button away.
  await ctx.reply(t("agreements.saved", { number: form.number }), {
    reply_markup: toCard(ctx, partnerId, new InlineKeyboard().text(t("agreements.add_plan_item"), `ag:plan:${outcome.agreementId}`).row()),
  });
}

/** «« К карточке» under a form's last message, below any other buttons. */
function toCard(ctx: ConversationContext, partnerId: number, keyboard = new InlineKeyboard()): InlineKeyboard {
  return keyboard.text(ctx.t("agreements.back_to_card"), `pc:open:${partnerId}`);
}

/** Save, or start the form over. */
async function confirm(conversation: FormConversation, ctx: ConversationContext, summary: string): Promise<StepResult> {
  const decision = await askConfirm(conversation, ctx, {
    summary,
    confirmLabel: ctx.t("agreements.save"),
    editLabel: ctx.t("agreements.start_over"),
  });
  return decision === "confirm" ? { kind: "skip" } : "restart";
}

interface PlanForm {
  title: string;
  format: EventFormat;
  plannedOn: string;
  monthOnly: boolean;
  responsibleUserId: number | null;
  responsibleName: string | null;
}

const PLAN_STEPS = ["title", "format", "planned", "responsible", "confirm"] as const;
const SOMEONE_ELSE = "other";

/** ag:plan — one item of an agreement's joint plan: title, format, date or month, who answers for it. */
export async function planItemConversation(conversation: FormConversation, ctx: ConversationContext, agreementId: number): Promise<void> {
  const t = ctx.t;
  const start = await conversation.external(async (outside) => {
    const agreement = await getAgreement(outside.deps.db, agreementId);
    const partner = agreement && (await getPartner(outside.deps.db, agreement.partnerId));
    if (!agreement || !partner) return undefined;
    const people = await responsibleCandidates(outside.deps.db, partner, MAX_PICKER_ITEMS);
    return {
      partnerId: partner.id,
      name: partner.shortName ?? partner.fullName,
      number: agreement.number,
      people: people.map((p) => ({ id: p.id, name: [p.firstName, p.lastName].filter(Boolean).join(" ") })),
    };
  });
  if (!start) {
    await ctx.reply(t("agreements.not_found"));
    return;
  }
  const form: PlanForm = { title: "", format: "other", plannedOn: "", monthOnly: false, responsibleUserId: null, responsibleName: null };
  const done = await walkSteps(PLAN_STEPS.length, async (index): Promise<StepResult> => {
    const step = PLAN_STEPS[index]!;
    if (step === "title") {
      const answer = await askText(conversation, ctx, {
        prompt: t("agreements.plan_ask_title", { number: start.number, name: start.name }),
        check: (raw) => checkName(raw, { min: 2, max: MAX_PLAN_TITLE }),
      });
      if (answer.kind === "value") form.title = answer.value;
      return answer;
    }
    if (step === "format") {
      const answer = await askChoice(conversation, ctx, {
        prompt: t("agreements.plan_ask_format"),
        back: true,
        columns: 2,
        choices: EVENT_FORMATS.map((format) => ({ id: format, label: t(`agreements.format_buttons.${format}`) })),
      });
      if (answer.kind === "value") form.format = answer.value as EventFormat;
      return answer;
    }
    if (step === "planned") {
      const answer = await askText(conversation, ctx, { prompt: t("agreements.plan_ask_date"), back: true, check: checkPlannedOn });
      if (answer.kind === "value") {
        form.plannedOn = answer.value.plannedOn;
        form.monthOnly = answer.value.monthOnly;
      }
      return answer;
    }
    if (step === "responsible") return askResponsible(conversation, ctx, form, start.people);
    const responsible = start.people.find((p) => p.id === form.responsibleUserId)?.name ?? form.responsibleName ?? t("agreements.plan_nobody");
    const summary = t("agreements.plan_summary", {
      number: start.number,
      name: start.name,
      title: form.title,
      format: t(`agreements.formats.${form.format}`),
      when: formatPlanned(ctx.lang, form.plannedOn, form.monthOnly),
      responsible,
    });
    return confirm(conversation, ctx, summary);
  });
  if (!done) {
    await ctx.reply(t("agreements.plan_too_long"), { reply_markup: toCard(ctx, start.partnerId) });
    return;
  }
  const reason = await conversation.external(async (outside) => {
    const actor = actorOf(outside);
    const result = actor
      ? await addPlanItem(outside.deps.db, actor, {
          agreementId,
          title: form.title,
          format: form.format,
          plannedOn: form.plannedOn,
          plannedMonthOnly: form.monthOnly,
          responsibleUserId: form.responsibleUserId,
          responsibleName: form.responsibleName,
        })
      : ({ ok: false, reason: "forbidden" } as const);
    return result.ok ? undefined : result.reason;
  });
  if (reason !== undefined) {
    await ctx.reply(t(`agreements.plan_refused_${reason}`));
    return;
  }
  await ctx.reply(t("agreements.plan_saved", { number: start.number }), {
    reply_markup: new InlineKeyboard()
      .text(t("agreements.plan_add_more"), `ag:plan:${agreementId}`)
      .row()
      .text(t("agreements.open_list"), `ag:list:${start.partnerId}`)
      .row()
      .text(t("agreements.back_to_card"), `pc:open:${start.partnerId}`),
  });
}

/** A staff member of the owning unit, someone else by name, or nobody (Skip). */
async function askResponsible(
  conversation: FormConversation,
  ctx: ConversationContext,
  form: PlanForm,
  people: { id: number; name: string }[],
): Promise<StepResult> {
  const t = ctx.t;
  const who = await askChoice(conversation, ctx, {
    prompt: t("agreements.plan_ask_responsible"),
    back: true,
    optional: true,
    pageSize: PAGE_SIZE,
    choices: people.map((p) => ({ id: `u${p.id}`, label: p.name })),
    fixed: [{ id: SOMEONE_ELSE, label: t("agreements.plan_someone_else") }],
  });
  if (who.kind === "back") return who;
  if (who.kind === "skip" || who.value !== SOMEONE_ELSE) {
    form.responsibleUserId = who.kind === "skip" ? null : Number(who.value.slice(1));
    form.responsibleName = null;
    return who;
  }
  const typed = await askText(conversation, ctx, {
    prompt: t("agreements.plan_ask_responsible_name"),
    back: true,
    check: (raw) => checkName(raw, { min: 2, max: 150 }),
  });
  // Back from the name returns to the choice of person.
  if (typed.kind !== "value") return "again";
  form.responsibleUserId = null;
  form.responsibleName = typed.value;
  return typed;
}
