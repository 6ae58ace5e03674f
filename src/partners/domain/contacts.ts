import { randomBytes } from "node:crypto";
import { and, asc, count, eq, gt, isNull, sql } from "drizzle-orm";
import { parsePhoneNumberFromString } from "libphonenumber-js/max";
import { z } from "zod";
import type { Db } from "../../core/db/client.js";
import { type ConsentBasis, type Contact, type Partner, contacts, partners } from "./schema.js";
import { type Invite, invites } from "../../people/index.js";
import { type User, users } from "../../core/access/schema.js";
import { recordAudit } from "../../core/audit.js";
import { hashInviteToken, looksLikeInviteToken } from "../../people/index.js";
import { type Actor, canEditPartner, partnerToEdit } from "./partners.js";
import { effectiveRole } from "../../core/access/users.js";
import { type Checked, type ValidationError, checkName } from "../../core/validation.js";

/**
 * Contact persons of partners: personal data under 152-FZ. Consent is recorded with the row
 * (paper) or given by the person in the bot; the audit log never holds the data itself, only
 * ids and field names, so deleting a contact leaves nothing personal behind.
 */

/** Enough for any real partner, and keeps the contact list within one Telegram message. */
export const MAX_CONTACTS_PER_PARTNER = 10;

const TOKEN_BYTES = 32;
const USERNAME = /^[A-Za-z0-9_]{5,32}$/;
const emailSchema = z.email().max(254);

export function checkContactName(raw: string): Checked<string> {
  return checkName(raw, { min: 2, max: 200 });
}

export function checkPosition(raw: string): Checked<string> {
  return checkName(raw, { min: 2, max: 200 });
}

/** A phone number in any usual Russian or international spelling; returns E.164. */
export function checkPhone(raw: string): Checked<string> {
  const parsed = parsePhoneNumberFromString(raw.trim(), "RU");
  return parsed?.isValid() ? { ok: true, value: parsed.number } : { ok: false, error: "bad_phone" };
}

export function checkEmail(raw: string): Checked<string> {
  const value = raw.trim();
  return emailSchema.safeParse(value).success ? { ok: true, value } : { ok: false, error: "bad_email" };
}

/** A Telegram username, with or without the leading @; stored without it. */
export function checkTelegramUsername(raw: string): Checked<string> {
  const value = raw.trim().replace(/^@/, "");
  return USERNAME.test(value) ? { ok: true, value } : { ok: false, error: "bad_username" };
}

/**
 * Russian geographic codes whose local numbers have seven digits (Moscow, St Petersburg and the
 * largest cities): written +7 495 123-45-67. Every other geographic code is written with the
 * four-digit code of its city and a six-digit number, as Irkutsk's: +7 3952 12-34-56.
 */
const SEVEN_DIGIT_LOCAL_CODES = new Set([
  "342", "343", "347", "351", "381", "383", "391", "423", "473", "495", "498", "499", "812", "831", "843", "846", "861", "862", "863",
]);

/**
 * The one way the bot writes a phone, in messages and exports alike: Russian numbers as people
 * write them, +7 3952 12-34-56 (a city landline) or +7 914 123-45-67 (a mobile, a toll-free or a
 * big city's number); other countries in the international format, +1 202 555 0123.
 */
export function formatPhone(e164: string): string {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) return e164;
  const digits = parsed.nationalNumber;
  if (parsed.countryCallingCode !== "7" || digits.length !== 10) return parsed.formatInternational();
  const pairs = (local: string) => local.replace(/^(\d+)(\d{2})(\d{2})$/, "$1-$2-$3");
  // 3xx, 4xx and 8xx (but 800-series) are geographic; 9xx are mobiles; 6xx and 7xx are Kazakhstan's.
  const geographic = /^[348]/.test(digits) && !digits.startsWith("80");
  const code = geographic && !SEVEN_DIGIT_LOCAL_CODES.has(digits.slice(0, 3)) ? 4 : 3;
  return `+7 ${digits.slice(0, code)} ${pairs(digits.slice(code))}`;
}

