import { and, asc, count, eq, inArray, sql } from "drizzle-orm";
import type { Language } from "../../config.js";
import type { Db } from "../db/client.js";
import { botState } from "../db/schema.js";
import type { UserRow } from "../db/processed-updates.js";
import { type Role, type User, type UserStatus, users } from "./schema.js";
import { units } from "./units-schema.js";
import { recordAudit } from "../audit.js";

/** Who is acting: the stored user and the role the bot acts on. */
export interface Actor {
  user: User;
  role: Role;
}

export interface TelegramProfile {
  id: number;
  first_name: string;
  last_name?: string | undefined;
  username?: string | undefined;
  language_code?: string | undefined;
}

const STAFF_ROLES: Role[] = ["admin", "staff"];

/** The fields of a user that the audit log shows before and after a change. */
function snapshot(user: User) {
  return {
    firstName: user.firstName,
    lastName: user.lastName,
    username: user.username,
    language: user.language,
    role: user.role,
    status: user.status,
    unitId: user.unitId,
  };
}

/**
 * "This person blocked the bot": noticed when Telegram refused to deliver an answer with 403.
 * `since` is when it was noticed; `cleared` once the person wrote again. A cleared mark keeps
 * `since`: an update sent before it (a message written just before blocking) is the same block.
 *
 * Kept in bot_state (key blocked:<telegram id>) until users has a column for it.
 */
interface BlockedMark {
  since: string;
  cleared: boolean;
}

const BLOCKED_PREFIX = "blocked:";
/** The key of a person's "blocked the bot" mark in bot_state. */
export const blockedKey = (telegramId: number) => `${BLOCKED_PREFIX}${telegramId}`;

/**
 * Marks a person who blocked the bot. True when this is news (the first refusal since they
 * last wrote); false when they were marked already, or `sentAt` (when the failed update was
 * sent) is not after the block was first noticed.
 */
export async function markBotBlocked(db: Db, telegramId: number, input: { at: Date; sentAt?: Date | undefined }): Promise<boolean> {
  const key = blockedKey(telegramId);
  return db.transaction(async (tx) => {
    const [row] = await tx.select({ value: botState.value }).from(botState).where(eq(botState.key, key)).for("update");
    const mark = row?.value as BlockedMark | undefined;
    const known =
      mark !== undefined && (!mark.cleared || (input.sentAt !== undefined && input.sentAt.getTime() <= Date.parse(mark.since)));
    const value: BlockedMark = { since: known ? mark.since : input.at.toISOString(), cleared: false };
    await tx
      .insert(botState)
      .values({ key, value })
      .onConflictDoUpdate({ target: botState.key, set: { value, updatedAt: sql`now()` } });
    return !known;
  });
}

/** Whether the person blocked the bot and has not written since. */
export async function isBotBlocked(db: Db, telegramId: number): Promise<boolean> {
  const [row] = await db.select({ value: botState.value }).from(botState).where(eq(botState.key, blockedKey(telegramId)));
  const mark = row?.value as BlockedMark | undefined;
  return mark !== undefined && !mark.cleared;
}

/**
 * Creates or refreshes the user behind an update. Admins listed in the configuration are kept
 * as admins in the database, so lists and audit entries show them as they are. Someone who
 * writes has the bot unblocked: a mark that they blocked it is cleared.
 */
export async function syncUser(
  db: Db,
  profile: TelegramProfile,
  adminTelegramIds: readonly number[],
  /** The user's row and mark as read already (with the claim of the update); read here when absent. */
  known?: UserRow[],
): Promise<User> {
  const wanted = {
    firstName: profile.first_name,
    lastName: profile.last_name ?? null,
    username: profile.username ?? null,
    telegramLanguage: profile.language_code ?? null,
  };
  const isConfiguredAdmin = adminTelegramIds.includes(profile.id);
  const key = blockedKey(profile.id);
  const [found] =
    known ??
    (await db
      .select({ user: users, blocked: botState.value })
      .from(users)
      .leftJoin(botState, eq(botState.key, key))
      .where(eq(users.telegramId, profile.id)));
  const existing = found?.user;
  if ((found?.blocked as BlockedMark | null | undefined)?.cleared === false) {
    await db
      .update(botState)
      .set({ value: sql`jsonb_set(${botState.value}, '{cleared}', 'true')`, updatedAt: sql`now()` })
      .where(eq(botState.key, key));
  }
  const unchanged =
    existing &&
    existing.firstName === wanted.firstName &&
    existing.lastName === wanted.lastName &&
    existing.username === wanted.username &&
    existing.telegramLanguage === wanted.telegramLanguage &&
    (!isConfiguredAdmin || (existing.role === "admin" && existing.status === "active"));
  if (unchanged) return existing;

  return db.transaction(async (tx) => {
    if (!existing) {
      const [created] = await tx
        .insert(users)
        .values({ telegramId: profile.id, ...wanted, role: isConfiguredAdmin ? "admin" : "guest" })
        .onConflictDoUpdate({ target: users.telegramId, set: { ...wanted, updatedAt: sql`now()` } })
        .returning();
      if (!created) throw new Error("user upsert returned no row");
      await recordAudit(tx, {
        actorUserId: null,
        action: "user.created",
        entityType: "user",
        entityId: created.id,
        after: snapshot(created),
      });
      return created;
    }
    const [updated] = await tx
      .update(users)
      .set({
        ...wanted,
        ...(isConfiguredAdmin ? { role: "admin" as const, status: "active" as const } : {}),
        updatedAt: sql`now()`,
      })
      .where(eq(users.id, existing.id))
      .returning();
    if (!updated) throw new Error("user update returned no row");
    await recordAudit(tx, {
      actorUserId: null,
      action: existing.role !== updated.role || existing.status !== updated.status ? "user.admin_synced" : "user.profile_updated",
      entityType: "user",
      entityId: updated.id,
      before: snapshot(existing),
      after: snapshot(updated),
    });
    return updated;
  });
}

