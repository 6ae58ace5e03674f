import { count, desc, eq } from "drizzle-orm";
import type { Db } from "../../core/db/client.js";
import { type FileKind, type Interaction, type InteractionKind, INTERACTION_KINDS, interactions } from "./schema.js";
import { users } from "../../core/access/schema.js";
import { recordAudit } from "../../core/audit.js";
import { type Actor, partnerToEdit } from "./partners.js";
import { checkDate, checkText } from "../../core/validation.js";

export const MAX_INTERACTION_TEXT = 3000;

/** A document or photo sent into the chat, kept by Telegram file_id. */
export interface StoredFile {
  fileId: string;
  kind: FileKind;
  fileName: string | null;
}

export interface InteractionDraft {
  partnerId: number;
  kind: InteractionKind;
  /** 'YYYY-MM-DD' or ДД.ММ.ГГГГ. */
  occurredOn: string;
  text: string;
  file: StoredFile | null;
}

export type AddInteractionResult =
  | { ok: true; interaction: Interaction }
  | { ok: false; reason: "not_found" | "forbidden" | "bad_kind" | "bad_date" | "bad_text" };

/** Logs a dated interaction with a partner; only those who may edit the partner can. */
export async function addInteraction(db: Db, actor: Actor, draft: InteractionDraft): Promise<AddInteractionResult> {
  if (!INTERACTION_KINDS.includes(draft.kind)) return { ok: false, reason: "bad_kind" };
  const occurredOn = checkDate(draft.occurredOn);
  if (!occurredOn.ok) return { ok: false, reason: "bad_date" };
  const text = checkText(draft.text, MAX_INTERACTION_TEXT);
  if (!text.ok) return { ok: false, reason: "bad_text" };
  return db.transaction(async (tx) => {
    const found = await partnerToEdit(tx, actor, draft.partnerId);
    if (!found.ok) return found;
    const partner = found.partner;
    const values = {
      partnerId: partner.id,
      kind: draft.kind,
      occurredOn: occurredOn.value,
      text: text.value,
      authorId: actor.user.id,
      fileId: draft.file?.fileId ?? null,
      fileKind: draft.file?.kind ?? null,
      fileName: draft.file?.fileName ?? null,
    };
    const [interaction] = await tx.insert(interactions).values(values).returning();
    if (!interaction) throw new Error("interaction insert returned no row");
    await recordAudit(tx, {
      actorUserId: actor.user.id,
      action: "interaction.added",
      entityType: "interaction",
      entityId: interaction.id,
      after: values,
    });
    return { ok: true, interaction } as const;
  });
}

export interface InteractionListItem extends Interaction {
  authorName: string;
}

/** A partner's interactions, latest first, a page at a time. */
export async function listRecentInteractions(
  db: Db,
  partnerId: number,
  limit: number,
  offset = 0,
): Promise<{ items: InteractionListItem[]; total: number }> {
  const where = eq(interactions.partnerId, partnerId);
  const [total] = await db.select({ n: count() }).from(interactions).where(where);
  const rows = await db
    .select({ interaction: interactions, firstName: users.firstName, lastName: users.lastName })
    .from(interactions)
    .innerJoin(users, eq(users.id, interactions.authorId))
    .where(where)
    .orderBy(desc(interactions.occurredOn), desc(interactions.id))
    .limit(limit)
    .offset(offset);
  return {
    items: rows.map((r) => ({ ...r.interaction, authorName: [r.firstName, r.lastName].filter(Boolean).join(" ") })),
    total: total?.n ?? 0,
  };
}

export async function getInteraction(db: Db, id: number): Promise<Interaction | undefined> {
  const [interaction] = await db.select().from(interactions).where(eq(interactions.id, id));
  return interaction;
}
