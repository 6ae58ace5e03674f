import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { auditLog } from "../../../src/core/audit-schema.js";
import { units } from "../../../src/core/access/units-schema.js";
import { users } from "../../../src/core/access/schema.js";
import { addInteraction, getInteraction, listRecentInteractions } from "../../../src/partners/domain/interactions.js";
import { type Actor, type PartnerDraft, createPartner } from "../../../src/partners/domain/partners.js";
import { createTestDatabase, type TestDatabase } from "../../helpers/db.js";
import { partnerDraft } from "../../helpers/partners.js";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());
beforeEach(async () => database.truncate());

let nextTelegramId = 1;
async function actor(role: "admin" | "staff" | "partner", unitId: number | null = null): Promise<Actor> {
  const [user] = await database.db
    .insert(users)
    .values({ telegramId: nextTelegramId++, firstName: `${role}${nextTelegramId}`, lastName: "Иванова", role, unitId })
    .returning();
  return { user: user!, role };
}

async function unit(name: string, parentId: number | null = null): Promise<number> {
  const [row] = await database.db
    .insert(units)
    .values({ kind: parentId ? "association" : "department", name, parentId })
    .returning();
  return row!.id;
}

const draft = (overrides: Partial<PartnerDraft> = {}) => partnerDraft({ ownerKind: "department", ...overrides });

describe("addInteraction", () => {
  it("logs a dated interaction with a file and audits it in the same transaction", async () => {
    const department = await unit("Отдел техники");
    const teacher = await actor("staff", department);
    const partner = await createPartner(database.db, teacher, draft({ ownerUnitId: department }));
    const result = await addInteraction(database.db, teacher, {
      partnerId: partner.id,
      kind: "negotiation",
      occurredOn: "15.11.2026",
      text: "  Обсудили совместный мастер-класс  ",
      file: { fileId: "BQAC-doc", kind: "document", fileName: "protocol.pdf" },
    });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.interaction).toMatchObject({
      occurredOn: "2026-11-15",
      text: "Обсудили совместный мастер-класс",
      authorId: teacher.user.id,
      fileId: "BQAC-doc",
      fileKind: "document",
      fileName: "protocol.pdf",
    });
    const [audit] = await database.db.select().from(auditLog).where(eq(auditLog.action, "interaction.added"));
    expect(audit).toMatchObject({ actorUserId: teacher.user.id, entityId: String(result.interaction.id) });
    expect(await getInteraction(database.db, result.interaction.id)).toMatchObject({ kind: "negotiation" });
  });

  it("is refused to staff of another unit and to partner contacts, and saves nothing", async () => {
    const ours = await unit("Отдел техники");
    const theirs = await unit("Отдел искусств");
    const admin = await actor("admin");
    const partner = await createPartner(database.db, admin, draft({ ownerUnitId: ours }));
    const input = { partnerId: partner.id, kind: "call" as const, occurredOn: "2026-11-15", text: "Звонок", file: null };
    expect(await addInteraction(database.db, await actor("staff", theirs), input)).toEqual({ ok: false, reason: "forbidden" });
    expect(await addInteraction(database.db, await actor("partner"), input)).toEqual({ ok: false, reason: "forbidden" });
    expect(await addInteraction(database.db, admin, { ...input, partnerId: partner.id + 100 })).toEqual({ ok: false, reason: "not_found" });
    // A teacher of an association inside the owning department's unit tree is not the department.
    const association = await unit("Робототехника", ours);
    expect(await addInteraction(database.db, await actor("staff", association), input)).toEqual({ ok: false, reason: "forbidden" });
    expect((await listRecentInteractions(database.db, partner.id, 10)).total).toBe(0);
    const audit = await database.db.select().from(auditLog).where(eq(auditLog.action, "interaction.added"));
    expect(audit).toHaveLength(0);
  });

  it("refuses 31.02, empty text and text over 3000 characters", async () => {
    const admin = await actor("admin");
    const partner = await createPartner(database.db, admin, draft({ ownerKind: "institution" }));
    const base = { partnerId: partner.id, kind: "letter" as const, occurredOn: "2026-11-15", text: "Письмо", file: null };
    expect(await addInteraction(database.db, admin, { ...base, occurredOn: "31.02.2026" })).toEqual({ ok: false, reason: "bad_date" });
    expect(await addInteraction(database.db, admin, { ...base, text: "  …  " })).toEqual({ ok: false, reason: "bad_text" });
    expect(await addInteraction(database.db, admin, { ...base, text: "а".repeat(3001) })).toEqual({ ok: false, reason: "bad_text" });
    expect((await addInteraction(database.db, admin, { ...base, text: "а".repeat(3000) })).ok).toBe(true);
  });
});

describe("listRecentInteractions", () => {
  it("lists the latest first, a page at a time, with the author's name", async () => {
    const admin = await actor("admin");
    const partner = await createPartner(database.db, admin, draft({ ownerKind: "institution" }));
    const other = await createPartner(database.db, admin, draft({ fullName: "Иркутский государственный университет", shortName: "ИГУ" }));
    for (let day = 1; day <= 12; day++) {
      const occurredOn = `2026-10-${String(day).padStart(2, "0")}`;
      await addInteraction(database.db, admin, { partnerId: partner.id, kind: "meeting", occurredOn, text: `Встреча ${day}`, file: null });
    }
    await addInteraction(database.db, admin, { partnerId: other.id, kind: "call", occurredOn: "2026-10-30", text: "Чужой звонок", file: null });

    const first = await listRecentInteractions(database.db, partner.id, 10);
    expect(first.total).toBe(12);
    expect(first.items.map((i) => i.text)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3].map((d) => `Встреча ${d}`));
    expect(first.items[0]!.authorName).toBe(`${admin.user.firstName} Иванова`);
    const second = await listRecentInteractions(database.db, partner.id, 10, 10);
    expect(second.items.map((i) => i.text)).toEqual(["Встреча 2", "Встреча 1"]);
  });
});
