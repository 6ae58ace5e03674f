import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { events } from "../../../src/events/domain/schema.js";
import { partners } from "../../../src/partners/domain/schema.js";
import { users } from "../../../src/core/access/schema.js";
import {
  buildDigest,
  DEFAULT_DIGEST_PREFERENCES,
  digestPreferencesOf,
  digestWeek,
  isEmpty,
  saveDigestPreferences,
  SECTION_LIMIT,
} from "../../../src/digests/domain/digests.js";
import { createTestDatabase, type TestDatabase } from "../../helpers/db.js";
import { daysFrom, DIGEST_NOW, digestWorld } from "../../helpers/digest-world.js";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());
beforeEach(async () => database.truncate());

const TZ = "Asia/Irkutsk";
const build = (user: Parameters<typeof buildDigest>[1], now = DIGEST_NOW) => buildDigest(database.db, user, { now, timeZone: TZ });
const ids = (section: { items: { id: number }[] }) => section.items.map((e) => e.id);

describe("the digest week", () => {
  it("starts on the local Monday: Sunday 23:59 in Irkutsk is still the week before", () => {
    expect(digestWeek(new Date("2026-12-06T15:59:00Z"), TZ)).toMatchObject({ today: "2026-12-06", weekday: 7, hour: 23, weekStart: "2026-11-30" });
    expect(digestWeek(new Date("2026-12-06T16:00:00Z"), TZ)).toMatchObject({
      today: "2026-12-07",
      weekday: 1,
      hour: 0,
      weekStart: "2026-12-07",
      from: new Date("2026-12-06T16:00:00Z"),
      to: new Date("2026-12-13T16:00:00Z"),
    });
    expect(digestWeek(new Date("2026-12-01T02:00:00Z"), TZ)).toMatchObject({ weekday: 2, hour: 10, weekStart: "2026-11-30" });
  });
});

