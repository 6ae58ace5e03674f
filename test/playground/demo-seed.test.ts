import { and, asc, between, count, eq, inArray, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localDate } from "../../src/core/dates.js";
import { auditLog } from "../../src/core/audit-schema.js";
import { buildDigest, isEmpty } from "../../src/digests/domain/digests.js";
import { CONTACT_CHECKS } from "../../src/partners/domain/contacts.js";
import { listPartners, stageChecklist } from "../../src/partners/domain/partners.js";
import { planItemFacts } from "../../src/partners/domain/plan-facts.js";
import { presetPeriod, reportData } from "../../src/reports/domain/data.js";
import { DEMO_MARKER_KEY, DEMO_TELEGRAM_IDS, seedDemo, type DemoSeedResult } from "../../src/playground/demo/seed.js";
import {
  agreements,
  botState,
  contacts,
  EVENT_FORMATS,
  EVENT_LEVELS,
  eventConfirmations,
  eventDecisions,
  eventPartners,
  events,
  feedbackPrompts,
  feedbackRounds,
  interactions,
  PARTNER_TYPES,
  participantFeedback,
  partners,
  planItems,
  stageChanges,
  units,
  users,
} from "../../src/schema.js";
import { createTestDatabase, type TestDatabase } from "../helpers/db.js";

const TZ = "Asia/Irkutsk";
/** Wednesday 20 May 2026, 10:00 in Irkutsk. */
const NOW = new Date("2026-05-20T02:00:00Z");
const TODAY = localDate(NOW, TZ);

const TABLES = {
  units, users, partners, stageChanges, contacts, agreements, planItems, interactions, events, eventPartners,
  eventDecisions, eventConfirmations, feedbackRounds, feedbackPrompts, participantFeedback, botState, auditLog,
} as const;

let database: TestDatabase;
let result: DemoSeedResult;

async function rowCounts(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const [name, table] of Object.entries(TABLES)) {
    const [row] = await database.db.select({ n: count() }).from(table);
    out[name] = row!.n;
  }
  return out;
}

beforeAll(async () => {
  database = await createTestDatabase();
  result = await seedDemo(database.db, { now: NOW, timeZone: TZ });
});
afterAll(async () => database.close());

