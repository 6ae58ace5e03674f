import { and, asc, count, eq, inArray, isNull, ne, sql } from "drizzle-orm";
import type { Db } from "../../core/db/client.js";
import { type Role, type User, users } from "../../core/access/schema.js";
import { type Unit, type UnitKind, units } from "../../core/access/units-schema.js";
import { recordAudit } from "../../core/audit.js";
import { type Actor, userSnapshot } from "../../core/access/users.js";
import { type Checked, type ValidationError, checkName } from "../../core/validation.js";

export const UNIT_NAME_LIMITS = { min: 2, max: 150 } as const;

const STAFF_ROLES: Role[] = ["admin", "staff"];

/** Serialises changes to the structure, so two admins cannot add the same name at once. */
const UNITS_LOCK_KEY = 7_241_900_201;

type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export function checkUnitName(raw: string): Checked<string> {
  return checkName(raw, UNIT_NAME_LIMITS);
}

/** Departments by name, each followed by its associations; orphans (department archived) last. */
function structured(rows: Unit[]): Unit[] {
  const departments = rows.filter((unit) => unit.parentId === null);
  const ordered: Unit[] = [];
  for (const department of departments) {
    ordered.push(department, ...rows.filter((unit) => unit.parentId === department.id));
  }
  return [...ordered, ...rows.filter((unit) => !ordered.includes(unit))];
}

/** Active units, each department followed by its creative associations. */
export async function listActiveUnits(db: Db): Promise<Unit[]> {
  return listUnits(db, { includeArchived: false });
}

export async function listUnits(db: Db, options: { includeArchived: boolean }): Promise<Unit[]> {
  const rows = await db
    .select()
    .from(units)
    .where(options.includeArchived ? undefined : isNull(units.archivedAt))
    .orderBy(asc(units.name), asc(units.id));
  return structured(rows);
}

export async function findActiveUnit(db: Db, id: number): Promise<Unit | undefined> {
  const unit = await getUnit(db, id);
  return unit && unit.archivedAt === null ? unit : undefined;
}

export async function getUnit(db: Db, id: number): Promise<Unit | undefined> {
  const [unit] = await db.select().from(units).where(eq(units.id, id));
  return unit;
}

export interface UnitCard {
  unit: Unit;
  parent: Unit | undefined;
  head: User | undefined;
  /** Active staff and admins whose unit this is. */
  staffCount: number;
  /** Active associations of a department (0 for an association). */
  associationCount: number;
}

export async function getUnitCard(db: Db, id: number): Promise<UnitCard | undefined> {
  const unit = await getUnit(db, id);
  if (!unit) return undefined;
  const parent = unit.parentId === null ? undefined : await getUnit(db, unit.parentId);
  const [head] = unit.headUserId === null ? [] : await db.select().from(users).where(eq(users.id, unit.headUserId));
  const [staff] = await db
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.unitId, id), inArray(users.role, STAFF_ROLES), eq(users.status, "active")));
  const [children] = await db
    .select({ n: count() })
    .from(units)
    .where(and(eq(units.parentId, id), isNull(units.archivedAt)));
  return { unit, parent, head, staffCount: staff?.n ?? 0, associationCount: children?.n ?? 0 };
}

/** Who may head a unit: active staff and admins, by name. */
export async function listHeadCandidates(db: Db): Promise<User[]> {
  return db
    .select()
    .from(users)
    .where(and(inArray(users.role, STAFF_ROLES), eq(users.status, "active")))
    .orderBy(asc(users.firstName), asc(users.lastName), asc(users.id));
}

type Refusal<R extends string> = { ok: false; reason: R };
type NameRefusal = { ok: false; reason: "invalid_name"; error: ValidationError } | { ok: false; reason: "duplicate"; existing: Unit };

export type AddUnitResult = { ok: true; unit: Unit } | Refusal<"forbidden" | "parent_not_found"> | NameRefusal;
export type RenameUnitResult = { ok: true; unit: Unit } | Refusal<"forbidden" | "not_found" | "archived"> | NameRefusal;
export type SetUnitHeadResult = { ok: true; unit: Unit } | Refusal<"forbidden" | "not_found" | "archived" | "head_not_eligible">;
export type ArchiveUnitResult =
  | { ok: true; unit: Unit }
  | Refusal<"forbidden" | "not_found" | "already_archived">
  | { ok: false; reason: "has_active_associations"; associations: number };
export type RestoreUnitResult =
  | { ok: true; unit: Unit }
  | Refusal<"forbidden" | "not_found" | "not_archived" | "parent_archived">
  | { ok: false; reason: "duplicate"; existing: Unit };
