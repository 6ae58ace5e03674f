import { and, asc, between, desc, eq, inArray, ne, or } from "drizzle-orm";
import type { Db } from "../../core/db/client.js";
import { type Agreement, type Partner, type EventFormat, type PlanItem, EVENT_FORMATS, agreementReminders, agreements, partners, planItems } from "./schema.js";
import { type User, users } from "../../core/access/schema.js";
import { units } from "../../core/access/units-schema.js";
import { recordAudit } from "../../core/audit.js";
import type { StoredFile } from "./interactions.js";
import { type Actor, canEditPartner, partnerToEdit } from "./partners.js";
import { type Checked, checkDate, checkMonth, checkName, checkText } from "../../core/validation.js";

export const MAX_AGREEMENT_NUMBER = 50;
export const MAX_AGREEMENT_SUBJECT = 1000;
export const MAX_PLAN_TITLE = 200;

export interface AgreementDraft {
  partnerId: number;
  number: string;
  /** Dates as 'YYYY-MM-DD' or ДД.ММ.ГГГГ. */
  signedOn: string;
  validFrom: string;
  /** Null: open-ended. */
  validTo: string | null;
  subject: string;
  scan: Pick<StoredFile, "fileId" | "kind"> | null;
}

export type AgreementDateProblem = "bad_date" | "signed_in_future" | "ends_before_start";

export type AddAgreementResult =
  | { ok: true; agreement: Agreement }
  | { ok: false; reason: "not_found" | "forbidden" | "bad_number" | "bad_subject" | AgreementDateProblem };

/** An agreement is signed today or earlier and cannot end before it starts. */
export function checkAgreementDates(
  dates: { signedOn: string; validFrom: string; validTo: string | null },
  today: string,
): { ok: true; signedOn: string; validFrom: string; validTo: string | null } | { ok: false; reason: AgreementDateProblem } {
  const signedOn = checkDate(dates.signedOn);
  const validFrom = checkDate(dates.validFrom);
  const validTo = dates.validTo === null ? null : checkDate(dates.validTo);
  if (!signedOn.ok || !validFrom.ok || (validTo !== null && !validTo.ok)) return { ok: false, reason: "bad_date" };
  if (signedOn.value > today) return { ok: false, reason: "signed_in_future" };
  if (validTo !== null && validTo.value < validFrom.value) return { ok: false, reason: "ends_before_start" };
  return { ok: true, signedOn: signedOn.value, validFrom: validFrom.value, validTo: validTo?.value ?? null };
}

/**
 * Records a signed cooperation agreement. `today` is the institution's local date: an
 * agreement cannot be signed in the future.
 */
export async function addAgreement(db: Db, actor: Actor, draft: AgreementDraft, today: string): Promise<AddAgreementResult> {
  const number = checkName(draft.number, { min: 1, max: MAX_AGREEMENT_NUMBER });
  if (!number.ok) return { ok: false, reason: "bad_number" };
  const subject = checkText(draft.subject, MAX_AGREEMENT_SUBJECT);
  if (!subject.ok) return { ok: false, reason: "bad_subject" };
  const dates = checkAgreementDates(draft, today);
  if (!dates.ok) return dates;
  return db.transaction(async (tx) => {
    const found = await partnerToEdit(tx, actor, draft.partnerId);
    if (!found.ok) return found;
    const partner = found.partner;
    const values = {
      partnerId: partner.id,
      number: number.value,
      signedOn: dates.signedOn,
      validFrom: dates.validFrom,
      validTo: dates.validTo,
      subject: subject.value,
      scanFileId: draft.scan?.fileId ?? null,
      scanFileKind: draft.scan?.kind ?? null,
      createdBy: actor.user.id,
    };
    const [agreement] = await tx.insert(agreements).values(values).returning();
    if (!agreement) throw new Error("agreement insert returned no row");
    await recordAudit(tx, { actorUserId: actor.user.id, action: "agreement.added", entityType: "agreement", entityId: agreement.id, after: values });
    return { ok: true, agreement } as const;
  });
}

export interface PlanItemDraft {
  agreementId: number;
  title: string;
  format: EventFormat;
  /** A date, or the first day of the month when `plannedMonthOnly`. */
  plannedOn: string;
  plannedMonthOnly: boolean;
  responsibleUserId: number | null;
  responsibleName: string | null;
}

export type AddPlanItemResult =
  | { ok: true; planItem: PlanItem }
  | { ok: false; reason: "not_found" | "forbidden" | "bad_title" | "bad_format" | "bad_date" | "bad_responsible" };