export interface ContactDraft {
  fullName: string;
  position: string | null;
  phone: string | null;
  email: string | null;
  telegramUsername: string | null;
}

export type ContactField = keyof ContactDraft;
export const CONTACT_FIELDS: readonly ContactField[] = ["fullName", "position", "phone", "email", "telegramUsername"];
/** What may be stored before the person consented in the bot: enough to address the invite. */
export const PENDING_FIELDS: readonly ContactField[] = ["fullName", "position"];

export const CONTACT_CHECKS: Record<ContactField, (raw: string) => Checked<string>> = {
  fullName: checkContactName,
  position: checkPosition,
  phone: checkPhone,
  email: checkEmail,
  telegramUsername: checkTelegramUsername,
};

/** A contact whose consent is still to be given in the bot: only name and position are kept. */
export function isConsentPending(contact: Pick<Contact, "consentBasis" | "userId">): boolean {
  return contact.consentBasis === "bot" && contact.userId === null;
}

export type ContactRefusal =
  | { ok: false; reason: "not_found" | "forbidden" | "too_many" | "consent_pending" }
  | { ok: false; reason: "invalid"; field: ContactField; error: ValidationError };

/** Re-validates every given field: the bot validated them already, but the domain owns the rules. */
function validate(changes: Partial<ContactDraft>): Partial<ContactDraft> | ContactRefusal {
  const clean: Partial<ContactDraft> = {};
  for (const field of CONTACT_FIELDS) {
    const value = changes[field];
    if (value === undefined) continue;
    if (value === null) {
      if (field === "fullName") return { ok: false, reason: "invalid", field, error: "too_short" };
      clean[field] = null;
      continue;
    }
    const checked = CONTACT_CHECKS[field](value);
    if (!checked.ok) return { ok: false, reason: "invalid", field, error: checked.error };
    clean[field] = checked.value;
  }
  return clean;
}

const filledFields = (draft: Partial<ContactDraft>) => CONTACT_FIELDS.filter((f) => draft[f] !== undefined && draft[f] !== null);

export async function getContact(db: Db, id: number): Promise<Contact | undefined> {
  const [contact] = await db.select().from(contacts).where(eq(contacts.id, id));
  return contact;
}

export async function listContacts(db: Db, partnerId: number): Promise<Contact[]> {
  return db.select().from(contacts).where(eq(contacts.partnerId, partnerId)).orderBy(asc(contacts.fullName), asc(contacts.id));
}

/** The contact a bot user is linked to (one user, one contact). */
export async function contactOfUser(db: Db, userId: number): Promise<Contact | undefined> {
  const [contact] = await db.select().from(contacts).where(eq(contacts.userId, userId)).limit(1);
  return contact;
}

/**
 * Adds a contact person. With basis "paper" the staff member confirms that a signed consent is
 * on file, and everything may be stored. With basis "bot" the person has not consented yet, so
 * only the name and position are kept, to address the invite; the rest waits for their consent.
 */
export async function addContact(
  db: Db,
  actor: Actor,
  partnerId: number,
  draft: ContactDraft & { consentBasis: ConsentBasis },
): Promise<{ ok: true; contact: Contact } | ContactRefusal> {
  const clean = validate(draft);
  if ("ok" in clean) return clean;
  if (draft.consentBasis === "bot" && filledFields(clean).some((f) => !PENDING_FIELDS.includes(f))) {
    return { ok: false, reason: "consent_pending" };
  }
  return db.transaction(async (tx) => {
    const found = await partnerToEdit(tx, actor, partnerId);
    if (!found.ok) return found;
    const [existing] = await tx.select({ n: count() }).from(contacts).where(eq(contacts.partnerId, partnerId));
    if ((existing?.n ?? 0) >= MAX_CONTACTS_PER_PARTNER) return { ok: false, reason: "too_many" } as const;
    const [contact] = await tx
      .insert(contacts)
      .values({
        partnerId,
        fullName: clean.fullName!,
        position: clean.position ?? null,
        phone: clean.phone ?? null,
        email: clean.email ?? null,
        telegramUsername: clean.telegramUsername ?? null,
        consentBasis: draft.consentBasis,
        consentRecordedBy: actor.user.id,
      })
      .returning();
    if (!contact) throw new Error("contact insert returned no row");
    await recordAudit(tx, {
      actorUserId: actor.user.id,
      action: "contact.created",
      entityType: "contact",
      entityId: contact.id,
      after: { partnerId, consentBasis: draft.consentBasis, fields: filledFields(clean) },
    });
    return { ok: true, contact } as const;
  });
}

