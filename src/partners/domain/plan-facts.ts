import { eq } from "drizzle-orm";
import type { Db } from "../../core/db/client.js";
import { Extension } from "../../core/extension.js";
import { planItems } from "./schema.js";
import { addDays } from "./agreements.js";

/** Plan vs fact for one joint-plan item. */
export type PlanFactState = "planned" | "scheduled" | "held" | "overdue";

export interface PlanFact {
  state: PlanFactState;
  /** When the event behind "scheduled" or "held" starts (the held one, else the soonest scheduled). */
  eventStartsAt: Date | null;
}

/** An event that carries out a plan item: scheduled (proposed, sent back or approved) or held. */
export interface PlanItemEvent {
  planItemId: number;
  state: "scheduled" | "held";
  startsAt: Date;
}

/**
 * Where the events behind plan items come from (the events area adds its query): the events
 * linked to these items, in order of their start.
 */
export type PlanItemEvents = (db: Db, planItemIds: number[]) => Promise<PlanItemEvent[]>;
export const planItemEvents = new Extension<PlanItemEvents>("events of plan items");

/** The last day a plan item is still on time: its date, or the last day of its month. */
export function planDeadline(plannedOn: string, monthOnly: boolean): string {
  if (!monthOnly) return plannedOn;
  const [year, month] = plannedOn.split("-").map(Number) as [number, number];
  const nextMonth = month === 12 ? `${year + 1}-01-01` : `${year}-${String(month + 1).padStart(2, "0")}-01`;
  return addDays(nextMonth, -1);
}

/**
 * Each plan item of an agreement with its fact: held (an event linked to it was held), overdue
 * (its date or month has passed without a held event), scheduled (a linked event is proposed or
 * approved), or just planned. `today` is the institution's date.
 */
export async function planItemFacts(db: Db, agreementId: number, today: string): Promise<Map<number, PlanFact>> {
  const items = await db.select().from(planItems).where(eq(planItems.agreementId, agreementId));
  const facts = new Map<number, PlanFact>();
  if (items.length === 0) return facts;
  const linked: PlanItemEvent[] = [];
  for (const source of planItemEvents.items) linked.push(...(await source(db, items.map((i) => i.id))));
  linked.sort((a, b) => a.startsAt.getTime() - b.startsAt.getTime());
  for (const item of items) {
    const own = linked.filter((e) => e.planItemId === item.id);
    const held = own.findLast((e) => e.state === "held");
    const scheduled = own.find((e) => e.state === "scheduled");
    if (held) facts.set(item.id, { state: "held", eventStartsAt: held.startsAt });
    else if (planDeadline(item.plannedOn, item.plannedMonthOnly) < today) facts.set(item.id, { state: "overdue", eventStartsAt: scheduled?.startsAt ?? null });
    else if (scheduled) facts.set(item.id, { state: "scheduled", eventStartsAt: scheduled.startsAt });
    else facts.set(item.id, { state: "planned", eventStartsAt: null });
  }
  return facts;
}
