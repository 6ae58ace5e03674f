import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { users } from "../../../src/core/access/schema.js";
import { addAgreement, addPlanItem } from "../../../src/partners/domain/agreements.js";
import { decideEvent, proposeEvent, recordOutcome } from "../../../src/events/domain/events.js";
import { type Actor, createPartner } from "../../../src/partners/domain/partners.js";
import { planDeadline, planItemFacts } from "../../../src/partners/domain/plan-facts.js";
import { eventDraft } from "../../helpers/event-drafts.js";
import { createTestDatabase, type TestDatabase } from "../../helpers/db.js";
import { partnerDraft } from "../../helpers/partners.js";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());
beforeEach(async () => database.truncate());

const NOW = new Date("2026-11-20T02:00:00Z");

async function admin(): Promise<Actor> {
  const [user] = await database.db.insert(users).values({ telegramId: 900_001, firstName: "Анна", role: "admin" }).returning();
  return { user: user!, role: "admin" };
}

async function planWith(actor: Actor, items: { title: string; plannedOn: string; monthOnly?: boolean }[]) {
  const partner = await createPartner(database.db, actor, partnerDraft());
  const added = await addAgreement(
    database.db,
    actor,
    { partnerId: partner.id, number: "1/2026", signedOn: "2026-01-10", validFrom: "2026-01-10", validTo: null, subject: "Сотрудничество", scan: null },
    "2026-11-20",
  );
  if (!added.ok) throw new Error(added.reason);
  const ids: number[] = [];
  for (const item of items) {
    const result = await addPlanItem(database.db, actor, {
      agreementId: added.agreement.id,
      title: item.title,
      format: "master_class",
      plannedOn: item.plannedOn,
      plannedMonthOnly: item.monthOnly ?? false,
      responsibleUserId: null,
      responsibleName: null,
    });
    if (!result.ok) throw new Error(result.reason);
    ids.push(result.planItem.id);
  }
  return { partner, agreementId: added.agreement.id, ids };
}

async function event(actor: Actor, partnerId: number, planItemId: number, startsAt: string, then: "proposed" | "approved" | "rejected" | "held") {
  const proposed = await proposeEvent(database.db, actor, eventDraft([partnerId], actor.user.id, new Date(startsAt), { title: "Мастер-класс", place: null, planItemId }), NOW);
  if (!proposed.ok) throw new Error(proposed.reason);
  if (then === "proposed") return proposed.event;
  await decideEvent(database.db, actor, { eventId: proposed.event.id, decision: then === "rejected" ? "rejected" : "approved", comment: null });
  if (then === "held") {
    const report = { gifted: 3, disabilities: 1, careerGuidance: 0, other: 10, result: "Собрали роботов" };
    const held = await recordOutcome(database.db, actor, proposed.event.id, { held: true, report }, new Date("2026-12-31T00:00:00Z"));
    if (!held.ok) throw new Error(held.reason);
  }
  return proposed.event;
}

describe("plan vs fact", () => {
  it("shows each item as planned, scheduled, held or overdue", async () => {
    const actor = await admin();
    const { partner, agreementId, ids } = await planWith(actor, [
      { title: "Без мероприятия", plannedOn: "2026-12-20" },
      { title: "Назначено", plannedOn: "2026-12-01", monthOnly: true },
      { title: "Проведено", plannedOn: "2026-12-05" },
      { title: "Прошлый месяц", plannedOn: "2026-11-01", monthOnly: true },
      { title: "Отклонённое не в счёт", plannedOn: "2026-12-25" },
      { title: "Назначено, но дата прошла", plannedOn: "2026-12-02" },
    ]);
    const [planned, scheduled, held, overdue, rejected, late] = ids as [number, number, number, number, number, number];
    await event(actor, partner.id, scheduled, "2026-12-15T07:00:00Z", "proposed");
    await event(actor, partner.id, held, "2026-12-05T07:00:00Z", "held");
    await event(actor, partner.id, rejected, "2026-12-24T07:00:00Z", "rejected");
    await event(actor, partner.id, late, "2026-12-18T07:00:00Z", "approved");

    const facts = await planItemFacts(database.db, agreementId, "2026-12-10");
    expect(facts.get(planned)).toEqual({ state: "planned", eventStartsAt: null });
    expect(facts.get(scheduled)).toEqual({ state: "scheduled", eventStartsAt: new Date("2026-12-15T07:00:00Z") });
    expect(facts.get(held)).toEqual({ state: "held", eventStartsAt: new Date("2026-12-05T07:00:00Z") });
    expect(facts.get(overdue)).toEqual({ state: "overdue", eventStartsAt: null });
    expect(facts.get(rejected)).toEqual({ state: "planned", eventStartsAt: null });
    expect(facts.get(late)).toEqual({ state: "overdue", eventStartsAt: new Date("2026-12-18T07:00:00Z") });

    // A month-only item is on time until the month's last day.
    const inNovember = await planItemFacts(database.db, agreementId, "2026-11-30");
    expect(inNovember.get(overdue)!.state).toBe("planned");
    expect((await planItemFacts(database.db, agreementId, "2026-12-01")).get(overdue)!.state).toBe("overdue");
  });

  it("knows the last on-time day of a planned month or date", () => {
    expect(planDeadline("2026-12-01", true)).toBe("2026-12-31");
    expect(planDeadline("2027-02-01", true)).toBe("2027-02-28");
    expect(planDeadline("2026-12-05", false)).toBe("2026-12-05");
  });
});
