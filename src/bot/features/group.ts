import { Composer } from "grammy";
import type { BotContext } from "../context.js";

const composer = new Composer<BotContext>();

// The bot works in private chats. In a group it only explains that, on /start, and keeps quiet
// otherwise; stray buttons there are still answered by the fallback feature.
const groups = composer.chatType(["group", "supergroup"]);
groups.command("start", async (ctx) => {
  await ctx.reply(ctx.t("group.private_only", { username: ctx.me.username }), {
    reply_parameters: { message_id: ctx.msg.message_id, allow_sending_without_reply: true },
  });
});
groups.on("message", () => undefined);
composer.chatType("channel").use(() => undefined);

export { composer as groupFeature };
