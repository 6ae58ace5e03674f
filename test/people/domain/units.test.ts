import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { auditLog } from "../../../src/core/audit-schema.js";
import { type Role, users } from "../../../src/core/access/schema.js";
import { units } from "../../../src/core/access/units-schema.js";
import type { Actor } from "../../../src/partners/domain/partners.js";
import {
  addUnit,
  archiveUnit,
  getUnitCard,
  listActiveUnits,
  listUnits,
  renameUnit,
  restoreUnit,
  setUnitHead,
  setUserUnit,
} from "../../../src/people/domain/units.js";
import { createTestDatabase, type TestDatabase } from "../../helpers/db.js";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());
beforeEach(async () => database.truncate());

let nextTelegramId = 1_000;
async function person(role: Role, overrides: { status?: "active" | "inactive"; firstName?: string } = {}): Promise<Actor> {
  const [user] = await database.db
    .insert(users)
    .values({ telegramId: nextTelegramId++, firstName: overrides.firstName ?? role, role, status: overrides.status ?? "active" })
    .returning();
  return { user: user!, role };
}

const NOW = new Date("2026-12-01T02:00:00Z");

async function department(admin: Actor, name: string) {
  const result = await addUnit(database.db, admin, { kind: "department", name });
  if (!result.ok) throw new Error(`could not add ${name}: ${result.reason}`);
  return result.unit;
}

async function association(admin: Actor, parentId: number, name: string) {
  const result = await addUnit(database.db, admin, { kind: "association", name, parentId });
  if (!result.ok) throw new Error(`could not add ${name}: ${result.reason}`);
  return result.unit;
}

const auditActions = async () => (await database.db.select().from(auditLog).orderBy(auditLog.id)).map((a) => a.action);

