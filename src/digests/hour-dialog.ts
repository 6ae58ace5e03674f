import { saveDigestPreferences } from "./domain/digests.js";
import type { ConversationContext } from "../core/context.js";
import { digestSettingsView, hourLabel } from "./text.js";
import { askText, type FormConversation } from "../core/forms/ask.js";

export const DIGEST_HOUR_CONVERSATION = "digest_hour";

/** Typing an hour is re-asked this many times, then the person is pointed to the buttons. */
const MAX_TRIES = 5;

export type HourReading = { ok: true; hour: number } | { ok: false; reason: "bad_hour" | "bad_hour_minutes" };

/** «7», «18», «09», «9:00» or «9.00» are hours; «9:30» has minutes; «25», «-1», «abc» are no hour. */
export function readHour(raw: string): HourReading {
  const value = raw.trim();
  const match = /^(\d{1,2})(?:[:.](\d{2}))?$/.exec(value);
  if (!match) return { ok: false, reason: "bad_hour" };
  const hour = Number(match[1]);
  if (hour > 23) return { ok: false, reason: "bad_hour" };
  if (match[2] !== undefined && match[2] !== "00") return { ok: false, reason: "bad_hour_minutes" };
  return { ok: true, hour };
}

/**
 * ds:type — the hour of the digest, typed (0–23). Saved at once; the settings message the
 * button was under (`settingsMessageId`) is edited to show it.
 */
export async function digestHourConversation(conversation: FormConversation, ctx: ConversationContext, settingsMessageId: number | null) {
  let prompt = ctx.t("digest.settings.ask_hour");
  for (let tries = 0; tries < MAX_TRIES; tries++) {
    const answer = await askText(conversation, ctx, { prompt, check: (raw) => ({ ok: true, value: raw }) });
    if (answer.kind !== "value") return;
    const reading = readHour(answer.value);
    if (!reading.ok) {
      prompt = ctx.t(`digest.settings.${reading.reason}`, { value: answer.value.trim() });
      continue;
    }
    const saved = await conversation.external(async (outside) => {
      if (!outside.user || outside.role === "guest") return undefined;
      const result = await saveDigestPreferences(outside.deps.db, outside.user.id, { hour: reading.hour });
      return result.ok ? result.preferences : undefined;
    });
    if (!saved) {
      await ctx.reply(ctx.t("access.denied_button"));
      return;
    }
    const view = digestSettingsView(ctx.t, saved);
    if (settingsMessageId !== null && ctx.chat) {
      await ctx.api.editMessageText(ctx.chat.id, settingsMessageId, view.text, { reply_markup: view.keyboard }).catch(() => undefined);
    }
    await ctx.reply(ctx.t("digest.settings.hour_saved", { hour: hourLabel(reading.hour) }));
    return;
  }
  await ctx.reply(ctx.t("digest.settings.too_many_tries"));
}
