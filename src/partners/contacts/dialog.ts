import { InlineKeyboard } from "grammy";
import type { ConsentBasis } from "../domain/schema.js";
import {
  CONTACT_CHECKS,
  CONTACT_FIELDS,
  type ContactDraft,
  type ContactField,
  type ContactRefusal,
  MAX_CONTACTS_PER_PARTNER,
  PENDING_FIELDS,
  addContact,
  createContactInvite,
  formatPhone,
  getContact,
  isConsentPending,
  updateContact,
} from "../domain/contacts.js";
import { canEditPartner, getPartner } from "../domain/partners.js";
import type { BotContext, ConversationContext } from "../../core/context.js";
import { contactListView, inviteLink } from "./contacts.js";
import { formatDateTime } from "../../core/telegram/format.js";
import { clip } from "../../core/telegram/html.js";
import { actorOf } from "../access.js";
import { type Answer, type FormConversation, askChoice, askConfirm, askText } from "../../core/forms/ask.js";

/** The name this dialog is registered under and entered by. */
export const CONTACT_CONVERSATION = "contact";


export interface ContactFormInput {
  partnerId: number;
  /** Set when editing an existing contact. */
  contactId?: number;
}

/** Plenty for the form with some going back and forth; never endless. */
const MAX_ANSWERS = 60;

const EMPTY: ContactDraft = { fullName: "", position: null, phone: null, email: null, telegramUsername: null };

/**
 * Adds or edits a partner's contact person. Adding starts with the legal basis for keeping the
 * data: a consent signed on paper, or a consent the person will give in the bot — in which
 * case only the name and position are asked for, and an invite link is made on saving.
 */
