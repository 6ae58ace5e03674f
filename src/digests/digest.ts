import { Composer } from "grammy";
import { splitHtml } from "../core/outbox/split-html.js";
import { buildDigest, type DigestPreferences, digestPreferencesOf, isEmpty, saveDigestPreferences } from "./domain/digests.js";
import type { BotContext } from "../core/context.js";
import { DIGEST_HOUR_CONVERSATION } from "./hour-dialog.js";
import { digestKeyboard, digestSettingsView, renderDigest } from "./text.js";
import { requireCommandRole, requireRole } from "../core/access/require-role.js";

/** /digest (one's own digest now) and /settings (the weekly digest: on/off, weekday, hour; ds: buttons). */
const composer = new Composer<BotContext>();
const privateChats = composer.chatType("private");
const members = requireRole("admin", "staff", "partner");

privateChats.command("digest", requireCommandRole("digest"), async (ctx) => {
  if (!ctx.user) return;
  const { db, config } = ctx.deps;
  const digest = await buildDigest(db, { ...ctx.user, role: ctx.role }, { now: ctx.deps.now(), timeZone: config.timeZone });
  if (isEmpty(digest)) {
    await ctx.reply(ctx.t("digest.nothing"), { reply_markup: digestKeyboard(ctx.t) });
    return;
  }
  const parts = splitHtml(renderDigest(ctx.t, ctx.lang, config.timeZone, digest));
  for (const [i, part] of parts.entries()) {
    await ctx.reply(part, {
      link_preview_options: { is_disabled: true },
      ...(i === parts.length - 1 ? { reply_markup: digestKeyboard(ctx.t) } : {}),
    });
  }
});

async function showSettings(ctx: BotContext, preferences: DigestPreferences, mode: "reply" | "edit"): Promise<void> {
  const view = digestSettingsView(ctx.t, preferences);
  if (mode === "edit") await ctx.editMessageText(view.text, { reply_markup: view.keyboard });
  else await ctx.reply(view.text, { reply_markup: view.keyboard });
}

privateChats.command("settings", requireCommandRole("settings"), async (ctx) => {
  if (!ctx.user) return;
  await showSettings(ctx, await digestPreferencesOf(ctx.deps.db, ctx.user.id), "reply");
});

const SETTINGS_DATA = /^ds:(?:(show|on|off|type)|day:(\d)|hour:(\d{1,2}))$/;

privateChats.callbackQuery(/^ds:/, members, async (ctx) => {
  const match = SETTINGS_DATA.exec(ctx.callbackQuery.data);
  const user = ctx.user;
  const change: Partial<DigestPreferences> | undefined = !match
    ? undefined
    : match[1] === "on" || match[1] === "off"
      ? { enabled: match[1] === "on" }
      : match[2] !== undefined
        ? { weekday: Number(match[2]) }
        : match[3] !== undefined
          ? { hour: Number(match[3]) }
          : {};
  if (!match || !user || !change) {
    ctx.deps.logger.warn({ telegramId: ctx.from.id, data: ctx.callbackQuery.data }, "digest settings button refused");
    await ctx.answerCallbackQuery({ text: ctx.t("digest.settings.refused_invalid"), show_alert: true });
    return;
  }
  if (match[1] === "show") {
    await ctx.answerCallbackQuery();
    await showSettings(ctx, await digestPreferencesOf(ctx.deps.db, user.id), "reply");
    return;
  }
  if (match[1] === "type") {
    await ctx.answerCallbackQuery();
    await ctx.conversation.enter(DIGEST_HOUR_CONVERSATION, ctx.callbackQuery.message?.message_id ?? null);
    return;
  }
  const saved = await saveDigestPreferences(ctx.deps.db, user.id, change);
  if (!saved.ok) {
    ctx.deps.logger.warn({ telegramId: ctx.from.id, data: ctx.callbackQuery.data }, "digest settings button refused");
    await ctx.answerCallbackQuery({ text: ctx.t("digest.settings.refused_invalid"), show_alert: true });
    return;
  }
  await ctx.answerCallbackQuery({ text: ctx.t(saved.changed ? "digest.settings.saved" : "digest.settings.unchanged") });
  if (saved.changed && ctx.callbackQuery.message) await showSettings(ctx, saved.preferences, "edit");
  else if (saved.changed) await showSettings(ctx, saved.preferences, "reply");
});

export { composer as digestFeature };
