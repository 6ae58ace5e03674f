import { count, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createI18n } from "../../../src/core/i18n.js";
import { auditLog } from "../../../src/core/audit-schema.js";
import { contacts, partners, stageChanges } from "../../../src/partners/domain/schema.js";
import { units } from "../../../src/core/access/units-schema.js";
import { users } from "../../../src/core/access/schema.js";
import { type Actor, createPartner, findSimilarPartners } from "../../../src/partners/domain/partners.js";
import { applyImport } from "../../../src/exchange/domain/import-apply.js";
import { type ImportVocabulary, importVocabulary } from "../../../src/exchange/domain/import-columns.js";
import { planImport } from "../../../src/exchange/domain/import-plan.js";
import { type Sheet, readSpreadsheet } from "../../../src/exchange/domain/import-read.js";
import { buildTemplate } from "../../../src/exchange/import-template.js";
import { createTestDatabase, type TestDatabase } from "../../helpers/db.js";
import { partnerDraft } from "../../helpers/partners.js";
import { RU_HEADER, csvFile, manyRows, row, scenarioRows, xlsxFile } from "../import-files.js";

let database: TestDatabase;
let vocabulary: ImportVocabulary;
let i18n: Awaited<ReturnType<typeof createI18n>>;
beforeAll(async () => {
  database = await createTestDatabase();
  i18n = await createI18n();
  vocabulary = importVocabulary(i18n);
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

async function sheetOf(file: Buffer | Promise<Buffer>): Promise<Sheet> {
  const result = await readSpreadsheet(await file, vocabulary);
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result)}`);
  return result;
}

const tableCounts = async () => {
  const db = database.db;
  const n = async (table: typeof partners | typeof contacts | typeof auditLog | typeof stageChanges) => (await db.select({ n: count() }).from(table))[0]!.n;
  return { partners: await n(partners), contacts: await n(contacts), audit: await n(auditLog), stages: await n(stageChanges) };
};

describe("the dry run", () => {
  for (const language of ["ru", "en"] as const) {
    it(`finds the invalid rows, the fuzzy duplicate of an existing partner and the repeat within the file, writing nothing (${language})`, async () => {
      const admin = await actor("admin");
      await createPartner(database.db, admin, partnerDraft());
      const before = await tableCounts();
      const plan = await planImport(database.db, await sheetOf(xlsxFile(scenarioRows(language))), vocabulary);
      expect(plan.rows).toBe(6);
      expect(plan.create.map((r) => r.rowNumber)).toEqual([2, 3, 4]);
      expect(plan.invalidRows).toBe(1);
      expect(plan.problems).toEqual([{ rowNumber: 5, field: "inn", error: "bad_inn", value: "3808013277" }]);
      expect(plan.duplicates).toEqual([
        { rowNumber: 6, name: "СОШ №5", of: { kind: "partner", partnerId: expect.any(Number) as number, name: "СОШ № 5" } },
        { rowNumber: 7, name: "Иркутский государственный университет (ИГУ)", of: { kind: "row", rowNumber: 2, name: "ИГУ" } },
      ]);
      expect(plan.create[0]).toEqual({
        rowNumber: 2,
        partner: {
          fullName: "Иркутский государственный университет",
          shortName: "ИГУ",
          type: "university",
          focuses: ["natural_science", "social_humanitarian"],
          inn: "3808013278",
          website: "https://isu.ru",
          address: null,
          notes: null,
        },
        contact: { fullName: "Петрова Анна Сергеевна", position: "Проректор", phone: "+73952241870", email: "petrova@isu.ru", telegramUsername: null },
      });
      expect(plan.create[1]!.partner.type).toBe("culture_organisation");
      expect(plan.create[2]!.partner).toMatchObject({ type: "other", focuses: ["technical"] });
      expect(plan.create[2]!.contact).toMatchObject({ fullName: "Сидоров Олег", telegramUsername: "sidorov_kvant" });
      expect(await tableCounts()).toEqual(before);
    });
  }

  it("reads the focus column under its old titles too («Направления», “Directions”), so old templates keep working", async () => {
    for (const [title, value] of [["Направления", "Художественная; техническая"], ["Directions", "Arts, Technical"], ["Направленность", "художественная, техническое"]] as const) {
      const header = RU_HEADER.map((h, i) => (i === 3 ? title : h));
      const plan = await planImport(database.db, await sheetOf(csvFile([header, row({ full: "Гимназия № 3", type: "Школа", focuses: value })])), vocabulary);
      expect(plan.problems, title).toEqual([]);
      expect(plan.create[0]!.partner.focuses, title).toEqual(["arts", "technical"]);
    }
  });

  it("agrees with findSimilarPartners, the match /newpartner uses", async () => {
    const admin = await actor("admin");
    await createPartner(database.db, admin, partnerDraft({ fullName: "Иркутский государственный университет", shortName: "ИГУ", type: "university" }));
    const names = ["ИГУ", "Иркутский гос. университет", "Государственный университет", "Школа № 5", "Музей Иркутска", "Иркутский технический университет"];
    const plan = await planImport(database.db, await sheetOf(csvFile([RU_HEADER, ...names.map((full) => row({ full, type: "вуз" }))])), vocabulary);
    const duplicates = plan.duplicates.map((d) => d.name);
    for (const name of names) {
      const similar = (await findSimilarPartners(database.db, name)).length > 0;
      expect(duplicates.includes(name), name).toBe(similar);
    }
    expect(duplicates.length).toBeGreaterThan(0);
    expect(plan.create.length).toBeGreaterThan(0);
  });

  it("tells numbered schools apart: different numbers, different organisations", async () => {
    const admin = await actor("admin");
    await createPartner(database.db, admin, partnerDraft());
    const names = ["СОШ № 44", "Школа №05", "Школа № 44", "Гимназия № 3", "Гимназия № 4", "МБОУ СОШ № 5 г. Иркутска"];
    const plan = await planImport(database.db, await sheetOf(csvFile([RU_HEADER, ...names.map((full) => row({ full, type: "Школа" }))])), vocabulary);
    expect(plan.create.map((r) => r.partner.fullName)).toEqual(["СОШ № 44", "Гимназия № 3", "Гимназия № 4"]);
    expect(plan.duplicates.map((d) => [d.name, d.of.kind === "row" ? d.of.rowNumber : d.of.name])).toEqual([
      ["Школа №05", "СОШ № 5"],
      ["Школа № 44", 2],
      ["МБОУ СОШ № 5 г. Иркутска", "СОШ № 5"],
    ]);
    // /newpartner would only suggest «СОШ № 5» for «СОШ № 44»; the import does not skip it.
    expect((await findSimilarPartners(database.db, "СОШ № 44")).map((p) => p.fullName)).toEqual(["Средняя общеобразовательная школа № 5"]);
  });

  it("names every problem by row and column", async () => {
    const file = csvFile([
      RU_HEADER,
      row({ full: "Ш", type: "Школа" }),
      row({ short: "Без полного названия", type: "Школа" }),
      row({ full: "Школа № 7", type: "Ресторан" }),
      row({ full: "Школа № 8", type: "Школа", focuses: "Техническая, кулинарная", site: "не сайт", phone: "12", email: "почта", telegram: "@a" }),
      row({ full: "Школа № 9", type: "Школа", position: "Директор" }),
      row({ full: "Школа № 10" }),
    ]);
    const plan = await planImport(database.db, await sheetOf(file), vocabulary);
    expect(plan.create).toEqual([]);
    expect(plan.invalidRows).toBe(6);
    expect(plan.problems).toEqual([
      { rowNumber: 2, field: "fullName", error: "too_short", value: "Ш" },
      { rowNumber: 3, field: "fullName", error: "required", value: "" },
      { rowNumber: 4, field: "type", error: "unknown_type", value: "Ресторан" },
      { rowNumber: 5, field: "website", error: "bad_url", value: "не сайт" },
      { rowNumber: 5, field: "focuses", error: "unknown_focus", value: "кулинарная" },
      { rowNumber: 5, field: "contactPhone", error: "bad_phone", value: "12" },
      { rowNumber: 5, field: "contactEmail", error: "bad_email", value: "почта" },
      { rowNumber: 5, field: "contactTelegram", error: "bad_username", value: "@a" },
      { rowNumber: 5, field: "contactName", error: "contact_name_required", value: "" },
      { rowNumber: 6, field: "contactName", error: "contact_name_required", value: "" },
      { rowNumber: 7, field: "type", error: "required", value: "" },
    ]);
  });

  it("checks 5,000 rows against each other and the registry quickly enough", async () => {
    const admin = await actor("admin");
    await createPartner(database.db, admin, partnerDraft());
    const sheet = await sheetOf(csvFile(manyRows(5000)));
    const started = performance.now();
    const plan = await planImport(database.db, sheet, vocabulary);
    const elapsed = performance.now() - started;
    expect(plan.create).toHaveLength(5000);
    expect(plan.duplicates).toEqual([]);
    // A generous bound, only against a comparison of every row with every other.
    expect(elapsed).toBeLessThan(30_000);
  }, 120_000);
});

describe("applying an import", () => {
  it("writes exactly the valid new rows, like createPartner, with contacts on paper consent", async () => {
    const [unit] = await database.db.insert(units).values({ kind: "department", name: "Отдел техники" }).returning();
    const admin = await actor("admin", unit!.id);
    await createPartner(database.db, admin, partnerDraft());
    const result = await applyImport(database.db, admin, await sheetOf(xlsxFile(scenarioRows("ru"))), vocabulary);
    expect(result).toMatchObject({ ok: true, created: 3, contacts: 2 });

    const stored = await database.db.select().from(partners).orderBy(partners.id);
    expect(stored.map((p) => p.fullName)).toEqual([
      "Средняя общеобразовательная школа № 5",
      "Иркутский государственный университет",
      "Музей истории города Иркутска",
      "Детский технопарк «Кванториум»",
    ]);
    for (const partner of stored.slice(1)) {
      expect(partner).toMatchObject({ stage: "preparatory", ownerKind: "department", ownerUnitId: unit!.id, ownerUserId: null, createdBy: admin.user.id });
    }
    // Stored like /newpartner stores a partner: found by the same search afterwards.
    expect((await findSimilarPartners(database.db, "ИГУ")).map((p) => p.fullName)).toContain("Иркутский государственный университет");
    const stages = await database.db.select().from(stageChanges);
    expect(stages).toHaveLength(4);
    expect(stages.every((s) => s.toStage === "preparatory" && s.fromStage === null)).toBe(true);

    const storedContacts = await database.db.select().from(contacts).orderBy(contacts.id);
    expect(storedContacts).toEqual([
      expect.objectContaining({ partnerId: stored[1]!.id, fullName: "Петрова Анна Сергеевна", phone: "+73952241870", consentBasis: "paper", consentRecordedBy: admin.user.id }),
      expect.objectContaining({ partnerId: stored[3]!.id, fullName: "Сидоров Олег", telegramUsername: "sidorov_kvant", consentBasis: "paper" }),
    ]);
    const audit = await database.db.select().from(auditLog).orderBy(auditLog.id);
    expect(audit.filter((a) => a.action === "partner.created")).toHaveLength(4);
    expect(audit.filter((a) => a.action === "contact.created").map((a) => a.after)).toEqual([
      { partnerId: stored[1]!.id, consentBasis: "paper", fields: ["fullName", "position", "phone", "email"], source: "import" },
      { partnerId: stored[3]!.id, consentBasis: "paper", fields: ["fullName", "telegramUsername"], source: "import" },
    ]);
    // The audit never holds the contacts' personal data.
    expect(JSON.stringify(audit)).not.toContain("petrova@isu.ru");
    expect(audit.at(-1)).toMatchObject({ action: "partners.imported", after: { created: 3, contacts: 2, duplicates: 2, invalid: 1, rows: 6 } });
  });

  it("gives partners to the institution when the admin has no unit, and imports the template's example", async () => {
    const admin = await actor("admin");
    const result = await applyImport(database.db, admin, await sheetOf(buildTemplate("xlsx", i18n.fixedT("ru"))), vocabulary);
    expect(result).toMatchObject({ ok: true, created: 1, contacts: 1 });
    const [partner] = await database.db.select().from(partners);
    expect(partner).toMatchObject({ fullName: "Средняя общеобразовательная школа № 12", ownerKind: "institution", ownerUnitId: null, inn: "3812000120" });
  });

  it("refuses anyone but an active administrator", async () => {
    const staff = await actor("staff");
    const sheet = await sheetOf(xlsxFile(scenarioRows("ru")));
    expect(await applyImport(database.db, staff, sheet, vocabulary)).toEqual({ ok: false, reason: "forbidden" });
    const admin = await actor("admin");
    expect(await applyImport(database.db, { ...admin, user: { ...admin.user, status: "inactive" } }, sheet, vocabulary)).toEqual({ ok: false, reason: "forbidden" });
    expect((await tableCounts()).partners).toBe(0);
  });

  it("rolls everything back when one row fails to save", async () => {
    const admin = await actor("admin");
    // The last contact of the file cannot be stored: the whole import must vanish with it.
    await database.db.execute(sql`create function refuse_contact() returns trigger language plpgsql as $$
      begin if new.full_name = 'Сидоров Олег' then raise exception 'refused by the test'; end if; return new; end $$`);
    await database.db.execute(sql`create trigger refuse_contact before insert on partner_contacts for each row execute function refuse_contact()`);
    try {
      const before = await tableCounts();
      await expect(applyImport(database.db, admin, await sheetOf(xlsxFile(scenarioRows("ru"))), vocabulary)).rejects.toThrow();
      expect(await tableCounts()).toEqual(before);
    } finally {
      await database.db.execute(sql`drop trigger refuse_contact on partner_contacts`);
      await database.db.execute(sql`drop function refuse_contact()`);
    }
  });

  it("imports 5,000 rows in one go", async () => {
    const admin = await actor("admin");
    const started = performance.now();
    const result = await applyImport(database.db, admin, await sheetOf(csvFile(manyRows(5000))), vocabulary);
    expect(result).toMatchObject({ ok: true, created: 5000 });
    expect((await tableCounts()).partners).toBe(5000);
    expect(performance.now() - started).toBeLessThan(60_000);
    expect((await database.db.select({ n: count() }).from(auditLog).where(eq(auditLog.action, "partner.created")))[0]!.n).toBe(5000);
  }, 120_000);
});
