import { Composer } from "grammy";
import type { BotContext } from "../core/context.js";
import { INVITE_CONVERSATION } from "./invite-dialog.js";
import { requireCommandRole, requireRole } from "../core/access/require-role.js";

const composer = new Composer<BotContext>();

composer.chatType("private").command("invite", requireCommandRole("invite"), async (ctx) => {
  await ctx.conversation.enter(INVITE_CONVERSATION);
});

// Buttons of an invite dialog that is no longer running, or forged ones: refuse strangers
// explicitly, tell admins the dialog is over.
composer.callbackQuery(/^invite:/, requireRole("admin"), async (ctx) => {
  await ctx.answerCallbackQuery({ text: ctx.t("common.button_outdated") });
});

export { composer as inviteFeature };
