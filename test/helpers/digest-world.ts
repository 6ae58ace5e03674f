import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "../../src/core/db/client.js";
import { agreements, contacts, partners, planItems, stageChanges, type Stage } from "../../src/partners/domain/schema.js";
import { eventDecisions, eventPartners, events } from "../../src/events/domain/schema.js";
import { feedbackPrompts, feedbackRounds, participantFeedback } from "../../src/feedback/domain/schema.js";
import { type Role, users } from "../../src/core/access/schema.js";
import { units } from "../../src/core/access/units-schema.js";
import { partnerSearchKey } from "../../src/partners/domain/names.js";

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

/** Monday 7 December 2026, 09:00 in Irkutsk: the default digest time. */
export const DIGEST_NOW = new Date("2026-12-07T01:00:00Z");
const LONG_AGO = new Date("2025-01-10T00:00:00Z");
export const daysFrom = (base: Date, days: number) => new Date(base.getTime() + days * DAY_MS);

export interface WorldPeople {
  admin: number;
  teacher: number;
  head: number;
  other: number;
  contact: number;
  guest: number;
  gone: number;
  idle: number;
}

const DEFAULT_TELEGRAM_IDS: WorldPeople = {
  admin: 810_001,
  teacher: 810_002,
  head: 810_003,
  other: 810_004,
  contact: 810_005,
  guest: 810_006,
  gone: 810_007,
  idle: 810_008,
};

/**
 * A whole institution seen on Monday 7 December 2026, 09:00 Irkutsk (DIGEST_NOW), written
 * straight into the database with every time chosen, so each person's digest is known:
 *
 * - a department (headed by `head`) with an association inside; `teacher` works in the
 *   department, `other` in no unit; `contact` is the contact of СОШ № 5; `idle` is staff with
 *   nothing to do; `guest` is a guest, `gone` an inactive staff member;
 * - partners: СОШ № 5 (teacher's, in one stage for 100 days), Лицей № 2 (the association's,
 *   new 3 days ago), Гимназия № 3 (other's, 200 days in one stage), an archived one (teacher's,
 *   new 10 days ago);
 * - agreements ending today (Лицей), in 14 days (СОШ), in 40 days and yesterday;
 * - plan items for December with and without events, and one for January;
 * - events this week, next week, cancelled, ended without an answer, proposed for decision,
 *   held with fresh feedback (two low ratings), and the partner's upcoming ones.
 */
