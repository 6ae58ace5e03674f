import { CONTACT_CONVERSATION } from "./dialog.js";
import { Composer, InlineKeyboard } from "grammy";
import type { Contact, Partner } from "../domain/schema.js";
import { noticeDepsOf } from "../../core/outbox/notices.js";
import {
  MAX_CONTACTS_PER_PARTNER,
  canDeleteContact,
  contactOfUser,
  createContactInvite,
  declineContactInvite,
  deleteContactData,
  findContactInvite,
  formatPhone,
  getContact,
  isConsentPending,
  listContacts,
  redeemContactInvite,
} from "../domain/contacts.js";
import { findUserById } from "../../people/index.js";
import { canEditPartner, getPartner } from "../domain/partners.js";
import { publishChatMenu } from "../../core/telegram/commands.js";
import type { BotContext } from "../../core/context.js";
import { formatDateTime, plainName } from "../../core/telegram/format.js";
import { clip, escapeHtml } from "../../core/telegram/html.js";
import { requireRole } from "../../core/access/require-role.js";
import { enqueueUserNotice } from "../../core/outbox/notify.js";
import { actorOf, partnerForAction } from "../access.js";
import { helpText } from "../../people/index.js";


const composer = new Composer<BotContext>();
const privateChats = composer.chatType("private");

export interface View {
  text: string;
  keyboard: InlineKeyboard;
}

const partnerName = (partner: Pick<Partner, "fullName" | "shortName">) => partner.shortName ?? partner.fullName;

/**
 * The contacts of a partner. Phones, e-mails and usernames are shown only to those who may
 * edit the partner (admins included); everyone else who may see the partner gets names and positions.
 */
export async function contactListView(ctx: BotContext, partner: Partner): Promise<View> {
  const actor = actorOf(ctx)!;
  const canEdit = await canEditPartner(ctx.deps.db, actor, partner);
  const rows = await listContacts(ctx.deps.db, partner.id);
  const lines = [ctx.t("contacts.title", { partner: clip(partnerName(partner), 100) }), ""];
  if (rows.length === 0) lines.push(ctx.t("contacts.empty"));
  rows.forEach((contact, i) => {
    const head = `${i + 1}. <b>${escapeHtml(clip(contact.fullName, 80))}</b>${contact.position ? `, ${escapeHtml(clip(contact.position, 60))}` : ""}`;
    lines.push(head);
    if (!canEdit) return;
    const details = [
      contact.phone ? formatPhone(contact.phone) : null,
      contact.email ? clip(contact.email, 60) : null,
      contact.telegramUsername ? `@${contact.telegramUsername}` : null,
    ].filter((d): d is string => d !== null);
    if (details.length > 0) lines.push(`   ${escapeHtml(details.join(" · "))}`);
    lines.push(`   ${consentStatus(ctx, contact)}`);
  });
  if (!canEdit && rows.length > 0) lines.push("", ctx.t("contacts.details_hidden"));

  const keyboard = new InlineKeyboard();
  if (canEdit) {
    for (const contact of rows) keyboard.text(clip(contact.fullName, 40), `ct:open:${contact.id}`).row();
    if (rows.length < MAX_CONTACTS_PER_PARTNER) keyboard.text(ctx.t("contacts.add"), `ct:add:${partner.id}`).row();
  }
  keyboard.text(ctx.t("contacts.back_to_card"), `pc:open:${partner.id}`);
  return { text: lines.join("\n"), keyboard };
}

function consentStatus(ctx: BotContext, contact: Contact): string {
  if (isConsentPending(contact)) return ctx.t("contacts.status_pending");
  const basis = ctx.t(`contacts.basis.${contact.consentBasis}`);
  return contact.userId !== null ? ctx.t("contacts.status_linked", { basis }) : ctx.t("contacts.status_not_linked", { basis });
}

