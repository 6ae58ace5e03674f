import { INTERACTION_KINDS, type InteractionKind } from "../../db/schema/index.js";
import { addDays } from "../../domain/agreements.js";
import { formatDay } from "../../domain/dates.js";
import { MAX_INTERACTION_TEXT, addInteraction } from "../../domain/interactions.js";
import { type Checked, checkDate, checkText } from "../../domain/validation.js";
import type { ConversationContext } from "../context.js";
import { showPartnerCard } from "../features/partner-card.js";
import { clip } from "../html.js";
import { actorOf } from "../partner-access.js";
import { type SentFile, askChoice, askConfirm, askFile, askText, type FormConversation } from "./ask.js";
import { type StepResult, partnerAndToday, walkSteps } from "./form-steps.js";

export const INTERACTION_CONVERSATION = "interaction";

/** A date typed as ДД.ММ.ГГГГ, or the words «сегодня» / «вчера» (today / yesterday). */
export function checkInteractionDate(raw: string, today: string): Checked<string> {
  const word = raw.trim().toLowerCase();
  if (word === "сегодня" || word === "today") return { ok: true, value: today };
  if (word === "вчера" || word === "yesterday") return { ok: true, value: addDays(today, -1) };
  return checkDate(raw);
}

interface Draft {
  kind: InteractionKind;
  occurredOn: string;
  text: string;
  file: SentFile | null;
}

/** ix:add — kind, date, text, an optional document or photo, a summary; then the partner card. */
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
      if (answer.kind === "value") draft.occurredOn = answer.value;
      return answer;
    }
    if (step === 2) {
      const answer = await askText(conversation, ctx, {
        prompt: t("interactions.ask_text", { max: MAX_INTERACTION_TEXT }),
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
  if (!done) {
    await ctx.reply(t("invite.too_long"));
    return;
  }
  const reason = await conversation.external(async (outside) => {
    const actor = actorOf(outside);
    const result = actor
      ? await addInteraction(outside.deps.db, actor, { partnerId, ...draft })
      : ({ ok: false, reason: "forbidden" } as const);
    if (!result.ok) return result.reason;
    await outside.reply(outside.t("interactions.saved"));
    await showPartnerCard(outside, partnerId, "reply");
    return undefined;
  });
  if (reason !== undefined) await ctx.reply(t(`interactions.refused_${reason}`));
}

function fileLabel(ctx: ConversationContext, file: SentFile | null): string {
  if (!file) return ctx.t("interactions.file_none");
  if (file.kind === "photo") return ctx.t("interactions.file_photo");
  return file.fileName ?? ctx.t("interactions.file_document");
}
