import type { Conversation } from "@grammyjs/conversations";
import { InlineKeyboard } from "grammy";
import type { Checked } from "../validation.js";
import type { BotContext, ConversationContext } from "../context.js";
import { fitButton } from "../telegram/button-label.js";
import { addPageNav, pageOf } from "../telegram/paging.js";

/**
 * The building blocks of every form-like conversation: ask for a text, a choice or a file,
 * validate, re-ask with a hint, and offer Skip / Back / Cancel as buttons. Each returns what
 * the user did; the conversation decides where Back leads. Cancel halts the conversation.
 */
export type FormConversation = Conversation<BotContext, ConversationContext>;

export type Answer<T> = { kind: "value"; value: T } | { kind: "skip" } | { kind: "back" };

interface StepOptions {
  /** The question, HTML. */
  prompt: string;
  /** Offer a Skip button (the field is optional). */
  optional?: boolean;
  /** Offer a Back button (there is a previous step). */
  back?: boolean;
}

/** Largest file kept by file_id. Telegram's Bot API refuses bots files over 20 MB anyway. */
export const MAX_FILE_BYTES = 20 * 1024 * 1024;

/** `ask:page:<n>` turns the page of a paged choice (askChoice with `pageSize`). */
const ASK = /^ask:(skip|back|cancel|pick:(.+)|page:(\d{1,6})|done)$/;

function controls(t: ConversationContext["t"], options: StepOptions, keyboard = new InlineKeyboard()): InlineKeyboard {
  const row: [string, string][] = [];
  if (options.back) row.push([t("common.back"), "ask:back"]);
  if (options.optional) row.push([t("ask.skip"), "ask:skip"]);
  row.push([t("common.cancel"), "ask:cancel"]);
  for (const [label, data] of row) keyboard.text(label, data);
  return keyboard;
}

async function cancel(conversation: FormConversation, ctx: ConversationContext): Promise<never> {
  await ctx.reply(ctx.t("cancel.done"));
  return conversation.halt();
}

type Control = "skip" | "back" | "cancel" | "done" | { pick: string };

/** Waits for the next update; buttons of other messages than this step's are answered as outdated. */
async function next(conversation: FormConversation, stepMessageIds: number | number[]) {
  const ids = Array.isArray(stepMessageIds) ? stepMessageIds : [stepMessageIds];
  for (;;) {
    const update = await conversation.wait();
    const data = update.callbackQuery?.data;
    if (update.callbackQuery) {
      const match = data ? ASK.exec(data) : null;
      if (!match || !ids.includes(update.callbackQuery.message?.message_id ?? -1)) {
        await update.answerCallbackQuery({ text: update.t("common.button_outdated") });
        continue;
      }
      await update.answerCallbackQuery();
      // A page press is no answer: only askChoice reads `page`, every other step ignores it.
      if (match[3] !== undefined) return { update, control: undefined, page: Number(match[3]) };
      const control: Control = match[2] !== undefined ? { pick: match[2] } : (match[1] as "skip" | "back" | "cancel" | "done");
      return { update, control };
    }
    return { update, control: undefined };
  }
}

/** Asks for a text and validates it with `check`, re-asking with the validator's hint. */
export async function askText<T>(
  conversation: FormConversation,
  ctx: ConversationContext,
  options: StepOptions & { check: (text: string) => Checked<T> },
): Promise<Answer<T>> {
  const prompt = await ctx.reply(options.prompt, { reply_markup: controls(ctx.t, options) });
  // The hints carry the same buttons as the question: pressing them there works too.
  const stepMessages = [prompt.message_id];
  for (;;) {
    const { update, control } = await next(conversation, stepMessages);
    if (control === "cancel") return cancel(conversation, update);
    if (control === "skip" && options.optional) return { kind: "skip" };
    if (control === "back" && options.back) return { kind: "back" };
    if (control !== undefined) continue;
    const text = update.message?.text;
    if (text === undefined) {
      if (update.message || update.editedMessage) await update.reply(update.t("ask.text_expected"));
      continue;
    }
    const checked = options.check(text);
    if (checked.ok) return { kind: "value", value: checked.value };
    const hint = await update.reply(update.t(`validation.${checked.error}`), { reply_markup: controls(update.t, options) });
    stepMessages.push(hint.message_id);
  }
}

export interface Choice {
  id: string;
  label: string;
}

interface ChoiceOptions extends StepOptions {
  choices: Choice[];
  columns?: number;
  /** Pages the choices, this many a page, with «◀️ 2/5 ▶️»; the message is edited in place. */
  pageSize?: number;
  /** Choices under every page, e.g. «nobody» or «someone else». */
  fixed?: Choice[];
}