async function contactView(ctx: BotContext, contact: Contact): Promise<View> {
  const t = ctx.t;
  const lines = [`<b>${escapeHtml(clip(contact.fullName, 200))}</b>`];
  if (contact.position) lines.push(t("contacts.card.position", { position: clip(contact.position, 200) }));
  if (contact.phone) lines.push(t("contacts.card.phone", { phone: formatPhone(contact.phone) }));
  if (contact.email) lines.push(t("contacts.card.email", { email: contact.email }));
  if (contact.telegramUsername) lines.push(t("contacts.card.telegram", { username: contact.telegramUsername }));
  lines.push("");
  const date = formatDateTime(contact.consentRecordedAt, ctx.lang, ctx.deps.config.timeZone);
  if (isConsentPending(contact)) lines.push(t("contacts.card.consent_pending"));
  else if (contact.consentBasis === "bot") lines.push(t("contacts.card.consent_bot", { date }));
  else {
    const recorder = await findUserById(ctx.deps.db, contact.consentRecordedBy);
    lines.push(t("contacts.card.consent_paper", { who: recorder ? plainName(recorder) : "—", date }));
  }
  lines.push(t(contact.userId !== null ? "contacts.card.linked" : "contacts.card.not_linked"));

  const keyboard = new InlineKeyboard().text(t("contacts.edit"), `ct:edit:${contact.id}`).row();
  if (contact.userId === null) keyboard.text(t("contacts.invite"), `ct:inv:${contact.id}`).row();
  if (canDeleteContact(actorOf(ctx)!, contact)) keyboard.text(t("contacts.delete"), `ct:del:${contact.id}`).row();
  keyboard.text(t("contacts.back_to_list"), `ct:list:${contact.partnerId}`);
  return { text: lines.join("\n"), keyboard };
}

async function show(ctx: BotContext, view: View, mode: "edit" | "reply" = "edit"): Promise<void> {
  const options = { reply_markup: view.keyboard, link_preview_options: { is_disabled: true } };
  if (mode === "edit" && ctx.callbackQuery?.message) await ctx.editMessageText(view.text, options);
  else await ctx.reply(view.text, options);
}

/** Loads a contact and checks that this user may edit its partner; answers a refusal itself. */
async function contactForEdit(ctx: BotContext, contactId: number): Promise<Contact | undefined> {
  const contact = await getContact(ctx.deps.db, contactId);
  if (!contact) {
    await ctx.answerCallbackQuery({ text: ctx.t("contacts.not_found"), show_alert: true });
    return undefined;
  }
  return (await partnerForAction(ctx, contact.partnerId, "edit")) ? contact : undefined;
}

const id = (ctx: { match: string | RegExpMatchArray }) => Number(ctx.match[1]);

// Partner contacts see their own organisation's list and may delete their own data; the rest is
// editing, for staff. partnerForAction and the domain check which partner and which contact.
const members = requireRole("admin", "staff", "partner");
const editors = requireRole("admin", "staff");

privateChats.callbackQuery(/^ct:list:(\d{1,9})$/, members, async (ctx) => {
  const partner = await partnerForAction(ctx, id(ctx), "view");
  if (!partner) return;
  await ctx.answerCallbackQuery();
  await show(ctx, await contactListView(ctx, partner));
});

privateChats.callbackQuery(/^ct:add:(\d{1,9})$/, editors, async (ctx) => {
  const partner = await partnerForAction(ctx, id(ctx), "edit");
  if (!partner) return;
  if ((await listContacts(ctx.deps.db, partner.id)).length >= MAX_CONTACTS_PER_PARTNER) {
    await ctx.answerCallbackQuery({ text: ctx.t("contacts.refused_too_many", { count: MAX_CONTACTS_PER_PARTNER }), show_alert: true });
    return;
  }
  await ctx.answerCallbackQuery();
  await ctx.conversation.enter(CONTACT_CONVERSATION, { partnerId: partner.id });
});

privateChats.callbackQuery(/^ct:open:(\d{1,9})$/, editors, async (ctx) => {
  const contact = await contactForEdit(ctx, id(ctx));
  if (!contact) return;
  await ctx.answerCallbackQuery();
  await show(ctx, await contactView(ctx, contact));
});

privateChats.callbackQuery(/^ct:edit:(\d{1,9})$/, editors, async (ctx) => {
  const contact = await contactForEdit(ctx, id(ctx));
  if (!contact) return;
  await ctx.answerCallbackQuery();
  await ctx.conversation.enter(CONTACT_CONVERSATION, { partnerId: contact.partnerId, contactId: contact.id });
});