describe("units", () => {
  it("adds departments and associations, cleaned, audited, and listed department by department", async () => {
    const admin = await person("admin");
    const tech = await department(admin, "  Отдел   техники ");
    expect(tech).toMatchObject({ kind: "department", parentId: null, name: "Отдел техники" });
    const robots = await association(admin, tech.id, "Робототехника");
    const arts = await department(admin, "Отдел искусств");
    await association(admin, arts.id, "Вокал");

    expect((await listActiveUnits(database.db)).map((u) => u.name)).toEqual(["Отдел искусств", "Вокал", "Отдел техники", "Робототехника"]);
    const [entry] = await database.db.select().from(auditLog).where(eq(auditLog.entityId, String(robots.id)));
    expect(entry).toMatchObject({ actorUserId: admin.user.id, action: "unit.created", entityType: "unit" });
    expect(entry!.after).toMatchObject({ kind: "association", parentId: tech.id, name: "Робототехника" });
  });

  it("refuses bad names, duplicates under the same parent (any case) and non-admins", async () => {
    const admin = await person("admin");
    const tech = await department(admin, "Отдел техники");
    await association(admin, tech.id, "Робототехника");

    expect(await addUnit(database.db, admin, { kind: "department", name: "А" })).toEqual({ ok: false, reason: "invalid_name", error: "too_short" });
    expect(await addUnit(database.db, admin, { kind: "department", name: "х".repeat(151) })).toMatchObject({ reason: "invalid_name", error: "too_long" });
    expect(await addUnit(database.db, admin, { kind: "department", name: "ОТДЕЛ ТЕХНИКИ" })).toMatchObject({ ok: false, reason: "duplicate" });
    expect(await addUnit(database.db, admin, { kind: "association", name: "робототехника", parentId: tech.id })).toMatchObject({
      reason: "duplicate",
    });
    // The same name under another department, or as a department, is fine.
    const arts = await department(admin, "Отдел искусств");
    expect((await addUnit(database.db, admin, { kind: "association", name: "Робототехника", parentId: arts.id })).ok).toBe(true);
    // An association goes under an active department only.
    const robots = (await listActiveUnits(database.db)).find((u) => u.parentId === tech.id)!;
    expect(await addUnit(database.db, admin, { kind: "association", name: "Кружок", parentId: robots.id })).toEqual({
      ok: false,
      reason: "parent_not_found",
    });
    expect(await addUnit(database.db, admin, { kind: "association", name: "Кружок" })).toEqual({ ok: false, reason: "parent_not_found" });

    const staff = await person("staff");
    expect(await addUnit(database.db, staff, { kind: "department", name: "Отдел спорта" })).toEqual({ ok: false, reason: "forbidden" });
    expect(await renameUnit(database.db, staff, tech.id, "Отдел спорта")).toEqual({ ok: false, reason: "forbidden" });
    expect(await archiveUnit(database.db, staff, arts.id, NOW)).toEqual({ ok: false, reason: "forbidden" });
    expect(await auditActions()).toEqual(["unit.created", "unit.created", "unit.created", "unit.created"]);
  });

  it("renames, allowing a change of case but not another unit's name", async () => {
    const admin = await person("admin");
    const tech = await department(admin, "Отдел техники");
    await department(admin, "Отдел искусств");
    expect(await renameUnit(database.db, admin, tech.id, "отдел Искусств")).toMatchObject({ ok: false, reason: "duplicate" });
    const renamed = await renameUnit(database.db, admin, tech.id, "отдел техники");
    expect(renamed).toMatchObject({ ok: true, unit: { name: "отдел техники" } });
    const [entry] = await database.db.select().from(auditLog).where(eq(auditLog.action, "unit.renamed"));
    expect(entry).toMatchObject({ before: { name: "Отдел техники" }, after: { name: "отдел техники" } });
  });

  it("archives a department only after its associations, and restores in the reverse order", async () => {
    const admin = await person("admin");
    const tech = await department(admin, "Отдел техники");
    const robots = await association(admin, tech.id, "Робототехника");
    const lego = await association(admin, tech.id, "Лего");

    expect(await archiveUnit(database.db, admin, tech.id, NOW)).toEqual({ ok: false, reason: "has_active_associations", associations: 2 });
    expect((await archiveUnit(database.db, admin, robots.id, NOW)).ok).toBe(true);
    expect(await archiveUnit(database.db, admin, tech.id, NOW)).toMatchObject({ reason: "has_active_associations", associations: 1 });
    expect((await archiveUnit(database.db, admin, lego.id, NOW)).ok).toBe(true);
    const archived = await archiveUnit(database.db, admin, tech.id, NOW);
    expect(archived).toMatchObject({ ok: true, unit: { archivedAt: NOW } });
    expect(await archiveUnit(database.db, admin, tech.id, NOW)).toEqual({ ok: false, reason: "already_archived" });

    expect(await listActiveUnits(database.db)).toEqual([]);
    expect(await listUnits(database.db, { includeArchived: true })).toHaveLength(3);
    // Archived units are not edited and take no new associations.
    expect(await renameUnit(database.db, admin, tech.id, "Отдел роботов")).toEqual({ ok: false, reason: "archived" });
    expect(await addUnit(database.db, admin, { kind: "association", name: "Кружок", parentId: tech.id })).toEqual({
      ok: false,
      reason: "parent_not_found",
    });

    // An archived name is free again; restoring it back then collides.
    const newTech = await department(admin, "Отдел техники");
    expect(await restoreUnit(database.db, admin, robots.id)).toEqual({ ok: false, reason: "parent_archived" });
    expect(await restoreUnit(database.db, admin, tech.id)).toMatchObject({ ok: false, reason: "duplicate", existing: { id: newTech.id } });
    expect((await renameUnit(database.db, admin, newTech.id, "Отдел технического творчества")).ok).toBe(true);
    expect(await restoreUnit(database.db, admin, tech.id)).toMatchObject({ ok: true, unit: { archivedAt: null } });
    expect((await restoreUnit(database.db, admin, robots.id)).ok).toBe(true);
    expect(await restoreUnit(database.db, admin, robots.id)).toEqual({ ok: false, reason: "not_archived" });

    const actions = await auditActions();
    expect(actions.filter((a) => a === "unit.archived")).toHaveLength(3);
    expect(actions.filter((a) => a === "unit.restored")).toHaveLength(2);
    const [entry] = await database.db.select().from(auditLog).where(eq(auditLog.action, "unit.archived"));
    expect(entry).toMatchObject({ before: { archivedAt: null }, after: { archivedAt: NOW.toISOString() } });
  });

  it("appoints only active staff and admins as heads, and shows the card", async () => {
    const admin = await person("admin");
    const tech = await department(admin, "Отдел техники");
    await association(admin, tech.id, "Робототехника");
    const teacher = await person("staff", { firstName: "Мария" });
    const suspended = await person("staff", { status: "inactive" });
    const guest = await person("guest");
    const partnerContact = await person("partner");

    for (const candidate of [suspended, guest, partnerContact]) {
      expect(await setUnitHead(database.db, admin, tech.id, candidate.user.id)).toEqual({ ok: false, reason: "head_not_eligible" });
    }
    expect(await setUnitHead(database.db, admin, 999_999, teacher.user.id)).toEqual({ ok: false, reason: "not_found" });
    expect(await setUnitHead(database.db, admin, tech.id, teacher.user.id)).toMatchObject({ ok: true, unit: { headUserId: teacher.user.id } });
    expect((await setUserUnit(database.db, admin, teacher.user.id, tech.id)).ok).toBe(true);

    const card = await getUnitCard(database.db, tech.id);
    expect(card).toMatchObject({ head: { id: teacher.user.id }, staffCount: 1, associationCount: 1, parent: undefined });

    expect(await setUnitHead(database.db, admin, tech.id, null)).toMatchObject({ ok: true, unit: { headUserId: null } });
    const entries = await database.db.select().from(auditLog).where(eq(auditLog.action, "unit.head_set")).orderBy(auditLog.id);
    expect(entries.map((e) => [e.before, e.after])).toMatchObject([
      [{ headUserId: null }, { headUserId: teacher.user.id, name: "Отдел техники" }],
      [{ headUserId: teacher.user.id }, { headUserId: null }],
    ]);
  });

  it("moves staff between active units and out of them, audited on the user", async () => {
    const admin = await person("admin");
    const tech = await department(admin, "Отдел техники");
    const old = await department(admin, "Старый отдел");
    await archiveUnit(database.db, admin, old.id, NOW);
    const teacher = await person("staff");
    const guest = await person("guest");

    expect(await setUserUnit(database.db, admin, teacher.user.id, old.id)).toEqual({ ok: false, reason: "unit_not_found" });
    expect(await setUserUnit(database.db, admin, teacher.user.id, 999_999)).toEqual({ ok: false, reason: "unit_not_found" });
    expect(await setUserUnit(database.db, admin, guest.user.id, tech.id)).toEqual({ ok: false, reason: "user_not_found" });
    expect(await setUserUnit(database.db, teacher, teacher.user.id, tech.id)).toEqual({ ok: false, reason: "forbidden" });

    expect(await setUserUnit(database.db, admin, teacher.user.id, tech.id)).toMatchObject({ ok: true, changed: true, user: { unitId: tech.id } });
    expect(await setUserUnit(database.db, admin, teacher.user.id, tech.id)).toMatchObject({ ok: true, changed: false });
    expect(await setUserUnit(database.db, admin, teacher.user.id, null)).toMatchObject({ ok: true, changed: true, user: { unitId: null } });
    const [row] = await database.db.select().from(units).where(eq(units.id, tech.id));
    expect(row!.archivedAt).toBeNull();

    const entries = await database.db.select().from(auditLog).where(eq(auditLog.action, "user.unit_changed")).orderBy(auditLog.id);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ actorUserId: admin.user.id, entityType: "user", entityId: String(teacher.user.id) });
    expect(entries[0]!.before).toMatchObject({ unitId: null });
    expect(entries[0]!.after).toMatchObject({ unitId: tech.id });
  });
});
