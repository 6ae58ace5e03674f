import { Composer } from "grammy";
import { COMMAND_NAMES } from "./commands.js";
import type { BotContext } from "../context.js";
import { Extension } from "../extension.js";

const composer = new Composer<BotContext>();

const hasActiveConversation = (ctx: BotContext) => Object.keys(ctx.conversation.active()).length > 0;

/** Dialogs that save every answer as it arrives (surveys): leaving them keeps what was answered. */
export const dialogsSavedAsAnswered = new Extension<string>("dialogs saved as answered");
const leftText = (ctx: BotContext, otherwise: string) =>
  ctx.t(Object.keys(ctx.conversation.active()).every((name) => dialogsSavedAsAnswered.items.includes(name)) ? "cancel.left_survey" : otherwise);

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
