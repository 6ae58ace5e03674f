import { Composer } from "grammy";
import type { BotContext } from "../context.js";
import { forgetMeKeyboard } from "./contacts.js";

const composer = new Composer<BotContext>();

composer.command("privacy", async (ctx) => {
  const forgetMe = await forgetMeKeyboard(ctx);
  const text = forgetMe ? `${ctx.t("privacy.text")}\n\n${ctx.t("privacy.contact_data")}` : ctx.t("privacy.text");
  await ctx.reply(text, { link_preview_options: { is_disabled: true }, ...(forgetMe ? { reply_markup: forgetMe } : {}) });
});

export { composer as privacyFeature };