privateChats.callbackQuery(/^ct:inv:(\d{1,9})$/, editors, async (ctx) => {
  const { db, config, now } = ctx.deps;
  const result = await createContactInvite(db, actorOf(ctx)!, id(ctx), config.inviteTtlDays, now());
  if (!result.ok) {
    const text = result.reason === "forbidden" ? ctx.t("access.denied_button") : ctx.t(`contacts.refused_${result.reason}`);
    await ctx.answerCallbackQuery({ text, show_alert: true });
    return;
  }
  await ctx.answerCallbackQuery();
  await show(ctx, {
    text: ctx.t("contacts.invite_created", {
      name: clip(result.contact.fullName, 100),
      expires: formatDateTime(result.invite.expiresAt, ctx.lang, config.timeZone),
      link: inviteLink(ctx, result.token),
    }),
    keyboard: new InlineKeyboard().text(ctx.t("contacts.back_to_contact"), `ct:open:${result.contact.id}`),
  });
});

export function inviteLink(ctx: { me: { username: string } }, token: string): string {
  return `https://t.me/${ctx.me.username}?start=${token}`;
}

privateChats.callbackQuery(/^ct:del:(\d{1,9})$/, members, async (ctx) => {
  const contact = await getContact(ctx.deps.db, id(ctx));
  if (!contact || !canDeleteContact(actorOf(ctx)!, contact)) {
    await ctx.answerCallbackQuery({ text: ctx.t(contact ? "access.denied_button" : "contacts.not_found"), show_alert: true });
    return;
  }
  await ctx.answerCallbackQuery();
  await show(ctx, {
    text: ctx.t("contacts.delete_question", { name: clip(contact.fullName, 100) }),
    keyboard: new InlineKeyboard()
      .text(ctx.t("contacts.delete_confirm"), `ct:delok:${contact.id}`)
      .row()
      .text(ctx.t("contacts.back_to_contact"), `ct:open:${contact.id}`),
  });
});

privateChats.callbackQuery(/^ct:delok:(\d{1,9})$/, members, async (ctx) => {
  const result = await deleteContactData(ctx.deps.db, actorOf(ctx)!, id(ctx));
  if (!result.ok) {
    await ctx.answerCallbackQuery({ text: ctx.t(`contacts.refused_${result.reason}`), show_alert: true });
    return;
  }
  await ctx.answerCallbackQuery({ text: ctx.t("contacts.deleted") });
  if (result.unlinkedUser) {
    const { i18n, logger } = ctx.deps;
    await publishChatMenu(ctx.api, i18n, result.unlinkedUser.telegramId, "guest", logger);
  }
  const partner = await getPartner(ctx.deps.db, result.partnerId);
  if (partner) await show(ctx, await contactListView(ctx, partner));
});

// The consent screen, shown by /start with a contact invite (see start.ts).
export async function showContactConsent(ctx: BotContext, token: string): Promise<void> {
  const { db, now } = ctx.deps;
  const user = ctx.user;
  if (!user) return;
  const found = await findContactInvite(db, token, now());
  if (!found.ok) {
    await ctx.reply(ctx.t(`contacts.invite_${found.reason}`));
    return;
  }
  if (ctx.role === "staff" || ctx.role === "admin") {
    await ctx.reply(ctx.t("contacts.invite_already_member"));
    return;
  }
  if (await contactOfUser(db, user.id)) {
    await ctx.reply(ctx.t("contacts.invite_already_linked"));
    return;
  }
  await ctx.reply(
    ctx.t("contacts.consent.text", { partner: clip(found.partner.fullName, 200), name: clip(found.contact.fullName, 100) }),
    {
      reply_markup: new InlineKeyboard()
        .text(ctx.t("contacts.consent.accept"), `ct:yes:${token}`)
        .row()
        .text(ctx.t("contacts.consent.decline"), `ct:no:${token}`),
    },
  );
}

privateChats.callbackQuery(/^ct:yes:([A-Za-z0-9_-]{43})$/, async (ctx) => {
  const { db, config, logger, i18n, now } = ctx.deps;
  const user = ctx.user!;
  const token = ctx.match[1]!;
  // The consent and the notice to whoever invited commit together.
  const result = await db.transaction(async (tx) => {
    const redeemed = await redeemContactInvite(tx, { token, user, adminTelegramIds: config.adminTelegramIds, now: now() });
    if (!redeemed.ok) return redeemed;
    const partner = await getPartner(tx, redeemed.contact.partnerId);
    const name = partner ? partnerName(partner) : "";
    const inviter = await findUserById(tx, redeemed.invite.createdBy);
    if (inviter) {
      await enqueueUserNotice(tx, noticeDepsOf(ctx.deps), inviter, "contacts.consent.accepted_notice", { name: redeemed.contact.fullName, partner: name });
    }
    return { ...redeemed, partnerName: name };
  });
  if (!result.ok) {
    logger.info({ telegramId: user.telegramId, reason: result.reason }, "contact invite refused");
    await ctx.answerCallbackQuery({ text: ctx.t(`contacts.invite_${result.reason}`), show_alert: true });
    return;
  }
  ctx.deps.wakeOutbox();
  await ctx.answerCallbackQuery();
  ctx.user = result.user;
  ctx.role = result.user.role;
  await ctx.editMessageText([ctx.t("contacts.consent.accepted", { partner: result.partnerName }), "", helpText(ctx)].join("\n"));
  await publishChatMenu(ctx.api, i18n, result.user.telegramId, result.user.role, logger);
});