/** Locks a contact row for a change by someone who may edit its partner. */
async function lockContactForEdit(
  tx: Db,
  actor: Actor,
  contactId: number,
): Promise<Contact | { ok: false; reason: "not_found" | "forbidden" }> {
  const [contact] = await tx.select().from(contacts).where(eq(contacts.id, contactId)).for("update");
  if (!contact) return { ok: false, reason: "not_found" };
  const [partner] = await tx.select().from(partners).where(eq(partners.id, contact.partnerId));
  if (!partner || !(await canEditPartner(tx, actor, partner))) return { ok: false, reason: "forbidden" };
  return contact;
}

/** Changes some fields; a null clears an optional one. The audit names the fields, not the values. */
export async function updateContact(
  db: Db,
  actor: Actor,
  contactId: number,
  changes: Partial<ContactDraft>,
): Promise<{ ok: true; contact: Contact } | ContactRefusal> {
  const clean = validate(changes);
  if ("ok" in clean) return clean;
  return db.transaction(async (tx) => {
    const before = await lockContactForEdit(tx, actor, contactId);
    if ("ok" in before) return before;
    if (isConsentPending(before) && filledFields(clean).some((f) => !PENDING_FIELDS.includes(f))) {
      return { ok: false, reason: "consent_pending" } as const;
    }
    const changed = CONTACT_FIELDS.filter((f) => clean[f] !== undefined && clean[f] !== before[f]);
    if (changed.length === 0) return { ok: true, contact: before } as const;
    const [contact] = await tx
      .update(contacts)
      .set({ ...clean, updatedAt: sql`now()` })
      .where(eq(contacts.id, contactId))
      .returning();
    await recordAudit(tx, {
      actorUserId: actor.user.id,
      action: "contact.updated",
      entityType: "contact",
      entityId: contactId,
      after: { partnerId: before.partnerId, fields: changed },
    });
    return { ok: true, contact: contact! } as const;
  });
}

/** An administrator, or the person themselves. */
export function canDeleteContact(actor: Actor, contact: Pick<Contact, "userId">): boolean {
  return actor.role === "admin" || (contact.userId !== null && contact.userId === actor.user.id);
}

export type DeleteContactResult =
  | { ok: true; partnerId: number; unlinkedUser: User | undefined }
  | { ok: false; reason: "not_found" | "forbidden" };

/**
 * Deletes a contact's personal data on request: the row and its invites go; a linked bot user
 * loses the partner role. The audit entry keeps only ids, who and when.
 */
export async function deleteContactData(db: Db, actor: Actor, contactId: number): Promise<DeleteContactResult> {
  return db.transaction(async (tx) => {
    const [contact] = await tx.select().from(contacts).where(eq(contacts.id, contactId)).for("update");
    if (!contact) return { ok: false, reason: "not_found" } as const;
    if (!canDeleteContact(actor, contact)) return { ok: false, reason: "forbidden" } as const;
    await tx.delete(invites).where(eq(invites.contactId, contactId));
    await tx.delete(contacts).where(eq(contacts.id, contactId));
    const self = contact.userId === actor.user.id;
    await recordAudit(tx, {
      actorUserId: actor.user.id,
      action: "contact.deleted",
      entityType: "contact",
      entityId: contactId,
      after: { partnerId: contact.partnerId, onRequestOf: self ? "contact" : "admin" },
    });
    let unlinkedUser: User | undefined;
    if (contact.userId !== null) {
      const [demoted] = await tx
        .update(users)
        .set({ role: "guest", updatedAt: sql`now()` })
        .where(and(eq(users.id, contact.userId), eq(users.role, "partner")))
        .returning();
      if (demoted) {
        unlinkedUser = demoted;
        await recordAudit(tx, {
          actorUserId: actor.user.id,
          action: "user.contact_unlinked",
          entityType: "user",
          entityId: demoted.id,
          before: { role: "partner" },
          after: { role: "guest", contactId },
        });
      }
    }
    return { ok: true, partnerId: contact.partnerId, unlinkedUser } as const;
  });
}

