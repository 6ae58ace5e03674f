import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { users } from "../../src/core/access/schema.js";
import { createI18n } from "../../src/core/i18n.js";
import { academicYearToDate, type Digest, institutionFigures } from "../../src/digests/domain/digests.js";
import { renderDigest } from "../../src/digests/text.js";
import { events } from "../../src/events/domain/schema.js";
import { academicYearRange, selfAssessment } from "../../src/reports/domain/self-assessment.js";
import { createTestDatabase, type TestDatabase } from "../helpers/db.js";

const TZ = "Asia/Irkutsk";
/** Monday 7 December 2026, 09:00 in Irkutsk. */
const NOW = new Date("2026-12-07T01:00:00Z");

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());
beforeEach(async () => database.truncate());

type EventInsert = typeof events.$inferInsert;

/** Since 1 September: mass events of several kinds, events that are not, and events outside the year so far. */
async function seed() {
  const db = database.db;
  const [teacher] = await db.insert(users).values({ telegramId: 920_001, firstName: "Мария", role: "staff" }).returning();
  const event = (startsAt: string, values: Partial<EventInsert> & Pick<EventInsert, "format">, attendance: [number, number, number, number] = [0, 0, 0, 0]): EventInsert => ({
    title: "Мероприятие",
    startsAt: new Date(startsAt),
    endsAt: new Date(new Date(startsAt).getTime() + 3_600_000),
    responsibleUserId: teacher!.id,
    proposedBy: teacher!.id,
    status: "held",
    participantsGifted: attendance[0],
    participantsDisabilities: attendance[1],
    participantsCareerGuidance: attendance[2],
    participantsOther: attendance[3],
    ...values,
  });
  await db.insert(events).values([
    event("2026-09-10T03:00:00Z", { format: "contest", competition: true, level: "regional", winners: 4, prizeWinners: 6 }, [10, 0, 0, 30]), // 40, 10
    event("2026-10-10T03:00:00Z", { format: "exhibition", level: "municipal", status: "closed" }, [5, 5, 5, 5]), // 20
    event("2026-11-10T03:00:00Z", { format: "consultation", competition: true, level: "federal", winners: 1, prizeWinners: 1 }, [0, 0, 0, 3]), // 3, 2
    event("2026-11-11T03:00:00Z", { format: "project", competition: true, level: "regional", projectStudents: 12, winners: 5, prizeWinners: 5 }, [0, 0, 0, 12]), // a project: not mass
    event("2026-11-12T03:00:00Z", { format: "consultation", level: "municipal" }, [3, 0, 0, 0]), // not mass
    event("2026-11-13T03:00:00Z", { format: "contest", competition: true, level: "municipal", status: "cancelled", winners: 9 }, [50, 0, 0, 0]),
    event("2026-08-31T15:59:59Z", { format: "contest", competition: true, level: "municipal", winners: 7 }, [70, 0, 0, 0]), // the year before
    event("2026-12-10T03:00:00Z", { format: "exhibition", level: "municipal" }, [80, 0, 0, 0]), // after now
  ]);
}

describe("the academic year so far in the admins' digest", () => {
  it("counts mass events, their students and winners as the self-assessment does", async () => {
    await seed();
    const year = await academicYearToDate(database.db, NOW, TZ);
    // By hand: the contest, the exhibition and the competition held as a consultation: 3 events,
    // 40 + 20 + 3 = 63 students, 10 + 2 = 12 winners and prize-winners.
    expect(year).toEqual({ academicYear: 2026, massEvents: 3, participants: 63, winners: 12 });
    // The digest writes the rule of src/reports/domain/self-assessment.ts again: they agree.
    const figures = await selfAssessment(database.db, { from: academicYearRange(2026, TZ).from, to: NOW, timeZone: TZ });
    expect([figures.massEvents.total.value, figures.massParticipants.total.value, figures.winners.total.value]).toEqual([year.massEvents, year.participants, year.winners]);
  });

  it("gives admins one line for the year so far, in Russian and in English", async () => {
    await seed();
    const institution = await institutionFigures(database.db, NOW, TZ);
    expect(institution.yearToDate).toEqual({ academicYear: 2026, massEvents: 3, participants: 63, winners: 12 });
    const i18n = await createI18n();
    const digest: Digest = { userId: 1, role: "admin", weekStart: "2026-12-07", today: "2026-12-07", now: NOW, institution };
    const line = (language: "ru" | "en", d: Digest) => renderDigest(i18n.fixedT(language), language, TZ, d).split("\n").at(-1);
    expect(line("ru", digest)).toBe("🎓 С начала учебного года 2026/27: 3 массовых мероприятия, 63 участника, 12 победителей и призёров");
    expect(line("en", digest)).toBe("🎓 Since the start of the academic year 2026/27: 3 mass events, 63 participants, 12 winners and prize-winners");
    const one = { ...digest, institution: { ...institution, yearToDate: { academicYear: 2026, massEvents: 1, participants: 21, winners: 1 } } };
    expect(line("ru", one)).toBe("🎓 С начала учебного года 2026/27: 1 массовое мероприятие, 21 участник, 1 победитель или призёр");
    expect(line("en", one)).toBe("🎓 Since the start of the academic year 2026/27: 1 mass event, 21 participants, 1 winner or prize-winner");
    const none = { ...digest, institution: { ...institution, yearToDate: { academicYear: 2026, massEvents: 0, participants: 0, winners: 0 } } };
    expect(line("ru", none)).toBe("🎓 С начала учебного года 2026/27: массовых мероприятий ещё не было.");
    expect(line("en", none)).toBe("🎓 Since the start of the academic year 2026/27: no mass events yet.");
  });
});
