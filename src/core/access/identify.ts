import type { NextFunction } from "grammy";
import { effectiveRole, syncUser } from "./users.js";
import type { BotContext } from "../context.js";
import { pickLanguage } from "../i18n.js";

/** Who is writing, in which language, with which role. Users are stored only from private chats. */
export async function identify(ctx: BotContext, next: NextFunction): Promise<void> {
  const { config, db, i18n } = ctx.deps;
  const from = ctx.from;
  if (from && !from.is_bot && ctx.chat?.type === "private") {
    ctx.user = await syncUser(db, from, config.adminTelegramIds);
  }
  ctx.role = from ? effectiveRole(ctx.user, from.id, config.adminTelegramIds) : "guest";
  ctx.lang = pickLanguage(ctx.user?.language, from?.language_code, config.defaultLanguage);
  ctx.t = i18n.fixedT(ctx.lang);
  await next();
}
