import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Role, users } from "../../../src/core/access/schema.js";
import { auditLog } from "../../../src/core/audit-schema.js";
import { contacts } from "../../../src/partners/domain/schema.js";
import { invites } from "../../../src/people/domain/invites-schema.js";
import { units } from "../../../src/core/access/units-schema.js";
import {
  MAX_CONTACTS_PER_PARTNER,
  addContact,
  checkContactName,
  checkEmail,
  checkPhone,
  checkTelegramUsername,
  type ContactDraft,
  createContactInvite,
  declineContactInvite,
  deleteContactData,
  findContactInvite,
  redeemContactInvite,
  updateContact,
} from "../../../src/partners/domain/contacts.js";
import { hashInviteToken } from "../../../src/people/domain/invites.js";
import { type Actor, canViewPartner, createPartner } from "../../../src/partners/domain/partners.js";
import { createTestDatabase, type TestDatabase } from "../../helpers/db.js";
import { partnerDraft } from "../../helpers/partners.js";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());
beforeEach(async () => database.truncate());

const NOW = new Date("2026-12-01T02:00:00Z");
let nextTelegramId = 7_000_000;

async function actor(role: Role, unitId: number | null = null): Promise<Actor> {
  const [user] = await database.db
    .insert(users)
    .values({ telegramId: nextTelegramId++, firstName: role, role, unitId })
    .returning();
  return { user: user!, role };
}

const PERSON: ContactDraft = {
  fullName: "Иванова Мария Петровна",
  position: "Заместитель директора",
  phone: "8 (3952) 12-34-56",
  email: "ivanova@school5.ru",
  telegramUsername: "@ivanova_school5",
};

describe("contact field validation", () => {
  it("accepts Russian landlines and mobiles in any usual spelling and stores E.164", () => {
    expect(checkPhone("8 (3952) 12-34-56")).toEqual({ ok: true, value: "+73952123456" });
    expect(checkPhone("+7 914 123-45-67")).toEqual({ ok: true, value: "+79141234567" });
    expect(checkPhone("89141234567")).toEqual({ ok: true, value: "+79141234567" });
    expect(checkPhone("+44 20 7946 0958")).toEqual({ ok: true, value: "+442079460958" });
  });

  it("refuses what is not a phone number", () => {
    for (const raw of ["123", "abc", "", "+7 000 000 00 00", "12345678901"]) expect(checkPhone(raw), raw).toEqual({ ok: false, error: "bad_phone" });
  });

  it("checks e-mail addresses: a domain is required", () => {
    expect(checkEmail(" ivanova@school5.ru ")).toEqual({ ok: true, value: "ivanova@school5.ru" });
    for (const raw of ["ivanova@", "ivanova", "ivanova@localhost", "@school5.ru", "a b@school5.ru"]) {
      expect(checkEmail(raw), raw).toEqual({ ok: false, error: "bad_email" });
    }
  });

  it("checks Telegram usernames: 5–32 Latin letters, digits and _, @ optional", () => {
    expect(checkTelegramUsername("@ivanova_school5")).toEqual({ ok: true, value: "ivanova_school5" });
    expect(checkTelegramUsername("abcde")).toEqual({ ok: true, value: "abcde" });
    expect(checkTelegramUsername("a".repeat(32))).toEqual({ ok: true, value: "a".repeat(32) });
    for (const raw of ["abcd", "a".repeat(33), "иванова", "ivan-ova", "@@ivanova", "ivan ova"]) {
      expect(checkTelegramUsername(raw), raw).toEqual({ ok: false, error: "bad_username" });
    }
  });

  it("checks full names: 2 to 200 characters", () => {
    expect(checkContactName("  Иванова   Мария ")).toEqual({ ok: true, value: "Иванова Мария" });
    expect(checkContactName("И")).toEqual({ ok: false, error: "too_short" });
    expect(checkContactName("Я".repeat(201))).toEqual({ ok: false, error: "too_long" });
  });
});

