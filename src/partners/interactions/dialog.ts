import { InlineKeyboard } from "grammy";
import { INTERACTION_KINDS, type InteractionKind } from "../domain/schema.js";
import { addDays } from "../domain/agreements.js";
import { formatDay } from "../../core/dates.js";
import { MAX_INTERACTION_TEXT, addInteraction } from "../domain/interactions.js";
import { type Checked, checkDate, checkText } from "../../core/validation.js";
import type { ConversationContext } from "../../core/context.js";
import { clip } from "../../core/telegram/html.js";
import { actorOf } from "../access.js";
import { type SentFile, askChoice, askConfirm, askFile, askText, type FormConversation } from "../../core/forms/ask.js";
import { type StepResult, walkSteps } from "../../core/forms/steps.js";
import { partnerAndToday } from "../form-start.js";

export const INTERACTION_CONVERSATION = "interaction";

/** A date typed as ДД.ММ.ГГГГ, or the words «сегодня» / «вчера» (today / yesterday). */
export function checkInteractionDate(raw: string, today: string): Checked<string> {
  const word = raw.trim().toLowerCase();
  if (word === "сегодня" || word === "today") return { ok: true, value: today };
  if (word === "вчера" || word === "yesterday") return { ok: true, value: addDays(today, -1) };
  const date = checkDate(raw);
  // The hint names the words too: they are the quickest answer to «when was it?».
  return date.ok ? date : { ok: false, error: "bad_date_or_word" };
}

interface Draft {
  kind: InteractionKind;
  occurredOn: string;
  text: string;
  file: SentFile | null;
}

/** ix:add — kind, date, text, an optional document or photo, a summary; then a short confirmation. */
export async function interactionConversation(conversation: FormConversation, ctx: ConversationContext, partnerId: number): Promise<void> {
  const t = ctx.t;
  const { name, today } = await partnerAndToday(conversation, partnerId);
  if (name === undefined) {
    await ctx.reply(t("partners.not_found"));
    return;
  }
  const draft: Draft = { kind: "other", occurredOn: today, text: "", file: null };
  const done = await walkSteps(5, async (step): Promise<StepResult> => {
    if (step === 0) {
      const answer = await askChoice(conversation, ctx, {
        prompt: t("interactions.ask_kind", { name }),
        choices: INTERACTION_KINDS.map((kind) => ({ id: kind, label: t(`interactions.kinds.${kind}`) })),
        columns: 2,
      });
      if (answer.kind === "value") draft.kind = answer.value as InteractionKind;
      return answer;
    }
    if (step === 1) {
      const answer = await askText(conversation, ctx, {
        prompt: t("interactions.ask_date", { today: formatDay(today) }),
        back: true,
        check: (raw) => checkInteractionDate(raw, today),
      });
      // The log keeps what has happened; a date still to come is a typo or a plan.
      if (answer.kind === "value" && answer.value > today) {
        await ctx.reply(t("interactions.date_in_future", { today: formatDay(today) }));
        return "again";
      }
      if (answer.kind === "value") draft.occurredOn = answer.value;
      return answer;
    }
    if (step === 2) {
      const answer = await askText(conversation, ctx, {
        prompt: t("interactions.ask_text", { count: MAX_INTERACTION_TEXT }),
        back: true,
        check: (raw) => checkText(raw, MAX_INTERACTION_TEXT),
      });
      if (answer.kind === "value") draft.text = answer.value;
      return answer;
    }
    if (step === 3) {
      const answer = await askFile(conversation, ctx, { prompt: t("interactions.ask_file"), optional: true, back: true });
      if (answer.kind !== "back") draft.file = answer.kind === "value" ? answer.value : null;
      return answer;
    }
    const decision = await askConfirm(conversation, ctx, {
      summary: t("interactions.summary", {
        name,
        kind: t(`interactions.kinds.${draft.kind}`),
        date: formatDay(draft.occurredOn),
        file: fileLabel(ctx, draft.file),
        text: clip(draft.text, 1500),
      }),
      confirmLabel: t("interactions.save"),
      editLabel: t("interactions.start_over"),
    });
    return decision === "confirm" ? { kind: "skip" } : "restart";
  });
  const toCard = new InlineKeyboard().text(t("interactions.back_to_card"), `pc:open:${partnerId}`);
  if (!done) {
    await ctx.reply(t("interactions.too_long"), { reply_markup: toCard });
    return;
  }
  const reason = await conversation.external(async (outside) => {
    const actor = actorOf(outside);
    const result = actor
      ? await addInteraction(outside.deps.db, actor, { partnerId, ...draft })
      : ({ ok: false, reason: "forbidden" } as const);
    return result.ok ? undefined : result.reason;
  });
  // One short message, not the whole card again: the card is a button away.
  if (reason !== undefined) await ctx.reply(t(`interactions.refused_${reason}`));
  else await ctx.reply(t("interactions.saved"), { reply_markup: toCard });
}

function fileLabel(ctx: ConversationContext, file: SentFile | null): string {
  if (!file) return ctx.t("interactions.file_none");
  if (file.kind === "photo") return ctx.t("interactions.file_photo");
  return file.fileName ?? ctx.t("interactions.file_document");
}
