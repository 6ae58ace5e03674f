import { Composer } from "grammy";
import { COMMAND_NAMES } from "../commands.js";
import type { BotContext } from "../context.js";
import { FEEDBACK_CONVERSATION } from "../conversations/feedback.js";
import { PARTICIPANT_COMMENT_CONVERSATION } from "../participant-link.js";

const composer = new Composer<BotContext>();

const hasActiveConversation = (ctx: BotContext) => Object.keys(ctx.conversation.active()).length > 0;

/** Surveys save every answer as it arrives: leaving them keeps what was answered. */
const SAVED_AS_ANSWERED = new Set([FEEDBACK_CONVERSATION, PARTICIPANT_COMMENT_CONVERSATION]);
const leftText = (ctx: BotContext, otherwise: string) =>
  ctx.t(Object.keys(ctx.conversation.active()).every((name) => SAVED_AS_ANSWERED.has(name)) ? "cancel.left_survey" : otherwise);

composer.command("cancel", async (ctx) => {
  if (hasActiveConversation(ctx)) {
    const text = leftText(ctx, "cancel.done");
    await ctx.conversation.exitAll();
    await ctx.reply(text);
  } else {
    await ctx.reply(ctx.t("cancel.nothing"));
  }
});

// Any other known command leaves an unfinished conversation first, then runs as usual.
composer.command(COMMAND_NAMES.filter((name) => name !== "cancel"), async (ctx, next) => {
  if (hasActiveConversation(ctx)) {
    const text = leftText(ctx, "cancel.left_for_command");
    await ctx.conversation.exitAll();
    await ctx.reply(text);
  }
  await next();
});

export { composer as cancelFeature };
