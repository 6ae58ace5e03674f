import { type SQL, sql } from "drizzle-orm";
import { type Db, selectRows } from "../../core/db/client.js";
import type { Focus, PartnerType } from "../../partners/index.js";
import { CONTACT_CHECKS, type ContactDraft, type ContactField } from "../../partners/index.js";
import { normalisePartnerName, partnerSearchKey } from "../../partners/index.js";
import { type Checked, type ValidationError, checkInn, checkName, checkText, checkWebsite } from "../../core/validation.js";
import { CONTACT_IMPORT_FIELDS, type ImportField, type ImportVocabulary, parseFocus, parseType, splitList } from "./import-columns.js";
import type { Sheet, SheetRow } from "./import-read.js";

/**
 * The dry run of an import: every row validated with the registry's own rules, and every valid
 * row compared with the existing partners and with the rows above it by the same fuzzy match
 * as /newpartner (findSimilarPartners). Nothing is written.
 */

export interface ImportedPartner {
  fullName: string;
  shortName: string | null;
  type: PartnerType;
  focuses: Focus[];
  inn: string | null;
  website: string | null;
  address: string | null;
  notes: string | null;
}

export interface ImportRow {
  rowNumber: number;
  partner: ImportedPartner;
  contact: ContactDraft | null;
}

export type ImportError = ValidationError | "required" | "unknown_type" | "unknown_focus" | "contact_name_required";

export interface RowProblem {
  rowNumber: number;
  field: ImportField;
  error: ImportError;
  /** What the cell held (empty for a missing value). */
  value: string;
}

export type DuplicateOf = { kind: "partner"; partnerId: number; name: string } | { kind: "row"; rowNumber: number; name: string };

export interface DuplicateRow {
  rowNumber: number;
  name: string;
  of: DuplicateOf;
}

export interface ImportPlan {
  /** Data rows in the file. */
  rows: number;
  /** Valid rows that look new: what Import creates. */
  create: ImportRow[];
  /** Valid rows that look like an existing partner or an earlier row: not created. */
  duplicates: DuplicateRow[];
  /** Every problem found, by row and column (a row may have several). */
  problems: RowProblem[];
  /** Rows with at least one problem: not created. */
  invalidRows: number;
}

/** The same score and threshold as findSimilarPartners. */
const SIMILARITY = 0.45;

const CONTACT_FIELD_OF: Record<(typeof CONTACT_IMPORT_FIELDS)[number], ContactField> = {
  contactName: "fullName",
  contactPosition: "position",
  contactPhone: "phone",
  contactEmail: "email",
  contactTelegram: "telegramUsername",
};

const PARTNER_CHECKS: Partial<Record<ImportField, (raw: string) => Checked<string>>> = {
  fullName: (s) => checkName(s, { min: 2, max: 300 }),
  shortName: (s) => checkName(s, { min: 1, max: 100 }),
  inn: checkInn,
  website: checkWebsite,
  address: (s) => checkText(s, 500),
  notes: (s) => checkText(s, 2000),
};

/** Validates one row; returns the clean row or its problems. */
export function validateRow(row: SheetRow, vocabulary: ImportVocabulary): { ok: true; row: ImportRow } | { ok: false; problems: RowProblem[] } {
  const problems: RowProblem[] = [];
  const problem = (field: ImportField, error: ImportError, value = "") => problems.push({ rowNumber: row.rowNumber, field, error, value });
  const clean: Partial<Record<ImportField, string>> = {};
  for (const [field, check] of Object.entries(PARTNER_CHECKS) as [ImportField, (raw: string) => Checked<string>][]) {
    const value = row.values[field];
    if (value === undefined) continue;
    const checked = check(value);
    if (checked.ok) clean[field] = checked.value;
    else problem(field, checked.error, value);
  }
  if (row.values.fullName === undefined) problem("fullName", "required");

  const typeValue = row.values.type;
  const type = typeValue === undefined ? undefined : parseType(vocabulary, typeValue);
  if (typeValue === undefined) problem("type", "required");
  else if (!type) problem("type", "unknown_type", typeValue);

  const focuses: Focus[] = [];
  for (const part of splitList(row.values.focuses ?? "")) {
    const focus = parseFocus(vocabulary, part);
    if (!focus) problem("focuses", "unknown_focus", part);
    else if (!focuses.includes(focus)) focuses.push(focus);
  }

  let contact: ContactDraft | null = null;
  if (CONTACT_IMPORT_FIELDS.some((field) => row.values[field] !== undefined)) {
    const draft: ContactDraft = { fullName: "", position: null, phone: null, email: null, telegramUsername: null };
    for (const field of CONTACT_IMPORT_FIELDS) {
      const value = row.values[field];
      if (value === undefined) continue;
      const target = CONTACT_FIELD_OF[field];
      const checked = CONTACT_CHECKS[target](value);
      if (checked.ok) draft[target] = checked.value;
      else problem(field, checked.error, value);
    }
    if (row.values.contactName === undefined) problem("contactName", "contact_name_required");
    contact = draft;
  }

  if (problems.length > 0 || !type) return { ok: false, problems };
  return {
    ok: true,
    row: {
      rowNumber: row.rowNumber,
      partner: {
        fullName: clean.fullName!,
        shortName: clean.shortName ?? null,
        type,
        focuses,
        inn: clean.inn ?? null,
        website: clean.website ?? null,
        address: clean.address ?? null,
        notes: clean.notes ?? null,
      },
      contact,
    },
  };
}

