import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { agreementReminders } from "../../../src/partners/domain/schema.js";
import { auditLog } from "../../../src/core/audit-schema.js";
import { units } from "../../../src/core/access/units-schema.js";
import { users } from "../../../src/core/access/schema.js";
import {
  type AgreementDraft,
  addAgreement,
  addDays,
  daysBetween,
  addPlanItem,
  checkPlannedOn,
  claimAgreementReminder,
  dueAgreementReminders,
  listAgreements,
  reminderFor,
  responsibleCandidates,
} from "../../../src/partners/domain/agreements.js";
import { localDate } from "../../../src/core/dates.js";
import { type Actor, type PartnerDraft, changeStage, createPartner } from "../../../src/partners/domain/partners.js";
import { createTestDatabase, type TestDatabase } from "../../helpers/db.js";
import { partnerDraft } from "../../helpers/partners.js";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());
beforeEach(async () => database.truncate());

const TODAY = "2026-12-01";

let nextTelegramId = 1;
async function actor(
  role: "admin" | "staff" | "partner",
  unitId: number | null = null,
  extra: { firstName?: string; status?: "active" | "inactive" } = {},
): Promise<Actor> {
  const [user] = await database.db
    .insert(users)
    .values({ telegramId: nextTelegramId++, firstName: extra.firstName ?? `${role}${nextTelegramId}`, role, unitId, status: extra.status })
    .returning();
  return { user: user!, role };
}

async function unit(name: string, parentId: number | null = null, headUserId: number | null = null): Promise<number> {
  const [row] = await database.db
    .insert(units)
    .values({ kind: parentId ? "association" : "department", name, parentId, headUserId })
    .returning();
  return row!.id;
}

const university = (overrides: Partial<PartnerDraft> = {}) =>
  partnerDraft({ fullName: "Иркутский государственный университет", shortName: "ИГУ", type: "university", ownerKind: "department", ...overrides });

const agreementDraft = (partnerId: number, overrides: Partial<AgreementDraft> = {}): AgreementDraft => ({
  partnerId,
  number: "12/2026",
  signedOn: "20.11.2026",
  validFrom: "01.12.2026",
  validTo: "31.08.2027",
  subject: "Совместные мероприятия по профориентации",
  scan: null,
  ...overrides,
});

describe("days", () => {
  it("takes today in the institution's time zone, not UTC", () => {
    // 17:30 UTC on 30 November is already 1 December in Irkutsk (UTC+8).
    expect(localDate(new Date("2026-11-30T17:30:00Z"), "Asia/Irkutsk")).toBe("2026-12-01");
    expect(localDate(new Date("2026-11-30T17:30:00Z"), "UTC")).toBe("2026-11-30");
    expect(addDays("2027-02-27", 2)).toBe("2027-03-01");
    expect(daysBetween("2026-12-01", "2026-12-31")).toBe(30);
  });
});

describe("addAgreement", () => {
  it("records an agreement with a scan, audited", async () => {
    const department = await unit("Отдел техники");
    const teacher = await actor("staff", department);
    const partner = await createPartner(database.db, teacher, university({ ownerUnitId: department }));
    const result = await addAgreement(
      database.db,
      teacher,
      agreementDraft(partner.id, { scan: { fileId: "AgAC-scan", kind: "photo" } }),
      TODAY,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.agreement).toMatchObject({
      number: "12/2026",
      signedOn: "2026-11-20",
      validFrom: "2026-12-01",
      validTo: "2027-08-31",
      scanFileId: "AgAC-scan",
      scanFileKind: "photo",
      createdBy: teacher.user.id,
    });
    const audit = await database.db.select().from(auditLog).where(eq(auditLog.action, "agreement.added"));
    expect(audit).toHaveLength(1);
    expect(audit[0]!.entityId).toBe(String(result.agreement.id));
  });

  it("refuses an end before the start, a signature in the future and 31.02", async () => {
    const admin = await actor("admin");
    const partner = await createPartner(database.db, admin, university({ ownerKind: "institution" }));
    const add = (o: Partial<AgreementDraft>) => addAgreement(database.db, admin, agreementDraft(partner.id, o), TODAY);
    expect(await add({ validTo: "30.11.2026" })).toEqual({ ok: false, reason: "ends_before_start" });
    expect(await add({ signedOn: "02.12.2026" })).toEqual({ ok: false, reason: "signed_in_future" });
    expect(await add({ signedOn: "31.02.2026" })).toEqual({ ok: false, reason: "bad_date" });
    expect(await add({ number: "  " })).toEqual({ ok: false, reason: "bad_number" });
    expect(await add({ subject: "" })).toEqual({ ok: false, reason: "bad_subject" });
    // Signed today, one day long, and open-ended are all fine.
    expect((await add({ signedOn: "01.12.2026", validTo: "01.12.2026" })).ok).toBe(true);
    expect((await add({ validTo: null })).ok).toBe(true);
  });

  it("is refused to staff of another unit", async () => {
    const ours = await unit("Отдел техники");
    const theirs = await unit("Отдел искусств");
    const admin = await actor("admin");
    const partner = await createPartner(database.db, admin, university({ ownerUnitId: ours }));
    const stranger = await actor("staff", theirs);
    expect(await addAgreement(database.db, stranger, agreementDraft(partner.id), TODAY)).toEqual({ ok: false, reason: "forbidden" });
    expect(await listAgreements(database.db, partner.id)).toEqual([]);
  });
});