export async function contactConversation(conversation: FormConversation, ctx: ConversationContext, input: ContactFormInput): Promise<void> {
  const loaded = await conversation.external(async (outside) => {
    const actor = actorOf(outside);
    const partner = await getPartner(outside.deps.db, input.partnerId);
    if (!actor || !partner || !(await canEditPartner(outside.deps.db, actor, partner))) return undefined;
    if (input.contactId === undefined) return { partnerName: partner.shortName ?? partner.fullName, contact: undefined };
    const contact = await getContact(outside.deps.db, input.contactId);
    if (!contact || contact.partnerId !== partner.id) return undefined;
    const draft: ContactDraft = {
      fullName: contact.fullName,
      position: contact.position,
      phone: contact.phone,
      email: contact.email,
      telegramUsername: contact.telegramUsername,
    };
    return { partnerName: partner.shortName ?? partner.fullName, contact: { draft, basis: contact.consentBasis, pending: isConsentPending(contact) } };
  });
  if (!loaded) {
    await ctx.reply(ctx.t("access.denied_button"));
    return;
  }
  const editing = loaded.contact !== undefined;
  const draft: ContactDraft = { ...(loaded.contact?.draft ?? EMPTY) };
  let basis: ConsentBasis = loaded.contact?.basis ?? "paper";
  // Until the person consents in the bot, only the name and position may be kept.
  const pending = () => (loaded.contact ? loaded.contact.pending : basis === "bot");
  const fields = () => (pending() ? PENDING_FIELDS : CONTACT_FIELDS);
  let answers = 0;
  // Like the agreement and interaction forms: say where to start again, with the way back there.
  const tooLong = async () => {
    await ctx.reply(ctx.t("contacts.form.too_long"), {
      reply_markup: new InlineKeyboard().text(ctx.t("contacts.back_to_card"), `pc:open:${input.partnerId}`),
    });
  };

  const askField = (field: ContactField, back: boolean): Promise<Answer<string>> => {
    const lines = [ctx.t(`contacts.form.${field}`)];
    const current = draft[field];
    if (editing && current) lines.push("", ctx.t("contacts.form.current", { value: clip(shown(field, current), 200) }));
    if (field !== "fullName") lines.push("", ctx.t("contacts.form.skip_clears"));
    return askText(conversation, ctx, { prompt: lines.join("\n"), optional: field !== "fullName", back, check: CONTACT_CHECKS[field] });
  };
  const apply = (field: ContactField, answer: Answer<string>) => {
    if (answer.kind === "value") draft[field] = answer.value;
    else if (answer.kind === "skip" && field !== "fullName") draft[field] = null;
  };

  if (!editing) {
    let step = 0;
    while (step <= fields().length) {
      if (++answers > MAX_ANSWERS) return tooLong();
      if (step === 0) {
        const choice = await askChoice(conversation, ctx, {
          prompt: ctx.t("contacts.form.basis", { partner: clip(loaded.partnerName, 100) }),
          choices: [
            { id: "paper", label: ctx.t("contacts.form.basis_paper") },
            { id: "bot", label: ctx.t("contacts.form.basis_bot") },
          ],
        });
        if (choice.kind !== "value") continue;
        basis = choice.value === "bot" ? "bot" : "paper";
        step = 1;
        continue;
      }
      const field = fields()[step - 1]!;
      const answer = await askField(field, true);
      if (answer.kind === "back") {
        step -= 1;
        continue;
      }
      apply(field, answer);
      step += 1;
    }
    // Going back from paper to bot must not keep what was typed for the paper route.
    for (const field of CONTACT_FIELDS) if (field !== "fullName" && !fields().includes(field)) draft[field] = null;
  }

  let pickFirst = editing;
  for (;;) {
    if (++answers > MAX_ANSWERS) return tooLong();
    if (!pickFirst) {
      const decision = await askConfirm(conversation, ctx, {
        summary: summary(ctx, draft, fields(), basis, pending()),
        confirmLabel: ctx.t("contacts.form.save"),
        editLabel: ctx.t("contacts.form.edit"),
      });
      if (decision === "confirm") break;
    }
    const which = await askChoice(conversation, ctx, {
      prompt: editing ? ctx.t("contacts.form.edit_prompt", { name: clip(draft.fullName, 100) }) : ctx.t("contacts.form.edit_which"),
      choices: fields().map((field) => ({ id: field, label: ctx.t(`contacts.fields.${field}`) })),
      back: !pickFirst,
    });
    pickFirst = false;
    if (which.kind !== "value") continue;
    const field = fields().find((f) => f === which.value)!;
    apply(field, await askField(field, true));
  }

  const saved = await conversation.external(async (outside) => {
    const { db, config, now } = outside.deps;
    const actor = actorOf(outside);
    if (!actor) return { ok: false as const, message: outside.t("access.denied_button") };
    const changes = Object.fromEntries(fields().map((f) => [f, draft[f]])) as Partial<ContactDraft>;
    const result =
      input.contactId !== undefined
        ? await updateContact(db, actor, input.contactId, changes)
        : await addContact(db, actor, input.partnerId, { ...draft, consentBasis: basis });
    if (!result.ok) return { ok: false as const, message: refusalText(outside, result) };
    let invite: string | undefined;
    if (input.contactId === undefined && basis === "bot") {
      const created = await createContactInvite(db, actor, result.contact.id, config.inviteTtlDays, now());
      if (created.ok) {
        invite = outside.t("contacts.invite_created", {
          name: clip(created.contact.fullName, 100),
          expires: formatDateTime(created.invite.expiresAt, outside.lang, config.timeZone),
          link: inviteLink(outside, created.token),
        });
      }
    }
    const partner = await getPartner(db, input.partnerId);
    const view = partner ? await contactListView(outside, partner) : undefined;
    return {
      ok: true as const,
      invite,
      list: view ? { text: view.text, keyboard: view.keyboard.inline_keyboard } : undefined,
    };
  });
  if (!saved.ok) {
    await ctx.reply(saved.message);
    return;
  }
  await ctx.reply(ctx.t(editing ? "contacts.form.updated" : "contacts.form.saved"));
  if (saved.invite) await ctx.reply(saved.invite, { link_preview_options: { is_disabled: true } });
  if (saved.list) await ctx.reply(saved.list.text, { reply_markup: { inline_keyboard: saved.list.keyboard } });
}

function refusalText(ctx: BotContext, refusal: ContactRefusal): string {
  switch (refusal.reason) {
    case "invalid":
      return `${ctx.t(`contacts.fields.${refusal.field}`)}: ${ctx.t(`validation.${refusal.error}`)}`;
    case "forbidden":
      return ctx.t("access.denied_button");
    case "too_many":
      return ctx.t("contacts.refused_too_many", { count: MAX_CONTACTS_PER_PARTNER });
    default:
      return ctx.t(`contacts.refused_${refusal.reason}`);
  }
}

/** A field's value as the bot shows it: the phone in its one format, the rest as typed. */
function shown(field: ContactField, value: string): string {
  return field === "phone" ? formatPhone(value) : value;
}

function summary(ctx: ConversationContext, draft: ContactDraft, fields: readonly ContactField[], basis: ConsentBasis, pending: boolean): string {
  const lines = fields.map((field) => {
    const value = draft[field];
    return ctx.t("contacts.form.summary_line", { label: ctx.t(`contacts.fields.${field}`), value: value ? clip(shown(field, value), 200) : "—" });
  });
  lines.push(ctx.t("contacts.form.summary_line", { label: ctx.t("contacts.fields.basis"), value: ctx.t(`contacts.basis.${basis}`) }));
  if (pending) lines.push("", ctx.t("contacts.form.pending_note"));
  return [ctx.t("contacts.form.summary_title"), "", ...lines].join("\n");
}