describe("adding and editing contacts", () => {
  it("is allowed to admins and to the owners of the partnership, not to other staff or partners", async () => {
    const [department] = await database.db.insert(units).values({ kind: "department", name: "Отдел" }).returning();
    const admin = await actor("admin");
    const partner = await createPartner(database.db, admin, partnerDraft({ ownerKind: "department", ownerUnitId: department!.id }));
    const owner = await actor("staff", department!.id);
    const stranger = await actor("staff");
    const partnerContact = await actor("partner");

    expect(await addContact(database.db, stranger, partner.id, { ...PERSON, consentBasis: "paper" })).toEqual({ ok: false, reason: "forbidden" });
    expect(await addContact(database.db, partnerContact, partner.id, { ...PERSON, consentBasis: "paper" })).toEqual({ ok: false, reason: "forbidden" });
    const byOwner = await addContact(database.db, owner, partner.id, { ...PERSON, consentBasis: "paper" });
    expect(byOwner).toMatchObject({
      ok: true,
      contact: {
        fullName: "Иванова Мария Петровна",
        phone: "+73952123456",
        email: "ivanova@school5.ru",
        telegramUsername: "ivanova_school5",
        consentBasis: "paper",
        consentRecordedBy: owner.user.id,
      },
    });
    expect(await addContact(database.db, admin, partner.id, { ...PERSON, fullName: "Петров Пётр", consentBasis: "paper" })).toMatchObject({ ok: true });
    expect(await addContact(database.db, admin, 999, { ...PERSON, consentBasis: "paper" })).toEqual({ ok: false, reason: "not_found" });

    const contactId = byOwner.ok ? byOwner.contact.id : 0;
    expect(await updateContact(database.db, stranger, contactId, { position: "Директор" })).toEqual({ ok: false, reason: "forbidden" });
    expect(await updateContact(database.db, owner, contactId, { position: "Директор", email: null })).toMatchObject({
      ok: true,
      contact: { position: "Директор", email: null },
    });
    expect(await updateContact(database.db, owner, contactId, { phone: "123" })).toEqual({ ok: false, reason: "invalid", field: "phone", error: "bad_phone" });
  });

  it("with consent to be given in the bot keeps only the name and position", async () => {
    const admin = await actor("admin");
    const partner = await createPartner(database.db, admin, partnerDraft());
    expect(await addContact(database.db, admin, partner.id, { ...PERSON, consentBasis: "bot" })).toEqual({ ok: false, reason: "consent_pending" });
    const pending = await addContact(database.db, admin, partner.id, {
      fullName: "Сидорова Анна",
      position: "Методист",
      phone: null,
      email: null,
      telegramUsername: null,
      consentBasis: "bot",
    });
    expect(pending).toMatchObject({ ok: true, contact: { consentBasis: "bot", userId: null, phone: null } });
    const id = pending.ok ? pending.contact.id : 0;
    expect(await updateContact(database.db, admin, id, { phone: "+79141234567" })).toEqual({ ok: false, reason: "consent_pending" });
    expect(await updateContact(database.db, admin, id, { position: "Старший методист" })).toMatchObject({ ok: true });
  });

  it("stops at the per-partner limit", async () => {
    const admin = await actor("admin");
    const partner = await createPartner(database.db, admin, partnerDraft());
    for (let i = 0; i < MAX_CONTACTS_PER_PARTNER; i++) {
      expect(await addContact(database.db, admin, partner.id, { ...PERSON, fullName: `Контакт ${i}`, consentBasis: "paper" })).toMatchObject({ ok: true });
    }
    expect(await addContact(database.db, admin, partner.id, { ...PERSON, consentBasis: "paper" })).toEqual({ ok: false, reason: "too_many" });
  });
});

async function paperContact(admin: Actor, overrides: Partial<ContactDraft> = {}) {
  const partner = await createPartner(database.db, admin, partnerDraft());
  const added = await addContact(database.db, admin, partner.id, { ...PERSON, ...overrides, consentBasis: "paper" });
  if (!added.ok) throw new Error(added.reason);
  return { partner, contact: added.contact };
}

