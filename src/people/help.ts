import { Composer } from "grammy";
import { commandDescription, commandsFor } from "../core/telegram/commands.js";
import type { BotContext } from "../core/context.js";

const composer = new Composer<BotContext>();

export function helpText(ctx: BotContext): string {
  const lines = commandsFor(ctx.role).map((command) => `/${command} — ${commandDescription(ctx.t, ctx.role, command)}`);
  return [ctx.t(`help.intro_${ctx.role}`), "", ...lines, "", ctx.t(`help.outro_${ctx.role}`)].join("\n");
}

composer.command("help", async (ctx) => {
  await ctx.reply(helpText(ctx));
});

export { composer as helpFeature };
