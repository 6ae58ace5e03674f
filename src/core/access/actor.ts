import type { BotContext } from "../context.js";
import type { Actor } from "./users.js";

/** The acting user, when there is one (private chats). */
export function actorOf(ctx: BotContext): Actor | undefined {
  return ctx.user ? { user: ctx.user, role: ctx.role } : undefined;
}