describe("a staff member's digest", () => {
  it("lists their week, the held question, agreements, plan items, new feedback and stuck partners", async () => {
    const world = await digestWorld(database.db);
    const digest = await build(world.people.teacher);
    expect(digest.weekStart).toBe("2026-12-07");
    expect(digest.institution).toBeUndefined();
    expect(digest.partner).toBeUndefined();
    const staff = digest.staff!;
    // Sunday 23:00 local is this week; Monday 00:00 local, cancelled events and others' are not.
    expect(ids(staff.thisWeek)).toEqual([world.events.masterClass.id, world.events.sundayEvening.id]);
    expect(staff.thisWeek.total).toBe(2);
    expect(staff.toDecide).toEqual({ items: [], total: 0 });
    expect(ids(staff.heldQuestions)).toEqual([world.events.unanswered.id]);
    expect(staff.agreementsEnding).toEqual({
      items: [
        { agreementId: world.agreements.lyceum.id, partnerId: world.partners.lyceum.id, partnerName: "Лицей № 2", number: "3/2026", validTo: "2026-12-07", daysLeft: 0 },
        { agreementId: world.agreements.school.id, partnerId: world.partners.school.id, partnerName: "СОШ № 5", number: "12/2026", validTo: "2026-12-21", daysLeft: 14 },
      ],
      total: 2,
    });
    expect(staff.planDue.items.map((i) => [i.title, i.partnerName, i.plannedOn])).toEqual([
      ["Олимпиада по физике", "Гимназия № 3", "2026-12-05"],
      ["Неделя науки", "СОШ № 5", "2026-12-15"],
      ["Экскурсия на завод", "СОШ № 5", "2026-12-20"],
    ]);
    expect(staff.feedback).toEqual({
      items: [
        {
          eventId: world.events.held.id,
          title: "Мастер-класс по 3D-печати",
          startsAt: world.events.held.startsAt,
          participants: { average: 3, count: 2 },
          partners: { average: 2, count: 1 },
          low: 2,
        },
      ],
      total: 1,
    });
    expect(staff.lowRatings).toEqual({
      items: [
        { eventId: world.events.held.id, title: "Мастер-класс по 3D-печати", rating: 1, source: "participant", partnerName: null, comment: "Было душно", at: daysFrom(DIGEST_NOW, -2) },
        { eventId: world.events.held.id, title: "Мастер-класс по 3D-печати", rating: 2, source: "partner", partnerName: "СОШ № 5", comment: "Мало времени", at: daysFrom(DIGEST_NOW, -3) },
      ],
      total: 2,
    });
    expect(staff.stuck).toEqual({
      items: [{ partnerId: world.partners.school.id, name: "СОШ № 5", stage: "organisational", since: daysFrom(DIGEST_NOW, -100), days: 100 }],
      total: 1,
    });
    expect(isEmpty(digest)).toBe(false);
  });

  it("gives a unit head their unit's proposals to decide, not the associations' below it", async () => {
    const world = await digestWorld(database.db);
    const staff = (await build(world.people.head)).staff!;
    expect(ids(staff.toDecide)).toEqual([world.events.sundayEvening.id]);
    expect(staff.agreementsEnding.items.map((a) => a.partnerName)).toEqual(["Лицей № 2"]);
    expect(staff.thisWeek.total + staff.heldQuestions.total + staff.planDue.total + staff.feedback.total + staff.stuck.total).toBe(0);
  });

  it("shows a colleague only their own partners and events", async () => {
    const world = await digestWorld(database.db);
    const staff = (await build(world.people.other)).staff!;
    expect(ids(staff.thisWeek)).toEqual([world.events.proposedForSchool.id, world.events.soon.id, world.events.associationEvent.id, world.events.sundayEvening.id]);
    expect(staff.agreementsEnding.total).toBe(0);
    expect(staff.planDue.items.map((i) => i.title)).toEqual(["Олимпиада по физике"]);
    expect(staff.stuck.items.map((p) => [p.name, p.days])).toEqual([["Гимназия № 3", 200]]);
    expect(staff.feedback.total).toBe(0);
  });

  it("lists at most SECTION_LIMIT items and counts the rest", async () => {
    const world = await digestWorld(database.db);
    const base = { format: "master_class" as const, responsibleUserId: world.people.idle.id, proposedBy: world.people.idle.id, status: "approved" as const };
    await database.db.insert(events).values(
      Array.from({ length: SECTION_LIMIT + 3 }, (_, i) => ({
        ...base,
        title: `Занятие ${i + 1}`,
        startsAt: new Date(Date.UTC(2026, 11, 8, 2 + i)),
        endsAt: new Date(Date.UTC(2026, 11, 8, 3 + i)),
      })),
    );
    const staff = (await build(world.people.idle)).staff!;
    expect(staff.thisWeek.total).toBe(SECTION_LIMIT + 3);
    expect(staff.thisWeek.items.map((e) => e.title)).toEqual(["Занятие 1", "Занятие 2", "Занятие 3", "Занятие 4", "Занятие 5"]);
  });

  it("is empty for a staff member with nothing this week", async () => {
    const world = await digestWorld(database.db);
    const digest = await build(world.people.idle);
    expect(digest.staff).toBeDefined();
    expect(isEmpty(digest)).toBe(true);
  });
});

