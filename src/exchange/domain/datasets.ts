import { and, asc, count, eq, inArray, isNotNull, max, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../core/db/client.js";
import { agreements, contacts, partners, stageChanges } from "../../partners/index.js";
import { type AudienceCategory, eventPartners, events } from "../../events/index.js";
import { feedbackPrompts, feedbackRounds, participantFeedback } from "../../feedback/index.js";
import { units } from "../../core/access/units-schema.js";
import { users } from "../../core/access/schema.js";
import type { TFunction } from "../../core/i18n.js";
import { formatPhone } from "../../partners/index.js";
import { formatDay } from "../../core/dates.js";
import { roundAverage } from "../../feedback/index.js";
import { type Actor, unitsOf } from "../../partners/index.js";

/**
 * The four exports of /export (partners, contacts, events, feedback) as tables: localised
 * columns, and rows read page by page (keyset pagination, a few queries per page, never one
 * per row), so a large table never sits in one huge query result.
 */

export const DATASETS = ["partners", "contacts", "events", "feedback"] as const;
export type DatasetName = (typeof DATASETS)[number];

/** How a column's values are written: dates become real dates in XLSX, numbers real numbers. */
export type ColumnKind = "text" | "integer" | "decimal" | "datetime" | "date";

/**
 * A cell: text, a number, an instant (a Date, shown in the institution's time zone), a calendar
 * date ("YYYY-MM-DD", in "date" columns), or empty.
 */
export type Cell = string | number | Date | null;

export interface Column {
  header: string;
  kind: ColumnKind;
  /** In characters, for XLSX. */
  width: number;
  /** Long text, possibly on several lines: wrapped in XLSX. */
  wrap?: boolean;
}

/** One table: one XLSX sheet, or one CSV file. */
export interface DatasetPart {
  /** For file names: "partners", "partner-answers"… */
  key: string;
  /** The sheet's name (localised, at most 31 characters). */
  title: string;
  columns: Column[];
  /** How many rows pages() will give (for progress). */
  count(): Promise<number>;
  /** The rows, a page at a time. */
  pages(): AsyncGenerator<Cell[][]>;
}

export interface Dataset {
  name: DatasetName;
  parts: DatasetPart[];
}

export interface DatasetOptions {
  db: Db;
  actor: Actor;
  t: TFunction;
  /** Rows per page; 1,000 by default. */
  pageSize?: number;
}

export const PAGE_SIZE = 1_000;

/** Which partners' contacts an actor may export: all (admins), some (staff), none. */
export type ContactScope = { all: true } | { all: false; userId: number; unitIds: number[] };

/**
 * Contacts are personal data: admins get all of them; staff only those of the partners they may
 * edit (the rule of canEditPartner: owned by them, or by their unit or its associations);
 * partner contacts and guests none.
 */
export async function contactScope(db: Db, actor: Actor): Promise<ContactScope | null> {
  if (actor.role === "admin") return { all: true };
  if (actor.role !== "staff") return null;
  return { all: false, userId: actor.user.id, unitIds: await unitsOf(db, actor.user) };
}

/** The partners condition of a scope, as canEditPartner decides it. */
function editableBy(scope: ContactScope): SQL | undefined {
  if (scope.all) return undefined;
  return or(eq(partners.ownerUserId, scope.userId), scope.unitIds.length > 0 ? inArray(partners.ownerUnitId, scope.unitIds) : undefined);
}

/** The datasets this actor may export: staff and admins; contacts only with partners to edit. */
export async function availableDatasets(db: Db, actor: Actor): Promise<DatasetName[]> {
  if (actor.role !== "admin" && actor.role !== "staff") return [];
  const scope = await contactScope(db, actor);
  let withContacts = scope?.all === true;
  if (scope && !scope.all) {
    const [row] = await db.select({ id: partners.id }).from(partners).where(editableBy(scope)).limit(1);
    withContacts = row !== undefined;
  }
  return DATASETS.filter((name) => name !== "contacts" || withContacts);
}

/** The dataset, or undefined when this actor may not export it (checked on the server). */
export async function buildDataset(name: DatasetName, options: DatasetOptions): Promise<Dataset | undefined> {
  if (!(await availableDatasets(options.db, options.actor)).includes(name)) return undefined;
  switch (name) {
    case "partners":
      return { name, parts: [partnersPart(options)] };
    case "contacts": {
      const scope = await contactScope(options.db, options.actor);
      return scope ? { name, parts: [contactsPart(options, scope)] } : undefined;
    }
    case "events":
      return { name, parts: [eventsPart(options)] };
    case "feedback":
      return { name, parts: [feedbackSummaryPart(options), partnerAnswersPart(options), participantAnswersPart(options)] };
  }
}

/** Reads pages by a key after the last row, until a short page. */
async function* paged<R, K>(
  pageSize: number,
  fetch: (after: K | undefined, limit: number) => Promise<R[]>,
  keyOf: (row: R) => K,
  toCells: (rows: R[]) => Promise<Cell[][]> | Cell[][],
): AsyncGenerator<Cell[][]> {
  let after: K | undefined;
  for (;;) {
    const rows = await fetch(after, pageSize);
    if (rows.length === 0) return;
    yield await toCells(rows);
    if (rows.length < pageSize) return;
    after = keyOf(rows.at(-1)!);
  }
}

function columns(t: TFunction, prefix: string, spec: [key: string, kind: ColumnKind, width: number, wrap?: boolean][]): Column[] {
  return spec.map(([key, kind, width, wrap]) => ({ header: t(`export.columns.${prefix}.${key}`), kind, width, ...(wrap ? { wrap } : {}) }));
}

const nameOf = (first: string | null, last: string | null): string | null =>
  first === null ? null : [first, last].filter(Boolean).join(" ");

const orNull = (text: string | null): string | null => (text?.trim() ? text : null);

const averageOf = (value: string | number | null): number | null => (value === null ? null : roundAverage(Number(value)));

// ————————————————————————————————————————— partners

function partnersPart({ db, t, pageSize = PAGE_SIZE }: DatasetOptions): DatasetPart {
  const plain = { interpolation: { escapeValue: false } };
  const agreementLine = (a: { number: string; signedOn: string; validFrom: string; validTo: string | null }) =>
    t(a.validTo ? "export.values.agreement" : "export.values.agreement_open_ended", {
      number: a.number,
      signed: formatDay(a.signedOn),
      from: formatDay(a.validFrom),
      ...(a.validTo ? { to: formatDay(a.validTo) } : {}),
      ...plain,
    });
  return {
    key: "partners",
    title: t("export.sheets.partners"),
    columns: columns(t, "partners", [
      ["full_name", "text", 45, true],
      ["short_name", "text", 22],
      ["type", "text", 20],
      ["focuses", "text", 30, true],
      ["owner_kind", "text", 20],
      ["owner_unit", "text", 28],
      ["owner_person", "text", 24],
      ["stage", "text", 18],
      ["stage_since", "datetime", 17],
      ["inn", "text", 14],
      ["website", "text", 26],
      ["address", "text", 36, true],
      ["agreements", "text", 48, true],
      ["created_at", "datetime", 17],
    ]),
    async count() {
      const [row] = await db.select({ n: count() }).from(partners);
      return row?.n ?? 0;
    },
    pages: () =>
      paged(
        pageSize,
        (after: number | undefined, limit) =>
          db
            .select({
              id: partners.id,
              fullName: partners.fullName,
              shortName: partners.shortName,
              type: partners.type,
              focuses: partners.focuses,
              ownerKind: partners.ownerKind,
              unitName: units.name,
              ownerFirstName: users.firstName,
              ownerLastName: users.lastName,
              stage: partners.stage,
              inn: partners.inn,
              website: partners.website,
              address: partners.address,
              createdAt: partners.createdAt,
            })
            .from(partners)
            .leftJoin(units, eq(units.id, partners.ownerUnitId))
            .leftJoin(users, eq(users.id, partners.ownerUserId))
            .where(after === undefined ? undefined : sql`${partners.id} > ${after}`)
            .orderBy(asc(partners.id))
            .limit(limit),
        (row) => row.id,
        async (rows) => {
          const ids = rows.map((r) => r.id);
          const since = await db
            .select({ partnerId: stageChanges.partnerId, at: max(stageChanges.changedAt) })
            .from(stageChanges)
            .where(inArray(stageChanges.partnerId, ids))
            .groupBy(stageChanges.partnerId);
          const sinceOf = new Map(since.map((s) => [s.partnerId, s.at]));
          const agreementRows = await db
            .select({ partnerId: agreements.partnerId, number: agreements.number, signedOn: agreements.signedOn, validFrom: agreements.validFrom, validTo: agreements.validTo })
            .from(agreements)
            .where(inArray(agreements.partnerId, ids))
            .orderBy(asc(agreements.partnerId), asc(agreements.signedOn), asc(agreements.id));
          const agreementsOf = new Map<number, string[]>();
          for (const a of agreementRows) agreementsOf.set(a.partnerId, [...(agreementsOf.get(a.partnerId) ?? []), agreementLine(a)]);
          return rows.map((r) => [
            r.fullName,
            r.shortName,
            t(`partners.types.${r.type}`),
            r.focuses.map((d) => t(`partners.focuses.${d}`)).join(", ") || null,
            t(`partners.owner_kinds.${r.ownerKind}`),
            r.unitName,
            nameOf(r.ownerFirstName, r.ownerLastName),
            t(`partners.stages.${r.stage}`),
            sinceOf.get(r.id) ?? r.createdAt,
            r.inn,
            r.website,
            r.address,
            agreementsOf.get(r.id)?.join("\n") ?? null,
            r.createdAt,
          ]);
        },
      ),
  };
}

// ————————————————————————————————————————— contacts

function contactsPart({ db, t, pageSize = PAGE_SIZE }: DatasetOptions, scope: ContactScope): DatasetPart {
  const where = editableBy(scope);
  const consent = (c: { consentBasis: "paper" | "bot"; userId: number | null }) =>
    c.consentBasis === "bot" && c.userId === null ? "pending" : c.consentBasis;
  return {
    key: "contacts",
    title: t("export.sheets.contacts"),
    columns: columns(t, "contacts", [
      ["partner", "text", 30, true],
      ["full_name", "text", 30],
      ["position", "text", 26, true],
      ["phone", "text", 18],
      ["email", "text", 28],
      ["telegram", "text", 18],
      ["consent", "text", 24],
      ["consent_date", "datetime", 17],
    ]),
    async count() {
      const [row] = await db.select({ n: count() }).from(contacts).innerJoin(partners, eq(partners.id, contacts.partnerId)).where(where);
      return row?.n ?? 0;
    },
    pages: () =>
      paged(
        pageSize,
        (after: { partnerId: number; id: number } | undefined, limit) =>
          db
            .select({
              id: contacts.id,
              partnerId: contacts.partnerId,
              partnerName: sql<string>`coalesce(${partners.shortName}, ${partners.fullName})`,
              fullName: contacts.fullName,
              position: contacts.position,
              phone: contacts.phone,
              email: contacts.email,
              telegramUsername: contacts.telegramUsername,
              userId: contacts.userId,
              consentBasis: contacts.consentBasis,
              consentRecordedAt: contacts.consentRecordedAt,
            })
            .from(contacts)
            .innerJoin(partners, eq(partners.id, contacts.partnerId))
            .where(and(where, after === undefined ? undefined : sql`(${contacts.partnerId}, ${contacts.id}) > (${after.partnerId}, ${after.id})`))
            .orderBy(asc(contacts.partnerId), asc(contacts.id))
            .limit(limit),
        (row) => ({ partnerId: row.partnerId, id: row.id }),
        (rows) =>
          rows.map((c) => {
            const basis = consent(c);
            return [
              c.partnerName,
              c.fullName,
              c.position,
              c.phone ? formatPhone(c.phone) : null,
              c.email,
              c.telegramUsername ? `@${c.telegramUsername}` : null,
              t(`export.values.consent.${basis}`),
              basis === "pending" ? null : c.consentRecordedAt,
            ];
          }),
      ),
  };
}

// ————————————————————————————————————————— events

/** Keyset by start and id; the start is carried as Postgres text so microseconds survive. */
interface ByStart {
  startsKey: string;
  id: number;
}

const startsKey = sql<string>`${events.startsAt}::text`;
const afterStart = (after: ByStart | undefined) =>
  after === undefined ? undefined : sql`(${events.startsAt}, ${events.id}) > (${after.startsKey}::timestamptz, ${after.id})`;

/** Partner names of a page of events, each event's in one string. */
async function partnerNamesOf(db: Db, eventIds: number[]): Promise<Map<number, string>> {
  const rows = await db
    .select({ eventId: eventPartners.eventId, name: sql<string>`coalesce(${partners.shortName}, ${partners.fullName})` })
    .from(eventPartners)
    .innerJoin(partners, eq(partners.id, eventPartners.partnerId))
    .where(inArray(eventPartners.eventId, eventIds))
    .orderBy(asc(eventPartners.eventId), asc(eventPartners.partnerId));
  const names = new Map<number, string[]>();
  for (const row of rows) names.set(row.eventId, [...(names.get(row.eventId) ?? []), row.name]);
  return new Map([...names].map(([id, list]) => [id, list.join("; ")]));
}

const CATEGORY_COLUMNS: Record<AudienceCategory, "participantsGifted" | "participantsDisabilities" | "participantsCareerGuidance" | "participantsOther"> = {
  gifted: "participantsGifted",
  disabilities: "participantsDisabilities",
  career_guidance: "participantsCareerGuidance",
  general: "participantsOther",
};

function eventsPart({ db, t, pageSize = PAGE_SIZE }: DatasetOptions): DatasetPart {
  return {
    key: "events",
    title: t("export.sheets.events"),
    columns: columns(t, "events", [
      ["title", "text", 40, true],
      ["format", "text", 22],
      ["starts_at", "datetime", 17],
      ["ends_at", "datetime", 17],
      ["place", "text", 28, true],
      ["status", "text", 18],
      ["partners", "text", 30, true],
      ["responsible", "text", 24],
      ["owner_unit", "text", 28],
      ["gifted", "integer", 12],
      ["disabilities", "integer", 12],
      ["career_guidance", "integer", 14],
      ["other", "integer", 12],
      ["total", "integer", 10],
      ["result", "text", 40, true],
    ]),
    async count() {
      const [row] = await db.select({ n: count() }).from(events);
      return row?.n ?? 0;
    },
    pages: () =>
      paged(
        pageSize,
        (after: ByStart | undefined, limit) =>
          db
            .select({
              id: events.id,
              startsKey,
              title: events.title,
              format: events.format,
              startsAt: events.startsAt,
              endsAt: events.endsAt,
              place: events.place,
              status: events.status,
              responsibleFirstName: users.firstName,
              responsibleLastName: users.lastName,
              unitName: units.name,
              participantsGifted: events.participantsGifted,
              participantsDisabilities: events.participantsDisabilities,
              participantsCareerGuidance: events.participantsCareerGuidance,
              participantsOther: events.participantsOther,
              result: events.result,
            })
            .from(events)
            .innerJoin(users, eq(users.id, events.responsibleUserId))
            .leftJoin(units, eq(units.id, events.ownerUnitId))
            .where(afterStart(after))
            .orderBy(asc(events.startsAt), asc(events.id))
            .limit(limit),
        (row) => ({ startsKey: row.startsKey, id: row.id }),
        async (rows) => {
          const names = await partnerNamesOf(
            db,
            rows.map((r) => r.id),
          );
          return rows.map((e) => {
            const counts = Object.values(CATEGORY_COLUMNS).map((column) => e[column]);
            const total = counts.every((n) => n === null) ? null : counts.reduce<number>((sum, n) => sum + (n ?? 0), 0);
            return [
              e.title,
              t(`agreements.formats.${e.format}`),
              e.startsAt,
              e.endsAt,
              e.place,
              t(`export.values.statuses.${e.status}`),
              names.get(e.id) ?? null,
              nameOf(e.responsibleFirstName, e.responsibleLastName),
              e.unitName,
              ...counts,
              total,
              orNull(e.result),
            ];
          });
        },
      ),
  };
}

// ————————————————————————————————————————— feedback

function feedbackSummaryPart({ db, t, pageSize = PAGE_SIZE }: DatasetOptions): DatasetPart {
  return {
    key: "summary",
    title: t("export.sheets.feedback_summary"),
    columns: columns(t, "feedback_summary", [
      ["event", "text", 40, true],
      ["starts_at", "datetime", 17],
      ["requests", "integer", 14],
      ["partner_answers", "integer", 14],
      ["response_rate", "decimal", 14],
      ["partner_average", "decimal", 14],
      ["participant_answers", "integer", 14],
      ["participant_average", "decimal", 14],
    ]),
    async count() {
      const [row] = await db.select({ n: count() }).from(feedbackRounds);
      return row?.n ?? 0;
    },
    pages: () =>
      paged(
        pageSize,
        (after: ByStart | undefined, limit) =>
          db
            .select({ id: events.id, startsKey, title: events.title, startsAt: events.startsAt })
            .from(events)
            .innerJoin(feedbackRounds, eq(feedbackRounds.eventId, events.id))
            .where(afterStart(after))
            .orderBy(asc(events.startsAt), asc(events.id))
            .limit(limit),
        (row) => ({ startsKey: row.startsKey, id: row.id }),
        async (rows) => {
          const ids = rows.map((r) => r.id);
          const prompts = await db
            .select({
              eventId: feedbackPrompts.eventId,
              sent: sql<number>`count(*)::int`,
              answered: sql<number>`count(${feedbackPrompts.rating})::int`,
              average: sql<string | null>`avg(${feedbackPrompts.rating})`,
            })
            .from(feedbackPrompts)
            .where(inArray(feedbackPrompts.eventId, ids))
            .groupBy(feedbackPrompts.eventId);
          const participants = await db
            .select({
              eventId: participantFeedback.eventId,
              answers: sql<number>`count(*)::int`,
              average: sql<string | null>`avg(${participantFeedback.rating})`,
            })
            .from(participantFeedback)
            .where(inArray(participantFeedback.eventId, ids))
            .groupBy(participantFeedback.eventId);
          const promptsOf = new Map(prompts.map((p) => [p.eventId, p]));
          const participantsOf = new Map(participants.map((p) => [p.eventId, p]));
          return rows.map((e) => {
            const p = promptsOf.get(e.id);
            const q = participantsOf.get(e.id);
            const sent = Number(p?.sent ?? 0);
            const answered = Number(p?.answered ?? 0);
            return [
              e.title,
              e.startsAt,
              sent,
              answered,
              sent === 0 ? null : roundAverage((answered / sent) * 100),
              averageOf(p?.average ?? null),
              Number(q?.answers ?? 0),
              averageOf(q?.average ?? null),
            ];
          });
        },
      ),
  };
}

function partnerAnswersPart({ db, t, pageSize = PAGE_SIZE }: DatasetOptions): DatasetPart {
  const answered = isNotNull(feedbackPrompts.answeredAt);
  return {
    key: "partner-answers",
    title: t("export.sheets.partner_answers"),
    columns: columns(t, "partner_answers", [
      ["event", "text", 40, true],
      ["starts_at", "datetime", 17],
      ["partner", "text", 28, true],
      ["contact", "text", 26],
      ["rating", "integer", 10],
      ["follow_up", "text", 16],
      ["went_well", "text", 40, true],
      ["improve", "text", 40, true],
      ["answered_at", "datetime", 17],
    ]),
    async count() {
      const [row] = await db.select({ n: count() }).from(feedbackPrompts).where(answered);
      return row?.n ?? 0;
    },
    pages: () =>
      paged(
        pageSize,
        (after: number | undefined, limit) =>
          db
            .select({
              id: feedbackPrompts.id,
              eventId: feedbackPrompts.eventId,
              title: events.title,
              startsAt: events.startsAt,
              partnerName: sql<string>`coalesce(${partners.shortName}, ${partners.fullName})`,
              contactName: contacts.fullName,
              rating: feedbackPrompts.rating,
              followUp: feedbackPrompts.followUp,
              wentWell: feedbackPrompts.wentWell,
              improve: feedbackPrompts.improve,
              answeredAt: feedbackPrompts.answeredAt,
            })
            .from(feedbackPrompts)
            .innerJoin(events, eq(events.id, feedbackPrompts.eventId))
            .innerJoin(partners, eq(partners.id, feedbackPrompts.partnerId))
            .leftJoin(contacts, eq(contacts.id, feedbackPrompts.contactId))
            .where(and(answered, after === undefined ? undefined : sql`${feedbackPrompts.id} > ${after}`))
            .orderBy(asc(feedbackPrompts.id))
            .limit(limit),
        (row) => row.id,
        (rows) =>
          rows.map((a) => [
            a.title,
            a.startsAt,
            a.partnerName,
            a.contactName,
            a.rating,
            a.followUp ? t(`export.values.follow_up.${a.followUp}`) : null,
            orNull(a.wentWell),
            orNull(a.improve),
            a.answeredAt,
          ]),
      ),
  };
}

/** Anonymous answers: no ids, no hashes, nothing that points to a person. */
function participantAnswersPart({ db, t, pageSize = PAGE_SIZE }: DatasetOptions): DatasetPart {
  return {
    key: "participant-answers",
    title: t("export.sheets.participant_answers"),
    columns: columns(t, "participant_answers", [
      ["event", "text", 40, true],
      ["starts_at", "datetime", 17],
      ["rating", "integer", 10],
      ["comment", "text", 48, true],
      ["role", "text", 16],
      ["age_group", "text", 16],
      ["answered_at", "datetime", 17],
    ]),
    async count() {
      const [row] = await db.select({ n: count() }).from(participantFeedback);
      return row?.n ?? 0;
    },
    pages: () =>
      paged(
        pageSize,
        (after: number | undefined, limit) =>
          db
            .select({
              id: participantFeedback.id,
              eventId: participantFeedback.eventId,
              title: events.title,
              startsAt: events.startsAt,
              rating: participantFeedback.rating,
              comment: participantFeedback.comment,
              role: participantFeedback.role,
              ageGroup: participantFeedback.ageGroup,
              createdAt: participantFeedback.createdAt,
            })
            .from(participantFeedback)
            .innerJoin(events, eq(events.id, participantFeedback.eventId))
            .where(after === undefined ? undefined : sql`${participantFeedback.id} > ${after}`)
            .orderBy(asc(participantFeedback.id))
            .limit(limit),
        (row) => row.id,
        (rows) =>
          rows.map((a) => [
            a.title,
            a.startsAt,
            a.rating,
            orNull(a.comment),
            a.role ? t(`participant.roles.${a.role}`) : null,
            a.ageGroup ? t(`participant.ages.${a.ageGroup}`) : null,
            a.createdAt,
          ]),
      ),
  };
}