describe("plan items", () => {
  it("accept a date or a month only, with a staff member or a typed name in charge", async () => {
    expect(checkPlannedOn("15.03.2027")).toEqual({ ok: true, value: { plannedOn: "2027-03-15", monthOnly: false } });
    expect(checkPlannedOn("03.2027")).toEqual({ ok: true, value: { plannedOn: "2027-03-01", monthOnly: true } });
    expect(checkPlannedOn("13.2027")).toEqual({ ok: false, error: "bad_month" });
    expect(checkPlannedOn("31.02.2027")).toEqual({ ok: false, error: "bad_date" });

    const department = await unit("Отдел техники");
    const teacher = await actor("staff", department, { firstName: "Мария" });
    const partner = await createPartner(database.db, teacher, university({ ownerUnitId: department }));
    const added = await addAgreement(database.db, teacher, agreementDraft(partner.id), TODAY);
    if (!added.ok) throw new Error("agreement not added");
    const agreementId = added.agreement.id;
    const item = (o: Partial<Parameters<typeof addPlanItem>[2]> = {}) =>
      addPlanItem(database.db, teacher, {
        agreementId,
        title: "Мастер-класс по робототехнике",
        format: "master_class",
        plannedOn: "2027-03-01",
        plannedMonthOnly: true,
        responsibleUserId: null,
        responsibleName: null,
        ...o,
      });
    expect((await item({ responsibleUserId: teacher.user.id })).ok).toBe(true);
    expect((await item({ title: "Экскурсия в лабораторию", format: "excursion", plannedOn: "2027-02-10", plannedMonthOnly: false, responsibleName: "Петров П. П." })).ok).toBe(true);
    expect(await item({ plannedOn: "2027-03-15" })).toEqual({ ok: false, reason: "bad_date" });
    expect(await item({ responsibleName: "Петров", responsibleUserId: teacher.user.id })).toEqual({ ok: false, reason: "bad_responsible" });
    const guest = await actor("partner");
    expect(await item({ responsibleUserId: guest.user.id })).toEqual({ ok: false, reason: "bad_responsible" });
    expect(await item({ agreementId: agreementId + 100 })).toEqual({ ok: false, reason: "not_found" });
    expect(await addPlanItem(database.db, await actor("staff", await unit("Отдел искусств")), {
      agreementId, title: "Выставка", format: "exhibition", plannedOn: "2027-04-01", plannedMonthOnly: true, responsibleUserId: null, responsibleName: null,
    })).toEqual({ ok: false, reason: "forbidden" });

    const [agreement] = await listAgreements(database.db, partner.id);
    expect(agreement!.plan.map((p) => [p.title, p.plannedOn, p.plannedMonthOnly, p.responsible])).toEqual([
      ["Экскурсия в лабораторию", "2027-02-10", false, "Петров П. П."],
      ["Мастер-класс по робототехнике", "2027-03-01", true, "Мария"],
    ]);
    expect(await database.db.select().from(auditLog).where(eq(auditLog.action, "plan_item.added"))).toHaveLength(2);
  });

  it("offer active staff of the owning department and its associations as responsible", async () => {
    const department = await unit("Отдел техники");
    const association = await unit("Робототехника", department);
    const inDepartment = await actor("staff", department, { firstName: "Анна" });
    const inAssociation = await actor("staff", association, { firstName: "Борис" });
    await actor("staff", department, { firstName: "Вера", status: "inactive" });
    await actor("staff", await unit("Отдел искусств"), { firstName: "Галина" });
    await actor("partner", department, { firstName: "Дарья" });
    const candidates = await responsibleCandidates(database.db, { ownerUnitId: department, ownerUserId: null });
    expect(candidates.map((u) => u.id)).toEqual([inDepartment.user.id, inAssociation.user.id]);
    expect(await responsibleCandidates(database.db, { ownerUnitId: null, ownerUserId: null })).toEqual([]);
  });
});