describe("an admin's digest", () => {
  it("adds every proposal to decide, all partners' deadlines and the institution's week against the week before", async () => {
    const world = await digestWorld(database.db);
    const digest = await build(world.people.admin);
    const staff = digest.staff!;
    expect(staff.toDecide.items.map((e) => e.title)).toEqual(["День открытых дверей", "Турнир роботов", "Вечер настольных игр", "Концерт"]);
    expect(staff.agreementsEnding.items.map((a) => a.partnerName)).toEqual(["Лицей № 2", "СОШ № 5"]);
    expect(staff.planDue.total).toBe(3);
    expect(staff.stuck.items.map((p) => [p.name, p.days])).toEqual([
      ["Гимназия № 3", 200],
      ["СОШ № 5", 100],
    ]);
    expect(staff.thisWeek.total + staff.heldQuestions.total + staff.feedback.total).toBe(0);
    expect(digest.institution).toEqual({
      from: daysFrom(DIGEST_NOW, -7),
      to: DIGEST_NOW,
      previousFrom: daysFrom(DIGEST_NOW, -14),
      current: {
        newPartners: 1,
        eventsProposed: 1,
        eventsApproved: 2,
        eventsHeld: 1,
        participants: { gifted: 8, disabilities: 2, careerGuidance: 5, other: 3, total: 18 },
        satisfaction: { participants: { average: 3, count: 2 }, partners: { average: 2, count: 1 }, overall: { average: 2.7, count: 3 } },
        responseRate: { sent: 2, answered: 1, rate: 0.5 },
      },
      previous: {
        newPartners: 1,
        eventsProposed: 1,
        eventsApproved: 1,
        eventsHeld: 1,
        participants: { gifted: 1, disabilities: 0, careerGuidance: 0, other: 1, total: 2 },
        satisfaction: { participants: { average: 4, count: 1 }, partners: { average: 4, count: 1 }, overall: { average: 4, count: 2 } },
        responseRate: { sent: 0, answered: 0, rate: null },
      },
      // The two master classes held since 1 September: mass events, 18 + 2 students, no contest.
      yearToDate: { academicYear: 2026, massEvents: 2, participants: 20, winners: 0 },
    });
  });

  it("is empty only when nothing happened in the institution either", async () => {
    const [admin] = await database.db.insert(users).values({ telegramId: 1, firstName: "Анна", role: "admin" }).returning();
    const digest = await build(admin!);
    expect(digest.institution?.current.newPartners).toBe(0);
    expect(isEmpty(digest)).toBe(true);
    // One partner registered yesterday: nothing of the admin's own, but the institution's week has news.
    await database.db.insert(partners).values({
      fullName: "Новая школа",
      searchKey: "новая школа",
      type: "school",
      ownerKind: "institution",
      createdBy: admin!.id,
      createdAt: daysFrom(DIGEST_NOW, -1),
    });
    const withNews = await build(admin!);
    expect(withNews.institution?.current.newPartners).toBe(1);
    expect(isEmpty(withNews)).toBe(false);
  });
});

describe("a partner contact's digest", () => {
  it("lists their organisation's approved events of the next 14 days and their open feedback prompts", async () => {
    const world = await digestWorld(database.db);
    const digest = await build(world.people.contact);
    expect(digest.staff).toBeUndefined();
    expect(digest.partner!.upcoming.items.map((e) => e.title)).toEqual(["Выставка рисунков", "Мастер-класс по робототехнике", "Ночь в музее"]);
    expect(digest.partner!.openPrompts).toEqual({
      items: [
        {
          promptId: expect.any(Number) as number,
          eventId: world.events.held.id,
          title: "Мастер-класс по 3D-печати",
          startsAt: world.events.held.startsAt,
          closesAt: new Date("2026-12-16T10:00:00Z"),
        },
      ],
      total: 1,
    });
    expect(isEmpty(digest)).toBe(false);
    // Three weeks later: nothing ahead, the round closed.
    expect(isEmpty(await build(world.people.contact, daysFrom(DIGEST_NOW, 21)))).toBe(true);
  });
});

describe("guests and inactive people", () => {
  it("get an empty digest", async () => {
    const world = await digestWorld(database.db);
    for (const person of [world.people.guest, world.people.gone]) {
      const digest = await build(person);
      expect(digest.staff ?? digest.partner ?? digest.institution).toBeUndefined();
      expect(isEmpty(digest)).toBe(true);
    }
  });
});

describe("digest settings", () => {
  it("default to Monday 09:00, save changes and refuse a weekday or hour out of range", async () => {
    const world = await digestWorld(database.db);
    const me = world.people.teacher.id;
    expect(await digestPreferencesOf(database.db, me)).toEqual(DEFAULT_DIGEST_PREFERENCES);
    expect(await saveDigestPreferences(database.db, me, { weekday: 8 })).toEqual({ ok: false, reason: "invalid" });
    expect(await saveDigestPreferences(database.db, me, { hour: 24 })).toEqual({ ok: false, reason: "invalid" });
    expect(await saveDigestPreferences(database.db, me, { hour: 9.5 })).toEqual({ ok: false, reason: "invalid" });
    expect(await saveDigestPreferences(database.db, me, { hour: 9 })).toEqual({ ok: true, preferences: DEFAULT_DIGEST_PREFERENCES, changed: false });
    expect(await saveDigestPreferences(database.db, me, { weekday: 5, hour: 0 })).toEqual({
      ok: true,
      preferences: { enabled: true, weekday: 5, hour: 0 },
      changed: true,
    });
    expect(await saveDigestPreferences(database.db, me, { enabled: false })).toMatchObject({ preferences: { enabled: false, weekday: 5, hour: 0 } });
    expect(await digestPreferencesOf(database.db, me)).toEqual({ enabled: false, weekday: 5, hour: 0 });
  });
});
