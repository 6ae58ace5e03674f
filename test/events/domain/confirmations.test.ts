import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { contacts } from "../../../src/partners/domain/schema.js";
import { eventConfirmations } from "../../../src/events/domain/schema.js";
import { users } from "../../../src/core/access/schema.js";
import { recordConfirmation } from "../../../src/events/domain/confirmations.js";
import { canViewEvent, linkedContactsOfEvent } from "../../../src/events/domain/overview.js";
import { decideEvent, proposeEvent } from "../../../src/events/domain/events.js";
import { claimHeldQuestion, eventsAwaitingHeldQuestion } from "../../../src/events/domain/held-questions.js";
import { type Actor, createPartner } from "../../../src/partners/domain/partners.js";
import { createTestDatabase, type TestDatabase } from "../../helpers/db.js";
import { partnerDraft } from "../../helpers/partners.js";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());
beforeEach(async () => database.truncate());

const NOW = new Date("2026-12-01T02:00:00Z");
let nextTelegramId = 900_000;

async function actor(role: "admin" | "staff" | "partner", status: "active" | "inactive" = "active"): Promise<Actor> {
  const [user] = await database.db.insert(users).values({ telegramId: nextTelegramId++, firstName: role, role, status }).returning();
  return { user: user!, role };
}

async function world() {
  const admin = await actor("admin");
  const partner = await createPartner(database.db, admin, partnerDraft());
  const other = await createPartner(database.db, admin, partnerDraft({ fullName: "Лицей № 2", shortName: null }));
  const link = async (partnerId: number, who: Actor, fullName: string) => {
    const [row] = await database.db
      .insert(contacts)
      .values({ partnerId, fullName, userId: who.user.id, consentBasis: "paper", consentRecordedBy: admin.user.id })
      .returning();
    return row!;
  };
  const contact = await actor("partner");
  const inactive = await actor("partner", "inactive");
  const stranger = await actor("partner");
  const contactRow = await link(partner.id, contact, "Ирина");
  await link(partner.id, inactive, "Бывший контакт");
  await link(other.id, stranger, "Пётр");
  await database.db.insert(contacts).values({ partnerId: partner.id, fullName: "Без бота", consentBasis: "paper", consentRecordedBy: admin.user.id });
  const proposed = await proposeEvent(
    database.db,
    admin,
    {
      partnerIds: [partner.id],
      format: "excursion",
      title: "Экскурсия",
      description: null,
      startsAt: new Date("2026-12-10T07:00:00Z"),
      endsAt: new Date("2026-12-10T09:00:00Z"),
      place: null,
      ageFrom: null,
      ageTo: null,
      categories: [],
      expectedParticipants: null,
      responsibleUserId: admin.user.id,
      ownerUnitId: null,
      planItemId: null,
    },
    NOW,
  );
  if (!proposed.ok) throw new Error(proposed.reason);
  return { admin, contact, stranger, contactRow, event: proposed.event };
}

describe("partner confirmations", () => {
  it("are open to the event's linked contacts only, once approved; the latest answer counts", async () => {
    const { admin, contact, stranger, contactRow, event } = await world();
    expect((await linkedContactsOfEvent(database.db, event.id)).map((c) => c.contactId)).toEqual([contactRow.id]);
    const input = { eventId: event.id, answer: "confirmed" as const, comment: null };
    expect(await recordConfirmation(database.db, contact, input, NOW)).toEqual({ ok: false, reason: "wrong_status" });
    await decideEvent(database.db, admin, { eventId: event.id, decision: "approved", comment: null });
    expect(await recordConfirmation(database.db, stranger, input, NOW)).toEqual({ ok: false, reason: "forbidden" });
    expect(await recordConfirmation(database.db, admin, input, NOW)).toEqual({ ok: false, reason: "forbidden" });
    expect(await recordConfirmation(database.db, contact, { ...input, answer: "other_time", comment: "  " }, NOW)).toEqual({
      ok: false,
      reason: "empty_comment",
    });
    expect((await recordConfirmation(database.db, contact, input, NOW)).ok).toBe(true);
    expect((await recordConfirmation(database.db, contact, { ...input, answer: "other_time", comment: "Лучше в пятницу" }, NOW)).ok).toBe(true);
    expect(await database.db.select().from(eventConfirmations)).toEqual([
      expect.objectContaining({ contactId: contactRow.id, answer: "other_time", comment: "Лучше в пятницу" }),
    ]);
    expect(await recordConfirmation(database.db, contact, input, new Date("2026-12-10T09:00:00Z"))).toEqual({ ok: false, reason: "wrong_status" });
  });

  it("events are visible to staff and to contacts of their own partners only", async () => {
    const { admin, contact, stranger, event } = await world();
    const staff = await actor("staff");
    expect(await canViewEvent(database.db, admin, event.id)).toBe(true);
    expect(await canViewEvent(database.db, staff, event.id)).toBe(true);
    expect(await canViewEvent(database.db, contact, event.id)).toBe(true);
    expect(await canViewEvent(database.db, stranger, event.id)).toBe(false);
    expect(await canViewEvent(database.db, { ...contact, role: "guest" }, event.id)).toBe(false);
  });

  it("held questions wait for approved, ended events and are claimed once", async () => {
    const { admin, event } = await world();
    const after = new Date("2026-12-10T09:00:00Z");
    expect(await eventsAwaitingHeldQuestion(database.db, after)).toEqual([]);
    await decideEvent(database.db, admin, { eventId: event.id, decision: "approved", comment: null });
    expect(await eventsAwaitingHeldQuestion(database.db, new Date("2026-12-10T08:59:59Z"))).toEqual([]);
    expect((await eventsAwaitingHeldQuestion(database.db, after)).map((e) => e.id)).toEqual([event.id]);
    expect(await claimHeldQuestion(database.db, event)).toBe(true);
    expect(await claimHeldQuestion(database.db, event)).toBe(false);
    expect(await eventsAwaitingHeldQuestion(database.db, after)).toEqual([]);
  });
});
