import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { Db } from "../../core/db/client.js";
import { type Invite, invites } from "./invites-schema.js";
import { type Role, type User, users } from "../../core/access/schema.js";
import { recordAudit } from "../../core/audit.js";
import { effectiveRole, userSnapshot } from "../../core/access/users.js";

/** 32 random bytes, base64url: 256 bits, 43 characters, fits Telegram's 64-character /start payload. */
const TOKEN_BYTES = 32;
const TOKEN_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export type InvitableRole = Extract<Role, "staff" | "admin">;
export const INVITABLE_ROLES: readonly InvitableRole[] = ["staff", "admin"];

export function hashInviteToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

export function looksLikeInviteToken(payload: string): boolean {
  return TOKEN_PATTERN.test(payload);
}

export async function createInvite(
  db: Db,
  input: { createdBy: number; role: InvitableRole; unitId: number | null; ttlDays: number; now: Date },
): Promise<{ token: string; invite: Invite }> {
  const token = randomBytes(TOKEN_BYTES).toString("base64url");
  const expiresAt = new Date(input.now.getTime() + input.ttlDays * 24 * 60 * 60 * 1000);
  return db.transaction(async (tx) => {
    const [invite] = await tx
      .insert(invites)
      .values({ tokenHash: hashInviteToken(token), role: input.role, unitId: input.unitId, createdBy: input.createdBy, expiresAt })
      .returning();
    if (!invite) throw new Error("invite insert returned no row");
    await recordAudit(tx, {
      actorUserId: input.createdBy,
      action: "invite.created",
      entityType: "invite",
      entityId: invite.id,
      after: { role: invite.role, unitId: invite.unitId, expiresAt: invite.expiresAt.toISOString() },
    });
    return { token, invite };
  });
}

export type RedeemResult =
  | { ok: true; invite: Invite; user: User }
  | { ok: false; reason: "malformed" | "unknown" | "used" | "expired" | "already_member" };

/**
 * Redeems a staff invite for `user`. The claim is one conditional UPDATE, so two people racing
 * for the same link cannot both win; the user's new role lands in the same transaction.
 */
export async function redeemInvite(
  db: Db,
  input: { token: string; user: User; adminTelegramIds: readonly number[]; now: Date },
): Promise<RedeemResult> {
  if (!looksLikeInviteToken(input.token)) return { ok: false, reason: "malformed" };
  const tokenHash = hashInviteToken(input.token);
  const [invite] = await db
    .select()
    .from(invites)
    .where(and(eq(invites.tokenHash, tokenHash), eq(invites.kind, "staff")));
  if (!invite) return { ok: false, reason: "unknown" };
  if (invite.usedAt) return { ok: false, reason: "used" };
  if (invite.expiresAt <= input.now) return { ok: false, reason: "expired" };
  const current = effectiveRole(input.user, input.user.telegramId, input.adminTelegramIds);
  // Nothing to grant: the link stays unused, for the person it was meant for.
  if (current === "admin" || (current === "staff" && invite.role === "staff")) return { ok: false, reason: "already_member" };

  return db.transaction(async (tx) => {
    const [claimed] = await tx
      .update(invites)
      .set({ usedBy: input.user.id, usedAt: input.now })
      .where(and(eq(invites.id, invite.id), isNull(invites.usedAt), gt(invites.expiresAt, input.now)))
      .returning();
    if (!claimed) return { ok: false, reason: "used" } as const;
    const [updated] = await tx
      .update(users)
      .set({ role: claimed.role, unitId: claimed.unitId, status: "active", updatedAt: sql`now()` })
      .where(eq(users.id, input.user.id))
      .returning();
    if (!updated) throw new Error(`user ${input.user.id} vanished`);
    await recordAudit(tx, {
      actorUserId: input.user.id,
      action: "user.joined_by_invite",
      entityType: "user",
      entityId: updated.id,
      before: userSnapshot(input.user),
      after: { ...userSnapshot(updated), inviteId: claimed.id },
    });
    return { ok: true, invite: claimed, user: updated } as const;
  });
}

export async function findUserById(db: Db, id: number): Promise<User | undefined> {
  const [user] = await db.select().from(users).where(eq(users.id, id));
  return user;
}
