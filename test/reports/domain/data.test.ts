import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { agreements, partners } from "../../../src/partners/domain/schema.js";
import { type EventStatus, events } from "../../../src/events/domain/schema.js";
import { units } from "../../../src/core/access/units-schema.js";
import { users } from "../../../src/core/access/schema.js";
import { proposeEvent } from "../../../src/events/domain/events.js";
import { type Actor, createPartner } from "../../../src/partners/domain/partners.js";
import { monthsOf, parseReportPeriod, periodOf, presetPeriod, reportData } from "../../../src/reports/domain/data.js";
import { createTestDatabase, type TestDatabase } from "../../helpers/db.js";
import { eventDraft } from "../../helpers/event-drafts.js";
import { addContact, addParticipant, addPrompt } from "../../helpers/feedback-rows.js";
import { partnerDraft } from "../../helpers/partners.js";

const TZ = "Asia/Irkutsk";
const LONG_AGO = new Date("2020-01-01T00:00:00Z");

describe("report periods", () => {
  it("works out the presets around today in the institution's time zone", () => {
    const now = new Date("2026-12-01T02:00:00Z"); // 1 December, 10:00 in Irkutsk
    const days = (p: { firstDay: string; lastDay: string }) => [p.firstDay, p.lastDay];
    expect(days(presetPeriod("month", now, TZ))).toEqual(["2026-12-01", "2026-12-31"]);
    expect(days(presetPeriod("quarter", now, TZ))).toEqual(["2026-10-01", "2026-12-31"]);
    expect(days(presetPeriod("academic_year", now, TZ))).toEqual(["2026-09-01", "2027-08-31"]);
    expect(days(presetPeriod("year", now, TZ))).toEqual(["2026-01-01", "2026-12-31"]);
    // Instants: midnight in Irkutsk is 16:00 UTC the day before.
    const month = presetPeriod("month", now, TZ);
    expect(month.from.toISOString()).toBe("2026-11-30T16:00:00.000Z");
    expect(month.to.toISOString()).toBe("2026-12-31T16:00:00.000Z");

    // 31 August 20:00 UTC is already 1 September in Irkutsk: a new academic year, quarter three.
    const september = new Date("2027-08-31T20:00:00Z");
    expect(days(presetPeriod("academic_year", september, TZ))).toEqual(["2027-09-01", "2028-08-31"]);
    expect(days(presetPeriod("academic_year", new Date("2027-08-31T15:00:00Z"), TZ))).toEqual(["2026-09-01", "2027-08-31"]);
    expect(days(presetPeriod("quarter", september, TZ))).toEqual(["2027-07-01", "2027-09-30"]);
    expect(days(presetPeriod("month", new Date("2028-02-10T00:00:00Z"), TZ))).toEqual(["2028-02-01", "2028-02-29"]);
  });

  it("reads two typed dates in the usual ways", () => {
    const read = (text: string) => {
      const parsed = parseReportPeriod(text, TZ);
      return parsed.ok ? [parsed.period.kind, parsed.period.firstDay, parsed.period.lastDay] : parsed;
    };
    const autumn = ["custom", "2026-09-01", "2026-12-31"];
    expect(read("01.09.2026 - 31.12.2026")).toEqual(autumn);
    expect(read("1.9.2026–31.12.2026")).toEqual(autumn);
    expect(read(" 01.09.2026—31.12.2026 ")).toEqual(autumn);
    expect(read("01.09.2026-31.12.2026")).toEqual(autumn);
    expect(read("с 1.9.2026 по 31.12.2026")).toEqual(autumn);
    expect(read("from 1/9/2026 to 31/12/2026")).toEqual(autumn);
    expect(read("2026-09-01 - 2026-12-31")).toEqual(autumn);
    expect(read("01.09.26 - 31.12.26")).toEqual(autumn);
    // One day is a period too.
    expect(read("05.10.2026 - 05.10.2026")).toEqual(["custom", "2026-10-05", "2026-10-05"]);
    const period = parseReportPeriod("01.09.2026 - 31.12.2026", TZ);
    if (!period.ok) throw new Error("not read");
    expect(period.period.from.toISOString()).toBe("2026-08-31T16:00:00.000Z");
    expect(period.period.to.toISOString()).toBe("2026-12-31T16:00:00.000Z");
  });

  it("refuses what is not two dates, days that do not exist, backwards and over-long periods", () => {
    for (const text of ["", "вчера", "01.09.2026", "01.09.2026 - 31.12.2026 - 01.01.2027", "01.09.2026 и 5 дней", "сентябрь - декабрь", "x".repeat(200)]) {
      expect(parseReportPeriod(text, TZ), text).toEqual({ ok: false, reason: "unreadable" });
    }
    expect(parseReportPeriod("31.02.2026 - 01.03.2026", TZ)).toEqual({ ok: false, reason: "invalid_date", date: "31.02.2026" });
    expect(parseReportPeriod("01.09.2026 - 31.13.2026", TZ)).toEqual({ ok: false, reason: "invalid_date", date: "31.13.2026" });
    expect(parseReportPeriod("31.12.2026 - 01.09.2026", TZ)).toEqual({ ok: false, reason: "ends_before_start", firstDay: "2026-12-31", lastDay: "2026-09-01" });
    expect(parseReportPeriod("01.01.2020 - 01.01.2025", TZ)).toEqual({ ok: false, reason: "too_long", firstDay: "2020-01-01", lastDay: "2025-01-01" });
    expect(parseReportPeriod("01.01.2020 - 31.12.2024", TZ).ok).toBe(true);
  });

  it("lists the months a period touches", () => {
    expect(monthsOf({ firstDay: "2026-09-15", lastDay: "2027-01-03" })).toEqual(["2026-09", "2026-10", "2026-11", "2026-12", "2027-01"]);
    expect(monthsOf({ firstDay: "2026-10-05", lastDay: "2026-10-05" })).toEqual(["2026-10"]);
  });
});

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());
beforeEach(async () => database.truncate());

