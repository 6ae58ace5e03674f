import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { contacts } from "../../../src/partners/domain/schema.js";
import { units } from "../../../src/core/access/units-schema.js";
import { users } from "../../../src/core/access/schema.js";
import { eventFeedbackSummary, feedbackAverages, recentSatisfaction } from "../../../src/feedback/domain/results.js";
import { proposeEvent } from "../../../src/events/domain/events.js";
import { type Actor, createPartner } from "../../../src/partners/domain/partners.js";
import { createTestDatabase, type TestDatabase } from "../../helpers/db.js";
import { eventDraft } from "../../helpers/event-drafts.js";
import { addContact, addParticipant, addPrompt } from "../../helpers/feedback-rows.js";
import { partnerDraft } from "../../helpers/partners.js";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());
beforeEach(async () => database.truncate());

const LONG_AGO = new Date("2026-01-01T00:00:00Z");
const DAY_MS = 24 * 60 * 60 * 1000;

async function setting() {
  const db = database.db;
  const [user] = await db.insert(users).values({ telegramId: 700_001, firstName: "Анна", role: "admin" }).returning();
  const admin: Actor = { user: user!, role: "admin" };
  const school = await createPartner(db, admin, partnerDraft());
  const lyceum = await createPartner(db, admin, partnerDraft({ fullName: "Лицей № 2 города Иркутска", shortName: null }));
  const event = async (partnerIds: number[], startsAt: Date, ownerUnitId: number | null = null) => {
    const proposed = await proposeEvent(db, admin, eventDraft(partnerIds, admin.user.id, startsAt, { ownerUnitId }), LONG_AGO);
    if (!proposed.ok) throw new Error(proposed.reason);
    return proposed.event;
  };
  return { db, admin, school, lyceum, event };
}

describe("an event's feedback summary", () => {
  it("counts partner answers, response rate, average, distribution, follow-ups and comments with names", async () => {
    const { db, admin, school, lyceum, event } = await setting();
    const held = await event([school.id, lyceum.id], new Date("2026-12-10T07:00:00Z"));
    const irina = await addContact(db, school.id, "Ирина Смирнова", admin.user.id);
    const gone = await addContact(db, school.id, "Удалённый Контакт", admin.user.id);
    const petr = await addContact(db, lyceum.id, "Пётр Иванов", admin.user.id);
    const silent = await addContact(db, lyceum.id, "Ольга Молчанова", admin.user.id);
    const at = (minutes: number) => new Date(Date.UTC(2026, 11, 10, 10, minutes));
    await addPrompt(db, { eventId: held.id, partnerId: school.id, contactId: irina.id, rating: 5, followUp: "yes", wentWell: "Дети в восторге", improve: "  ", answeredAt: at(1) });
    await addPrompt(db, { eventId: held.id, partnerId: school.id, contactId: gone.id, rating: 4, followUp: "maybe", improve: "Больше времени", answeredAt: at(2) });
    await addPrompt(db, { eventId: held.id, partnerId: lyceum.id, contactId: petr.id, rating: 2, followUp: "no", answeredAt: at(3) });
    await addPrompt(db, { eventId: held.id, partnerId: lyceum.id, contactId: silent.id });
    // The contact's personal data is deleted: the answer stays, unattributed.
    await db.delete(contacts).where(eq(contacts.id, gone.id));

    await addParticipant(db, { eventId: held.id, rating: 5, comment: "Очень понравилось!", role: "student", ageGroup: "11_14" });
    await addParticipant(db, { eventId: held.id, rating: 5, role: "student", ageGroup: "11_14" });
    await addParticipant(db, { eventId: held.id, rating: 4, comment: "  ", role: "parent", ageGroup: "18_plus" });
    await addParticipant(db, { eventId: held.id, rating: 3, role: "teacher" });
    await addParticipant(db, { eventId: held.id, rating: 1, comment: "Было душно" });

    expect(await eventFeedbackSummary(db, held.id)).toEqual({
      eventId: held.id,
      partners: {
        sent: 4,
        answered: 3,
        responseRate: 0.75,
        average: 3.7,
        distribution: [0, 1, 0, 1, 1],
        followUp: { yes: 1, maybe: 1, no: 1 },
        comments: [
          { partnerName: "СОШ № 5", contactName: "Ирина Смирнова", rating: 5, wentWell: "Дети в восторге", improve: null },
          { partnerName: "СОШ № 5", contactName: null, rating: 4, wentWell: null, improve: "Больше времени" },
        ],
      },
      participants: {
        answers: 5,
        average: 3.6,
        distribution: [1, 0, 1, 1, 2],
        comments: [
          { rating: 5, comment: "Очень понравилось!", role: "student", ageGroup: "11_14" },
          { rating: 1, comment: "Было душно", role: null, ageGroup: null },
        ],
        byRole: { student: 2, parent: 1, teacher: 1, other: 0, unknown: 1 },
        byAgeGroup: { under_7: 0, "7_10": 0, "11_14": 2, "15_17": 0, "18_plus": 1, unknown: 2 },
      },
    });
  });

  it("is empty, not broken, for an event nobody answered about", async () => {
    const { db, school, event } = await setting();
    const held = await event([school.id], new Date("2026-12-10T07:00:00Z"));
    const summary = await eventFeedbackSummary(db, held.id);
    expect(summary.partners).toEqual({
      sent: 0,
      answered: 0,
      responseRate: null,
      average: null,
      distribution: [0, 0, 0, 0, 0],
      followUp: { yes: 0, maybe: 0, no: 0 },
      comments: [],
    });
    expect(summary.participants).toMatchObject({ answers: 0, average: null, distribution: [0, 0, 0, 0, 0], comments: [] });
  });
});

