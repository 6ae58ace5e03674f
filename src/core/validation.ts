/**
 * Field validators shared by the partner registry. Each returns the cleaned value or an error
 * code; the bot turns codes into localised hints (locale key `validation.<code>`).
 */
export type Checked<T> = { ok: true; value: T } | { ok: false; error: ValidationError };

export type ValidationError =
  | "too_short"
  | "too_long"
  | "no_letters"
  | "not_text"
  | "bad_url"
  | "bad_inn"
  | "bad_phone"
  | "bad_email"
  | "bad_username"
  | "bad_date"
  /** A date, or the words «сегодня» / «вчера» (the interaction log's date). */
  | "bad_date_or_word"
  | "bad_month";

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const fail = <T>(error: ValidationError): Checked<T> => ({ ok: false, error });

/** A name or other short text: trimmed, single-spaced, with at least one letter or digit. */
export function checkName(raw: string, limits: { min: number; max: number }): Checked<string> {
  const value = raw.replace(/\s+/g, " ").trim();
  if (!/[\p{L}\p{N}]/u.test(value)) return fail("no_letters");
  if (Array.from(value).length < limits.min) return fail("too_short");
  if (Array.from(value).length > limits.max) return fail("too_long");
  return ok(value);
}

/** Free text (motivation, notes, an interaction): kept as written, within a limit. */
export function checkText(raw: string, max: number): Checked<string> {
  const value = raw.trim();
  if (!/[\p{L}\p{N}]/u.test(value)) return fail("no_letters");
  if (Array.from(value).length > max) return fail("too_long");
  return ok(value);
}

/** A website: adds https:// when missing; must have a dotted host. */
export function checkWebsite(raw: string): Checked<string> {
  const value = raw.trim();
  const withScheme = /^https?:\/\//i.test(value) ? value : `https://${value}`;
  try {
    const host = /^https?:\/\/([^/?#:]+)/i.exec(withScheme)?.[1] ?? "";
    new URL(withScheme);
    // The host as typed (Cyrillic domains stay readable), checked for a dot and sane characters.
    if (!/^[\p{L}\p{N}-]+(\.[\p{L}\p{N}-]+)+$/u.test(host) || value.length > 300) return fail("bad_url");
    return ok(withScheme.replace(/\/$/, ""));
  } catch {
    return fail("bad_url");
  }
}

const INN_WEIGHTS_10 = [2, 4, 10, 3, 5, 9, 4, 6, 8];
const INN_WEIGHTS_11 = [7, 2, 4, 10, 3, 5, 9, 4, 6, 8];
const INN_WEIGHTS_12 = [3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8];

const checkDigit = (digits: number[], weights: number[]) =>
  (weights.reduce((sum, weight, i) => sum + weight * digits[i]!, 0) % 11) % 10;

/** ИНН: 10 digits (organisations) or 12 (individuals), with the Federal Tax Service check digits. */
export function checkInn(raw: string): Checked<string> {
  const value = raw.replace(/\s+/g, "");
  if (!/^(\d{10}|\d{12})$/.test(value)) return fail("bad_inn");
  const digits = [...value].map(Number);
  const valid =
    value.length === 10
      ? checkDigit(digits, INN_WEIGHTS_10) === digits[9]
      : checkDigit(digits, INN_WEIGHTS_11) === digits[10] && checkDigit(digits, INN_WEIGHTS_12) === digits[11];
  return valid ? ok(value) : fail("bad_inn");
}

/** A calendar date typed as ДД.ММ.ГГГГ (or ДД.ММ.ГГ, or ISO); 31.02 is refused. Returns YYYY-MM-DD. */
export function checkDate(raw: string): Checked<string> {
  const value = raw.trim();
  const match = /^(\d{1,2})[./-](\d{1,2})[./-](\d{2}|\d{4})$/.exec(value) ?? null;
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  let year: number, month: number, day: number;
  if (match) {
    day = Number(match[1]);
    month = Number(match[2]);
    year = match[3]!.length === 2 ? 2000 + Number(match[3]) : Number(match[3]);
  } else if (iso) {
    year = Number(iso[1]);
    month = Number(iso[2]);
    day = Number(iso[3]);
  } else {
    return fail("bad_date");
  }
  const date = new Date(Date.UTC(year, month - 1, day));
  if (year < 1990 || year > 2100 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return fail("bad_date");
  return ok(date.toISOString().slice(0, 10));
}

/** A month typed as ММ.ГГГГ; returns the first day, YYYY-MM-01. */
export function checkMonth(raw: string): Checked<string> {
  const match = /^(\d{1,2})[./-](\d{4})$/.exec(raw.trim());
  if (!match) return fail("bad_month");
  const month = Number(match[1]);
  const year = Number(match[2]);
  if (month < 1 || month > 12 || year < 1990 || year > 2100) return fail("bad_month");
  return ok(`${year}-${String(month).padStart(2, "0")}-01`);
}
