import { and, asc, count, eq, inArray, isNotNull, max, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../core/db/client.js";
import { type Cell, cellsOf, type Column, type ColumnKind, type ColumnSpec, tableColumns } from "../../core/tables.js";
import { partnerDisplayName, agreements, contacts, partners, stageChanges } from "../../partners/index.js";
import { type ByStart, eventColumns, eventRows, events } from "../../events/index.js";
import { eventFeedbackColumns, eventFeedbackRow, feedbackPrompts, feedbackRounds, feedbackTotalsByEvent, participantFeedback, withFeedbackRound } from "../../feedback/index.js";
import { units } from "../../core/access/units-schema.js";
import { users } from "../../core/access/schema.js";
import type { TFunction } from "../../core/i18n.js";
import { formatPhone } from "../../partners/index.js";
import { formatDay } from "../../core/dates.js";
import { type Actor, unitsOf } from "../../partners/index.js";

/**
 * The four exports of /export (partners, contacts, events, feedback) as tables: localised
 * columns, and rows read page by page (keyset pagination, a few queries per page, never one
 * per row), so a large table never sits in one huge query result.
 */

export const DATASETS = ["partners", "contacts", "events", "feedback"] as const;
export type DatasetName = (typeof DATASETS)[number];

export type { Cell, Column, ColumnKind };

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

/** A part's columns, headed from `export.columns.<prefix>`, and a page's rows as their cells. */
function table<R>(t: TFunction, prefix: string, specs: ColumnSpec<R>[]) {
  const columns = tableColumns(t, `export.columns.${prefix}`, specs);
  return { columns, cells: (rows: R[]) => rows.map((row) => cellsOf(columns, row)) };
}

const nameOf = (first: string | null, last: string | null): string | null =>
  first === null ? null : [first, last].filter(Boolean).join(" ");

const orNull = (text: string | null): string | null => (text?.trim() ? text : null);

// ————————————————————————————————————————— partners

interface PartnerExportRow {
  fullName: string;
  shortName: string | null;
  type: string;
  focuses: string[];
  ownerKind: string;
  unitName: string | null;
  ownerFirstName: string | null;
  ownerLastName: string | null;
  stage: string;
  stageSince: Date;
  inn: string | null;
  website: string | null;
  address: string | null;
  agreements: string | null;
  createdAt: Date;
}

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
  const { columns, cells } = table<PartnerExportRow>(t, "partners", [
    ["full_name", "text", 45, (r) => r.fullName, "wrap"],
    ["short_name", "text", 22, (r) => r.shortName],
    ["type", "text", 20, (r) => t(`partners.types.${r.type}`)],
    ["focuses", "text", 30, (r) => r.focuses.map((d) => t(`partners.focuses.${d}`)).join(", ") || null, "wrap"],
    ["owner_kind", "text", 20, (r) => t(`partners.owner_kinds.${r.ownerKind}`)],
    ["owner_unit", "text", 28, (r) => r.unitName],
    ["owner_person", "text", 24, (r) => nameOf(r.ownerFirstName, r.ownerLastName)],
    ["stage", "text", 18, (r) => t(`partners.stages.${r.stage}`)],
    ["stage_since", "datetime", 17, (r) => r.stageSince],
    ["inn", "text", 14, (r) => r.inn],
    ["website", "text", 26, (r) => r.website],
    ["address", "text", 36, (r) => r.address, "wrap"],
    ["agreements", "text", 48, (r) => r.agreements, "wrap"],
    ["created_at", "datetime", 17, (r) => r.createdAt],
  ]);
  return {
    key: "partners",
    title: t("export.sheets.partners"),
    columns,
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
          return cells(rows.map((r) => ({ ...r, stageSince: sinceOf.get(r.id) ?? r.createdAt, agreements: agreementsOf.get(r.id)?.join("\n") ?? null })));
        },
      ),
  };
}

// ————————————————————————————————————————— contacts

function contactsPart({ db, t, pageSize = PAGE_SIZE }: DatasetOptions, scope: ContactScope): DatasetPart {
  const where = editableBy(scope);
  const consent = (c: { consentBasis: "paper" | "bot"; userId: number | null }) =>
    c.consentBasis === "bot" && c.userId === null ? "pending" : c.consentBasis;
  type Row = { partnerName: string; fullName: string; position: string | null; phone: string | null; email: string | null; telegramUsername: string | null; userId: number | null; consentBasis: "paper" | "bot"; consentRecordedAt: Date | null };
  const { columns, cells } = table<Row>(t, "contacts", [
    ["partner", "text", 30, (c) => c.partnerName, "wrap"],
    ["full_name", "text", 30, (c) => c.fullName],
    ["position", "text", 26, (c) => c.position, "wrap"],
    ["phone", "text", 18, (c) => (c.phone ? formatPhone(c.phone) : null)],
    ["email", "text", 28, (c) => c.email],
    ["telegram", "text", 18, (c) => (c.telegramUsername ? `@${c.telegramUsername}` : null)],
    ["consent", "text", 24, (c) => t(`export.values.consent.${consent(c)}`)],
    ["consent_date", "datetime", 17, (c) => (consent(c) === "pending" ? null : c.consentRecordedAt)],
  ]);
  return {
    key: "contacts",
    title: t("export.sheets.contacts"),
    columns,
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
              partnerName: partnerDisplayName,
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
        cells,
      ),
  };
}