describe("npm run seed:demo's data", () => {
  it("has the counts it reports, and they are those of the demo", async () => {
    expect(result.seeded).toBe(true);
    expect(result.counts).toEqual(EXPECTED_COUNTS);
    const rows = await rowCounts();
    const [staff] = await database.db.select({ n: count() }).from(users).where(eq(users.role, "staff"));
    const [answered] = await database.db.select({ n: count() }).from(feedbackPrompts).where(sql`${feedbackPrompts.rating} is not null`);
    expect({
      units: rows.units,
      staff: staff!.n,
      partners: rows.partners,
      contacts: rows.contacts,
      agreements: rows.agreements,
      planItems: rows.planItems,
      interactions: rows.interactions,
      events: rows.events,
      feedback: answered!.n + rows.participantFeedback!,
    }).toEqual(result.counts);
  });

  it("has departments and associations with heads, a dozen staff and partner contacts in the demo's id range", async () => {
    const all = await database.db.select().from(units).orderBy(asc(units.id));
    expect(all.filter((u) => u.kind === "department")).toHaveLength(4);
    expect(all.filter((u) => u.kind === "association")).toHaveLength(8);
    expect(all.filter((u) => u.kind === "association").every((u) => u.parentId !== null)).toBe(true);
    const headed = all.filter((u) => u.headUserId !== null);
    expect(headed).toHaveLength(9);
    const heads = await database.db.select().from(users).where(inArray(users.id, headed.map((u) => u.headUserId!)));
    expect(heads.every((h) => h.role === "staff" && h.status === "active")).toBe(true);

    const people = await database.db.select().from(users).orderBy(asc(users.telegramId));
    expect(people.every((p) => p.telegramId >= DEMO_TELEGRAM_IDS.first && p.telegramId <= DEMO_TELEGRAM_IDS.last)).toBe(true);
    expect(people.some((p) => p.role === "admin")).toBe(false);
    expect(result.people.filter((p) => p.kind === "staff")).toHaveLength(12);
    expect(result.people.filter((p) => p.kind === "partner_contact")).toHaveLength(EXPECTED_LINKED_CONTACTS);
    expect(result.people).toHaveLength(people.length);
    expect(result.people.filter((p) => p.language === "en").map((p) => `${p.firstName} ${p.lastName}`)).toEqual(["Daniel Brooks", "Sarah Mitchell"]);
    expect(result.people[0]).toEqual({
      telegramId: 200_000_001, firstName: "Елена", lastName: "Соколова", language: "ru", role: "staff", unit: "Отдел технического творчества", kind: "staff",
    });
    expect(result.people.filter((p) => p.kind === "staff").every((p) => p.role === "staff" && p.unit)).toBe(true);
    expect(result.people.filter((p) => p.kind === "partner_contact").every((p) => p.role === "partner" && p.unit === undefined)).toBe(true);
  });

  it("has 40 partners of every type, in every stage, whose stage is the last of their history", async () => {
    const all = await database.db.select().from(partners).orderBy(asc(partners.id));
    expect(all).toHaveLength(40);
    expect(new Set(all.map((p) => p.type))).toEqual(new Set(PARTNER_TYPES));
    const byStage = Object.fromEntries(["preparatory", "organisational", "system_forming"].map((s) => [s, all.filter((p) => p.stage === s).length]));
    expect(byStage).toEqual({ preparatory: 10, organisational: 13, system_forming: 17 });
    expect(new Set(all.map((p) => p.ownerKind))).toEqual(new Set(["department", "association", "teacher", "institution"]));
    expect(all.every((p) => p.focuses.length > 0)).toBe(true);

    const changes = await database.db.select().from(stageChanges).orderBy(asc(stageChanges.partnerId), asc(stageChanges.changedAt), asc(stageChanges.id));
    for (const partner of all) {
      const history = changes.filter((c) => c.partnerId === partner.id);
      expect(history[0]).toMatchObject({ fromStage: null, toStage: "preparatory" });
      expect(history[0]!.changedAt.getTime()).toBe(partner.createdAt.getTime());
      for (let i = 1; i < history.length; i++) expect(history[i]!.fromStage).toBe(history[i - 1]!.toStage);
      expect(history.at(-1)!.toStage).toBe(partner.stage);
      expect(history.every((c) => c.changedAt <= NOW)).toBe(true);

      const checklist = await stageChecklist(database.db, partner, TODAY);
      if (partner.stage === "system_forming") expect(checklist).toMatchObject({ motivationAndTasks: true, agreementWithPlan: true, recentJointActivity: true });
      if (partner.stage === "organisational") expect(checklist.motivationAndTasks).toBe(true);
    }
    const preparatory = await Promise.all(all.filter((p) => p.stage === "preparatory").map((p) => stageChecklist(database.db, p, TODAY)));
    expect(preparatory.filter((c) => c.suggestedNext === "organisational")).toHaveLength(8);
  });

  it("has contacts of the partners, with consent as the schema requires and data the bot's checks accept", async () => {
    const all = await database.db.select().from(contacts);
    const partnerIds = new Set((await database.db.select({ id: partners.id }).from(partners)).map((p) => p.id));
    expect(all.every((c) => partnerIds.has(c.partnerId))).toBe(true);
    expect(new Set(all.map((c) => c.partnerId)).size).toBe(40);
    const linked = all.filter((c) => c.userId !== null);
    expect(linked).toHaveLength(EXPECTED_LINKED_CONTACTS);
    expect(linked.every((c) => c.consentBasis === "bot" && c.consentRecordedBy === c.userId)).toBe(true);
    const pending = all.filter((c) => c.consentBasis === "bot" && c.userId === null);
    expect(pending).toHaveLength(1);
    expect(pending.every((c) => c.phone === null && c.email === null && c.telegramUsername === null)).toBe(true);
    for (const c of all.filter((c) => c.phone !== null)) expect(CONTACT_CHECKS.phone(c.phone!)).toEqual({ ok: true, value: c.phone });
    for (const c of all.filter((c) => c.email !== null)) expect(CONTACT_CHECKS.email(c.email!)).toEqual({ ok: true, value: c.email });
  });

  it("has agreements with joint plans for organisational and system-forming partners: some items done, some overdue", async () => {
    const rows = await database.db.select({ agreement: agreements, stage: partners.stage }).from(agreements).innerJoin(partners, eq(partners.id, agreements.partnerId));
    expect(rows.every((r) => r.stage === "organisational" || r.stage === "system_forming")).toBe(true);
    expect(rows.filter((r) => r.stage === "system_forming")).toHaveLength(17);
    expect(rows.every((r) => r.agreement.signedOn <= TODAY && (r.agreement.validTo === null || r.agreement.validTo >= TODAY))).toBe(true);
    const states: Record<string, number> = { planned: 0, scheduled: 0, held: 0, overdue: 0 };
    for (const { agreement } of rows) {
      const facts = await planItemFacts(database.db, agreement.id, TODAY);
      expect(facts.size).toBeGreaterThan(0);
      for (const fact of facts.values()) states[fact.state]!++;
    }
    expect(states).toEqual(EXPECTED_PLAN_STATES);
  });

  it("has a year of events in every format and status, held ones with attendance and feedback", async () => {
    const all = await database.db.select().from(events).orderBy(asc(events.startsAt));
    const yearAgo = new Date(NOW.getTime() - 366 * 24 * 60 * 60 * 1000);
    expect(all.every((e) => e.startsAt >= yearAgo)).toBe(true);
    expect(all.filter((e) => e.startsAt > NOW).length).toBe(EXPECTED_UPCOMING);
    const statuses = Object.fromEntries([...new Set(all.map((e) => e.status))].sort().map((s) => [s, all.filter((e) => e.status === s).length]));
    expect(statuses).toEqual(EXPECTED_STATUSES);
    const held = all.filter((e) => e.status === "held");
    expect(new Set(held.map((e) => e.format))).toEqual(new Set(EVENT_FORMATS));
    for (const e of held) {
      expect(e.endsAt <= NOW).toBe(true);
      const total = e.participantsGifted! + e.participantsDisabilities! + e.participantsCareerGuidance! + e.participantsOther!;
      expect(total).toBeGreaterThan(0);
      if (!e.categories.includes("disabilities")) expect(e.participantsDisabilities).toBe(0);
      if (!e.categories.includes("gifted")) expect(e.participantsGifted).toBe(0);
      expect(e.result).toBeTruthy();
    }
    const rounds = await database.db.select().from(feedbackRounds);
    expect(rounds.map((r) => r.eventId).sort((a, b) => a - b)).toEqual(held.map((e) => e.id).sort((a, b) => a - b));
    expect(all.filter((e) => e.status === "cancelled").every((e) => e.cancelReason)).toBe(true);
    expect(all.filter((e) => e.status === "approved" && e.endsAt <= NOW)).toHaveLength(2);
    expect(all.filter((e) => e.categories.includes("disabilities")).length).toBeGreaterThan(0);

    // Every event has partners that exist; every decided one a decision by someone who may decide it.
    const links = await database.db.select({ eventId: eventPartners.eventId, partner: partners.id }).from(eventPartners).leftJoin(partners, eq(partners.id, eventPartners.partnerId));
    expect(links.every((l) => l.partner !== null)).toBe(true);
    expect(new Set(links.map((l) => l.eventId)).size).toBe(all.length);
    const decisions = await database.db
      .select({ decision: eventDecisions, head: units.headUserId })
      .from(eventDecisions)
      .innerJoin(events, eq(events.id, eventDecisions.eventId))
      .innerJoin(units, eq(units.id, events.ownerUnitId));
    expect(decisions.every((d) => d.decision.decidedBy === d.head && d.decision.decidedAt <= NOW)).toBe(true);
    expect(decisions).toHaveLength(all.filter((e) => e.status !== "proposed").length);

    const [prompts] = await database.db.select({ sent: count(), rated: count(feedbackPrompts.rating) }).from(feedbackPrompts);
    const [answers] = await database.db.select({ n: count(), comments: count(participantFeedback.comment) }).from(participantFeedback);
    expect({ ...prompts, participants: answers!.n, comments: answers!.comments }).toEqual(EXPECTED_FEEDBACK);
    const [future] = await database.db.select({ n: count() }).from(participantFeedback).where(sql`${participantFeedback.createdAt} > ${NOW.toISOString()}::timestamptz`);
    expect(future!.n).toBe(0);
  });

  it("gives events levels, marks competitions, and records the results of held competitions and the students of held projects", async () => {
    const all = await database.db.select().from(events).orderBy(asc(events.startsAt));
    const byLevel = Object.fromEntries(EVENT_LEVELS.map((level) => [level, all.filter((e) => e.level === level).length]));
    expect(byLevel).toEqual(EXPECTED_LEVELS);

    // Contests are competitions by their format; a few joint events and exhibitions are marked so.
    expect(all.filter((e) => e.format === "contest").every((e) => e.competition)).toBe(true);
    const marked = all.filter((e) => e.competition && e.format !== "contest");
    expect(new Set(marked.map((e) => e.format))).toEqual(new Set(["joint_event", "exhibition"]));

    const attendance = (e: (typeof all)[number]) => e.participantsGifted! + e.participantsDisabilities! + e.participantsCareerGuidance! + e.participantsOther!;
    const held = all.filter((e) => e.status === "held");
    const competitions = held.filter((e) => e.competition);
    for (const e of competitions) {
      expect(Number.isInteger(e.winners) && Number.isInteger(e.prizeWinners)).toBe(true);
      expect(e.winners!).toBeGreaterThanOrEqual(1);
      expect(e.prizeWinners!).toBeGreaterThanOrEqual(1);
      expect(e.winners! + e.prizeWinners!).toBeLessThanOrEqual(attendance(e));
    }
    // Results only where a competition was held; project students only where a project was.
    expect(all.filter((e) => !(e.status === "held" && e.competition)).every((e) => e.winners === null && e.prizeWinners === null)).toBe(true);
    const projects = held.filter((e) => e.format === "project");
    for (const e of projects) {
      expect(e.projectStudents!).toBeGreaterThanOrEqual(1);
      expect(e.projectStudents!).toBeLessThanOrEqual(attendance(e));
    }
    expect(all.filter((e) => !(e.status === "held" && e.format === "project")).every((e) => e.projectStudents === null)).toBe(true);
    const sum = (values: (number | null)[]) => values.reduce<number>((total, v) => total + (v ?? 0), 0);
    expect({
      heldCompetitions: competitions.length,
      winners: sum(competitions.map((e) => e.winners)),
      prizeWinners: sum(competitions.map((e) => e.prizeWinners)),
      heldProjects: projects.length,
      projectStudents: sum(projects.map((e) => e.projectStudents)),
    }).toEqual(EXPECTED_RESULTS);

    // Mass events (every format but project and consultation; competitions always, projects never), by level: held events,
    // their students, and winners with prize-winners; every level of the indicators has some.
    const mass = held.filter((e) => e.format !== "project" && (e.competition || e.format !== "consultation"));
    const massByLevel = Object.fromEntries(
      EVENT_LEVELS.map((level) => {
        const at = mass.filter((e) => e.level === level);
        return [level, { events: at.length, students: sum(at.map(attendance)), winnersAndPrizeWinners: sum(at.map((e) => e.winners)) + sum(at.map((e) => e.prizeWinners)) }];
      }),
    );
    expect(massByLevel).toEqual(EXPECTED_MASS_BY_LEVEL);
  });

  it("shows in the bot's own reads: the partner list, the academic year's report, the digests", async () => {
    expect((await listPartners(database.db, {}, 0, 8)).total).toBe(40);
    const report = await reportData(database.db, presetPeriod("academic_year", NOW, TZ), TZ);
    expect(report.partners.registered).toBe(40);
    expect(report.events.total).toBe(EXPECTED_REPORT.events);
    expect(report.events.byStatus.held).toBe(EXPECTED_REPORT.held);
    expect(report.participants.total).toBe(EXPECTED_REPORT.participants);
    expect(report.satisfaction.partners?.count).toBe(EXPECTED_REPORT.partnerAnswers);
    expect(report.satisfaction.participants?.count).toBe(EXPECTED_REPORT.participantAnswers);
    expect(report.rows.eventFeedback.length).toBeGreaterThan(0);

    const people = await database.db.select().from(users).where(between(users.telegramId, DEMO_TELEGRAM_IDS.first, DEMO_TELEGRAM_IDS.last));
    const digests = await Promise.all(people.map((user) => buildDigest(database.db, user, { now: NOW, timeZone: TZ })));
    const nonEmpty = digests.filter((d) => !isEmpty(d));
    expect(nonEmpty.filter((d) => d.role === "staff")).toHaveLength(EXPECTED_STAFF_DIGESTS);
    expect(nonEmpty.filter((d) => d.role === "partner").length).toBeGreaterThan(0);
  });

  it("writes nothing the second time", async () => {
    const before = await rowCounts();
    const again = await seedDemo(database.db, { now: new Date(NOW.getTime() + 3_600_000), timeZone: TZ });
    expect(again.seeded).toBe(false);
    expect(again.counts).toEqual(result.counts);
    expect(again.people).toEqual(result.people);
    expect(await rowCounts()).toEqual(before);
    const [marker] = await database.db.select().from(botState).where(eq(botState.key, DEMO_MARKER_KEY));
    expect(marker?.value).toMatchObject({ version: 1, counts: result.counts });
  });
});