privateChats.callbackQuery(/^ct:no:([A-Za-z0-9_-]{43})$/, async (ctx) => {
  const { db, now } = ctx.deps;
  // The refusal and the notice to whoever invited commit together.
  const result = await db.transaction(async (tx) => {
    const declined = await declineContactInvite(tx, { token: ctx.match[1]!, user: ctx.user!, now: now() });
    if (!declined.ok) return declined;
    const inviter = await findUserById(tx, declined.invite.createdBy);
    const key = declined.contactDeleted ? "contacts.consent.declined_notice_deleted" : "contacts.consent.declined_notice";
    if (inviter) await enqueueUserNotice(tx, noticeDepsOf(ctx.deps), inviter, key, { partner: partnerName(declined.partner) });
    return declined;
  });
  if (!result.ok) {
    await ctx.answerCallbackQuery({ text: ctx.t(`contacts.invite_${result.reason}`), show_alert: true });
    return;
  }
  ctx.deps.wakeOutbox();
  await ctx.answerCallbackQuery();
  await ctx.editMessageText(ctx.t(result.contactDeleted ? "contacts.consent.declined_deleted" : "contacts.consent.declined_kept"));
});

/** The "Delete my data" button under /privacy, for a person linked to a partner contact. */
export async function forgetMeKeyboard(ctx: BotContext): Promise<InlineKeyboard | undefined> {
  if (!ctx.user || ctx.role !== "partner") return undefined;
  const contact = await contactOfUser(ctx.deps.db, ctx.user.id);
  return contact ? new InlineKeyboard().text(ctx.t("contacts.forget.button"), "ct:forget") : undefined;
}

// A person linked to a contact is a partner contact (see redeemContactInvite).
privateChats.callbackQuery(/^ct:(forget|forgetok|forgetno)$/, requireRole("partner"), async (ctx) => {
  const contact = ctx.user ? await contactOfUser(ctx.deps.db, ctx.user.id) : undefined;
  if (!contact) {
    await ctx.answerCallbackQuery({ text: ctx.t("contacts.not_found"), show_alert: true });
    return;
  }
  const action = ctx.match[1];
  if (action === "forget") {
    await ctx.answerCallbackQuery();
    const partner = await getPartner(ctx.deps.db, contact.partnerId);
    await ctx.reply(ctx.t("contacts.forget.question", { partner: partner ? partnerName(partner) : "" }), {
      reply_markup: new InlineKeyboard().text(ctx.t("contacts.forget.confirm"), "ct:forgetok").row().text(ctx.t("common.cancel"), "ct:forgetno"),
    });
    return;
  }
  if (action === "forgetno") {
    await ctx.answerCallbackQuery();
    await ctx.editMessageText(ctx.t("contacts.forget.kept"));
    return;
  }
  const result = await deleteContactData(ctx.deps.db, actorOf(ctx)!, contact.id);
  if (!result.ok) {
    await ctx.answerCallbackQuery({ text: ctx.t(`contacts.refused_${result.reason}`), show_alert: true });
    return;
  }
  await ctx.answerCallbackQuery();
  ctx.role = "guest";
  if (result.unlinkedUser) ctx.user = result.unlinkedUser;
  await ctx.editMessageText(ctx.t("contacts.forget.done"));
  await publishChatMenu(ctx.api, ctx.deps.i18n, ctx.user!.telegramId, "guest", ctx.deps.logger);
});

// Any other ct: data is forged or from an old version of the bot.
composer.callbackQuery(/^ct:/, async (ctx) => {
  await ctx.answerCallbackQuery({ text: ctx.t("common.button_outdated") });
});

export { composer as contactsFeature };
