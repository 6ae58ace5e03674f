import { Composer } from "grammy";
import type { BotContext } from "../context.js";
import { clip } from "./html.js";

const composer = new Composer<BotContext>();

// Installed last: whatever nothing else took gets a short, clear answer.
composer.on("callback_query", async (ctx) => {
  await ctx.answerCallbackQuery({ text: ctx.t("common.button_outdated") });
});

const privateChats = composer.chatType("private");

privateChats.on("message::bot_command", async (ctx, next) => {
  const entity = ctx.msg.entities?.[0];
  if (entity?.type !== "bot_command" || entity.offset !== 0) return next();
  const command = (ctx.msg.text ?? "").slice(0, entity.length);
  await ctx.reply(ctx.t("fallback.unknown_command", { command: clip(command, 64) }));
});

privateChats.on("message:text", async (ctx) => {
  await ctx.reply(ctx.t("fallback.text"));
});

privateChats.on("message", async (ctx) => {
  await ctx.reply(ctx.t("fallback.not_text"));
});

export { composer as fallbackFeature };
