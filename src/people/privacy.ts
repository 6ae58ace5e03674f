import { Composer, type InlineKeyboard } from "grammy";
import type { BotContext } from "../core/context.js";
import { Extension } from "../core/extension.js";

const composer = new Composer<BotContext>();

/** What another area adds to /privacy for this person (a partner contact's own data and how to remove it). */
export type PrivacySection = (ctx: BotContext) => Promise<{ text: string; keyboard?: InlineKeyboard } | undefined>;
export const privacySections = new Extension<PrivacySection>("/privacy sections");

composer.command("privacy", async (ctx) => {
  const sections = [];
  for (const section of privacySections.items) {
    const added = await section(ctx);
    if (added) sections.push(added);
  }
  const text = [ctx.t("privacy.text"), ...sections.map((s) => s.text)].join("\n\n");
  const keyboard = sections.find((s) => s.keyboard)?.keyboard;
  await ctx.reply(text, { link_preview_options: { is_disabled: true }, ...(keyboard ? { reply_markup: keyboard } : {}) });
});

export { composer as privacyFeature };
