import { InlineKeyboard } from "grammy";
import { FOLLOW_UP_ANSWERS } from "./domain/schema.js";
import { noticeDepsOf } from "../core/outbox/notices.js";
import {
  type AnswerResult,
  checkFeedbackText,
  type FeedbackTextField,
  MAX_FEEDBACK_TEXT,
  promptView,
  setFollowUp,
  setPromptText,
} from "./domain/feedback.js";
import type { Db } from "../core/db/client.js";
import type { BotContext, ConversationContext } from "../core/context.js";
import { alertIfLow, applyRating, ownsPrompt, RATING_DATA, refusalKey } from "./prompts.js";
import type { FormConversation } from "../core/forms/ask.js";

export const FEEDBACK_CONVERSATION = "feedback";

/**
 * After a rating: the optional questions of a partner's feedback, each saved as it arrives —
 * would they hold another joint event, what went well, what to improve. Questions answered
 * before are not asked again. When the person is done (or stops), a low rating is reported
 * with their comment, in the transaction of their last answer.
 *
 * The steps are asked here rather than with askText/askChoice: a rating pressed meanwhile must
 * still count (or lead to that other prompt's questions), and an over-long text is refused with
 * its length and the limit.
 */

const STEP_DATA = /^ask:(skip|cancel|pick:(yes|maybe|no))$/;

type Input = { kind: "skip" } | { kind: "cancel" } | { kind: "pick"; value: string } | { kind: "text"; text: string } | { kind: "not_text" };

function stepKeyboard(t: ConversationContext["t"], withChoices: boolean): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  if (withChoices) {
    for (const answer of FOLLOW_UP_ANSWERS) keyboard.text(t(`feedback.follow_up_answers.${answer}`), `ask:pick:${answer}`);
    keyboard.row();
  }
  return keyboard.text(t("ask.skip"), "ask:skip").text(t("common.cancel"), "ask:cancel");
}

/**
 * Waits for the person's next input to this step. Buttons of other messages are answered as
 * outdated; a rating of this prompt is saved on the spot; a rating of another of their prompts
 * ends these questions and is handled (with that prompt's questions) by the feature.
 */
async function nextInput(conversation: FormConversation, promptId: number, stepMessages: number[]): Promise<{ update: ConversationContext; input: Input }> {
  for (;;) {
    const update = await conversation.wait();
    const query = update.callbackQuery;
    if (query) {
      const data = query.data ?? "";
      const rating = RATING_DATA.exec(data);
      if (rating) {
        const otherId = Number(rating[1]);
        if (otherId !== promptId && (await conversation.external((outside) => ownsPrompt(outside, otherId)))) {
          await conversation.halt({ next: true });
        }
        await conversation.external((outside) => applyRating(outside, otherId, Number(rating[2])));
        continue;
      }
      const step = STEP_DATA.exec(data);
      if (!step || !stepMessages.includes(query.message?.message_id ?? -1)) {
        const forged = data.startsWith("fb:");
        await update.answerCallbackQuery({ text: update.t(forged ? "feedback.refused_invalid" : "common.button_outdated"), show_alert: forged });
        continue;
      }
      await update.answerCallbackQuery();
      const input: Input = step[2] !== undefined ? { kind: "pick", value: step[2] } : step[1] === "skip" ? { kind: "skip" } : { kind: "cancel" };
      return { update, input };
    }
    const message = update.message;
    if (!message) continue;
    return { update, input: message.text !== undefined ? { kind: "text", text: message.text } : { kind: "not_text" } };
  }
}

/**
 * Saves one answer inside a conversation; with `last`, a low rating is reported in the same
 * transaction. A refusal (the survey closed meanwhile) is said; returns whether it was saved.
 */
async function save(outside: BotContext, promptId: number, write: ((tx: Db) => Promise<AnswerResult>) | undefined, last: boolean): Promise<boolean> {
  const now = outside.deps.now();
  let alerts = 0;
  const result = await outside.deps.db.transaction(async (tx) => {
    const saved: AnswerResult | undefined = write ? await write(tx) : undefined;
    if ((saved === undefined || saved.ok) && last) alerts = await alertIfLow(tx, noticeDepsOf(outside.deps), promptId, now);
    return saved;
  });
  if (alerts > 0) outside.deps.wakeOutbox();
  if (result && !result.ok) {
    await outside.reply(outside.t(refusalKey(result)));
    return false;
  }
  return true;
}

export async function feedbackConversation(conversation: FormConversation, ctx: ConversationContext, promptId: number): Promise<void> {
  const start = await conversation.external(async (outside) => {
    const view = await promptView(outside.deps.db, promptId);
    if (!view || view.prompt.userId !== outside.user?.id) return undefined;
    return { followUp: view.prompt.followUp, wentWell: view.prompt.wentWell !== null, improve: view.prompt.improve !== null };
  });
  if (!start) return;
  const finish = async (cancelled: boolean) => {
    await conversation.external((outside) => save(outside, promptId, undefined, true));
    await ctx.reply(ctx.t(cancelled ? "feedback.stopped" : "feedback.done"));
  };

  const fields = (["wentWell", "improve"] as const satisfies FeedbackTextField[]).filter((field) => !start[field]);
  if (start.followUp === null) {
    const last = fields.length === 0;
    const prompt = await ctx.reply(ctx.t("feedback.ask_follow_up"), { reply_markup: stepKeyboard(ctx.t, true) });
    for (;;) {
      const { update, input } = await nextInput(conversation, promptId, [prompt.message_id]);
      if (input.kind === "cancel") return finish(true);
      if (input.kind === "skip") break;
      if (input.kind === "pick") {
        const value = input.value;
        const saved = await conversation.external((outside) =>
          save(outside, promptId, (tx) => setFollowUp(tx, outside.user!, promptId, value, outside.deps.now()), last),
        );
        if (!saved) return;
        if (last) {
          await ctx.reply(ctx.t("feedback.done"));
          return;
        }
        break;
      }
      await update.reply(update.t("feedback.use_buttons"));
    }
  }

  for (const [index, field] of fields.entries()) {
    const last = index === fields.length - 1;
    const question = ctx.t(field === "wentWell" ? "feedback.ask_went_well" : "feedback.ask_improve", { count: MAX_FEEDBACK_TEXT });
    const stepMessages = [(await ctx.reply(question, { reply_markup: stepKeyboard(ctx.t, false) })).message_id];
    for (;;) {
      const { update, input } = await nextInput(conversation, promptId, stepMessages);
      if (input.kind === "cancel") return finish(true);
      if (input.kind === "skip") {
        if (last) return finish(false);
        break;
      }
      const checked = input.kind === "text" ? checkFeedbackText(input.text) : undefined;
      if (!checked?.ok) {
        const hint =
          checked?.reason === "too_long"
            ? update.t("feedback.too_long", { count: checked.length, max: MAX_FEEDBACK_TEXT })
            : update.t("feedback.text_only");
        stepMessages.push((await update.reply(hint, { reply_markup: stepKeyboard(update.t, false) })).message_id);
        continue;
      }
      const text = checked.value;
      const saved = await conversation.external((outside) =>
        save(outside, promptId, (tx) => setPromptText(tx, outside.user!, promptId, field, text, outside.deps.now()), last),
      );
      if (!saved) return;
      if (last) {
        await ctx.reply(ctx.t("feedback.done"));
        return;
      }
      break;
    }
  }
  if (fields.length === 0) await finish(false);
}