describe("agreement reminders", () => {
  async function setUp() {
    const department = await unit("Отдел техники");
    const teacher = await actor("staff", department);
    const partner = await createPartner(database.db, teacher, university({ ownerUnitId: department }));
    const add = async (validTo: string | null) => {
      const result = await addAgreement(database.db, teacher, agreementDraft(partner.id, { number: `№${validTo}`, validFrom: "2026-01-01", validTo }), TODAY);
      if (!result.ok) throw new Error(result.reason);
      return result.agreement.id;
    };
    return { department, teacher, partner, add };
  }

  it("fall due 30, 7 and 0 days before the end, catching up a missed day", async () => {
    expect([31, 30, 29, 8, 7, 1, 0, -1].map(reminderFor)).toEqual([undefined, 30, 30, 30, 7, 7, 0, undefined]);
    const { add } = await setUp();
    const in30 = await add(addDays(TODAY, 30));
    const in7 = await add(addDays(TODAY, 7));
    const ending = await add(TODAY);
    await add(addDays(TODAY, 31));
    await add(addDays(TODAY, -1));
    await add(null);
    const due = await dueAgreementReminders(database.db, TODAY);
    expect(due.map((d) => [d.agreementId, d.daysBefore])).toEqual([
      [ending, 0],
      [in7, 7],
      [in30, 30],
    ]);
    expect(await claimAgreementReminder(database.db, in30, 30)).toBe(true);
    expect(await claimAgreementReminder(database.db, in30, 30)).toBe(false);
    expect((await dueAgreementReminders(database.db, TODAY)).map((d) => d.agreementId)).not.toContain(in30);
    // The next day the 30-day reminder is already sent; the 7-day one is not due yet.
    expect((await dueAgreementReminders(database.db, addDays(TODAY, 1))).map((d) => d.agreementId)).not.toContain(in30);
    expect((await dueAgreementReminders(database.db, addDays(TODAY, 23))).map((d) => [d.agreementId, d.daysBefore])).toContainEqual([in30, 7]);
    expect(await database.db.select().from(agreementReminders)).toEqual([expect.objectContaining({ agreementId: in30, daysBefore: 30 })]);
  });

  it("go to the owning teacher, else the unit head, else the creator; never for archived partnerships", async () => {
    const { department, teacher, partner, add } = await setUp();
    const id = await add(addDays(TODAY, 7));
    expect((await dueAgreementReminders(database.db, TODAY))[0]!.recipient?.id).toBe(teacher.user.id);

    const head = await actor("staff", department);
    await database.db.update(units).set({ headUserId: head.user.id }).where(eq(units.id, department));
    expect((await dueAgreementReminders(database.db, TODAY))[0]!.recipient?.id).toBe(head.user.id);

    const owner = await actor("staff");
    const admin = await actor("admin");
    const taught = await createPartner(database.db, admin, university({ fullName: "Колледж", shortName: null, ownerKind: "teacher", ownerUserId: owner.user.id }));
    await addAgreement(database.db, admin, agreementDraft(taught.id, { validFrom: "2026-01-01", validTo: TODAY }), TODAY);
    const due = await dueAgreementReminders(database.db, TODAY);
    expect(due.map((d) => [d.partnerName, d.recipient?.id])).toEqual([
      ["Колледж", owner.user.id],
      ["ИГУ", head.user.id],
    ]);

    // An inactive owner is skipped for the next one in line.
    await database.db.update(users).set({ status: "inactive" }).where(eq(users.id, owner.user.id));
    expect((await dueAgreementReminders(database.db, TODAY))[0]!.recipient?.id).toBe(admin.user.id);

    await changeStage(database.db, admin, { partnerId: partner.id, to: "archived", comment: "Партнёрство завершено" });
    expect((await dueAgreementReminders(database.db, TODAY)).map((d) => d.agreementId)).not.toContain(id);
  });
});
