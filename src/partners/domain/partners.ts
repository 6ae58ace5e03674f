import { and, arrayContains, asc, count, desc, eq, gte, ilike, inArray, ne, or, sql } from "drizzle-orm";
import type { Db } from "../../core/db/client.js";
import { type Focus, type OwnerKind, type Partner, type PartnerType, type Stage, type StageChange, agreements, contacts, interactions, partners, planItems, stageChanges } from "./schema.js";
import { type User, users } from "../../core/access/schema.js";
import { Extension } from "../../core/extension.js";
import { units } from "../../core/access/units-schema.js";
import { recordAudit } from "../../core/audit.js";
import { normalisePartnerName, partnerSearchKey } from "./names.js";

import type { Actor } from "../../core/access/users.js";

/** A partner as lists name it: the short name, else the full one (SQL, for queries and ordering). */
export const partnerDisplayName = sql<string>`coalesce(${partners.shortName}, ${partners.fullName})`;

export type { Actor };

export interface PartnerDraft {
  fullName: string;
  shortName: string | null;
  type: PartnerType;
  ownerKind: OwnerKind;
  ownerUnitId: number | null;
  ownerUserId: number | null;
  focuses: Focus[];
  website: string | null;
  address: string | null;
  inn: string | null;
  motivation: string | null;
  tasks: string | null;
  notes: string | null;
}

/** A draft with nothing filled in: an organisation of type "other", owned by the institution. */
export function emptyPartnerDraft(): PartnerDraft {
  return {
    fullName: "",
    shortName: null,
    type: "other",
    ownerKind: "institution",
    ownerUnitId: null,
    ownerUserId: null,
    focuses: [],
    website: null,
    address: null,
    inn: null,
    motivation: null,
    tasks: null,
    notes: null,
  };
}

/** The stages a partnership moves through, in order; "archived" stands outside the order. */
export const STAGE_ORDER: readonly Stage[] = ["preparatory", "organisational", "system_forming"];

/** The unit ids a staff member answers for: their own unit and, for a department, its associations. */
export async function unitsOf(db: Db, user: User): Promise<number[]> {
  if (user.unitId === null) return [];
  const children = await db.select({ id: units.id }).from(units).where(eq(units.parentId, user.unitId));
  return [user.unitId, ...children.map((c) => c.id)];
}

/** Staff edit the partners their unit (or its associations) or they themselves own; admins edit all. */
export async function canEditPartner(db: Db, actor: Actor, partner: Partner): Promise<boolean> {
  if (actor.role === "admin") return true;
  if (actor.role !== "staff") return false;
  if (partner.ownerUserId === actor.user.id) return true;
  return partner.ownerUnitId !== null && (await unitsOf(db, actor.user)).includes(partner.ownerUnitId);
}

/** The partner organisation a partner contact belongs to (one contact, one organisation). */
export async function partnerIdOfContactUser(db: Db, userId: number): Promise<number | undefined> {
  const [row] = await db.select({ partnerId: contacts.partnerId }).from(contacts).where(eq(contacts.userId, userId)).limit(1);
  return row?.partnerId;
}

/** Staff and admins read every partner; a partner contact reads only their own organisation. */
export async function canViewPartner(db: Db, actor: Actor, partnerId: number): Promise<boolean> {
  if (actor.role === "admin" || actor.role === "staff") return true;
  if (actor.role !== "partner") return false;
  return (await partnerIdOfContactUser(db, actor.user.id)) === partnerId;
}

export type PartnerRefusal = { ok: false; reason: "not_found" | "forbidden" };

/** Inside a transaction: the partner, locked for update, when this actor may edit it. */
export async function partnerToEdit(tx: Db, actor: Actor, partnerId: number): Promise<{ ok: true; partner: Partner } | PartnerRefusal> {
  const [partner] = await tx.select().from(partners).where(eq(partners.id, partnerId)).for("update");
  if (!partner) return { ok: false, reason: "not_found" };
  if (!(await canEditPartner(tx, actor, partner))) return { ok: false, reason: "forbidden" };
  return { ok: true, partner };
}

export async function getPartner(db: Db, id: number): Promise<Partner | undefined> {
  const [partner] = await db.select().from(partners).where(eq(partners.id, id));
  return partner;
}

export interface SimilarPartner {
  id: number;
  fullName: string;
  shortName: string | null;
  stage: Stage;
  score: number;
}

/**
 * Partners whose names look like `name`: trigram similarity on normalised names, so spelling,
 * abbreviations («СОШ»), «№» and legal forms do not hide a duplicate.
 */