/** «15.03.2027» is a date, «03.2027» a month (stored as its first day). */
export function checkPlannedOn(raw: string): Checked<{ plannedOn: string; monthOnly: boolean }> {
  if (/^\s*\d{1,2}[./-]\d{4}\s*$/.test(raw)) {
    const month = checkMonth(raw);
    return month.ok ? { ok: true, value: { plannedOn: month.value, monthOnly: true } } : month;
  }
  const date = checkDate(raw);
  return date.ok ? { ok: true, value: { plannedOn: date.value, monthOnly: false } } : date;
}

/** Adds an item to an agreement's joint plan; only those who may edit the partner can. */
export async function addPlanItem(db: Db, actor: Actor, draft: PlanItemDraft): Promise<AddPlanItemResult> {
  const title = checkName(draft.title, { min: 2, max: MAX_PLAN_TITLE });
  if (!title.ok) return { ok: false, reason: "bad_title" };
  if (!EVENT_FORMATS.includes(draft.format)) return { ok: false, reason: "bad_format" };
  const plannedOn = checkDate(draft.plannedOn);
  if (!plannedOn.ok || (draft.plannedMonthOnly && !plannedOn.value.endsWith("-01"))) return { ok: false, reason: "bad_date" };
  const responsibleName = draft.responsibleName === null ? null : checkName(draft.responsibleName, { min: 2, max: 150 });
  if ((responsibleName !== null && !responsibleName.ok) || (responsibleName !== null && draft.responsibleUserId !== null)) {
    return { ok: false, reason: "bad_responsible" };
  }
  return db.transaction(async (tx) => {
    const [row] = await tx
      .select({ partner: partners })
      .from(agreements)
      .innerJoin(partners, eq(partners.id, agreements.partnerId))
      .where(eq(agreements.id, draft.agreementId));
    if (!row) return { ok: false, reason: "not_found" } as const;
    if (!(await canEditPartner(tx, actor, row.partner))) return { ok: false, reason: "forbidden" } as const;
    if (draft.responsibleUserId !== null) {
      const [staff] = await tx
        .select({ id: users.id })
        .from(users)
        .where(and(eq(users.id, draft.responsibleUserId), inArray(users.role, ["admin", "staff"]), eq(users.status, "active")));
      if (!staff) return { ok: false, reason: "bad_responsible" } as const;
    }
    const values = {
      agreementId: draft.agreementId,
      title: title.value,
      format: draft.format,
      plannedOn: plannedOn.value,
      plannedMonthOnly: draft.plannedMonthOnly,
      responsibleUserId: draft.responsibleUserId,
      responsibleName: responsibleName?.ok ? responsibleName.value : null,
    };
    const [planItem] = await tx.insert(planItems).values(values).returning();
    if (!planItem) throw new Error("plan item insert returned no row");
    await recordAudit(tx, { actorUserId: actor.user.id, action: "plan_item.added", entityType: "plan_item", entityId: planItem.id, after: values });
    return { ok: true, planItem } as const;
  });
}

export interface PlanItemView extends PlanItem {
  /** The responsible staff member's name, or the typed name. */
  responsible: string | null;
}

export interface AgreementWithPlan extends Agreement {
  plan: PlanItemView[];
}

/** A partner's agreements, latest signed first, each with its joint plan in date order. */
export async function listAgreements(db: Db, partnerId: number): Promise<AgreementWithPlan[]> {
  const rows = await db
    .select()
    .from(agreements)
    .where(eq(agreements.partnerId, partnerId))
    .orderBy(desc(agreements.signedOn), desc(agreements.id));
  if (rows.length === 0) return [];
  const items = await db
    .select({ item: planItems, firstName: users.firstName, lastName: users.lastName })
    .from(planItems)
    .leftJoin(users, eq(users.id, planItems.responsibleUserId))
    .where(
      inArray(
        planItems.agreementId,
        rows.map((a) => a.id),
      ),
    )
    .orderBy(asc(planItems.plannedOn), asc(planItems.id));
  return rows.map((agreement) => ({
    ...agreement,
    plan: items
      .filter((r) => r.item.agreementId === agreement.id)
      .map((r) => ({
        ...r.item,
        responsible: r.firstName ? [r.firstName, r.lastName].filter(Boolean).join(" ") : r.item.responsibleName,
      })),
  }));
}

export async function getAgreement(db: Db, id: number): Promise<Agreement | undefined> {
  const [agreement] = await db.select().from(agreements).where(eq(agreements.id, id));
  return agreement;
}

/** A 'YYYY-MM-DD' day moved by a number of days. */
export function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

