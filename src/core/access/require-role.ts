import type { MiddlewareFn } from "grammy";
import type { Role } from "./schema.js";
import { isSuspended } from "./users.js";
import { COMMANDS, type CommandName } from "../telegram/commands.js";
import type { BotContext } from "../context.js";

/** A staff member or admin whose access an administrator switched off: a guest to the server. */
export function isSuspendedMember(ctx: BotContext): boolean {
  return ctx.role === "guest" && ctx.user !== undefined && isSuspended(ctx.user);
}

/**
 * The standard refusal: an alert for a button, a message otherwise. A suspended member is told
 * that their access is suspended, whatever they tried; a guest refused a command is told how to
 * get access (an invite link from an administrator); a command meant only for partner contacts
 * says so rather than that it is for staff. `allowed` is who may do it.
 */
export async function refuseAccess(ctx: BotContext, allowed: readonly Role[] = []): Promise<void> {
  const suspended = isSuspendedMember(ctx);
  ctx.deps.logger[suspended ? "info" : "warn"](
    { telegramId: ctx.from?.id, role: ctx.role, suspended, update: ctx.update.update_id, data: ctx.callbackQuery?.data },
    "access refused",
  );
  const key = refusalKey(ctx, suspended, allowed);
  if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: ctx.t(key), show_alert: true });
  else await ctx.reply(ctx.t(key));
}

function refusalKey(ctx: BotContext, suspended: boolean, allowed: readonly Role[]): string {
  if (suspended) return "access.suspended";
  if (ctx.callbackQuery) return "access.denied_button";
  if (ctx.role === "guest") return "access.denied_guest_command";
  if (allowed.length > 0 && allowed.every((role) => role === "partner")) return "access.denied_partner_command";
  return "access.denied_command";
}

/**
 * Lets only the given roles through. Checked on the server for every update, buttons included:
 * callback data can be forged by anyone.
 */
export function requireRole(...roles: Role[]): MiddlewareFn<BotContext> {
  return async (ctx, next) => {
    if (roles.includes(ctx.role)) return next();
    await refuseAccess(ctx, roles);
  };
}

/** The guard of a command: the roles its entry in COMMANDS lists, so its menus, /help and the server agree. */
export function requireCommandRole(command: CommandName): MiddlewareFn<BotContext> {
  const entry = COMMANDS.find((c) => c.command === command);
  if (!entry) throw new Error(`/${command} is not in COMMANDS`);
  return requireRole(...entry.roles);
}
