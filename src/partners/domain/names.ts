/**
 * Normalises an organisation's name for fuzzy matching, so that «СОШ №5», «Средняя
 * общеобразовательная школа № 5» and «МБОУ г. Иркутска школа 5» all become «школа 5».
 * Trigram similarity (pg_trgm) then works on these keys.
 */

/** Long official phrases, replaced before the name is split into words. */
const PHRASES: [RegExp, string][] = [
  [/(средняя|основная|начальная)? ?общеобразовательная школа/g, "школа"],
  [/муниципальное (автономное|бюджетное|казенное)? ?(обще)?образовательное учреждение/g, " "],
  [/(государственное|муниципальное|областное)? ?(автономное|бюджетное|казенное) учреждение/g, " "],
  [/(обще)?образовательное учреждение/g, " "],
  [/дополнительного образования( детей)?/g, " "],
  [/государственный университет/g, "университет"],
];

/** Abbreviations that mean the same as a word. */
const SYNONYMS: Record<string, string> = { сош: "школа", оош: "школа", нош: "школа", школа: "школа" };

/** Legal forms and the city: they tell nothing about which organisation it is. */
const NOISE = new Set(
  "мбоу маоу моу мкоу гбоу гоу огбоу огоу огаоу мбу мау мку гбу огбу огку огау фгбоу фгаоу фгбу ано оо нко ооо оао пао зао ао ип мбудо маудо мбоудо маоудо до г город города иркутск иркутска иркутске".split(
    " ",
  ),
);

export function normalisePartnerName(name: string): string {
  let text = name.toLowerCase().replace(/ё/g, "е").replace(/[^\p{L}\p{N}]+/gu, " ");
  for (const [pattern, replacement] of PHRASES) text = text.replace(pattern, replacement);
  return text
    .split(" ")
    .filter((word) => word !== "" && !NOISE.has(word))
    .map((word) => SYNONYMS[word] ?? word)
    .join(" ");
}

/** The search key of a partner: both names, so either can be found. */
export function partnerSearchKey(fullName: string, shortName: string | null | undefined): string {
  const keys = [normalisePartnerName(fullName)];
  if (shortName) keys.push(normalisePartnerName(shortName));
  return [...new Set(keys.filter(Boolean))].join(" | ");
}