/** Whole days from one 'YYYY-MM-DD' day to another (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

/** Reminders go 30, 7 and 0 days before an agreement ends. */
export const REMINDER_DAYS = [30, 7, 0] as const;
export type ReminderDays = (typeof REMINDER_DAYS)[number];

/**
 * The reminder an agreement is due for with `daysLeft` days to go: the nearest threshold at or
 * above it. A day the job missed (a restart at 09:00) is caught up on the next run.
 */
export function reminderFor(daysLeft: number): ReminderDays | undefined {
  if (daysLeft < 0 || daysLeft > 30) return undefined;
  return daysLeft === 0 ? 0 : daysLeft <= 7 ? 7 : 30;
}

export interface DueReminder {
  agreementId: number;
  daysBefore: ReminderDays;
  daysLeft: number;
  number: string;
  validTo: string;
  partnerId: number;
  partnerName: string;
  /** Who answers for the partnership; undefined when nobody active does. */
  recipient: User | undefined;
}

const activeStaff = (user: User | undefined) =>
  user !== undefined && user.status === "active" && (user.role === "staff" || user.role === "admin") ? user : undefined;

/**
 * Agreements of live partnerships ending within 30 days whose current reminder is not claimed
 * yet, each with its recipient: the owning teacher, else the head of the owning unit, else
 * whoever registered the partner.
 */
export async function dueAgreementReminders(db: Db, today: string): Promise<DueReminder[]> {
  const rows = await db
    .select({ agreement: agreements, partner: partners, unitHeadId: units.headUserId })
    .from(agreements)
    .innerJoin(partners, eq(partners.id, agreements.partnerId))
    .leftJoin(units, eq(units.id, partners.ownerUnitId))
    .where(and(between(agreements.validTo, today, addDays(today, 30)), ne(partners.stage, "archived")))
    .orderBy(asc(agreements.validTo), asc(agreements.id));
  if (rows.length === 0) return [];
  const claimed = await db
    .select()
    .from(agreementReminders)
    .where(
      inArray(
        agreementReminders.agreementId,
        rows.map((r) => r.agreement.id),
      ),
    );
  const userIds = rows.flatMap((r) => [r.partner.ownerUserId, r.unitHeadId, r.partner.createdBy].filter((id) => id !== null));
  const people = new Map((await db.select().from(users).where(inArray(users.id, userIds))).map((u) => [u.id, u]));
  const due: DueReminder[] = [];
  for (const { agreement, partner, unitHeadId } of rows) {
    const daysLeft = daysBetween(today, agreement.validTo!);
    const daysBefore = reminderFor(daysLeft);
    if (daysBefore === undefined) continue;
    if (claimed.some((c) => c.agreementId === agreement.id && c.daysBefore === daysBefore)) continue;
    const recipient = [partner.ownerUserId, unitHeadId, partner.createdBy]
      .map((id) => activeStaff(id === null ? undefined : people.get(id)))
      .find((user) => user !== undefined);
    due.push({
      agreementId: agreement.id,
      daysBefore,
      daysLeft,
      number: agreement.number,
      validTo: agreement.validTo!,
      partnerId: partner.id,
      partnerName: partner.shortName ?? partner.fullName,
      recipient,
    });
  }
  return due;
}

/**
 * Claims a reminder: true for exactly one caller, however many instances try at once. Call it in
 * the transaction that enqueues the reminder, so a claim never exists without its message.
 */
export async function claimAgreementReminder(db: Db, agreementId: number, daysBefore: number): Promise<boolean> {
  const claimed = await db.insert(agreementReminders).values({ agreementId, daysBefore }).onConflictDoNothing().returning();
  return claimed.length > 0;
}

/**
 * Who can be put in charge of a plan item: active staff of the partner's owning unit (a
 * department with its associations) and the owning teacher, by name.
 */
export async function responsibleCandidates(db: Db, partner: Pick<Partner, "ownerUnitId" | "ownerUserId">, limit = 20): Promise<User[]> {
  const unitIds =
    partner.ownerUnitId === null
      ? []
      : [partner.ownerUnitId, ...(await db.select({ id: units.id }).from(units).where(eq(units.parentId, partner.ownerUnitId))).map((u) => u.id)];
  const belongs = [
    ...(unitIds.length > 0 ? [inArray(users.unitId, unitIds)] : []),
    ...(partner.ownerUserId !== null ? [eq(users.id, partner.ownerUserId)] : []),
  ];
  if (belongs.length === 0) return [];
  return db
    .select()
    .from(users)
    .where(and(or(...belongs), inArray(users.role, ["admin", "staff"]), eq(users.status, "active")))
    .orderBy(asc(users.firstName), asc(users.lastName), asc(users.id))
    .limit(limit);
}
