import { Composer } from "grammy";
import { noticeDepsOf } from "../core/outbox/notices.js";
import { findUserById, redeemInvite } from "./domain/invites.js";
import { findActiveUnit } from "./domain/units.js";
import { isSuspended } from "../core/access/users.js";
import { publishChatMenu } from "../core/telegram/commands.js";
import { enqueueUserNotice } from "../core/outbox/notify.js";
import type { BotContext } from "../core/context.js";
import { plainName } from "../core/telegram/format.js";
import { Extension } from "../core/extension.js";
import { helpText } from "./help.js";

const composer = new Composer<BotContext>();

/**
 * Links other areas hand out as `t.me/<bot>?start=<payload>` (a contact's consent, the
 * participants' survey): the first handler that takes the payload answers it; any other payload
 * is a staff invite.
 */
export type StartPayloadHandler = (ctx: BotContext, payload: string) => Promise<boolean>;
export const startPayloads = new Extension<StartPayloadHandler>("/start payloads");

const privateChats = composer.chatType("private");

privateChats.command("start", async (ctx) => {
  const payload = ctx.match.trim();
  if (payload === "") {
    await greet(ctx);
    return;
  }
  for (const handle of startPayloads.items) if (await handle(ctx, payload)) return;
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
