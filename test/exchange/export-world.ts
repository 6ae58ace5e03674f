import { eq, sql } from "drizzle-orm";
import { agreements, contacts, partners, stageChanges } from "../../src/partners/domain/schema.js";
import { events } from "../../src/events/domain/schema.js";
import { units } from "../../src/core/access/units-schema.js";
import { users } from "../../src/core/access/schema.js";
import type { Dataset, DatasetPart, Cell } from "../../src/exchange/domain/datasets.js";
import { proposeEvent } from "../../src/events/domain/events.js";
import { createPartner } from "../../src/partners/domain/partners.js";
import { partnerSearchKey } from "../../src/partners/domain/names.js";
import { addDepartment, registered } from "../helpers/bot-people.js";
import { addContact, addParticipant, addPrompt, heldEventWithRound } from "../helpers/feedback-rows.js";
import type { Harness } from "../helpers/harness.js";
import { partnerDraft } from "../helpers/partners.js";
import { makeUser } from "../helpers/updates.js";

export const STAGE_CHANGED_AT = new Date("2026-11-20T03:00:00Z"); // 11:00 in Irkutsk
export const CREATED_AT = new Date("2026-11-01T02:00:00Z"); // 10:00 in Irkutsk
export const PAPER_CONSENT_AT = new Date("2026-11-02T01:30:00Z"); // 09:30 in Irkutsk
export const ANSWERED_AT = new Date("2026-12-10T10:15:00Z"); // 18:15 in Irkutsk
export const PARTICIPANT_AT = new Date("2026-12-10T09:45:00Z"); // 17:45 in Irkutsk
/** 20 December 11:00 in Irkutsk: a proposed event after the held master class. */
export const EXHIBITION_AT = new Date("2026-12-20T03:00:00Z");

/**
 * Everything the exports read, with known values: the held master class of eventWorld (СОШ № 5,
 * feedback round with one answered and one unanswered partner prompt and two participant
 * answers); a department with an association that owns «Технопарк» (two agreements, a stage
 * change, a paper-consent contact with every detail); a teacher-owned museum with a contact
 * awaiting consent; a proposed exhibition with two partners owned by the department. Oleg
 * (colleague) works in the department; Maria (teacher) in no unit; Vera in another department.
 */
