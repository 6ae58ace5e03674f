import { MAX_PARTICIPANT_COMMENT } from "./domain/participants.js";
import type { ConversationContext } from "../core/context.js";
import { checkParticipantComment, commentKeyboard, finishComment, settleQuestion } from "./participant-link.js";
import type { FormConversation } from "../core/forms/ask.js";

/** The name this dialog is registered under and entered by. */
export const PARTICIPANT_COMMENT_CONVERSATION = "participantComment";


/**
 * The participant's optional comment after the rating: one text message, or Skip. The only
 * step that needs free text; the rating, role and age buttons work without a conversation
 * (they carry the event), and so does this step's Skip button if the conversation is gone.
 */
export async function participantCommentConversation(conversation: FormConversation, ctx: ConversationContext, eventId: number): Promise<void> {
  await ctx.reply(ctx.t("participant.ask_comment", { count: MAX_PARTICIPANT_COMMENT }), { reply_markup: commentKeyboard(ctx.t, eventId) });
  for (;;) {
    const update = await conversation.wait();
    const data = update.callbackQuery?.data;
    if (data !== undefined) {
      if (data === `pf:cs:${eventId}`) {
        await conversation.external(async (outside) => {
          await outside.answerCallbackQuery();
          await settleQuestion(outside);
          await finishComment(outside, eventId, null);
        });
        return;
      }
      // Other participant buttons (an old rating, another event's questions) work as outside a conversation.
      if (data.startsWith("pf:")) await conversation.skip({ next: true });
      await update.answerCallbackQuery({ text: update.t("common.button_outdated") });
      continue;
    }
    const message = update.message;
    if (!message) continue;
    if (message.text === undefined) {
      await update.reply(update.t("participant.comment_not_text"), { reply_markup: commentKeyboard(update.t, eventId) });
      continue;
    }
    const checked = checkParticipantComment(message.text);
    if (!checked.ok) {
      const hint =
        checked.error === "too_long"
          ? update.t("participant.comment_too_long", { count: checked.length, max: MAX_PARTICIPANT_COMMENT })
          : update.t("participant.comment_no_letters");
      await update.reply(hint, { reply_markup: commentKeyboard(update.t, eventId) });
      continue;
    }
    const comment = checked.value;
    await conversation.external((outside) => finishComment(outside, eventId, comment));
    return;
  }
}