export type CreateContactInviteResult =
  | { ok: true; token: string; invite: Invite; contact: Contact }
  | { ok: false; reason: "not_found" | "forbidden" | "already_linked" };

/** A single-use link for a contact; a new link replaces (expires) the contact's earlier unused ones. */
export async function createContactInvite(
  db: Db,
  actor: Actor,
  contactId: number,
  ttlDays: number,
  now: Date,
): Promise<CreateContactInviteResult> {
  const token = randomBytes(TOKEN_BYTES).toString("base64url");
  const expiresAt = new Date(now.getTime() + ttlDays * 24 * 60 * 60 * 1000);
  return db.transaction(async (tx) => {
    const contact = await lockContactForEdit(tx, actor, contactId);
    if ("ok" in contact) return contact;
    if (contact.userId !== null) return { ok: false, reason: "already_linked" } as const;
    await tx
      .update(invites)
      .set({ expiresAt: now })
      .where(and(eq(invites.contactId, contactId), isNull(invites.usedAt), gt(invites.expiresAt, now)));
    const [invite] = await tx
      .insert(invites)
      .values({ kind: "contact", tokenHash: hashInviteToken(token), role: "partner", contactId, createdBy: actor.user.id, expiresAt })
      .returning();
    if (!invite) throw new Error("invite insert returned no row");
    await recordAudit(tx, {
      actorUserId: actor.user.id,
      action: "invite.created",
      entityType: "invite",
      entityId: invite.id,
      after: { kind: "contact", contactId, expiresAt: expiresAt.toISOString() },
    });
    return { ok: true, token, invite, contact } as const;
  });
}

export type ContactInviteRefusal = { ok: false; reason: "malformed" | "unknown" | "used" | "expired" };

export interface ContactInviteView {
  ok: true;
  invite: Invite;
  contact: Contact;
  partner: Pick<Partner, "id" | "fullName" | "shortName">;
}

/** True when the /start payload is a contact invite (staff invites go their own way). */
export async function isContactInviteToken(db: Db, token: string): Promise<boolean> {
  if (!looksLikeInviteToken(token)) return false;
  const [row] = await db.select({ kind: invites.kind }).from(invites).where(eq(invites.tokenHash, hashInviteToken(token)));
  return row?.kind === "contact";
}

/** The contact invite behind a token, if it can still be answered. */
export async function findContactInvite(db: Db, token: string, now: Date): Promise<ContactInviteView | ContactInviteRefusal> {
  if (!looksLikeInviteToken(token)) return { ok: false, reason: "malformed" };
  const [row] = await db
    .select({ invite: invites, contact: contacts, partner: { id: partners.id, fullName: partners.fullName, shortName: partners.shortName } })
    .from(invites)
    .innerJoin(contacts, eq(contacts.id, invites.contactId))
    .innerJoin(partners, eq(partners.id, contacts.partnerId))
    .where(and(eq(invites.tokenHash, hashInviteToken(token)), eq(invites.kind, "contact")));
  if (!row) return { ok: false, reason: "unknown" };
  if (row.invite.usedAt) return { ok: false, reason: "used" };
  if (row.invite.expiresAt <= now) return { ok: false, reason: "expired" };
  return { ok: true, ...row };
}

/** Spends a link in one conditional UPDATE: of two people racing for it, only one gets the row. */
async function claimInvite(tx: Db, inviteId: number, userId: number, now: Date): Promise<Invite | undefined> {
  const [claimed] = await tx
    .update(invites)
    .set({ usedBy: userId, usedAt: now })
    .where(and(eq(invites.id, inviteId), isNull(invites.usedAt), gt(invites.expiresAt, now)))
    .returning();
  return claimed;
}

