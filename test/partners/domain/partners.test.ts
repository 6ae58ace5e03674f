import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { auditLog } from "../../../src/core/audit-schema.js";
import { stageChanges } from "../../../src/partners/domain/schema.js";
import { units } from "../../../src/core/access/units-schema.js";
import { users } from "../../../src/core/access/schema.js";
import { normalisePartnerName } from "../../../src/partners/domain/names.js";
import {
  type Actor,
  canEditPartner,
  changeStage,
  createPartner,
  findSimilarPartners,
  listPartners,
  stageChecklist,
  updatePartner,
} from "../../../src/partners/domain/partners.js";
import { partnerDraft } from "../../helpers/partners.js";
import { createTestDatabase, type TestDatabase } from "../../helpers/db.js";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());
beforeEach(async () => database.truncate());

async function actor(role: "admin" | "staff", unitId: number | null = null): Promise<Actor> {
  const [user] = await database.db
    .insert(users)
    .values({ telegramId: Math.floor(Math.random() * 1e9), firstName: role, role, unitId })
    .returning();
  return { user: user!, role };
}

const draft = partnerDraft;

describe("partner names", () => {
  it("normalise abbreviations, № and legal forms away", () => {
    expect(normalisePartnerName("СОШ №5")).toBe("школа 5");
    expect(normalisePartnerName("Средняя общеобразовательная школа № 5")).toBe("школа 5");
    expect(normalisePartnerName("МБОУ г. Иркутска СОШ № 5")).toBe("школа 5");
    expect(normalisePartnerName("«Ёлочка»")).toBe("елочка");
  });

  it("find each other: «СОШ №5», the full name and «школа 5»", async () => {
    const admin = await actor("admin");
    const school = await createPartner(database.db, admin, draft({ shortName: null }));
    await createPartner(database.db, admin, draft({ fullName: "Иркутский государственный университет", shortName: "ИГУ", type: "university" }));
    for (const query of ["СОШ №5", "школа 5", "МБОУ СОШ № 5 г. Иркутска", "Средняя общеобразовательная школа №5"]) {
      const found = await findSimilarPartners(database.db, query);
      expect(found.map((p) => p.id), query).toEqual([school.id]);
    }
    expect(await findSimilarPartners(database.db, "Колледж связи")).toEqual([]);
  });
});

describe("partners", () => {
  it("are edited by admins, by the owning unit and its department, and by the owning teacher only", async () => {
    const [department] = await database.db.insert(units).values({ kind: "department", name: "Отдел" }).returning();
    const [club] = await database.db.insert(units).values({ kind: "association", name: "Клуб", parentId: department!.id }).returning();
    const [other] = await database.db.insert(units).values({ kind: "department", name: "Другой" }).returning();
    const admin = await actor("admin");
    const partner = await createPartner(database.db, admin, draft({ ownerKind: "association", ownerUnitId: club!.id }));
    expect(await canEditPartner(database.db, admin, partner)).toBe(true);
    expect(await canEditPartner(database.db, await actor("staff", club!.id), partner)).toBe(true);
    expect(await canEditPartner(database.db, await actor("staff", department!.id), partner)).toBe(true);
    const stranger = await actor("staff", other!.id);
    expect(await canEditPartner(database.db, stranger, partner)).toBe(false);
    expect(await updatePartner(database.db, stranger, partner.id, { notes: "x" })).toEqual({ ok: false, reason: "forbidden" });
  });

  it("move through the stages with a comment each, kept in the history and the audit log", async () => {
    const admin = await actor("admin");
    const partner = await createPartner(database.db, admin, draft());
    expect((await stageChecklist(database.db, partner, "2026-12-01")).suggestedNext).toBeUndefined();
    const updated = await updatePartner(database.db, admin, partner.id, { motivation: "Профориентация", tasks: "Мастер-классы" });
    expect(updated.ok).toBe(true);
    const checklist = await stageChecklist(database.db, updated.ok ? updated.partner : partner, "2026-12-01");
    expect(checklist).toMatchObject({ motivationAndTasks: true, suggestedNext: "organisational" });

    expect(await changeStage(database.db, admin, { partnerId: partner.id, to: "organisational", comment: "  " })).toEqual({
      ok: false,
      reason: "empty_comment",
    });
    const moved = await changeStage(database.db, admin, { partnerId: partner.id, to: "organisational", comment: "Договорились" });
    expect(moved.ok && moved.partner.stage).toBe("organisational");
    const back = await changeStage(database.db, admin, { partnerId: partner.id, to: "preparatory", comment: "Пересмотр" });
    expect(back.ok).toBe(true);
    const history = await database.db.select().from(stageChanges).where(eq(stageChanges.partnerId, partner.id));
    expect(history.map((h) => [h.fromStage, h.toStage])).toEqual([
      [null, "preparatory"],
      ["preparatory", "organisational"],
      ["organisational", "preparatory"],
    ]);
    expect(await database.db.select().from(auditLog).where(eq(auditLog.action, "partner.stage_changed"))).toHaveLength(2);
  });

  it("are listed with filters and searched by name, short name and INN", async () => {
    const admin = await actor("admin");
    await createPartner(database.db, admin, draft({ inn: "3808013278" }));
    await createPartner(database.db, admin, draft({ fullName: "Иркутский государственный университет", shortName: "ИГУ", type: "university", focuses: ["natural_science"] }));
    await createPartner(database.db, admin, draft({ fullName: "Музей истории города", shortName: null, type: "culture_organisation", focuses: ["tourism_local_history", "arts"] }));
    expect((await listPartners(database.db, {}, 0, 10)).total).toBe(3);
    expect((await listPartners(database.db, { type: "university" }, 0, 10)).items.map((p) => p.shortName)).toEqual(["ИГУ"]);
    expect((await listPartners(database.db, { focus: "arts" }, 0, 10)).items.map((p) => p.fullName)).toEqual(["Музей истории города"]);
    expect((await listPartners(database.db, { text: "3808013278" }, 0, 10)).total).toBe(1);
    expect((await listPartners(database.db, { text: "школа 5" }, 0, 10)).total).toBe(1);
    expect((await listPartners(database.db, { text: "университет" }, 0, 10)).total).toBe(1);
    expect((await listPartners(database.db, { text: "100%_" }, 0, 10)).total).toBe(0);
    const page = await listPartners(database.db, {}, 1, 2);
    expect(page).toMatchObject({ total: 3 });
    expect(page.items).toHaveLength(1);
  });
});