export async function digestWorld(db: Db, options: { telegramIds?: Partial<WorldPeople>; language?: "ru" | "en" } = {}) {
  const ids = { ...DEFAULT_TELEGRAM_IDS, ...options.telegramIds };
  const language = options.language ?? "ru";
  const now = DIGEST_NOW;

  const [department] = await db.insert(units).values({ kind: "department", name: "Технический отдел" }).returning();
  const [association] = await db.insert(units).values({ kind: "association", name: "Робототехника", parentId: department!.id }).returning();

  const person = async (key: keyof WorldPeople, firstName: string, role: Role, unitId: number | null = null, status: "active" | "inactive" = "active") => {
    const [row] = await db
      .insert(users)
      .values({ telegramId: ids[key], firstName, lastName: "Тестова", role, unitId, status, language, telegramLanguage: language })
      .returning();
    return row!;
  };
  const admin = await person("admin", "Анна", "admin");
  const teacher = await person("teacher", "Мария", "staff", department!.id);
  const head = await person("head", "Ольга", "staff", department!.id);
  const other = await person("other", "Олег", "staff");
  const contactUser = await person("contact", "Ирина", "partner");
  const guest = await person("guest", "Гость", "guest");
  const gone = await person("gone", "Ушедший", "staff", department!.id, "inactive");
  const idle = await person("idle", "Пётр", "staff");
  await db.update(units).set({ headUserId: head.id }).where(eq(units.id, department!.id));

  const partner = async (
    fullName: string,
    shortName: string | null,
    owner: { user?: number; unit?: number },
    stage: Stage,
    createdAt: Date,
    stageSince: Date | null,
  ) => {
    const [row] = await db
      .insert(partners)
      .values({
        fullName,
        shortName,
        searchKey: partnerSearchKey(fullName, shortName),
        type: "school",
        ownerKind: owner.user ? "teacher" : owner.unit ? "association" : "institution",
        ownerUserId: owner.user ?? null,
        ownerUnitId: owner.unit ?? null,
        stage,
        createdBy: admin.id,
        createdAt,
      })
      .returning();
    await db.insert(stageChanges).values({ partnerId: row!.id, fromStage: null, toStage: "preparatory", comment: "", changedBy: admin.id, changedAt: createdAt });
    if (stageSince) {
      await db.insert(stageChanges).values({ partnerId: row!.id, fromStage: "preparatory", toStage: stage, comment: "Дальше", changedBy: admin.id, changedAt: stageSince });
    }
    return row!;
  };
  const school = await partner("Средняя общеобразовательная школа № 5", "СОШ № 5", { user: teacher.id }, "organisational", LONG_AGO, daysFrom(now, -100));
  const lyceum = await partner("Лицей № 2", null, { unit: association!.id }, "preparatory", daysFrom(now, -3), null);
  const gymnasium = await partner("Гимназия № 3", null, { user: other.id }, "system_forming", LONG_AGO, daysFrom(now, -200));
  const archived = await partner("Закрытая школа", null, { user: teacher.id }, "archived", daysFrom(now, -10), daysFrom(now, -9));

  const [contact] = await db
    .insert(contacts)
    .values({ partnerId: school.id, fullName: "Ирина Смирнова", userId: contactUser.id, consentBasis: "bot", consentRecordedBy: admin.id })
    .returning();
  const [otherContact] = await db
    .insert(contacts)
    .values({ partnerId: school.id, fullName: "Вера Петрова", consentBasis: "bot", consentRecordedBy: admin.id })
    .returning();

  const agreement = async (partnerId: number, number: string, validTo: string) => {
    const [row] = await db
      .insert(agreements)
      .values({ partnerId, number, signedOn: "2026-01-10", validFrom: "2026-01-10", validTo, subject: "Сотрудничество", createdBy: admin.id })
      .returning();
    return row!;
  };
  const schoolAgreement = await agreement(school.id, "12/2026", "2026-12-21");
  const gymnasiumAgreement = await agreement(gymnasium.id, "7/2026", "2027-01-16");
  const lyceumAgreement = await agreement(lyceum.id, "3/2026", "2026-12-07");
  await agreement(school.id, "1/2025", "2026-12-06");
  await agreement(archived.id, "9/2026", "2026-12-10");

  const plan = async (agreementId: number, title: string, plannedOn: string, extra: { monthOnly?: boolean; responsible?: number } = {}) => {
    const [row] = await db
      .insert(planItems)
      .values({ agreementId, title, format: "master_class", plannedOn, plannedMonthOnly: extra.monthOnly ?? false, responsibleUserId: extra.responsible ?? null })
      .returning();
    return row!;
  };
  const dueDay = await plan(schoolAgreement.id, "Неделя науки", "2026-12-15");
  const scheduledMonth = await plan(schoolAgreement.id, "Новогодний концерт", "2026-12-01", { monthOnly: true });
  const cancelledItem = await plan(schoolAgreement.id, "Экскурсия на завод", "2026-12-20");
  await plan(schoolAgreement.id, "Зимние каникулы", "2027-01-10");
  const teachersItem = await plan(gymnasiumAgreement.id, "Олимпиада по физике", "2026-12-05", { responsible: teacher.id });
  void lyceumAgreement;

  const event = async (
    title: string,
    startsAt: Date,
    values: Partial<typeof events.$inferInsert> & { partnerIds?: number[] } = {},
  ) => {
    const { partnerIds = [school.id], ...rest } = values;
    const [row] = await db
      .insert(events)
      .values({
        title,
        format: "master_class",
        startsAt,
        endsAt: new Date(startsAt.getTime() + 2 * HOUR_MS),
        responsibleUserId: teacher.id,
        proposedBy: teacher.id,
        status: "approved",
        createdAt: LONG_AGO,
        ...rest,
      })
      .returning();
    for (const partnerId of partnerIds) await db.insert(eventPartners).values({ eventId: row!.id, partnerId });
    return row!;
  };
  // Thursday 10 December, 15:00 local.
  const masterClass = await event("Мастер-класс по робототехнике", new Date("2026-12-10T07:00:00Z"));
  // Sunday 13 December, 23:00 local: still this week; proposed by the teacher, run by `other`, the department's.
  const sundayEvening = await event("Вечер настольных игр", new Date("2026-12-13T15:00:00Z"), {
    status: "proposed",
    responsibleUserId: other.id,
    ownerUnitId: department!.id,
    createdAt: daysFrom(now, -2),
  });
  // Monday 14 December, 00:00 local: next week.
  await event("Ночь в музее", new Date("2026-12-13T16:00:00Z"));
  await event("Отменённая встреча", new Date("2026-12-09T03:00:00Z"), { status: "cancelled" });
  const unanswered = await event("Круглый стол о профориентации", new Date("2026-12-05T03:00:00Z"));
  const associationEvent = await event("Турнир роботов", daysFrom(now, 5), {
    status: "proposed",
    responsibleUserId: other.id,
    proposedBy: other.id,
    ownerUnitId: association!.id,
    partnerIds: [gymnasium.id],
    createdAt: daysFrom(now, -9),
  });
  const soon = await event("Выставка рисунков", daysFrom(now, 3), { responsibleUserId: other.id, proposedBy: other.id });
  await event("Лыжный поход", daysFrom(now, 20), { responsibleUserId: other.id, proposedBy: other.id });
  const proposedForSchool = await event("День открытых дверей", daysFrom(now, 2), { status: "proposed", responsibleUserId: other.id, proposedBy: other.id });
  await event("Концерт", new Date("2026-12-18T07:00:00Z"), { status: "proposed", planItemId: scheduledMonth.id, responsibleUserId: other.id, proposedBy: other.id });
  await event("Экскурсия (отменена)", new Date("2026-12-19T03:00:00Z"), { status: "cancelled", planItemId: cancelledItem.id, responsibleUserId: other.id, proposedBy: other.id });

  // Held on Wednesday 2 December (this past week), with fresh feedback.
  const held = await event("Мастер-класс по 3D-печати", new Date("2026-12-02T07:00:00Z"), {
    status: "held",
    participantsGifted: 8,
    participantsDisabilities: 2,
    participantsCareerGuidance: 5,
    participantsOther: 3,
  });
  const round = async (eventId: number, openedAt: Date) =>
    db.insert(feedbackRounds).values({
      eventId,
      token: randomBytes(8).toString("hex"),
      openedAt,
      linkClosesAt: daysFrom(openedAt, 7),
      promptsCloseAt: daysFrom(openedAt, 14),
    });
  await round(held.id, new Date("2026-12-02T10:00:00Z"));
  const answer = (eventId: number, rating: number, createdAt: Date, comment: string | null = null) =>
    db.insert(participantFeedback).values({ eventId, voterHash: randomBytes(8).toString("hex"), rating, comment, createdAt });
  await answer(held.id, 5, daysFrom(now, -1), "Очень понравилось");
  await answer(held.id, 1, daysFrom(now, -2), "Было душно");
  await db.insert(feedbackPrompts).values([
    { eventId: held.id, partnerId: school.id, contactId: otherContact!.id, rating: 2, improve: "Мало времени", answeredAt: daysFrom(now, -3), createdAt: daysFrom(now, -4) },
    { eventId: held.id, partnerId: school.id, contactId: contact!.id, userId: contactUser.id, createdAt: daysFrom(now, -4) },
  ]);

  // Held on Saturday 28 November (the week before); its round's prompts closed yesterday.
  const earlier = await event("Экскурсия в планетарий", daysFrom(now, -9), {
    status: "held",
    participantsGifted: 1,
    participantsOther: 1,
    responsibleUserId: other.id,
    proposedBy: other.id,
  });
  await db.insert(feedbackRounds).values({
    eventId: earlier.id,
    token: randomBytes(8).toString("hex"),
    openedAt: daysFrom(now, -15),
    linkClosesAt: daysFrom(now, -8),
    promptsCloseAt: daysFrom(now, -1),
  });
  await answer(earlier.id, 4, daysFrom(now, -8));
  await db.insert(feedbackPrompts).values([
    { eventId: earlier.id, partnerId: school.id, contactId: otherContact!.id, rating: 4, answeredAt: daysFrom(now, -8), createdAt: daysFrom(now, -14) },
    { eventId: earlier.id, partnerId: school.id, contactId: contact!.id, userId: contactUser.id, createdAt: daysFrom(now, -14) },
  ]);

  await db.insert(eventDecisions).values([
    { eventId: masterClass.id, decision: "approved", decidedBy: admin.id, decidedAt: daysFrom(now, -1) },
    { eventId: soon.id, decision: "approved", decidedBy: admin.id, decidedAt: daysFrom(now, -1) },
    { eventId: unanswered.id, decision: "approved", decidedBy: admin.id, decidedAt: daysFrom(now, -10) },
  ]);

  return {
    now,
    department: department!,
    association: association!,
    people: { admin, teacher, head, other, contact: contactUser, guest, gone, idle },
    partners: { school, lyceum, gymnasium, archived },
    agreements: { school: schoolAgreement, lyceum: lyceumAgreement, gymnasium: gymnasiumAgreement },
    plan: { dueDay, cancelledItem, teachersItem },
    events: { masterClass, sundayEvening, unanswered, associationEvent, soon, proposedForSchool, held },
  };
}
