import { Composer } from "grammy";
import type { BotContext } from "../context.js";

const composer = new Composer<BotContext>();

// Edits are not fed into conversations or commands: acting twice on one message would surprise.
composer.chatType("private").on("edited_message", async (ctx) => {
  await ctx.reply(ctx.t("common.edited_ignored"), {
    reply_parameters: { message_id: ctx.editedMessage.message_id, allow_sending_without_reply: true },
  });
});
composer.on("edited_message", () => undefined);

export { composer as editedMessagesFeature };