/** Asks to pick one option with buttons; typed text gets a reminder to use them. */
export async function askChoice(conversation: FormConversation, ctx: ConversationContext, options: ChoiceOptions): Promise<Answer<string>> {
  const fixed = options.fixed ?? [];
  let page = 0;
  const keyboard = () => {
    const k = new InlineKeyboard();
    const shown = options.pageSize ? pageOf(options.choices, page, options.pageSize) : undefined;
    (shown?.items ?? options.choices).forEach((choice, i) => {
      k.text(fitButton(choice.label), `ask:pick:${choice.id}`);
      if ((i + 1) % (options.columns ?? 1) === 0) k.row();
    });
    k.row();
    if (shown) addPageNav(k, ctx.t, shown, (p) => `ask:page:${p}`);
    for (const choice of fixed) k.text(fitButton(choice.label), `ask:pick:${choice.id}`).row();
    return controls(ctx.t, options, k);
  };
  const prompt = await ctx.reply(options.prompt, { reply_markup: keyboard() });
  for (;;) {
    const { update, control, page: requested } = await next(conversation, prompt.message_id);
    if (control === "cancel") return cancel(conversation, update);
    if (control === "skip" && options.optional) return { kind: "skip" };
    if (control === "back" && options.back) return { kind: "back" };
    if (typeof control === "object" && [...options.choices, ...fixed].some((c) => c.id === control.pick)) {
      return { kind: "value", value: control.pick };
    }
    if (requested !== undefined && options.pageSize) {
      // A forged or stale number shows the nearest page; the page already shown is left as it is.
      const turned = pageOf(options.choices, requested, options.pageSize).page;
      if (turned !== page) {
        page = turned;
        await update.editMessageReplyMarkup({ reply_markup: keyboard() });
      }
      continue;
    }
    if (control === undefined && update.message) await update.reply(update.t("common.use_buttons"));
  }
}

/** Asks to tick several options; the message is edited to show the ticks; Done confirms. */
export async function askMany(
  conversation: FormConversation,
  ctx: ConversationContext,
  options: StepOptions & { choices: Choice[]; selected?: string[]; min?: number },
): Promise<Answer<string[]>> {
  const selected = new Set(options.selected ?? []);
  const keyboard = () => {
    const k = new InlineKeyboard();
    // One-character marks, so that a label of 22 characters still fits the button.
    for (const choice of options.choices) k.text(fitButton(`${selected.has(choice.id) ? "✅" : "⬜"} ${choice.label}`), `ask:pick:${choice.id}`).row();
    k.text(ctx.t("ask.done"), "ask:done").row();
    return controls(ctx.t, options, k);
  };
  const prompt = await ctx.reply(options.prompt, { reply_markup: keyboard() });
  for (;;) {
    const { update, control } = await next(conversation, prompt.message_id);
    if (control === "cancel") return cancel(conversation, update);
    if (control === "skip" && options.optional) return { kind: "skip" };
    if (control === "back" && options.back) return { kind: "back" };
    if (control === "done") {
      if (selected.size >= (options.min ?? 1)) return { kind: "value", value: options.choices.map((c) => c.id).filter((id) => selected.has(id)) };
      await update.reply(update.t("ask.pick_at_least_one"));
      continue;
    }
    if (typeof control === "object" && options.choices.some((c) => c.id === control.pick)) {
      if (selected.has(control.pick)) selected.delete(control.pick);
      else selected.add(control.pick);
      await update.editMessageReplyMarkup({ reply_markup: keyboard() });
      continue;
    }
    if (control === undefined && update.message) await update.reply(update.t("common.use_buttons"));
  }
}

export interface SentFile {
  fileId: string;
  kind: "document" | "photo";
  fileName: string | null;
}

/** Asks for a document or a photo sent into the chat; keeps its file_id, refuses files over the limit. */
export async function askFile(
  conversation: FormConversation,
  ctx: ConversationContext,
  options: StepOptions,
): Promise<Answer<SentFile>> {
  const prompt = await ctx.reply(options.prompt, { reply_markup: controls(ctx.t, options) });
  for (;;) {
    const { update, control } = await next(conversation, prompt.message_id);
    if (control === "cancel") return cancel(conversation, update);
    if (control === "skip" && options.optional) return { kind: "skip" };
    if (control === "back" && options.back) return { kind: "back" };
    if (control !== undefined) continue;
    const message = update.message;
    if (!message) continue;
    const document = message.document;
    const photo = message.photo?.at(-1);
    const size = document?.file_size ?? photo?.file_size ?? 0;
    if (size > MAX_FILE_BYTES) {
      await update.reply(update.t("ask.file_too_big", { mb: Math.round(MAX_FILE_BYTES / 1024 / 1024) }));
      continue;
    }
    if (document) return { kind: "value", value: { fileId: document.file_id, kind: "document", fileName: document.file_name ?? null } };
    if (photo) return { kind: "value", value: { fileId: photo.file_id, kind: "photo", fileName: null } };
    await update.reply(update.t("ask.file_expected"));
  }
}

/** A final Confirm / Edit / Cancel question over a summary. */
export async function askConfirm(
  conversation: FormConversation,
  ctx: ConversationContext,
  options: { summary: string; confirmLabel: string; editLabel?: string },
): Promise<"confirm" | "edit"> {
  const keyboard = new InlineKeyboard().text(options.confirmLabel, "ask:pick:confirm").row();
  if (options.editLabel) keyboard.text(options.editLabel, "ask:pick:edit").row();
  keyboard.text(ctx.t("common.cancel"), "ask:cancel");
  const prompt = await ctx.reply(options.summary, { reply_markup: keyboard, link_preview_options: { is_disabled: true } });
  for (;;) {
    const { update, control } = await next(conversation, prompt.message_id);
    if (control === "cancel") return cancel(conversation, update);
    if (typeof control === "object" && (control.pick === "confirm" || (control.pick === "edit" && options.editLabel))) {
      return control.pick;
    }
    if (control === undefined && update.message) await update.reply(update.t("common.use_buttons"));
  }
}
