import { and, asc, eq, inArray, ne } from "drizzle-orm";
import type { Db } from "../../core/db/client.js";
import { type EventFormat, type Stage, agreements, partners, planItems } from "../../partners/index.js";
import { users } from "../../core/access/schema.js";
import { listPartners } from "../../partners/index.js";

/** What a proposal started from a joint-plan item takes from it. */
export interface PlanItemSource {
  planItemId: number;
  title: string;
  format: EventFormat;
  partnerId: number;
  partnerName: string;
  partnerStage: Stage;
  /** When the plan has it: a day, or the first day of a month (`plannedMonthOnly`). */
  plannedOn: string;
  plannedMonthOnly: boolean;
  /** The staff member the plan names, if any. */
  responsibleUserId: number | null;
  /** The department or association that owns the partnership, if one does. */
  ownerUnitId: number | null;
}

export async function planItemSource(db: Db, planItemId: number): Promise<PlanItemSource | undefined> {
  const [row] = await db
    .select({ item: planItems, partner: partners })
    .from(planItems)
    .innerJoin(agreements, eq(agreements.id, planItems.agreementId))
    .innerJoin(partners, eq(partners.id, agreements.partnerId))
    .where(eq(planItems.id, planItemId));
  if (!row) return undefined;
  return {
    planItemId: row.item.id,
    title: row.item.title,
    format: row.item.format,
    partnerId: row.partner.id,
    partnerName: row.partner.shortName ?? row.partner.fullName,
    partnerStage: row.partner.stage,
    plannedOn: row.item.plannedOn,
    plannedMonthOnly: row.item.plannedMonthOnly,
    responsibleUserId: row.item.responsibleUserId,
    ownerUnitId: row.partner.ownerKind === "department" || row.partner.ownerKind === "association" ? row.partner.ownerUnitId : null,
  };
}

/** The joint-plan items of these partners' agreements, in date order: what an event may fulfil. */
export async function planItemsOfPartners(db: Db, partnerIds: number[], limit = 20) {
  if (partnerIds.length === 0) return [];
  return db
    .select({ id: planItems.id, title: planItems.title, plannedOn: planItems.plannedOn, plannedMonthOnly: planItems.plannedMonthOnly })
    .from(planItems)
    .innerJoin(agreements, eq(agreements.id, planItems.agreementId))
    .where(inArray(agreements.partnerId, partnerIds))
    .orderBy(asc(planItems.plannedOn), asc(planItems.id))
    .limit(limit);
}

/**
 * Partners to propose an event with, found by part of a name; `archived` counts archived
 * partners that matched, so the form can say why they are not offered.
 */
export async function findPartnersForEvent(db: Db, text: string, limit = 8) {
  const { items } = await listPartners(db, { text }, 0, limit);
  const { total: archived } = items.length === 0 ? await listPartners(db, { text, stage: "archived" }, 0, 1) : { total: 0 };
  return { items: items.map((p) => ({ id: p.id, name: p.shortName ?? p.fullName })), archived };
}

/** Who can be responsible for an event: active staff and admins, `first` at the top. */
export async function eventResponsibleCandidates(db: Db, first: number, limit = 30) {
  const rows = await db
    .select({ id: users.id, firstName: users.firstName, lastName: users.lastName })
    .from(users)
    .where(and(inArray(users.role, ["admin", "staff"]), eq(users.status, "active"), ne(users.id, first)))
    .orderBy(asc(users.firstName), asc(users.lastName), asc(users.id))
    .limit(limit - 1);
  const [me] = await db.select({ id: users.id, firstName: users.firstName, lastName: users.lastName }).from(users).where(eq(users.id, first));
  return me ? [me, ...rows] : rows;
}
