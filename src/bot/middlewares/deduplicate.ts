import type { NextFunction } from "grammy";
import { claimUpdate } from "../../domain/processed-updates.js";
import type { BotContext } from "../context.js";

/** Telegram may deliver an update twice (webhook retries, a second instance): handle it once. */
export async function deduplicate(ctx: BotContext, next: NextFunction): Promise<void> {
  if (await claimUpdate(ctx.deps.db, ctx.update.update_id)) {
    await next();
  } else {
    ctx.deps.logger.info({ updateId: ctx.update.update_id }, "skipping an update already processed");
  }
}