const namesOf = (partner: ImportedPartner) =>
  [partner.fullName, partner.shortName].filter((name): name is string => name !== null).map(normalisePartnerName).filter(Boolean);

/** The numbers in a name, without leading zeros: «№ 05» and «5» are the same school. */
const numbersOf = (name: string) => [...new Set(name.match(/\d+/g) ?? [])].map((n) => n.replace(/^0+/, ""));

const shown = (partner: { fullName: string; shortName: string | null }) => partner.shortName ?? partner.fullName;

/**
 * Finds, for each row, an existing partner or an earlier row it looks like. Trigram operators
 * with a slightly lower threshold let the pg_trgm indexes pick candidates; the exact score of
 * findSimilarPartners then decides. One rule more than /newpartner, where a person looks at the
 * suggestions: names with numbers and no number in common are different organisations, so a
 * list of «Школа № 1» … «Школа № 50» imports whole. Runs inside a transaction (its settings and
 * temporary table end with it).
 */
async function findDuplicates(tx: Db, rows: ImportRow[]): Promise<Map<number, DuplicateOf>> {
  const found = new Map<number, DuplicateOf>();
  if (rows.length === 0) return found;
  const names = rows.flatMap((row, index) => namesOf(row.partner).map((name) => ({ idx: index, name, nums: numbersOf(name) })));
  const namesJson = JSON.stringify(names);
  const score = (key: SQL, name: SQL) => sql`greatest(similarity(${key}, ${name}), word_similarity(${name}, ${key}))`;
  const sameNumbers = (keyNumbers: SQL) => sql`(cardinality(n.nums) = 0 or cardinality(${keyNumbers}) = 0 or n.nums && ${keyNumbers})`;
  await tx.execute(sql`set local pg_trgm.similarity_threshold = ${sql.raw(String(SIMILARITY - 0.01))}`);
  await tx.execute(sql`set local pg_trgm.word_similarity_threshold = ${sql.raw(String(SIMILARITY - 0.01))}`);

  const existing = await selectRows<{ idx: number; id: number; full_name: string; short_name: string | null }>(
    tx,
    sql`select distinct on (n.idx) n.idx, p.id, p.full_name, p.short_name
        from jsonb_to_recordset(${namesJson}::jsonb) as n(idx int, name text, nums text[])
        join partners p on (p.search_key % n.name or p.search_key %> n.name)
        where ${score(sql`p.search_key`, sql`n.name`)} >= ${SIMILARITY}
          and ${sameNumbers(sql`array(select ltrim(m[1], '0') from regexp_matches(p.search_key, '[0-9]+', 'g') as m)`)}
        order by n.idx, ${score(sql`p.search_key`, sql`n.name`)} desc, p.id`,
  );
  for (const match of existing) {
    found.set(Number(match.idx), { kind: "partner", partnerId: match.id, name: shown({ fullName: match.full_name, shortName: match.short_name }) });
  }

  // The rows as they would be stored, indexed the way partners are, to compare with each other.
  const keys = rows.map((row, index) => {
    const key = partnerSearchKey(row.partner.fullName, row.partner.shortName);
    return { idx: index, key, nums: numbersOf(key) };
  });
  await tx.execute(sql`drop table if exists pg_temp.import_search_keys`);
  await tx.execute(sql`create temporary table import_search_keys (idx int not null, key text not null, nums text[] not null) on commit drop`);
  await tx.execute(sql`insert into import_search_keys select idx, key, nums from jsonb_to_recordset(${JSON.stringify(keys)}::jsonb) as k(idx int, key text, nums text[])`);
  await tx.execute(sql`create index on import_search_keys using gin (key gin_trgm_ops)`);
  await tx.execute(sql`analyze import_search_keys`);
  const earlier = await selectRows<{ idx: number; earlier: number }>(
    tx,
    sql`select n.idx, min(k.idx) as earlier
        from jsonb_to_recordset(${namesJson}::jsonb) as n(idx int, name text, nums text[])
        join import_search_keys k on k.idx < n.idx and (k.key % n.name or k.key %> n.name)
        where ${score(sql`k.key`, sql`n.name`)} >= ${SIMILARITY} and ${sameNumbers(sql`k.nums`)}
        group by n.idx`,
  );
  await tx.execute(sql`drop table pg_temp.import_search_keys`);
  for (const match of earlier) {
    const index = Number(match.idx);
    if (found.has(index)) continue;
    const other = rows[Number(match.earlier)]!;
    found.set(index, { kind: "row", rowNumber: other.rowNumber, name: shown(other.partner) });
  }
  return found;
}

/** The dry run: what an import of this sheet would create, skip as duplicates, and refuse as invalid. */
export async function planImport(db: Db, sheet: Sheet, vocabulary: ImportVocabulary): Promise<ImportPlan> {
  const valid: ImportRow[] = [];
  const problems: RowProblem[] = [];
  let invalidRows = 0;
  for (const row of sheet.rows) {
    const checked = validateRow(row, vocabulary);
    if (checked.ok) valid.push(checked.row);
    else {
      invalidRows++;
      problems.push(...checked.problems);
    }
  }
  const duplicatesOf = await db.transaction((tx) => findDuplicates(tx, valid));
  const create: ImportRow[] = [];
  const duplicates: DuplicateRow[] = [];
  valid.forEach((row, index) => {
    const of = duplicatesOf.get(index);
    if (of) duplicates.push({ rowNumber: row.rowNumber, name: shown(row.partner), of });
    else create.push(row);
  });
  return { rows: sheet.rows.length, create, duplicates, problems, invalidRows };
}
