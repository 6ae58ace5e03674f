import type { EventDraft } from "../../src/events/domain/events.js";

/** A valid two-hour master class draft, for creating events directly in tests. */
export function eventDraft(partnerIds: number[], responsibleUserId: number, startsAt: Date, overrides: Partial<EventDraft> = {}): EventDraft {
  return {
    partnerIds,
    format: "master_class",
    title: "Мастер-класс по робототехнике",
    description: null,
    startsAt,
    endsAt: new Date(startsAt.getTime() + 2 * 3600_000),
    place: "Дворец творчества, каб. 12",
    ageFrom: null,
    ageTo: null,
    categories: [],
    expectedParticipants: null,
    responsibleUserId,
    ownerUnitId: null,
    planItemId: null,
    ...overrides,
  };
}
