import { Composer } from "grammy";
import { openPromptsOfUser } from "./domain/feedback.js";
import type { BotContext } from "../core/context.js";
import { FEEDBACK_CONVERSATION } from "./feedback-dialog.js";
import { applyRating, promptText, RATING_DATA, ratingKeyboard } from "./prompts.js";
import { formatDateTime } from "../core/telegram/format.js";
import { clip } from "../core/telegram/html.js";
import { requireCommandRole, requireRole } from "../core/access/require-role.js";

/** Partner feedback: the 1–5 buttons (fb:r:<promptId>:<n>) and /feedback, the person's open prompts. */
const composer = new Composer<BotContext>();
const privateChats = composer.chatType("private");

// Prompts go to partner contacts; whoever holds one may rate it (ratePrompt checks whose it is).
const buttons = privateChats.callbackQuery(/^fb:/).use(requireRole("admin", "staff", "partner"));

buttons.callbackQuery(RATING_DATA, async (ctx) => {
  const promptId = Number(ctx.match[1]);
  if (!(await applyRating(ctx, promptId, Number(ctx.match[2])))) return;
  await ctx.conversation.enter(FEEDBACK_CONVERSATION, promptId);
});

// Any other fb: data is forged or truncated: a rating of "abc", a missing number…
buttons.callbackQuery(/^fb:/, async (ctx) => {
  ctx.deps.logger.warn({ telegramId: ctx.from.id, data: ctx.callbackQuery.data }, "feedback button refused");
  await ctx.answerCallbackQuery({ text: ctx.t("feedback.refused_invalid"), show_alert: true });
});

privateChats.command("feedback", requireCommandRole("feedback"), async (ctx) => {
  const open = ctx.user ? await openPromptsOfUser(ctx.deps.db, ctx.user.id, ctx.deps.now()) : [];
  if (open.length === 0) {
    await ctx.reply(ctx.t("feedback.list_none"));
    return;
  }
  const timeZone = ctx.deps.config.timeZone;
  const answered = open.filter((view) => view.prompt.rating !== null);
  if (answered.length > 0) {
    const lines = answered.map((view) =>
      ctx.t("feedback.list_answered_line", {
        title: clip(view.event.title, 150),
        start: formatDateTime(view.event.startsAt, ctx.lang, timeZone),
        rating: view.prompt.rating,
      }),
    );
    await ctx.reply([ctx.t("feedback.list_answered_title"), ...lines].join("\n"));
  }
  for (const view of open.filter((v) => v.prompt.rating === null)) {
    await ctx.reply(promptText(ctx.t, ctx.lang, timeZone, view.event, view.round), {
      reply_markup: ratingKeyboard(view.prompt.id),
      link_preview_options: { is_disabled: true },
    });
  }
});

export { composer as feedbackFeature };