describe("contact invites", () => {
  it("link the person who accepts, once: the second person gets 'used'", async () => {
    const admin = await actor("admin");
    const { partner, contact } = await paperContact(admin);
    const created = await createContactInvite(database.db, admin, contact.id, 7, NOW);
    if (!created.ok) throw new Error(created.reason);
    const [stored] = await database.db.select().from(invites);
    expect(stored).toMatchObject({ kind: "contact", role: "partner", contactId: contact.id, tokenHash: hashInviteToken(created.token) });

    const first = await actor("guest");
    const second = await actor("guest");
    const accepted = await redeemContactInvite(database.db, { token: created.token, user: first.user, adminTelegramIds: [], now: NOW });
    expect(accepted).toMatchObject({ ok: true, user: { role: "partner" }, contact: { userId: first.user.id } });
    expect(await redeemContactInvite(database.db, { token: created.token, user: second.user, adminTelegramIds: [], now: NOW })).toEqual({
      ok: false,
      reason: "used",
    });
    expect(await findContactInvite(database.db, created.token, NOW)).toEqual({ ok: false, reason: "used" });
    const [secondRow] = await database.db.select().from(users).where(eq(users.id, second.user.id));
    expect(secondRow!.role).toBe("guest");

    // The linked person sees their own organisation only.
    const other = await createPartner(database.db, admin, partnerDraft({ fullName: "Другая школа", shortName: null }));
    const linked: Actor = { user: { ...first.user, role: "partner" }, role: "partner" };
    expect(await canViewPartner(database.db, linked, partner.id)).toBe(true);
    expect(await canViewPartner(database.db, linked, other.id)).toBe(false);
    // No second invite for a linked contact.
    expect(await createContactInvite(database.db, admin, contact.id, 7, NOW)).toEqual({ ok: false, reason: "already_linked" });
  });

  it("record the consent given in the bot at acceptance, by the person", async () => {
    const admin = await actor("admin");
    const partner = await createPartner(database.db, admin, partnerDraft());
    const added = await addContact(database.db, admin, partner.id, {
      fullName: "Сидорова Анна",
      position: null,
      phone: null,
      email: null,
      telegramUsername: null,
      consentBasis: "bot",
    });
    if (!added.ok) throw new Error(added.reason);
    const created = await createContactInvite(database.db, admin, added.contact.id, 7, NOW);
    if (!created.ok) throw new Error(created.reason);
    const person = await actor("guest");
    const later = new Date(NOW.getTime() + 3600_000);
    const accepted = await redeemContactInvite(database.db, { token: created.token, user: person.user, adminTelegramIds: [], now: later });
    expect(accepted).toMatchObject({ ok: true, contact: { consentRecordedBy: person.user.id, consentRecordedAt: later } });
  });

  it("are refused to staff, expired after their time, and replaced by a newer link", async () => {
    const admin = await actor("admin");
    const { contact } = await paperContact(admin);
    const old = await createContactInvite(database.db, admin, contact.id, 7, NOW);
    const fresh = await createContactInvite(database.db, admin, contact.id, 7, NOW);
    if (!old.ok || !fresh.ok) throw new Error("invite not created");
    const staff = await actor("staff");
    expect(await redeemContactInvite(database.db, { token: fresh.token, user: staff.user, adminTelegramIds: [], now: NOW })).toEqual({
      ok: false,
      reason: "already_member",
    });
    const guest = await actor("guest");
    expect(await redeemContactInvite(database.db, { token: old.token, user: guest.user, adminTelegramIds: [], now: NOW })).toEqual({
      ok: false,
      reason: "expired",
    });
    const late = new Date(NOW.getTime() + 8 * 24 * 3600_000);
    expect(await redeemContactInvite(database.db, { token: fresh.token, user: guest.user, adminTelegramIds: [], now: late })).toEqual({
      ok: false,
      reason: "expired",
    });
    expect(await createContactInvite(database.db, await actor("staff"), contact.id, 7, NOW)).toEqual({ ok: false, reason: "forbidden" });
  });

  it("declined: the link is spent; a contact waiting for consent is deleted, a paper one stays", async () => {
    const admin = await actor("admin");
    const { partner, contact: paper } = await paperContact(admin);
    const added = await addContact(database.db, admin, partner.id, {
      fullName: "Сидорова Анна",
      position: "Методист",
      phone: null,
      email: null,
      telegramUsername: null,
      consentBasis: "bot",
    });
    if (!added.ok) throw new Error(added.reason);
    const person = await actor("guest");
    for (const contactId of [paper.id, added.contact.id]) {
      const created = await createContactInvite(database.db, admin, contactId, 7, NOW);
      if (!created.ok) throw new Error(created.reason);
      const declined = await declineContactInvite(database.db, { token: created.token, user: person.user, now: NOW });
      expect(declined).toMatchObject({ ok: true, contactDeleted: contactId === added.contact.id });
      expect(await redeemContactInvite(database.db, { token: created.token, user: person.user, adminTelegramIds: [], now: NOW })).toMatchObject({
        ok: false,
      });
    }
    const left = await database.db.select().from(contacts);
    expect(left.map((c) => c.id)).toEqual([paper.id]);
    expect(left[0]!.userId).toBeNull();
  });
});

