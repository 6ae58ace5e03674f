import { Composer } from "grammy";
import { markBotBlocked } from "../access/users.js";
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

// A person who blocks the bot is marked at once (writing again clears it, in identify), so
// nothing waits to find out from a refused message. Unblocking needs nothing more.
composer.chatType("private").on("my_chat_member", async (ctx) => {
  if (ctx.myChatMember.new_chat_member.status !== "kicked") return;
  const at = ctx.deps.now();
  if (await markBotBlocked(ctx.deps.db, ctx.from.id, { at })) {
    ctx.deps.logger.info({ telegramId: ctx.from.id }, "the person blocked the bot; marked as blocked until they write again");
  }
});

export { composer as groupFeature };