describe("with an administrator", () => {
  let other: TestDatabase;
  beforeAll(async () => {
    other = await createTestDatabase();
  });
  afterAll(async () => other.close());

  it("leaves the administrator as they are, lets them decide some events, and refuses an id in the demo's range", async () => {
    const [admin] = await other.db.insert(users).values({ telegramId: 777_000_111, firstName: "Анна", role: "admin" }).returning();
    await expect(seedDemo(other.db, { now: NOW, timeZone: TZ, adminTelegramId: 200_000_005 })).rejects.toThrow(/demo's range/);
    const seeded = await seedDemo(other.db, { now: NOW, timeZone: TZ, adminTelegramId: 777_000_111 });
    expect(seeded.counts).toEqual(result.counts);
    expect(seeded.people).toEqual(result.people);
    const [after] = await other.db.select().from(users).where(eq(users.id, admin!.id));
    expect(after).toEqual(admin);
    const [byAdmin] = await other.db.select({ n: count() }).from(eventDecisions).where(eq(eventDecisions.decidedBy, admin!.id));
    expect(byAdmin!.n).toBeGreaterThan(0);
    const [admins] = await other.db.select({ n: count() }).from(users).where(and(eq(users.role, "admin")));
    expect(admins!.n).toBe(1);
  });
});

const EXPECTED_COUNTS = { units: 12, staff: 12, partners: 40, contacts: 57, agreements: 23, planItems: 103, interactions: 156, events: 96, feedback: 639 };
const EXPECTED_LINKED_CONTACTS = 11;
const EXPECTED_PLAN_STATES = { planned: 18, scheduled: 11, held: 52, overdue: 22 };
const EXPECTED_UPCOMING = 18;
const EXPECTED_STATUSES = { approved: 13, cancelled: 9, changes_requested: 1, held: 66, proposed: 5, rejected: 2 };
const EXPECTED_FEEDBACK = { sent: 34, rated: 28, participants: 611, comments: 257 };
const EXPECTED_REPORT = { events: 83, held: 54, participants: 1969, partnerAnswers: 24, participantAnswers: 498 };
const EXPECTED_STAFF_DIGESTS = 12;
const EXPECTED_LEVELS = { institutional: 49, municipal: 26, regional: 12, interregional: 3, federal: 4, international: 2 };
const EXPECTED_RESULTS = { heldCompetitions: 8, winners: 13, prizeWinners: 31, heldProjects: 7, projectStudents: 97 };
const EXPECTED_MASS_BY_LEVEL = {
  institutional: { events: 25, students: 541, winnersAndPrizeWinners: 0 },
  municipal: { events: 14, students: 913, winnersAndPrizeWinners: 13 },
  regional: { events: 5, students: 202, winnersAndPrizeWinners: 5 },
  interregional: { events: 2, students: 193, winnersAndPrizeWinners: 8 },
  federal: { events: 2, students: 130, winnersAndPrizeWinners: 12 },
  international: { events: 1, students: 52, winnersAndPrizeWinners: 6 },
};