export async function findSimilarPartners(db: Db, name: string, limit = 5): Promise<SimilarPartner[]> {
  const key = normalisePartnerName(name);
  if (key === "") return [];
  const score = sql<number>`greatest(similarity(${partners.searchKey}, ${key}), word_similarity(${key}, ${partners.searchKey}))`;
  return db
    .select({ id: partners.id, fullName: partners.fullName, shortName: partners.shortName, stage: partners.stage, score })
    .from(partners)
    .where(sql`${score} >= 0.45`)
    .orderBy(desc(score), asc(partners.id))
    .limit(limit);
}

export async function createPartner(db: Db, actor: Actor, draft: PartnerDraft): Promise<Partner> {
  return db.transaction(async (tx) => {
    const [partner] = await tx
      .insert(partners)
      .values({ ...draft, searchKey: partnerSearchKey(draft.fullName, draft.shortName), createdBy: actor.user.id })
      .returning();
    if (!partner) throw new Error("partner insert returned no row");
    await tx.insert(stageChanges).values({
      partnerId: partner.id,
      fromStage: null,
      toStage: "preparatory",
      comment: "",
      changedBy: actor.user.id,
    });
    await recordAudit(tx, { actorUserId: actor.user.id, action: "partner.created", entityType: "partner", entityId: partner.id, after: draft });
    return partner;
  });
}

export type PartnerField = keyof PartnerDraft;

export async function updatePartner(
  db: Db,
  actor: Actor,
  partnerId: number,
  changes: Partial<PartnerDraft>,
): Promise<{ ok: true; partner: Partner } | { ok: false; reason: "not_found" | "forbidden" }> {
  return db.transaction(async (tx) => {
    const found = await partnerToEdit(tx, actor, partnerId);
    if (!found.ok) return found;
    const before = found.partner;
    const fullName = changes.fullName ?? before.fullName;
    const shortName = changes.shortName !== undefined ? changes.shortName : before.shortName;
    const [partner] = await tx
      .update(partners)
      .set({ ...changes, searchKey: partnerSearchKey(fullName, shortName), updatedAt: sql`now()` })
      .where(eq(partners.id, partnerId))
      .returning();
    await recordAudit(tx, {
      actorUserId: actor.user.id,
      action: "partner.updated",
      entityType: "partner",
      entityId: partnerId,
      before: Object.fromEntries(Object.keys(changes).map((k) => [k, before[k as PartnerField]])),
      after: changes,
    });
    return { ok: true, partner: partner! } as const;
  });
}

export type StageChangeResult =
  | { ok: true; partner: Partner }
  | { ok: false; reason: "not_found" | "forbidden" | "same_stage" | "empty_comment" };

/** Moves a partnership to another stage (forward, back, or to the archive), with a comment. */
export async function changeStage(
  db: Db,
  actor: Actor,
  input: { partnerId: number; to: Stage; comment: string },
): Promise<StageChangeResult> {
  const comment = input.comment.trim();
  if (comment === "") return { ok: false, reason: "empty_comment" };
  return db.transaction(async (tx) => {
    const found = await partnerToEdit(tx, actor, input.partnerId);
    if (!found.ok) return found;
    const before = found.partner;
    if (before.stage === input.to) return { ok: false, reason: "same_stage" } as const;
    const [partner] = await tx
      .update(partners)
      .set({ stage: input.to, updatedAt: sql`now()` })
      .where(eq(partners.id, before.id))
      .returning();
    await tx.insert(stageChanges).values({
      partnerId: before.id,
      fromStage: before.stage,
      toStage: input.to,
      comment,
      changedBy: actor.user.id,
    });
    await recordAudit(tx, {
      actorUserId: actor.user.id,
      action: "partner.stage_changed",
      entityType: "partner",
      entityId: before.id,
      before: { stage: before.stage },
      after: { stage: input.to, comment },
    });
    return { ok: true, partner: partner! } as const;
  });
}

export async function stageHistory(db: Db, partnerId: number): Promise<(StageChange & { changedByName: string })[]> {
  const rows = await db
    .select({ change: stageChanges, firstName: users.firstName, lastName: users.lastName })
    .from(stageChanges)
    .innerJoin(users, eq(users.id, stageChanges.changedBy))
    .where(eq(stageChanges.partnerId, partnerId))
    .orderBy(asc(stageChanges.changedAt), asc(stageChanges.id));
  return rows.map((r) => ({ ...r.change, changedByName: [r.firstName, r.lastName].filter(Boolean).join(" ") }));
}

export interface StageChecklist {
  /** Preparatory: motivation and tasks are written. */
  motivationAndTasks: boolean;
  /** Organisational: an agreement is signed and has a joint plan. */
  agreementWithPlan: boolean;
  /** System-forming: a joint activity was held in the last 6 months. */
  recentJointActivity: boolean;
  /** The next stage the bot suggests, when the current stage's checklist is complete. */
  suggestedNext: Stage | undefined;
}

