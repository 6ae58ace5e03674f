import { Composer, InlineKeyboard } from "grammy";
import { LANGUAGES, type Language } from "../config.js";
import { setUserLanguage } from "../core/access/users.js";
import type { BotContext } from "../core/context.js";

const composer = new Composer<BotContext>();

const LANGUAGE_NAMES: Record<Language, string> = { ru: "🇷🇺 Русский", en: "🇬🇧 English" };

function languageKeyboard(current: Language): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  for (const language of LANGUAGES) {
    keyboard.text(`${language === current ? "✓ " : ""}${LANGUAGE_NAMES[language]}`, `lang:${language}`);
  }
  return keyboard;
}

const privateChats = composer.chatType("private");

privateChats.command("lang", async (ctx) => {
  await ctx.reply(ctx.t("language.choose"), { reply_markup: languageKeyboard(ctx.lang) });
});

privateChats.callbackQuery(/^lang:(.+)$/, async (ctx) => {
  const language = LANGUAGES.find((code) => code === ctx.match[1]);
  if (!language || !ctx.user) {
    await ctx.answerCallbackQuery({ text: ctx.t("common.button_outdated") });
    return;
  }
  const alreadyShown = language === ctx.lang;
  if (ctx.user.language !== language) ctx.user = await setUserLanguage(ctx.deps.db, ctx.user, language);
  ctx.lang = language;
  ctx.t = ctx.deps.i18n.fixedT(language);
  await ctx.answerCallbackQuery({ text: ctx.t("language.saved") });
  // Re-sending the same text would be refused by Telegram as "message is not modified".
  if (alreadyShown) return;
  await ctx.editMessageText(ctx.t("language.changed"), { reply_markup: languageKeyboard(language) });
});

export { composer as languageFeature };
