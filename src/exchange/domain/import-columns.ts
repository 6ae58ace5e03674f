import { LANGUAGES } from "../../config.js";
import { FOCUSES, type Focus, PARTNER_TYPES, type PartnerType } from "../../partners/index.js";
import type { I18n } from "../../core/i18n.js";

/**
 * The columns of a partner import, and the words that name them, the partner types and the
 * focuses. The labels in locales/<lang>/import.json and partners.json are accepted in every
 * language, plus a few spellings people commonly use in office spreadsheets.
 */
export const IMPORT_FIELDS = [
  "fullName",
  "shortName",
  "type",
  "focuses",
  "inn",
  "website",
  "address",
  "notes",
  "contactName",
  "contactPosition",
  "contactPhone",
  "contactEmail",
  "contactTelegram",
] as const;
export type ImportField = (typeof IMPORT_FIELDS)[number];

export const REQUIRED_FIELDS: readonly ImportField[] = ["fullName", "type"];

export const CONTACT_IMPORT_FIELDS = ["contactName", "contactPosition", "contactPhone", "contactEmail", "contactTelegram"] as const;

/** Other names people give these columns (normalised on use). */
const HEADER_ALIASES: Record<ImportField, string[]> = {
  fullName: ["название", "наименование", "полное наименование", "организация", "name", "organisation", "organization", "full name"],
  shortName: ["короткое название", "сокращенное название", "краткое наименование", "сокращенное наименование", "short name"],
  type: ["тип организации", "вид организации", "type", "organisation type", "organization type"],
  focuses: ["направленность", "направленности", "направление", "направления", "focus", "focuses", "direction", "directions"],
  inn: ["инн", "inn", "tin"],
  website: ["сайт", "веб-сайт", "website", "site", "web", "url"],
  address: ["адрес", "address"],
  notes: ["заметки", "примечание", "примечания", "комментарий", "notes", "note", "comment", "comments"],
  contactName: ["контактное лицо", "фио", "контакт", "contact", "contact name", "contact person", "контакт фио", "contact full name"],
  contactPosition: ["должность", "position", "контакт должность", "contact position"],
  contactPhone: ["телефон", "phone", "контакт телефон", "contact phone"],
  contactEmail: ["email", "e-mail", "эл почта", "электронная почта", "контакт email", "контакт эл почта", "contact email"],
  contactTelegram: ["telegram", "телеграм", "телеграмм", "контакт телеграм", "contact telegram"],
};

/** Headers that carry no data to import (a row counter): their columns are ignored. */
const IGNORED_HEADERS = new Set(["", "пп", "no", "nn", "n"]);

const TYPE_ALIASES: Record<PartnerType, string[]> = {
  school: ["школа", "сош", "оош", "гимназия", "лицей"],
  university: ["вуз", "университет", "институт", "академия"],
  college: ["колледж", "техникум", "училище", "спо"],
  science_centre: ["научный центр", "нии", "научно исследовательский институт"],
  government_body: ["орган власти", "администрация", "министерство"],
  public_organisation: ["общественная организация", "нко", "фонд"],
  business: ["предприятие", "компания", "бизнес"],
  culture_organisation: ["учреждение культуры", "музей", "библиотека", "театр"],
  other: ["другое", "прочее", "иное"],
};

/** Word beginnings that name a focus, so «техническое» or «спорт» are understood too. */
const FOCUS_STEMS: Record<Focus, string[]> = {
  technical: ["техни", "tech"],
  natural_science: ["естеств", "natur", "science"],
  sport: ["физкульт", "спорт", "sport", "physical"],
  arts: ["художеств", "искусств", "art"],
  tourism_local_history: ["турист", "туризм", "краевед", "touris", "local"],
  social_humanitarian: ["социальн", "гуманитар", "social", "humanit"],
};

/** A header as compared: lower case, ё as е, only letters and digits (so «Контакт: e-mail*» = «контактemail»). */
export function normaliseHeader(header: string): string {
  return header.toLowerCase().replace(/ё/g, "е").replace(/[^\p{L}\p{N}]+/gu, "");
}

/** A value as compared: lower case, ё as е, words separated by single spaces. */
export function normaliseWord(value: string): string {
  return value.toLowerCase().replace(/ё/g, "е").replace(/[^\p{L}\p{N}]+/gu, " ").trim();
}

export interface ImportVocabulary {
  headers: Map<string, ImportField>;
  types: Map<string, PartnerType>;
  focuses: Map<string, Focus>;
  /** Names of the template's help sheet in every language: never read as data. */
  helpSheets: Set<string>;
}

/** Builds the vocabulary from the locale files of every language. */
export function importVocabulary(i18n: I18n): ImportVocabulary {
  const headers = new Map<string, ImportField>();
  const types = new Map<string, PartnerType>();
  const focuses = new Map<string, Focus>();
  const helpSheets = new Set<string>();
  for (const field of IMPORT_FIELDS) {
    headers.set(normaliseHeader(field), field);
    for (const alias of HEADER_ALIASES[field]) headers.set(normaliseHeader(alias), field);
  }
  for (const type of PARTNER_TYPES) {
    types.set(normaliseWord(type), type);
    for (const alias of TYPE_ALIASES[type]) types.set(normaliseWord(alias), type);
  }
  for (const focus of FOCUSES) focuses.set(normaliseWord(focus), focus);
  for (const language of LANGUAGES) {
    const t = i18n.fixedT(language);
    for (const field of IMPORT_FIELDS) headers.set(normaliseHeader(t(`import.columns.${field}`)), field);
    for (const type of PARTNER_TYPES) {
      const label = t(`partners.types.${type}`);
      types.set(normaliseWord(label), type);
      // «Колледж (СПО)» is also written as just «Колледж».
      types.set(normaliseWord(label.replace(/\(.*?\)/g, "")), type);
    }
    for (const focus of FOCUSES) {
      focuses.set(normaliseWord(t(`partners.focuses.${focus}`)), focus);
      focuses.set(normaliseWord(t(`partners.focus_buttons.${focus}`)), focus);
    }
    helpSheets.add(normaliseWord(t("import.template.help_sheet")));
  }
  return { headers, types, focuses, helpSheets };
}

export function headerField(vocabulary: ImportVocabulary, header: string): ImportField | "ignored" | undefined {
  const key = normaliseHeader(header);
  if (IGNORED_HEADERS.has(key)) return "ignored";
  return vocabulary.headers.get(key);
}

export function parseType(vocabulary: ImportVocabulary, value: string): PartnerType | undefined {
  return vocabulary.types.get(normaliseWord(value));
}

/** One focus, by its name in any language, its code, or the beginning of a word in it. */
export function parseFocus(vocabulary: ImportVocabulary, value: string): Focus | undefined {
  const key = normaliseWord(value);
  const exact = vocabulary.focuses.get(key);
  if (exact) return exact;
  const words = key.split(" ");
  const found = FOCUSES.filter((focus) => FOCUS_STEMS[focus].some((stem) => words.some((word) => word.startsWith(stem))));
  return found.length === 1 ? found[0] : undefined;
}

/** Focuses are listed in one cell, separated by commas, semicolons, slashes or line breaks. */
export function splitList(value: string): string[] {
  return value
    .split(/[,;/\n]+/)
    .map((part) => part.trim())
    .filter(Boolean);
}