/**
 * Autumn 2026 in a small institution: two partners in the registry (one new), one archived,
 * one registered after the period; events in every status, one on each side of the period's
 * first midnight in Irkutsk and one after it; feedback inside and outside the period.
 */
async function autumn() {
  const db = database.db;
  const [adminRow] = await db.insert(users).values({ telegramId: 700_001, firstName: "Анна", role: "admin" }).returning();
  const [teacherRow] = await db.insert(users).values({ telegramId: 700_002, firstName: "Мария", lastName: "Петрова", role: "staff" }).returning();
  const admin: Actor = { user: adminRow!, role: "admin" };
  const [unit] = await db.insert(units).values({ kind: "department", name: "Технический отдел" }).returning();
  const school = await createPartner(db, admin, partnerDraft({ ownerKind: "department", ownerUnitId: unit!.id, focuses: ["technical"] }));
  const lyceum = await createPartner(
    db,
    admin,
    partnerDraft({ fullName: "Лицей № 2 города Иркутска", shortName: "Лицей № 2", type: "university", ownerKind: "teacher", ownerUserId: teacherRow!.id }),
  );
  const museum = await createPartner(db, admin, partnerDraft({ fullName: "Краеведческий музей", shortName: null, type: "culture_organisation" }));
  const later = await createPartner(db, admin, partnerDraft({ fullName: "Колледж связи", shortName: null, type: "college" }));
  const set = (id: number, values: Partial<typeof partners.$inferInsert>) => db.update(partners).set(values).where(eq(partners.id, id));
  await set(school.id, { createdAt: new Date("2026-09-10T03:00:00Z"), stage: "organisational" });
  await set(lyceum.id, { createdAt: new Date("2025-05-01T03:00:00Z"), stage: "system_forming" });
  await set(later.id, { createdAt: new Date("2027-02-01T03:00:00Z") });

  const event = async (
    partnerIds: number[],
    startsAt: string,
    status: EventStatus,
    extra: Partial<typeof events.$inferInsert> = {},
    overrides: Parameters<typeof eventDraft>[3] = {},
  ) => {
    const proposed = await proposeEvent(db, admin, eventDraft(partnerIds, teacherRow!.id, new Date(startsAt), overrides), LONG_AGO);
    if (!proposed.ok) throw new Error(proposed.reason);
    const [row] = await db.update(events).set({ status, ...extra }).where(eq(events.id, proposed.event.id)).returning();
    return row!;
  };
  const counts = (gifted: number, disabilities: number, careerGuidance: number, other: number) => ({
    participantsGifted: gifted,
    participantsDisabilities: disabilities,
    participantsCareerGuidance: careerGuidance,
    participantsOther: other,
    result: "Получилось",
  });
  const e1 = await event([school.id, lyceum.id], "2026-09-15T07:00:00Z", "held", counts(5, 1, 2, 4), { ownerUnitId: unit!.id });
  const e2 = await event([school.id], "2026-10-20T07:00:00Z", "closed", counts(3, 0, 0, 7), { format: "excursion", title: "Экскурсия в планетарий" });
  await event([school.id], "2026-10-05T07:00:00Z", "approved");
  await event([lyceum.id], "2026-11-01T07:00:00Z", "proposed", {}, { format: "round_table" });
  await event([lyceum.id], "2026-11-10T07:00:00Z", "changes_requested");
  await event([museum.id], "2026-12-01T07:00:00Z", "cancelled", { cancelReason: "Карантин" });
  await event([museum.id], "2026-12-02T07:00:00Z", "rejected");
  // 31 August 23:59:59 in Irkutsk: before the period. 1 September 00:00: inside it.
  await event([lyceum.id], "2026-08-31T15:59:59Z", "held", counts(50, 50, 50, 50));
  const e10 = await event([lyceum.id], "2026-08-31T16:00:00Z", "held", counts(1, 1, 1, 1), { format: "contest", title: "Конкурс роботов" });
  const e8 = await event([school.id], "2027-01-10T07:00:00Z", "held", counts(9, 9, 9, 9));
  await set(museum.id, { stage: "archived", createdAt: new Date("2026-01-01T03:00:00Z") });

  const irina = await addContact(db, school.id, "Ирина Смирнова", adminRow!.id);
  const olga = await addContact(db, school.id, "Ольга Молчанова", adminRow!.id);
  const petr = await addContact(db, lyceum.id, "Пётр Иванов", adminRow!.id);
  await addPrompt(db, { eventId: e1.id, partnerId: school.id, contactId: irina.id, rating: 5, answeredAt: new Date() });
  await addPrompt(db, { eventId: e1.id, partnerId: school.id, contactId: olga.id });
  await addPrompt(db, { eventId: e1.id, partnerId: lyceum.id, contactId: petr.id, rating: 3, answeredAt: new Date() });
  await addPrompt(db, { eventId: e2.id, partnerId: school.id, contactId: irina.id, rating: 4, answeredAt: new Date() });
  await addPrompt(db, { eventId: e8.id, partnerId: school.id, contactId: irina.id, rating: 1, answeredAt: new Date() });
  await addParticipant(db, { eventId: e1.id, rating: 5 });
  await addParticipant(db, { eventId: e1.id, rating: 4 });
  await addParticipant(db, { eventId: e2.id, rating: 2 });
  await addParticipant(db, { eventId: e8.id, rating: 1 });

  await db.insert(agreements).values([
    { partnerId: school.id, number: "1/2025", signedOn: "2024-12-20", validFrom: "2025-01-01", validTo: "2025-12-31", subject: "Сотрудничество", createdBy: adminRow!.id },
    { partnerId: school.id, number: "7/2026", signedOn: "2026-08-25", validFrom: "2026-09-01", validTo: "2027-08-31", subject: "Сотрудничество", createdBy: adminRow!.id },
    { partnerId: school.id, number: "9/2027", signedOn: "2026-12-20", validFrom: "2027-01-01", validTo: null, subject: "Будущий договор", createdBy: adminRow!.id },
  ]);
  return { db, school, lyceum, museum, later, e1, e2, e10 };
}