export type RedeemContactResult =
  | { ok: true; invite: Invite; contact: Contact; user: User }
  | ContactInviteRefusal
  | { ok: false; reason: "already_member" | "already_linked" };

/**
 * The person accepted: the Telegram account is linked to the contact and becomes a partner
 * contact. Claiming the link is one conditional UPDATE, so a link works once, whoever races.
 */
export async function redeemContactInvite(
  db: Db,
  input: { token: string; user: User; adminTelegramIds: readonly number[]; now: Date },
): Promise<RedeemContactResult> {
  const found = await findContactInvite(db, input.token, input.now);
  if (!found.ok) return found;
  const role = effectiveRole(input.user, input.user.telegramId, input.adminTelegramIds);
  // Staff keep their role; the link stays unused for the person it was meant for.
  if (role === "admin" || role === "staff") return { ok: false, reason: "already_member" };
  if (await contactOfUser(db, input.user.id)) return { ok: false, reason: "already_linked" };
  return db.transaction(async (tx) => {
    const claimed = await claimInvite(tx, found.invite.id, input.user.id, input.now);
    if (!claimed) return { ok: false, reason: "used" } as const;
    const [contact] = await tx
      .update(contacts)
      .set({
        userId: input.user.id,
        // Consent given in the bot is recorded now, by the person themselves.
        ...(found.contact.consentBasis === "bot" ? { consentRecordedBy: input.user.id, consentRecordedAt: input.now } : {}),
        updatedAt: sql`now()`,
      })
      .where(and(eq(contacts.id, found.contact.id), isNull(contacts.userId)))
      .returning();
    if (!contact) return { ok: false, reason: "used" } as const;
    const [user] = await tx
      .update(users)
      .set({ role: "partner", status: "active", unitId: null, updatedAt: sql`now()` })
      .where(eq(users.id, input.user.id))
      .returning();
    if (!user) throw new Error(`user ${input.user.id} vanished`);
    await recordAudit(tx, {
      actorUserId: user.id,
      action: "contact.linked",
      entityType: "contact",
      entityId: contact.id,
      after: { partnerId: contact.partnerId, userId: user.id, inviteId: claimed.id, consentBasis: contact.consentBasis },
    });
    await recordAudit(tx, {
      actorUserId: user.id,
      action: "user.joined_by_invite",
      entityType: "user",
      entityId: user.id,
      before: { role: input.user.role },
      after: { role: user.role, inviteId: claimed.id, contactId: contact.id },
    });
    return { ok: true, invite: claimed, contact, user } as const;
  });
}

export type DeclineContactResult =
  | { ok: true; invite: Invite; partner: ContactInviteView["partner"]; contactDeleted: boolean }
  | ContactInviteRefusal;

/**
 * The person declined. The link is spent either way, so it cannot be used later by someone it
 * was forwarded to. A contact waiting for consent in the bot is deleted: without consent its
 * name and position may not be kept. A contact with paper consent stays, just not linked.
 */
export async function declineContactInvite(db: Db, input: { token: string; user: User; now: Date }): Promise<DeclineContactResult> {
  const found = await findContactInvite(db, input.token, input.now);
  if (!found.ok) return found;
  return db.transaction(async (tx) => {
    const claimed = await claimInvite(tx, found.invite.id, input.user.id, input.now);
    if (!claimed) return { ok: false, reason: "used" } as const;
    const contactDeleted = isConsentPending(found.contact);
    if (contactDeleted) {
      await tx.delete(invites).where(eq(invites.contactId, found.contact.id));
      await tx.delete(contacts).where(eq(contacts.id, found.contact.id));
    }
    await recordAudit(tx, {
      actorUserId: input.user.id,
      action: contactDeleted ? "contact.consent_refused" : "contact.invite_declined",
      entityType: "contact",
      entityId: found.contact.id,
      after: { partnerId: found.contact.partnerId, inviteId: claimed.id, contactDeleted },
    });
    return { ok: true, invite: claimed, partner: found.partner, contactDeleted } as const;
  });
}
