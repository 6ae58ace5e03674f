import { Composer } from "grammy";
import type { BotContext } from "../context.js";

const composer = new Composer<BotContext>();

composer.command("privacy", async (ctx) => {
  await ctx.reply(ctx.t("privacy.text"), { link_preview_options: { is_disabled: true } });
});

export { composer as privacyFeature };
