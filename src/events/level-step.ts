import { InlineKeyboard } from "grammy";
import { EVENT_LEVELS, type EventLevel } from "./domain/schema.js";
import type { ConversationContext } from "../core/context.js";
import type { Answer, FormConversation } from "../core/forms/ask.js";
import { fitButton } from "../core/telegram/button-label.js";

/**
 * The form's level step: six level buttons, and for the formats that may be marked so a
 * «🏆 with winners» toggle (⬜/✅, the message edited in place, like the categories step).
 * A level pressed is the answer, the toggle's state with it. Asked here rather than with
 * askChoice, which has no toggle.
 */

export interface LevelAnswer {
  level: EventLevel;
  competition: boolean;
}

interface LevelOptions {
  prompt: string;
  level: EventLevel;
  /** The toggle's state, or undefined when the format offers no toggle. */
  competition: boolean | undefined;
  back: boolean;
}

const DATA = /^ask:(back|cancel|pick:([a-z_]+))$/;
const TOGGLE = "competition";

/** The step's buttons: the current level marked ✓, two a row; the toggle; Back and Cancel. */
export function levelKeyboard(t: ConversationContext["t"], level: EventLevel, competition: boolean | undefined, back: boolean): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  EVENT_LEVELS.forEach((each, i) => {
    const label = t(`events.levels.${each}`);
    keyboard.text(fitButton(each === level ? `✓ ${label}` : label), `ask:pick:${each}`);
    if (i % 2 === 1) keyboard.row();
  });
  if (competition !== undefined) keyboard.text(fitButton(`${competition ? "✅" : "⬜"} ${t("event_form.competition_toggle")}`), `ask:pick:${TOGGLE}`).row();
  if (back) keyboard.text(t("common.back"), "ask:back");
  return keyboard.text(t("common.cancel"), "ask:cancel");
}

export async function askLevel(conversation: FormConversation, ctx: ConversationContext, options: LevelOptions): Promise<Answer<LevelAnswer>> {
  let competition = options.competition;
  const keyboard = () => levelKeyboard(ctx.t, options.level, competition, options.back);
  let live = (await ctx.reply(options.prompt, { reply_markup: keyboard() })).message_id;
  for (;;) {
    const update = await conversation.wait();
    const query = update.callbackQuery;
    if (query) {
      const match = DATA.exec(query.data ?? "");
      const pick = match?.[2];
      const known = match !== null && (pick === undefined || pick === TOGGLE || (EVENT_LEVELS as readonly string[]).includes(pick));
      if (!known || query.message?.message_id !== live || (match[1] === "back" && !options.back) || (pick === TOGGLE && competition === undefined)) {
        await update.answerCallbackQuery({ text: update.t("common.button_outdated") });
        continue;
      }
      await update.answerCallbackQuery();
      if (match[1] === "cancel") {
        await update.reply(update.t("cancel.done"));
        return conversation.halt();
      }
      if (match[1] === "back") return { kind: "back" };
      if (pick === TOGGLE) {
        competition = !competition;
        await update.editMessageReplyMarkup({ reply_markup: keyboard() });
        continue;
      }
      return { kind: "value", value: { level: pick as EventLevel, competition: competition ?? false } };
    }
    // A text (or anything else) instead of a button: one polite message that asks again, with the buttons.
    if (update.message) live = (await update.reply(update.t("event_form.level_use_buttons"), { reply_markup: keyboard() })).message_id;
  }
}
