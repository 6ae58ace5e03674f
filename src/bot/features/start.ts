import { Composer } from "grammy";
import { noticeDepsOf } from "../../delivery/notices.js";
import { isContactInviteToken } from "../../domain/contacts.js";
import { findUserById, redeemInvite } from "../../domain/invites.js";
import { findActiveUnit } from "../../domain/units.js";
import { isSuspended } from "../../domain/users.js";
import { publishChatMenu } from "../commands.js";
import { enqueueUserNotice } from "../notify.js";
import type { BotContext } from "../context.js";
import { plainName } from "../format.js";
import { showContactConsent } from "./contacts.js";
import { startParticipantFeedback } from "./participant-feedback.js";
import { helpText } from "./help.js";

const composer = new Composer<BotContext>();

const privateChats = composer.chatType("private");

privateChats.command("start", async (ctx) => {
  const payload = ctx.match.trim();
  if (payload === "") {
    await greet(ctx);
    return;
  }
  if (payload.startsWith("pf_")) {
    await startParticipantFeedback(ctx, payload.slice(3));
    return;
  }
  if (await isContactInviteToken(ctx.deps.db, payload)) {
    await showContactConsent(ctx, payload);
    return;
  }
  await acceptInvite(ctx, payload);
});

async function greet(ctx: BotContext): Promise<void> {
  const name = ctx.from?.first_name ?? "";
  const suspended = ctx.role === "guest" && ctx.user !== undefined && isSuspended(ctx.user);
  const intro = suspended ? ctx.t("start.suspended", { name }) : ctx.t(`start.welcome_${ctx.role}`, { name });
  await ctx.reply(`${intro}\n\n${helpText(ctx)}`);
}

async function acceptInvite(ctx: BotContext, token: string): Promise<void> {
  const { db, config, logger, now } = ctx.deps;
  const user = ctx.user;
  if (!user) return;
  // Joining and the notice to whoever invited commit together.
  const result = await db.transaction(async (tx) => {
    const redeemed = await redeemInvite(tx, { token, user, adminTelegramIds: config.adminTelegramIds, now: now() });
    if (!redeemed.ok) return redeemed;
    const inviter = await findUserById(tx, redeemed.invite.createdBy);
    if (inviter) await enqueueUserNotice(tx, noticeDepsOf(ctx.deps), inviter, "invite.accepted_notice", { name: plainName(redeemed.user) });
    return redeemed;
  });
  if (!result.ok) {
    logger.info({ telegramId: user.telegramId, reason: result.reason }, "invite link refused");
    await ctx.reply(ctx.t(`start.invite_${result.reason}`));
    return;
  }
  ctx.deps.wakeOutbox();
  ctx.user = result.user;
  ctx.role = result.user.role;
  const unit = result.invite.unitId === null ? undefined : await findActiveUnit(db, result.invite.unitId);
  const role = ctx.t(`roles.${result.user.role}`);
  await ctx.reply(
    [
      unit ? ctx.t("start.invite_accepted_unit", { role, unit: unit.name }) : ctx.t("start.invite_accepted", { role }),
      "",
      helpText(ctx),
    ].join("\n"),
  );

  await publishChatMenu(ctx.api, ctx.deps.i18n, result.user.telegramId, result.user.role, logger);
}

export { composer as startFeature };
