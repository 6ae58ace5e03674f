import type { Context, NextFunction } from "grammy";
import { activeScope, prefetchedRead } from "../db/update-scope.js";
import { effectiveRole, syncUser } from "./users.js";
import type { BotContext } from "../context.js";
import { pickLanguage } from "../i18n.js";

/** Whether identify stores the sender: people writing in private chats, not bots. */
export function identifiesSender(ctx: Context): boolean {
  return ctx.from !== undefined && !ctx.from.is_bot && ctx.chat?.type === "private";
}

/** Who is writing, in which language, with which role. Users are stored only from private chats. */
export async function identify(ctx: BotContext, next: NextFunction): Promise<void> {
  const { config, db, i18n } = ctx.deps;
  const from = ctx.from;
  if (from && identifiesSender(ctx)) {
    // The row read with the claim of the update, if it was (src/core/telegram/exactly-once.ts).
    const known = activeScope()?.prefetched?.userRows;
    ctx.user = await syncUser(db, from, config.adminTelegramIds, known && prefetchedRead(known));
  }
  ctx.role = from ? effectiveRole(ctx.user, from.id, config.adminTelegramIds) : "guest";
  ctx.lang = pickLanguage(ctx.user?.language, from?.language_code, config.defaultLanguage);
  ctx.t = i18n.fixedT(ctx.lang);
  await next();
}
