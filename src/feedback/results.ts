import { Composer, InlineKeyboard } from "grammy";
import { eventFeedbackSummary, feedbackRoundOf } from "./domain/results.js";
import type { BotContext } from "../core/context.js";
import { renderFeedbackSummary } from "./results-text.js";
import { requireRole } from "../core/access/require-role.js";
import { eventForAction } from "../events/index.js";

/** The "📊 Feedback results" button of the event card (fr:show:<eventId>): the summary, now. */
const composer = new Composer<BotContext>();
const privateChats = composer.chatType("private");
const buttons = privateChats.callbackQuery(/^fr:/).use(requireRole("admin", "staff"));

buttons.callbackQuery(/^fr:show:(\d{1,9})$/, async (ctx) => {
  // Those who may manage the event see its feedback: the responsible person, the proposer, the deciders.
  const event = await eventForAction(ctx, Number(ctx.match[1]), "manage");
  if (!event) return;
  const round = await feedbackRoundOf(ctx.deps.db, event.id);
  if (!round) {
    await ctx.answerCallbackQuery({ text: ctx.t("feedback_results.no_round"), show_alert: true });
    return;
  }
  await ctx.answerCallbackQuery();
  const summary = await eventFeedbackSummary(ctx.deps.db, event.id);
  const closing = round.promptsCloseAt <= ctx.deps.now();
  const text = renderFeedbackSummary(ctx.t, ctx.lang, ctx.deps.config.timeZone, event, summary, {
    closing,
    acceptingUntil: closing ? null : round.promptsCloseAt,
  });
  await ctx.reply(text, {
    reply_markup: new InlineKeyboard().text(ctx.t("events.buttons.open"), `ev:open:${event.id}`),
    link_preview_options: { is_disabled: true },
  });
});

// Any other fr: data is forged or from an old version of the bot.
buttons.callbackQuery(/^fr:/, async (ctx) => {
  await ctx.answerCallbackQuery({ text: ctx.t("common.button_outdated") });
});

export { composer as feedbackResultsFeature };