export async function exportWorld(h: Harness, language: "ru" | "en" = "ru") {
  const db = h.database.db;
  const world = await heldEventWithRound(h, language);
  const adminActor = { user: world.adminRow, role: "admin" as const };
  const department = await addDepartment(db, "Технический отдел");
  const [association] = await db.insert(units).values({ kind: "association", parentId: department, name: "Робототехника" }).returning();
  const otherDepartment = await addDepartment(db, "Художественный отдел");
  const [colleagueRow] = await db.update(users).set({ unitId: department }).where(eq(users.id, world.colleagueRow.id)).returning();
  const outsider = makeUser({ first_name: "Вера", last_name: "Иванова", language_code: language });
  const outsiderRow = await registered(h, outsider, "staff", otherDepartment);

  const technopark = await createPartner(
    db,
    adminActor,
    partnerDraft({
      fullName: "ООО «Технопарк; Иркутск»",
      shortName: "Технопарк",
      type: "business",
      ownerKind: "association",
      ownerUnitId: association!.id,
      focuses: ["technical", "natural_science"],
      website: "https://technopark.example",
      address: "Иркутск, ул. Ленина, 1",
      inn: "3808000000",
    }),
  );
  const museum = await createPartner(
    db,
    adminActor,
    partnerDraft({ fullName: "Музей истории города", shortName: null, type: "culture_organisation", ownerKind: "teacher", ownerUserId: world.teacherRow.id }),
  );
  await db.update(partners).set({ createdAt: CREATED_AT });
  await db.update(stageChanges).set({ changedAt: CREATED_AT });
  await db.update(partners).set({ stage: "organisational" }).where(eq(partners.id, technopark.id));
  await db.insert(stageChanges).values({
    partnerId: technopark.id,
    fromStage: "preparatory",
    toStage: "organisational",
    comment: "Подписали соглашение",
    changedBy: world.adminRow.id,
    changedAt: STAGE_CHANGED_AT,
  });
  await db.insert(agreements).values([
    { partnerId: technopark.id, number: "16-А", signedOn: "2026-10-05", validFrom: "2026-10-05", validTo: null, subject: "Совместные проекты", createdBy: world.adminRow.id },
    { partnerId: technopark.id, number: "15", signedOn: "2026-09-01", validFrom: "2026-09-01", validTo: "2027-08-31", subject: "Сотрудничество", createdBy: world.adminRow.id },
  ]);

  const [ivan] = await db
    .insert(contacts)
    .values({
      partnerId: technopark.id,
      fullName: "Иван Петров",
      position: "Директор",
      phone: "+73952123456",
      email: "ivan@technopark.example",
      telegramUsername: "ivan_tech",
      consentBasis: "paper",
      consentRecordedBy: world.adminRow.id,
      consentRecordedAt: PAPER_CONSENT_AT,
    })
    .returning();
  const [anna] = await db
    .insert(contacts)
    .values({ partnerId: museum.id, fullName: "Анна Музейная", position: "Хранитель; экскурсовод", consentBasis: "bot", consentRecordedBy: world.teacherRow.id })
    .returning();
  const silent = await addContact(db, world.partner.id, "Не ответил", world.adminRow.id);

  await addPrompt(db, {
    eventId: world.event.id,
    partnerId: world.partner.id,
    contactId: world.contactRecord.id,
    userId: world.contactRow.id,
    rating: 5,
    followUp: "yes",
    wentWell: 'Дети в восторге, "роботы" ожили',
    improve: "Больше времени\nна сборку",
    answeredAt: ANSWERED_AT,
  });
  await addPrompt(db, { eventId: world.event.id, partnerId: world.partner.id, contactId: silent.id });
  await addParticipant(db, { eventId: world.event.id, rating: 4, comment: "Понравилось!", role: "student", ageGroup: "11_14", createdAt: PARTICIPANT_AT });
  await addParticipant(db, { eventId: world.event.id, rating: 3, createdAt: new Date(PARTICIPANT_AT.getTime() + 60_000) });

  const proposed = await proposeEvent(
    db,
    { user: colleagueRow!, role: "staff" },
    {
      partnerIds: [technopark.id, museum.id],
      format: "exhibition",
      title: "Выставка «Роботы»",
      description: null,
      startsAt: EXHIBITION_AT,
      endsAt: new Date(EXHIBITION_AT.getTime() + 3 * 3600_000),
      place: null,
      ageFrom: null,
      ageTo: null,
      categories: [],
      expectedParticipants: null,
      responsibleUserId: colleagueRow!.id,
      ownerUnitId: department,
      planItemId: null,
    },
    h.clock.now,
  );
  if (!proposed.ok) throw new Error(proposed.reason);
  h.telegram.reset();
  return { ...world, adminActor, department, otherDepartment, colleagueRow: colleagueRow!, outsider, outsiderRow, technopark, museum, ivan: ivan!, anna: anna!, exhibition: proposed.event };
}

/** Every row of a part, page after page. */
export async function rowsOf(part: DatasetPart): Promise<Cell[][]> {
  const rows: Cell[][] = [];
  for await (const page of part.pages()) rows.push(...page);
  return rows;
}

export function part(dataset: Dataset | undefined, key: string): DatasetPart {
  const found = dataset?.parts.find((p) => p.key === key);
  if (!found) throw new Error(`no part ${key}`);
  return found;
}

/** `count` partners owned by the institution, inserted in one statement (for large exports). */
export async function insertPartners(h: Harness, count: number, createdBy: number): Promise<void> {
  const rows = Array.from({ length: count }, (_, i) => {
    const fullName = `Школа № ${i + 1}`;
    return { fullName, searchKey: partnerSearchKey(fullName, null), type: "school" as const, ownerKind: "institution" as const, createdBy };
  });
  for (let i = 0; i < rows.length; i += 1_000) await h.database.db.insert(partners).values(rows.slice(i, i + 1_000));
}

/** Moves one event's start by a microsecond: keyset paging must not lose or repeat it. */
export async function nudgeStart(h: Harness, eventId: number): Promise<void> {
  await h.database.db.update(events).set({ startsAt: sql`${events.startsAt} + interval '1 microsecond'` }).where(eq(events.id, eventId));
}
