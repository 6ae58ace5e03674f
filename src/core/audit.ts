import { auditLog } from "./audit-schema.js";
import type { Db } from "./db/client.js";

/** Anything that can insert: the database or an open transaction. */
export type Writer = Pick<Db, "insert">;

export interface AuditRecord {
  actorUserId: number | null;
  action: string;
  entityType: string;
  entityId: string | number;
  before?: unknown;
  after?: unknown;
}

export async function recordAudit(writer: Writer, record: AuditRecord): Promise<void> {
  await writer.insert(auditLog).values({
    actorUserId: record.actorUserId,
    action: record.action,
    entityType: record.entityType,
    entityId: String(record.entityId),
    before: record.before ?? null,
    after: record.after ?? null,
  });
}