describe("feedback averages", () => {
  /** The period: 90 days to 1 June 2027; the previous one: the 90 days before. */
  const TO = new Date("2027-06-01T00:00:00Z");
  const FROM = new Date(TO.getTime() - 90 * DAY_MS);

  async function history() {
    const s = await setting();
    const { db, school, lyceum, event } = s;
    const [unit] = await db.insert(units).values({ kind: "department", name: "Отдел техники" }).returning();
    // The previous period: the school with the unit.
    const earlier = await event([school.id], new Date("2027-01-20T07:00:00Z"), unit!.id);
    await addPrompt(db, { eventId: earlier.id, partnerId: school.id, rating: 4 });
    await addParticipant(db, { eventId: earlier.id, rating: 3 });
    await addParticipant(db, { eventId: earlier.id, rating: 5 });
    // This period: both partners with the unit, then the lyceum alone without a unit.
    const joint = await event([school.id, lyceum.id], new Date("2027-04-10T07:00:00Z"), unit!.id);
    await addPrompt(db, { eventId: joint.id, partnerId: school.id, rating: 5 });
    await addPrompt(db, { eventId: joint.id, partnerId: lyceum.id, rating: 3 });
    await addParticipant(db, { eventId: joint.id, rating: 5 });
    await addParticipant(db, { eventId: joint.id, rating: 4 });
    const lyceumOnly = await event([lyceum.id], new Date("2027-05-31T23:00:00Z"));
    await addPrompt(db, { eventId: lyceumOnly.id, partnerId: lyceum.id, rating: 2 });
    await addPrompt(db, { eventId: lyceumOnly.id, partnerId: lyceum.id, rating: null });
    await addParticipant(db, { eventId: lyceumOnly.id, rating: 1 });
    // Outside both periods: at the end (exclusive) and long before.
    const after = await event([school.id], TO, unit!.id);
    await addPrompt(db, { eventId: after.id, partnerId: school.id, rating: 1 });
    const before = await event([school.id], new Date("2026-10-01T07:00:00Z"), unit!.id);
    await addParticipant(db, { eventId: before.id, rating: 1 });
    return { ...s, unit: unit! };
  }

  it("per partner: partner and participant answers apart, with the trend against the previous period", async () => {
    const { db, school, lyceum } = await history();
    const result = await feedbackAverages(db, { by: "partner", from: FROM, to: TO });
    expect(result.previousFrom).toEqual(new Date(FROM.getTime() - 90 * DAY_MS));
    expect(result.previousTo).toEqual(FROM);
    expect(result.rows).toEqual([
      {
        id: lyceum.id,
        name: "Лицей № 2 города Иркутска",
        partners: { current: { average: 2.5, count: 2 }, previous: null, change: null },
        participants: { current: { average: 3.3, count: 3 }, previous: null, change: null },
      },
      {
        id: school.id,
        name: "СОШ № 5",
        partners: { current: { average: 5, count: 1 }, previous: { average: 4, count: 1 }, change: 1 },
        participants: { current: { average: 4.5, count: 2 }, previous: { average: 4, count: 2 }, change: 0.5 },
      },
    ]);
    const onlyLyceum = await feedbackAverages(db, { by: "partner", from: FROM, to: TO, ids: [lyceum.id] });
    expect(onlyLyceum.rows.map((r) => r.id)).toEqual([lyceum.id]);
    // The previous period on its own: the one before it had no partner answers, so no trend.
    const previous = await feedbackAverages(db, { by: "partner", from: result.previousFrom, to: FROM });
    expect(previous.rows).toEqual([
      expect.objectContaining({ id: school.id, partners: { current: { average: 4, count: 1 }, previous: null, change: null } }),
    ]);
  });

  it("per owning unit, events without a unit last", async () => {
    const { db, unit } = await history();
    const result = await feedbackAverages(db, { by: "unit", from: FROM, to: TO });
    expect(result.rows).toEqual([
      {
        id: unit.id,
        name: "Отдел техники",
        partners: { current: { average: 4, count: 2 }, previous: { average: 4, count: 1 }, change: 0 },
        participants: { current: { average: 4.5, count: 2 }, previous: { average: 4, count: 2 }, change: 0.5 },
      },
      {
        id: null,
        name: null,
        partners: { current: { average: 2, count: 1 }, previous: null, change: null },
        participants: { current: { average: 1, count: 1 }, previous: null, change: null },
      },
    ]);
    expect((await feedbackAverages(db, { by: "unit", from: FROM, to: TO, ids: [unit.id] })).rows.map((r) => r.id)).toEqual([unit.id]);
    expect((await feedbackAverages(db, { by: "unit", from: FROM, to: TO, ids: [] })).rows).toEqual([]);
    expect((await feedbackAverages(db, { by: "unit", from: TO, to: FROM })).rows).toEqual([]);
  });

  it("give one partner's last 90 days for the card, or null without answers", async () => {
    const { db, school, lyceum } = await history();
    expect(await recentSatisfaction(db, "partner", school.id, TO)).toMatchObject({ partners: { change: 1 }, participants: { change: 0.5 } });
    expect(await recentSatisfaction(db, "partner", lyceum.id, new Date("2027-01-01T00:00:00Z"))).toBeNull();
  });
});
