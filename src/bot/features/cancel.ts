import { Composer } from "grammy";
import { COMMAND_NAMES } from "../commands.js";
import type { BotContext } from "../context.js";

const composer = new Composer<BotContext>();

const hasActiveConversation = (ctx: BotContext) => Object.keys(ctx.conversation.active()).length > 0;

composer.command("cancel", async (ctx) => {
  if (hasActiveConversation(ctx)) {
    await ctx.conversation.exitAll();
    await ctx.reply(ctx.t("cancel.done"));
  } else {
    await ctx.reply(ctx.t("cancel.nothing"));
  }
});

// Any other known command leaves an unfinished conversation first, then runs as usual.
composer.command(COMMAND_NAMES.filter((name) => name !== "cancel"), async (ctx, next) => {
  if (hasActiveConversation(ctx)) {
    await ctx.conversation.exitAll();
    await ctx.reply(ctx.t("cancel.left_for_command"));
  }
  await next();
});

export { composer as cancelFeature };