/**
 * Joint activities other areas record with a partner (the events area: events held with it):
 * how many since `since`. They count towards the checklist's "held a joint activity".
 */
export type JointActivities = (db: Db, partnerId: number, since: Date) => Promise<number>;
export const jointActivities = new Extension<JointActivities>("joint activities with a partner");

/**
 * The checklist of each stage. "Held a joint activity" counts meetings in the interaction log and
 * joint events recorded as held, within six months.
 */
export async function stageChecklist(db: Db, partner: Partner, today: string): Promise<StageChecklist> {
  const motivationAndTasks = Boolean(partner.motivation?.trim() && partner.tasks?.trim());
  const [withPlan] = await db
    .select({ n: count() })
    .from(agreements)
    .innerJoin(planItems, eq(planItems.agreementId, agreements.id))
    .where(eq(agreements.partnerId, partner.id));
  const agreementWithPlan = (withPlan?.n ?? 0) > 0;
  const sixMonthsAgo = new Date(`${today}T00:00:00Z`);
  sixMonthsAgo.setUTCMonth(sixMonthsAgo.getUTCMonth() - 6);
  const since = sixMonthsAgo.toISOString().slice(0, 10);
  const [held] = await db
    .select({ n: count() })
    .from(interactions)
    .where(and(eq(interactions.partnerId, partner.id), eq(interactions.kind, "meeting"), gte(interactions.occurredOn, since)));
  let heldEvents = 0;
  for (const source of jointActivities.items) heldEvents += await source(db, partner.id, new Date(`${since}T00:00:00Z`));
  const recentJointActivity = (held?.n ?? 0) + heldEvents > 0;
  const suggestedNext =
    partner.stage === "preparatory" && motivationAndTasks
      ? "organisational"
      : partner.stage === "organisational" && agreementWithPlan
        ? "system_forming"
        : undefined;
  return { motivationAndTasks, agreementWithPlan, recentJointActivity, suggestedNext };
}

export interface PartnerFilter {
  type?: PartnerType;
  stage?: Stage;
  ownerUnitId?: number;
  focus?: Focus;
  /** Only partners this user owns, or their unit does. */
  mineFor?: User;
  /** Words to find in names, INN or contact names. */
  text?: string;
}

export interface PartnerListItem {
  id: number;
  fullName: string;
  shortName: string | null;
  stage: Stage;
  type: PartnerType;
}

export async function listPartners(
  db: Db,
  filter: PartnerFilter,
  page: number,
  pageSize: number,
): Promise<{ items: PartnerListItem[]; total: number }> {
  const conditions = [];
  if (filter.stage) conditions.push(eq(partners.stage, filter.stage));
  else conditions.push(ne(partners.stage, "archived"));
  if (filter.type) conditions.push(eq(partners.type, filter.type));
  if (filter.ownerUnitId !== undefined) conditions.push(eq(partners.ownerUnitId, filter.ownerUnitId));
  if (filter.focus) conditions.push(arrayContains(partners.focuses, [filter.focus]));
  if (filter.mineFor) {
    const mine = await unitsOf(db, filter.mineFor);
    conditions.push(
      mine.length > 0
        ? or(eq(partners.ownerUserId, filter.mineFor.id), inArray(partners.ownerUnitId, mine))!
        : eq(partners.ownerUserId, filter.mineFor.id),
    );
  }
  const text = filter.text?.trim();
  if (text) {
    const pattern = `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const key = normalisePartnerName(text);
    conditions.push(
      or(
        ilike(partners.fullName, pattern),
        ilike(partners.shortName, pattern),
        ilike(partners.inn, pattern),
        key ? ilike(partners.searchKey, `%${key.replace(/[\\%_]/g, (c) => `\\${c}`)}%`) : undefined,
        key ? sql`word_similarity(${key}, ${partners.searchKey}) >= 0.6` : undefined,
        sql`exists (select 1 from ${contacts} where ${contacts.partnerId} = ${partners.id} and ${contacts.fullName} ilike ${pattern})`,
      )!,
    );
  }
  const where = and(...conditions);
  // The page and the total in one query; a page past the end has no rows to carry it.
  const rows = await db
    .select({
      id: partners.id,
      fullName: partners.fullName,
      shortName: partners.shortName,
      stage: partners.stage,
      type: partners.type,
      total: sql<number>`(count(*) over ())::int`,
    })
    .from(partners)
    .where(where)
    .orderBy(asc(partnerDisplayName), asc(partners.id))
    .limit(pageSize)
    .offset(page * pageSize);
  const items = rows.map(({ total: _total, ...item }) => item);
  if (rows.length > 0 || page === 0) return { items, total: Number(rows[0]?.total ?? 0) };
  const [total] = await db.select({ n: count() }).from(partners).where(where);
  return { items, total: total?.n ?? 0 };
}