const AUTUMN = periodOf("custom", "2026-09-01", "2026-12-31", TZ);

describe("report figures", () => {
  it("counts partners, events by status, participants by category and satisfaction for the period", async () => {
    const { db } = await autumn();
    const data = await reportData(db, AUTUMN, TZ);
    expect(data.months).toEqual(["2026-09", "2026-10", "2026-11", "2026-12"]);
    expect(data.partners).toEqual({
      registered: 2,
      newInPeriod: 1,
      archived: 1,
      byType: { school: 1, university: 1, college: 0, science_centre: 0, government_body: 0, public_organisation: 0, business: 0, culture_organisation: 0, other: 0 },
      byStage: { preparatory: 0, organisational: 1, system_forming: 1 },
    });
    expect(data.events.total).toBe(8);
    expect(data.events.byStatus).toEqual({ held: 3, approved: 1, proposed: 2, cancelled: 1, rejected: 1 });
    const held = data.events.byMonthFormat.filter((c) => c.counts.held > 0).map((c) => [c.month, c.format, c.counts.held]);
    expect(held).toEqual([
      ["2026-09", "master_class", 1],
      ["2026-09", "contest", 1],
      ["2026-10", "excursion", 1],
    ]);
    expect(data.events.byMonthFormat.filter((c) => c.month === "2026-11")).toEqual([
      { month: "2026-11", format: "round_table", counts: { held: 0, approved: 0, proposed: 1, cancelled: 0, rejected: 0 } },
      { month: "2026-11", format: "master_class", counts: { held: 0, approved: 0, proposed: 1, cancelled: 0, rejected: 0 } },
    ]);
    expect(data.participants).toEqual({ gifted: 9, disabilities: 2, careerGuidance: 3, other: 12, total: 26 });
    expect(data.satisfaction).toEqual({
      partners: { average: 4, count: 3 },
      participants: { average: 3.7, count: 3 },
      responseRate: { sent: 4, answered: 3, rate: 0.75 },
      byMonth: [
        { month: "2026-09", partners: { average: 4, count: 2 }, participants: { average: 4.5, count: 2 } },
        { month: "2026-10", partners: { average: 4, count: 1 }, participants: { average: 2, count: 1 } },
        { month: "2026-11", partners: null, participants: null },
        { month: "2026-12", partners: null, participants: null },
      ],
    });
  });

  it("gives the workbook's rows: partners with owner and agreement, events with partners and participants, feedback", async () => {
    const { db, school, lyceum, e1, e2, e10 } = await autumn();
    const { rows } = await reportData(db, AUTUMN, TZ);
    expect(rows.partners.map((p) => p.fullName)).toEqual(["Краеведческий музей", "Лицей № 2 города Иркутска", "Средняя общеобразовательная школа № 5"]);
    expect(rows.partners.find((p) => p.id === school.id)).toMatchObject({
      shortName: "СОШ № 5",
      type: "school",
      ownerKind: "department",
      ownerUnitName: "Технический отдел",
      ownerUserName: null,
      focuses: ["technical"],
      stage: "organisational",
      agreement: { number: "7/2026", signedOn: "2026-08-25", validFrom: "2026-09-01", validTo: "2027-08-31" },
      heldEvents: 2,
    });
    expect(rows.partners.find((p) => p.id === lyceum.id)).toMatchObject({ ownerKind: "teacher", ownerUnitName: null, ownerUserName: "Мария Петрова", agreement: null, heldEvents: 2 });

    expect(rows.events.map((e) => [e.startsAt.toISOString(), e.status])).toEqual([
      ["2026-08-31T16:00:00.000Z", "held"],
      ["2026-09-15T07:00:00.000Z", "held"],
      ["2026-10-05T07:00:00.000Z", "approved"],
      ["2026-10-20T07:00:00.000Z", "closed"],
      ["2026-11-01T07:00:00.000Z", "proposed"],
      ["2026-11-10T07:00:00.000Z", "changes_requested"],
      ["2026-12-01T07:00:00.000Z", "cancelled"],
      ["2026-12-02T07:00:00.000Z", "rejected"],
    ]);
    expect(rows.events[1]).toMatchObject({
      id: e1.id,
      format: "master_class",
      partners: "Лицей № 2, СОШ № 5",
      unitName: "Технический отдел",
      responsibleName: "Мария Петрова",
      participants: { gifted: 5, disabilities: 1, careerGuidance: 2, other: 4, total: 12 },
      result: "Получилось",
    });
    expect(rows.events[2]!.participants).toBeNull();

    expect(rows.eventFeedback).toEqual([
      expect.objectContaining({ eventId: e10.id, promptsSent: 0, partnerAnswers: 0, responseRate: null, partnerAverage: null, participantAnswers: 0, participantAverage: null }),
      expect.objectContaining({ eventId: e1.id, promptsSent: 3, partnerAnswers: 2, responseRate: 2 / 3, partnerAverage: 4, participantAnswers: 2, participantAverage: 4.5 }),
      expect.objectContaining({ eventId: e2.id, title: "Экскурсия в планетарий", promptsSent: 1, partnerAnswers: 1, responseRate: 1, partnerAverage: 4, participantAnswers: 1, participantAverage: 2 }),
    ]);
    expect(rows.partnerFeedback).toEqual([
      { partnerId: lyceum.id, name: "Лицей № 2", promptsSent: 1, partnerAnswers: 1, responseRate: 1, partnerAverage: 3, participantAnswers: 2, participantAverage: 4.5 },
      { partnerId: school.id, name: "СОШ № 5", promptsSent: 3, partnerAnswers: 2, responseRate: 2 / 3, partnerAverage: 4.5, participantAnswers: 3, participantAverage: 3.7 },
    ]);
  });

  it("gives zeros and no averages for a period with nothing in it", async () => {
    const { db } = await autumn();
    const data = await reportData(db, periodOf("custom", "2019-01-01", "2019-02-15", TZ), TZ);
    expect(data.months).toEqual(["2019-01", "2019-02"]);
    expect(data.partners.registered + data.partners.newInPeriod + data.partners.archived).toBe(0);
    expect(data.events.total).toBe(0);
    expect(data.events.byMonthFormat).toEqual([]);
    expect(data.participants.total).toBe(0);
    expect(data.satisfaction.partners).toBeNull();
    expect(data.satisfaction.participants).toBeNull();
    expect(data.satisfaction.responseRate).toEqual({ sent: 0, answered: 0, rate: null });
    expect(data.rows).toEqual({ partners: [], events: [], eventFeedback: [], partnerFeedback: [] });
  });
});