/** A staff member or admin whose access an administrator switched off (setStaffStatus). */
export function isSuspended(user: Pick<User, "role" | "status">): boolean {
  return user.status === "inactive" && user.role !== "guest";
}

/** The role the bot acts on: configured admins always, deactivated users as guests. */
export function effectiveRole(user: User | undefined, telegramId: number, adminTelegramIds: readonly number[]): Role {
  if (adminTelegramIds.includes(telegramId)) return "admin";
  if (!user || user.status !== "active") return "guest";
  return user.role;
}

export async function setUserLanguage(db: Db, user: User, language: Language): Promise<User> {
  return db.transaction(async (tx) => {
    const [updated] = await tx
      .update(users)
      .set({ language, updatedAt: sql`now()` })
      .where(eq(users.id, user.id))
      .returning();
    if (!updated) throw new Error(`user ${user.id} vanished`);
    await recordAudit(tx, {
      actorUserId: user.id,
      action: "user.language_changed",
      entityType: "user",
      entityId: user.id,
      before: { language: user.language },
      after: { language },
    });
    return updated;
  });
}

export interface StaffMember {
  id: number;
  telegramId: number;
  firstName: string;
  lastName: string | null;
  username: string | null;
  role: Role;
  status: UserStatus;
  unitName: string | null;
}

const staffColumns = {
  id: users.id,
  telegramId: users.telegramId,
  firstName: users.firstName,
  lastName: users.lastName,
  username: users.username,
  role: users.role,
  status: users.status,
  unitName: units.name,
};

export async function listStaff(db: Db, page: number, pageSize: number): Promise<{ members: StaffMember[]; total: number }> {
  const where = inArray(users.role, STAFF_ROLES);
  const [totalRow] = await db.select({ total: count() }).from(users).where(where);
  const members = await db
    .select(staffColumns)
    .from(users)
    .leftJoin(units, eq(units.id, users.unitId))
    .where(where)
    .orderBy(asc(users.status), asc(users.firstName), asc(users.lastName), asc(users.id))
    .limit(pageSize)
    .offset(page * pageSize);
  return { members, total: totalRow?.total ?? 0 };
}

export async function getStaffMember(db: Db, userId: number): Promise<StaffMember | undefined> {
  const [member] = await db
    .select(staffColumns)
    .from(users)
    .leftJoin(units, eq(units.id, users.unitId))
    .where(and(eq(users.id, userId), inArray(users.role, STAFF_ROLES)));
  return member;
}

export type StatusChangeResult =
  | { ok: true; user: User }
  | { ok: false; reason: "not_found" | "self" | "configured_admin" | "unchanged" };

/** Deactivates or re-activates a staff member. Configured admins and oneself are protected. */
export async function setStaffStatus(
  db: Db,
  input: { actor: User; targetUserId: number; status: UserStatus; adminTelegramIds: readonly number[] },
): Promise<StatusChangeResult> {
  return db.transaction(async (tx) => {
    const [target] = await tx
      .select()
      .from(users)
      .where(and(eq(users.id, input.targetUserId), inArray(users.role, STAFF_ROLES)))
      .for("update");
    if (!target) return { ok: false, reason: "not_found" };
    if (target.id === input.actor.id) return { ok: false, reason: "self" };
    if (input.adminTelegramIds.includes(target.telegramId)) return { ok: false, reason: "configured_admin" };
    if (target.status === input.status) return { ok: false, reason: "unchanged" };
    const [updated] = await tx
      .update(users)
      .set({ status: input.status, updatedAt: sql`now()` })
      .where(eq(users.id, target.id))
      .returning();
    if (!updated) throw new Error(`user ${target.id} vanished`);
    await recordAudit(tx, {
      actorUserId: input.actor.id,
      action: input.status === "inactive" ? "user.deactivated" : "user.reactivated",
      entityType: "user",
      entityId: target.id,
      before: snapshot(target),
      after: snapshot(updated),
    });
    return { ok: true, user: updated };
  });
}

export { snapshot as userSnapshot };