export type SetUserUnitResult = { ok: true; user: User; changed: boolean } | Refusal<"forbidden" | "user_not_found" | "unit_not_found">;

function unitSnapshot(unit: Unit) {
  return {
    kind: unit.kind,
    parentId: unit.parentId,
    name: unit.name,
    headUserId: unit.headUserId,
    archivedAt: unit.archivedAt?.toISOString() ?? null,
  };
}

async function lockStructure(tx: Tx): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(${UNITS_LOCK_KEY})`);
}

async function lockedUnit(tx: Tx, id: number): Promise<Unit | undefined> {
  const [unit] = await tx.select().from(units).where(eq(units.id, id)).for("update");
  return unit;
}

/** An active unit with the same name (case-insensitive) under the same parent, other than `exceptId`. */
async function activeNamesake(tx: Tx, parentId: number | null, name: string, exceptId?: number): Promise<Unit | undefined> {
  const [found] = await tx
    .select()
    .from(units)
    .where(
      and(
        parentId === null ? isNull(units.parentId) : eq(units.parentId, parentId),
        isNull(units.archivedAt),
        sql`lower(${units.name}) = lower(${name})`,
        exceptId === undefined ? undefined : ne(units.id, exceptId),
      ),
    )
    .limit(1);
  return found;
}

/** Applies a change to a locked unit and audits it, before and after, in the same transaction. */
async function changeUnit(
  tx: Tx,
  actor: Actor,
  unit: Unit,
  action: string,
  changes: Partial<Pick<Unit, "name" | "headUserId" | "archivedAt">>,
): Promise<Unit> {
  const [updated] = await tx
    .update(units)
    .set({ ...changes, updatedAt: sql`now()` })
    .where(eq(units.id, unit.id))
    .returning();
  if (!updated) throw new Error(`unit ${unit.id} vanished`);
  await recordAudit(tx, {
    actorUserId: actor.user.id,
    action,
    entityType: "unit",
    entityId: unit.id,
    before: unitSnapshot(unit),
    after: unitSnapshot(updated),
  });
  return updated;
}

/** A department (no parent) or a creative association under an active department. */
export async function addUnit(
  db: Db,
  actor: Actor,
  input: { kind: UnitKind; name: string; parentId?: number | null },
): Promise<AddUnitResult> {
  if (actor.role !== "admin") return { ok: false, reason: "forbidden" };
  const checked = checkUnitName(input.name);
  if (!checked.ok) return { ok: false, reason: "invalid_name", error: checked.error };
  const name = checked.value;
  return db.transaction(async (tx): Promise<AddUnitResult> => {
    await lockStructure(tx);
    let parentId: number | null = null;
    if (input.kind === "association") {
      const parent = input.parentId == null ? undefined : await lockedUnit(tx, input.parentId);
      if (!parent || parent.kind !== "department" || parent.archivedAt !== null) return { ok: false, reason: "parent_not_found" };
      parentId = parent.id;
    }
    const existing = await activeNamesake(tx, parentId, name);
    if (existing) return { ok: false, reason: "duplicate", existing };
    const [unit] = await tx.insert(units).values({ kind: input.kind, parentId, name }).returning();
    if (!unit) throw new Error("unit insert returned no row");
    await recordAudit(tx, { actorUserId: actor.user.id, action: "unit.created", entityType: "unit", entityId: unit.id, after: unitSnapshot(unit) });
    return { ok: true, unit };
  });
}

export async function renameUnit(db: Db, actor: Actor, unitId: number, rawName: string): Promise<RenameUnitResult> {
  if (actor.role !== "admin") return { ok: false, reason: "forbidden" };
  const checked = checkUnitName(rawName);
  if (!checked.ok) return { ok: false, reason: "invalid_name", error: checked.error };
  const name = checked.value;
  return db.transaction(async (tx): Promise<RenameUnitResult> => {
    await lockStructure(tx);
    const unit = await lockedUnit(tx, unitId);
    if (!unit) return { ok: false, reason: "not_found" };
    if (unit.archivedAt !== null) return { ok: false, reason: "archived" };
    if (unit.name === name) return { ok: true, unit };
    const existing = await activeNamesake(tx, unit.parentId, name, unit.id);
    if (existing) return { ok: false, reason: "duplicate", existing };
    const updated = await changeUnit(tx, actor, unit, "unit.renamed", { name });
    return { ok: true, unit: updated };
  });
}

/** Sets (or, with null, clears) the head of a unit: an active staff member or admin. */
export async function setUnitHead(db: Db, actor: Actor, unitId: number, headUserId: number | null): Promise<SetUnitHeadResult> {
  if (actor.role !== "admin") return { ok: false, reason: "forbidden" };
  return db.transaction(async (tx): Promise<SetUnitHeadResult> => {
    const unit = await lockedUnit(tx, unitId);
    if (!unit) return { ok: false, reason: "not_found" };
    if (unit.archivedAt !== null) return { ok: false, reason: "archived" };
    if (headUserId !== null) {
      const [head] = await tx
        .select({ id: users.id })
        .from(users)
        .where(and(eq(users.id, headUserId), inArray(users.role, STAFF_ROLES), eq(users.status, "active")));
      if (!head) return { ok: false, reason: "head_not_eligible" };
    }
    if (unit.headUserId === headUserId) return { ok: true, unit };
    const updated = await changeUnit(tx, actor, unit, "unit.head_set", { headUserId });
    return { ok: true, unit: updated };
  });
}

/** Archives a unit; a department keeps its active associations, so they must be archived first. */
export async function archiveUnit(db: Db, actor: Actor, unitId: number, now: Date): Promise<ArchiveUnitResult> {
  if (actor.role !== "admin") return { ok: false, reason: "forbidden" };
  return db.transaction(async (tx): Promise<ArchiveUnitResult> => {
    await lockStructure(tx);
    const unit = await lockedUnit(tx, unitId);
    if (!unit) return { ok: false, reason: "not_found" };
    if (unit.archivedAt !== null) return { ok: false, reason: "already_archived" };
    const [children] = await tx
      .select({ n: count() })
      .from(units)
      .where(and(eq(units.parentId, unit.id), isNull(units.archivedAt)));
    const associations = children?.n ?? 0;
    if (associations > 0) return { ok: false, reason: "has_active_associations", associations };
    const updated = await changeUnit(tx, actor, unit, "unit.archived", { archivedAt: now });
    return { ok: true, unit: updated };
  });
}

/** Brings a unit back, unless its department is archived or an active namesake took its name. */
export async function restoreUnit(db: Db, actor: Actor, unitId: number): Promise<RestoreUnitResult> {
  if (actor.role !== "admin") return { ok: false, reason: "forbidden" };
  return db.transaction(async (tx): Promise<RestoreUnitResult> => {
    await lockStructure(tx);
    const unit = await lockedUnit(tx, unitId);
    if (!unit) return { ok: false, reason: "not_found" };
    if (unit.archivedAt === null) return { ok: false, reason: "not_archived" };
    if (unit.parentId !== null) {
      const parent = await lockedUnit(tx, unit.parentId);
      if (!parent || parent.archivedAt !== null) return { ok: false, reason: "parent_archived" };
    }
    const existing = await activeNamesake(tx, unit.parentId, unit.name, unit.id);
    if (existing) return { ok: false, reason: "duplicate", existing };
    const updated = await changeUnit(tx, actor, unit, "unit.restored", { archivedAt: null });
    return { ok: true, unit: updated };
  });
}

/** Moves a staff member or admin to an active unit, or (null) out of any unit. */
export async function setUserUnit(db: Db, actor: Actor, userId: number, unitId: number | null): Promise<SetUserUnitResult> {
  if (actor.role !== "admin") return { ok: false, reason: "forbidden" };
  return db.transaction(async (tx): Promise<SetUserUnitResult> => {
    const [target] = await tx
      .select()
      .from(users)
      .where(and(eq(users.id, userId), inArray(users.role, STAFF_ROLES)))
      .for("update");
    if (!target) return { ok: false, reason: "user_not_found" };
    if (unitId !== null) {
      const [unit] = await tx.select().from(units).where(eq(units.id, unitId)).for("share");
      if (!unit || unit.archivedAt !== null) return { ok: false, reason: "unit_not_found" };
    }
    if (target.unitId === unitId) return { ok: true, user: target, changed: false };
    const [updated] = await tx
      .update(users)
      .set({ unitId, updatedAt: sql`now()` })
      .where(eq(users.id, target.id))
      .returning();
    if (!updated) throw new Error(`user ${target.id} vanished`);
    await recordAudit(tx, {
      actorUserId: actor.user.id,
      action: "user.unit_changed",
      entityType: "user",
      entityId: target.id,
      before: userSnapshot(target),
      after: userSnapshot(updated),
    });
    return { ok: true, user: updated, changed: true };
  });
}