describe("deleting a contact's data", () => {
  it("is done by an admin or by the person, and leaves no personal data in the audit log", async () => {
    const admin = await actor("admin");
    const { partner, contact } = await paperContact(admin);
    const created = await createContactInvite(database.db, admin, contact.id, 7, NOW);
    if (!created.ok) throw new Error(created.reason);
    const person = await actor("guest");
    await redeemContactInvite(database.db, { token: created.token, user: person.user, adminTelegramIds: [], now: NOW });
    await updateContact(database.db, admin, contact.id, { position: "Директор школы" });

    const owner = await actor("staff");
    expect(await deleteContactData(database.db, owner, contact.id)).toEqual({ ok: false, reason: "forbidden" });
    const self: Actor = { user: { ...person.user, role: "partner" }, role: "partner" };
    const deleted = await deleteContactData(database.db, self, contact.id);
    expect(deleted).toMatchObject({ ok: true, partnerId: partner.id, unlinkedUser: { id: person.user.id, role: "guest" } });
    expect(await database.db.select().from(contacts)).toEqual([]);
    expect(await database.db.select().from(invites)).toEqual([]);
    expect(await deleteContactData(database.db, admin, contact.id)).toEqual({ ok: false, reason: "not_found" });

    const log = await database.db.select().from(auditLog);
    const entry = log.find((e) => e.action === "contact.deleted");
    expect(entry).toMatchObject({ actorUserId: person.user.id, entityType: "contact", entityId: String(contact.id) });
    expect(entry!.after).toEqual({ partnerId: partner.id, onRequestOf: "contact" });
    const everything = JSON.stringify(log);
    for (const secret of ["Иванова", "Мария", "Заместитель", "Директор школы", "3952123456", "school5.ru", "ivanova_school5"]) {
      expect(everything, secret).not.toContain(secret);
    }
    expect(log.map((e) => e.action)).toEqual(
      expect.arrayContaining(["contact.created", "invite.created", "contact.linked", "contact.updated", "contact.deleted", "user.contact_unlinked"]),
    );
  });

  it("by an admin removes the partner role of a linked person", async () => {
    const admin = await actor("admin");
    const { contact } = await paperContact(admin);
    const created = await createContactInvite(database.db, admin, contact.id, 7, NOW);
    if (!created.ok) throw new Error(created.reason);
    const person = await actor("guest");
    await redeemContactInvite(database.db, { token: created.token, user: person.user, adminTelegramIds: [], now: NOW });
    expect(await deleteContactData(database.db, admin, contact.id)).toMatchObject({ ok: true, unlinkedUser: { role: "guest" } });
    const [row] = await database.db.select().from(users).where(eq(users.id, person.user.id));
    expect(row!.role).toBe("guest");
    const [entry] = await database.db.select().from(auditLog).where(eq(auditLog.action, "contact.deleted"));
    expect(entry!.after).toEqual({ partnerId: contact.partnerId, onRequestOf: "admin" });
  });
});
