import { asc, eq, isNull } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { type Unit, units } from "../db/schema/index.js";

/** Active units, each department followed by its creative associations. */
export async function listActiveUnits(db: Db): Promise<Unit[]> {
  const rows = await db.select().from(units).where(isNull(units.archivedAt)).orderBy(asc(units.name), asc(units.id));
  const departments = rows.filter((unit) => unit.parentId === null);
  const ordered: Unit[] = [];
  for (const department of departments) {
    ordered.push(department, ...rows.filter((unit) => unit.parentId === department.id));
  }
  // Associations whose department is archived still show, after the rest.
  return [...ordered, ...rows.filter((unit) => !ordered.includes(unit))];
}

export async function findActiveUnit(db: Db, id: number): Promise<Unit | undefined> {
  const [unit] = await db.select().from(units).where(eq(units.id, id));
  return unit && unit.archivedAt === null ? unit : undefined;
}
