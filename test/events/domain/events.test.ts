import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { units } from "../../../src/core/access/units-schema.js";
import { users } from "../../../src/core/access/schema.js";
import { decideEvent, type EventDraft, listEvents, proposeEvent, recordOutcome, sameDayEvents, updateEvent } from "../../../src/events/domain/events.js";
import { type Actor, changeStage, createPartner } from "../../../src/partners/domain/partners.js";
import { createTestDatabase, type TestDatabase } from "../../helpers/db.js";
import { partnerDraft } from "../../helpers/partners.js";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());
beforeEach(async () => database.truncate());

const NOW = new Date("2026-12-01T02:00:00Z"); // 10:00 in Irkutsk
const TZ = "Asia/Irkutsk";

async function actor(role: "admin" | "staff", unitId: number | null = null): Promise<Actor> {
  const [user] = await database.db.insert(users).values({ telegramId: Math.floor(Math.random() * 1e9), firstName: role, role, unitId }).returning();
  return { user: user!, role };
}

function draft(partnerIds: number[], responsibleUserId: number, overrides: Partial<EventDraft> = {}): EventDraft {
  return {
    partnerIds,
    format: "master_class",
    title: "Мастер-класс по робототехнике",
    description: null,
    startsAt: new Date("2026-12-10T07:00:00Z"), // 15:00 Irkutsk
    endsAt: new Date("2026-12-10T09:00:00Z"),
    place: "Дворец творчества, каб. 12",
    ageFrom: 10,
    ageTo: 14,
    categories: ["gifted"],
    expectedParticipants: 20,
    responsibleUserId,
    ownerUnitId: null,
    planItemId: null,
    ...overrides,
  };
}

describe("events", () => {
  it("are proposed with checks: past, end before start, 0 or 100,000 participants, archived partner", async () => {
    const admin = await actor("admin");
    const partner = await createPartner(database.db, admin, partnerDraft());
    const base = draft([partner.id], admin.user.id);
    expect(await proposeEvent(database.db, admin, { ...base, startsAt: new Date("2026-11-30T07:00:00Z") }, NOW)).toEqual({ ok: false, reason: "in_the_past" });
    expect(await proposeEvent(database.db, admin, { ...base, endsAt: base.startsAt }, NOW)).toEqual({ ok: false, reason: "ends_before_start" });
    expect(await proposeEvent(database.db, admin, { ...base, expectedParticipants: 0 }, NOW)).toEqual({ ok: false, reason: "bad_participants" });
    expect(await proposeEvent(database.db, admin, { ...base, expectedParticipants: 100_000 }, NOW)).toEqual({ ok: false, reason: "bad_participants" });
    const proposed = await proposeEvent(database.db, admin, base, NOW);
    expect(proposed.ok && proposed.event.status).toBe("proposed");
    await changeStage(database.db, admin, { partnerId: partner.id, to: "archived", comment: "closed" });
    expect(await proposeEvent(database.db, admin, base, NOW)).toEqual({ ok: false, reason: "archived_partner" });
  });

  it("find same-day duplicates in the institution's time zone", async () => {
    const admin = await actor("admin");
    const partner = await createPartner(database.db, admin, partnerDraft());
    await proposeEvent(database.db, admin, draft([partner.id], admin.user.id), NOW);
    // 23:30 Irkutsk on the 10th is 15:30 UTC: the same local day.
    expect(await sameDayEvents(database.db, [partner.id], new Date("2026-12-10T15:30:00Z"), TZ)).toHaveLength(1);
    // 00:30 Irkutsk on the 11th is 16:30 UTC on the 10th: another local day.
    expect(await sameDayEvents(database.db, [partner.id], new Date("2026-12-10T16:30:00Z"), TZ)).toHaveLength(0);
  });

  it("are decided once, by admins or the owning unit's head; moving an approved event asks again", async () => {
    const admin = await actor("admin");
    const [unit] = await database.db.insert(units).values({ kind: "department", name: "Отдел" }).returning();
    const head = await actor("staff", unit!.id);
    const { eq } = await import("drizzle-orm");
    await database.db.update(units).set({ headUserId: head.user.id }).where(eq(units.id, unit!.id));
    const teacher = await actor("staff", unit!.id);
    const partner = await createPartner(database.db, admin, partnerDraft());
    const proposed = await proposeEvent(database.db, teacher, draft([partner.id], teacher.user.id, { ownerUnitId: unit!.id }), NOW);
    if (!proposed.ok) throw new Error(proposed.reason);
    expect(await decideEvent(database.db, teacher, { eventId: proposed.event.id, decision: "approved", comment: null })).toEqual({ ok: false, reason: "forbidden" });
    const approved = await decideEvent(database.db, head, { eventId: proposed.event.id, decision: "approved", comment: "Хорошо" });
    expect(approved.ok).toBe(true);
    expect(await decideEvent(database.db, admin, { eventId: proposed.event.id, decision: "approved", comment: null })).toEqual({ ok: false, reason: "wrong_status" });
    const moved = await updateEvent(database.db, teacher, proposed.event.id, { place: "Актовый зал" }, NOW);
    expect(moved.ok && [moved.event.status, moved.needsApprovalAgain]).toEqual(["proposed", true]);
    await decideEvent(database.db, admin, { eventId: proposed.event.id, decision: "approved", comment: null });
    expect(await recordOutcome(database.db, teacher, proposed.event.id, { held: true, report: { gifted: 5, disabilities: 2, careerGuidance: 0, other: 10, result: "Собрали робота" } }, NOW)).toEqual({
      ok: false,
      reason: "wrong_status",
    });
    const later = new Date("2026-12-10T10:00:00Z");
    const held = await recordOutcome(database.db, teacher, proposed.event.id, { held: true, report: { gifted: 5, disabilities: 2, careerGuidance: 0, other: 10, result: "Собрали робота" } }, later);
    expect(held.ok && held.event.status).toBe("held");
    const listed = await listEvents(database.db, { statuses: ["held"], partnerId: partner.id }, 0, 10);
    expect(listed.items.map((e) => e.id)).toEqual([proposed.event.id]);
  });
});
