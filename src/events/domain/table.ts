import { and, asc, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../core/db/client.js";
import { users } from "../../core/access/schema.js";
import { units } from "../../core/access/units-schema.js";
import type { TFunction } from "../../core/i18n.js";
import { type ColumnSpec, type TableColumn, tableColumns } from "../../core/tables.js";
import { partnerDisplayName, type EventFormat, partners } from "../../partners/index.js";
import { type EventLevel, eventPartners, type EventStatus, events } from "./schema.js";

/**
 * Joint events as a table: one query for the report's period and the export's pages alike, and
 * one list of columns for the report workbook's events sheet and the events export.
 */

export const HELD_STATUSES: EventStatus[] = ["held", "closed"];

export interface Participants {
  gifted: number;
  disabilities: number;
  careerGuidance: number;
  other: number;
  total: number;
}

export interface EventRow {
  id: number;
  title: string;
  format: EventFormat;
  status: EventStatus;
  startsAt: Date;
  endsAt: Date;
  place: string | null;
  /** Partners' short (else full) names, by name, comma-separated. */
  partners: string;
  unitName: string | null;
  responsibleName: string;
  /** Filled once the event is recorded as held. */
  participants: Participants | null;
  result: string | null;
  level: EventLevel;
  /** A competition's results once held: the institution's students among the winners and prize-winners. */
  winners: number | null;
  prizeWinners: number | null;
  /** A project's, once held: how many of the institution's students took part. */
  projectStudents: number | null;
}

/** A position in events ordered by start and id; the start as Postgres text, so microseconds survive. */
export interface ByStart {
  startsKey: string;
  id: number;
}


/** Each event's partners in one string: a correlated subquery on event_partners' key. */
const partnerNames = sql<string | null>`(select string_agg(${partnerDisplayName}, ', ' order by ${partnerDisplayName}) from ${eventPartners} inner join ${partners} on ${partners.id} = ${eventPartners.partnerId} where ${eventPartners.eventId} = ${events.id})`;

export interface EventRowsQuery {
  /** A condition on events. */
  where?: SQL;
  /** Keyset paging: the rows after this position, at most `limit` of them. */
  after?: ByStart;
  limit?: number;
}

/** Events with their partners' names, unit and responsible person, by start then id. */
export async function eventRows(db: Db, query: EventRowsQuery = {}): Promise<(EventRow & ByStart)[]> {
  const after = query.after ? sql`(${events.startsAt}, ${events.id}) > (${query.after.startsKey}::timestamptz, ${query.after.id})` : undefined;
  const select = db
    .select({
      id: events.id,
      startsKey: sql<string>`${events.startsAt}::text`,
      title: events.title,
      format: events.format,
      status: events.status,
      startsAt: events.startsAt,
      endsAt: events.endsAt,
      place: events.place,
      partners: partnerNames,
      unitName: units.name,
      firstName: users.firstName,
      lastName: users.lastName,
      gifted: events.participantsGifted,
      disabilities: events.participantsDisabilities,
      careerGuidance: events.participantsCareerGuidance,
      other: events.participantsOther,
      result: events.result,
      level: events.level,
      winners: events.winners,
      prizeWinners: events.prizeWinners,
      projectStudents: events.projectStudents,
    })
    .from(events)
    .leftJoin(units, eq(units.id, events.ownerUnitId))
    .innerJoin(users, eq(users.id, events.responsibleUserId))
    .where(and(query.where, after))
    .orderBy(asc(events.startsAt), asc(events.id));
  const rows = await (query.limit === undefined ? select : select.limit(query.limit));
  return rows.map((row) => {
    const counts = [row.gifted, row.disabilities, row.careerGuidance, row.other];
    const held = HELD_STATUSES.includes(row.status) && counts.some((n) => n !== null);
    const [gifted, disabilities, careerGuidance, other] = counts.map((n) => n ?? 0) as [number, number, number, number];
    return {
      id: row.id,
      startsKey: row.startsKey,
      title: row.title,
      format: row.format,
      status: row.status,
      startsAt: row.startsAt,
      endsAt: row.endsAt,
      place: row.place,
      partners: row.partners ?? "",
      unitName: row.unitName,
      responsibleName: [row.firstName, row.lastName].filter(Boolean).join(" "),
      participants: held ? { gifted, disabilities, careerGuidance, other, total: gifted + disabilities + careerGuidance + other } : null,
      result: row.result?.trim() ? row.result : null,
      level: row.level,
      winners: row.winners,
      prizeWinners: row.prizeWinners,
      projectStudents: row.projectStudents,
    };
  });
}

/** The events table's columns, headed in the reader's language. */
export function eventColumns(t: TFunction): TableColumn<EventRow>[] {
  const specs: ColumnSpec<EventRow>[] = [
    ["title", "text", 40, (e) => e.title, "wrap"],
    ["format", "text", 22, (e) => t(`agreements.formats.${e.format}`), "wrap"],
    ["level", "text", 18, (e) => t(`events.levels.${e.level}`), "wrap"],
    ["starts_at", "datetime", 17, (e) => e.startsAt],
    ["ends_at", "datetime", 17, (e) => e.endsAt],
    ["place", "text", 28, (e) => e.place, "wrap"],
    ["status", "text", 22, (e) => t(`events.table_statuses.${e.status}`), "wrap"],
    ["partners", "text", 32, (e) => e.partners || null, "wrap"],
    ["responsible", "text", 24, (e) => e.responsibleName, "wrap"],
    ["owner_unit", "text", 28, (e) => e.unitName, "wrap"],
    ["gifted", "integer", 12, (e) => e.participants?.gifted ?? null],
    ["disabilities", "integer", 12, (e) => e.participants?.disabilities ?? null],
    ["career_guidance", "integer", 14, (e) => e.participants?.careerGuidance ?? null],
    ["other", "integer", 12, (e) => e.participants?.other ?? null],
    ["total", "integer", 12, (e) => e.participants?.total ?? null],
    ["winners", "integer", 12, (e) => e.winners],
    ["prize_winners", "integer", 12, (e) => e.prizeWinners],
    ["project_students", "integer", 14, (e) => e.projectStudents],
    ["result", "text", 40, (e) => e.result, "wrap"],
  ];
  return tableColumns(t, "events.columns", specs);
}
