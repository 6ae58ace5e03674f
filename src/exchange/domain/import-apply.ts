import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../../core/db/client.js";
import { auditLog } from "../../core/audit-schema.js";
import { contacts, type OwnerKind, partners, stageChanges } from "../../partners/index.js";
import { units } from "../../core/access/units-schema.js";
import { CONTACT_FIELDS } from "../../partners/index.js";
import { partnerSearchKey } from "../../partners/index.js";
import type { Actor, PartnerDraft } from "../../partners/index.js";
import type { ImportVocabulary } from "./import-columns.js";
import { type ImportPlan, planImport } from "./import-plan.js";
import type { Sheet } from "./import-read.js";

/**
 * Writes an import: the dry run again, inside the transaction, then every valid new row at
 * once — partners at the preparatory stage with their first stage record and audit entries,
 * the way createPartner stores one, and their contacts with consent "on paper" recorded by the
 * importing administrator. Any failure rolls all of it back.
 */

export type ApplyImportResult = { ok: true; created: number; contacts: number; plan: ImportPlan } | { ok: false; reason: "forbidden" };

/** Rows per INSERT: well within Postgres' 65,535 parameters. */
const CHUNK = 500;

function chunks<T>(items: T[]): T[][] {
  const result: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) result.push(items.slice(i, i + CHUNK));
  return result;
}

/** Imported partners belong to the administrator's own unit, if they have one, else to the institution. */
async function ownerOf(tx: Db, actor: Actor): Promise<Pick<PartnerDraft, "ownerKind" | "ownerUnitId" | "ownerUserId">> {
  if (actor.user.unitId !== null) {
    const [unit] = await tx
      .select({ id: units.id, kind: units.kind })
      .from(units)
      .where(and(eq(units.id, actor.user.unitId), isNull(units.archivedAt)));
    if (unit) return { ownerKind: unit.kind as OwnerKind, ownerUnitId: unit.id, ownerUserId: null };
  }
  return { ownerKind: "institution", ownerUnitId: null, ownerUserId: null };
}

export async function applyImport(db: Db, actor: Actor, sheet: Sheet, vocabulary: ImportVocabulary): Promise<ApplyImportResult> {
  // Rights are checked again here: the role may have changed since the dry run.
  if (actor.role !== "admin" || actor.user.status !== "active") return { ok: false, reason: "forbidden" };
  return db.transaction(async (tx) => {
    const plan = await planImport(tx, sheet, vocabulary);
    const owner = await ownerOf(tx, actor);
    let created = 0;
    let contactCount = 0;
    for (const batch of chunks(plan.create)) {
      const drafts: PartnerDraft[] = batch.map((row) => ({ ...row.partner, ...owner, motivation: null, tasks: null }));
      const inserted = await tx
        .insert(partners)
        .values(drafts.map((draft) => ({ ...draft, searchKey: partnerSearchKey(draft.fullName, draft.shortName), createdBy: actor.user.id })))
        .returning({ id: partners.id, fullName: partners.fullName });
      if (inserted.length !== batch.length || inserted.some((row, i) => row.fullName !== drafts[i]!.fullName)) {
        throw new Error("partner import: inserted rows do not match the batch");
      }
      await tx
        .insert(stageChanges)
        .values(inserted.map((p) => ({ partnerId: p.id, fromStage: null, toStage: "preparatory" as const, comment: "", changedBy: actor.user.id })));
      await tx.insert(auditLog).values(
        inserted.map((p, i) => ({
          actorUserId: actor.user.id,
          action: "partner.created",
          entityType: "partner",
          entityId: String(p.id),
          after: { ...drafts[i], source: "import", rowNumber: batch[i]!.rowNumber },
        })),
      );
      created += inserted.length;

      const withContact = batch.flatMap((row, i) => (row.contact ? [{ partnerId: inserted[i]!.id, contact: row.contact }] : []));
      if (withContact.length === 0) continue;
      const insertedContacts = await tx
        .insert(contacts)
        .values(withContact.map(({ partnerId, contact }) => ({ partnerId, ...contact, consentBasis: "paper" as const, consentRecordedBy: actor.user.id })))
        .returning({ id: contacts.id, partnerId: contacts.partnerId });
      await tx.insert(auditLog).values(
        insertedContacts.map((c, i) => ({
          actorUserId: actor.user.id,
          action: "contact.created",
          entityType: "contact",
          entityId: String(c.id),
          // Field names only: the audit log never holds personal data.
          after: {
            partnerId: c.partnerId,
            consentBasis: "paper",
            fields: CONTACT_FIELDS.filter((f) => withContact[i]!.contact[f] !== null),
            source: "import",
          },
        })),
      );
      contactCount += insertedContacts.length;
    }
    await tx.insert(auditLog).values({
      actorUserId: actor.user.id,
      action: "partners.imported",
      entityType: "user",
      entityId: String(actor.user.id),
      after: { format: sheet.format, rows: plan.rows, created, contacts: contactCount, duplicates: plan.duplicates.length, invalid: plan.invalidRows },
    });
    return { ok: true, created, contacts: contactCount, plan } as const;
  });
}