// ————————————————————————————————————————— events

function eventsPart({ db, t, pageSize = PAGE_SIZE }: DatasetOptions): DatasetPart {
  const columns = eventColumns(t);
  return {
    key: "events",
    title: t("export.sheets.events"),
    columns,
    async count() {
      const [row] = await db.select({ n: count() }).from(events);
      return row?.n ?? 0;
    },
    pages: () =>
      paged(
        pageSize,
        (after: ByStart | undefined, limit) => eventRows(db, { ...(after ? { after } : {}), limit }),
        (row) => ({ startsKey: row.startsKey, id: row.id }),
        (rows) => rows.map((row) => cellsOf(columns, row)),
      ),
  };
}

// ————————————————————————————————————————— feedback

/** Feedback per event, for every event whose feedback round was opened. */
function feedbackSummaryPart({ db, t, pageSize = PAGE_SIZE }: DatasetOptions): DatasetPart {
  const columns = eventFeedbackColumns(t);
  return {
    key: "summary",
    title: t("export.sheets.feedback_summary"),
    columns,
    async count() {
      const [row] = await db.select({ n: count() }).from(feedbackRounds);
      return row?.n ?? 0;
    },
    pages: () =>
      paged(
        pageSize,
        (after: ByStart | undefined, limit) => eventRows(db, { where: withFeedbackRound, ...(after ? { after } : {}), limit }),
        (row) => ({ startsKey: row.startsKey, id: row.id }),
        async (rows) => {
          const totals = await feedbackTotalsByEvent(
            db,
            inArray(
              events.id,
              rows.map((r) => r.id),
            ),
          );
          return rows.map((row) => cellsOf(columns, eventFeedbackRow(row, totals)));
        },
      ),
  };
}

function partnerAnswersPart({ db, t, pageSize = PAGE_SIZE }: DatasetOptions): DatasetPart {
  const answered = isNotNull(feedbackPrompts.answeredAt);
  type Row = { title: string; startsAt: Date; partnerName: string; contactName: string | null; rating: number | null; followUp: string | null; wentWell: string | null; improve: string | null; answeredAt: Date | null };
  const { columns, cells } = table<Row>(t, "partner_answers", [
    ["event", "text", 40, (a) => a.title, "wrap"],
    ["starts_at", "datetime", 17, (a) => a.startsAt],
    ["partner", "text", 28, (a) => a.partnerName, "wrap"],
    ["contact", "text", 26, (a) => a.contactName],
    ["rating", "integer", 10, (a) => a.rating],
    ["follow_up", "text", 16, (a) => (a.followUp ? t(`export.values.follow_up.${a.followUp}`) : null)],
    ["went_well", "text", 40, (a) => orNull(a.wentWell), "wrap"],
    ["improve", "text", 40, (a) => orNull(a.improve), "wrap"],
    ["answered_at", "datetime", 17, (a) => a.answeredAt],
  ]);
  return {
    key: "partner-answers",
    title: t("export.sheets.partner_answers"),
    columns,
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
              partnerName: partnerDisplayName,
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
        cells,
      ),
  };
}

/** Anonymous answers: no ids, no hashes, nothing that points to a person. */
function participantAnswersPart({ db, t, pageSize = PAGE_SIZE }: DatasetOptions): DatasetPart {
  type Row = { title: string; startsAt: Date; rating: number; comment: string | null; role: string | null; ageGroup: string | null; createdAt: Date };
  const { columns, cells } = table<Row>(t, "participant_answers", [
    ["event", "text", 40, (a) => a.title, "wrap"],
    ["starts_at", "datetime", 17, (a) => a.startsAt],
    ["rating", "integer", 10, (a) => a.rating],
    ["comment", "text", 48, (a) => orNull(a.comment), "wrap"],
    ["role", "text", 16, (a) => (a.role ? t(`participant.roles.${a.role}`) : null)],
    ["age_group", "text", 16, (a) => (a.ageGroup ? t(`participant.ages.${a.ageGroup}`) : null)],
    ["answered_at", "datetime", 17, (a) => a.createdAt],
  ]);
  return {
    key: "participant-answers",
    title: t("export.sheets.participant_answers"),
    columns,
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
        cells,
      ),
  };
}
