/**
 * Postgres cannot store U+0000 in text or jsonb, and rejects lone UTF-16 surrogates in jsonb;
 * the other C0 controls are invisible noise that breaks exports and search. Every text that comes
 * from a user passes through here once, at the boundary (an incoming update, an imported cell):
 * C0 controls except tab and newline are removed (a CR before LF too), lone surrogates become
 * U+FFFD. Code past the boundary can then store any string it is given.
 */

// eslint-disable-next-line no-control-regex
const UNSTORABLE = /[\u0000-\u0008\u000B-\u001F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function hasUnstorable(text: string): boolean {
  UNSTORABLE.lastIndex = 0;
  const found = UNSTORABLE.test(text);
  UNSTORABLE.lastIndex = 0;
  return found;
}

/** The text with controls removed and lone surrogates replaced. */
export function storableText(text: string): string {
  if (!hasUnstorable(text)) return text;
  return text.replace(UNSTORABLE, (match) => (match.length === 1 && match >= "\uD800" ? "\uFFFD" : ""));
}

interface Entity {
  offset: number;
  length: number;
}

/**
 * Cleans `text` and moves the entities that point into it (offsets count UTF-16 units), so a
 * command or a link keeps pointing at the same characters after removals.
 */
function storableWithEntities(text: string, entities: Entity[] | undefined): string {
  if (!hasUnstorable(text)) return text;
  // newIndex[i] = position in the cleaned text of the i-th unit of the original.
  const newIndex = new Array<number>(text.length + 1);
  let out = "";
  let last = 0;
  UNSTORABLE.lastIndex = 0;
  for (const match of text.matchAll(UNSTORABLE)) {
    const at = match.index;
    for (let i = last; i < at; i++) newIndex[i] = out.length + (i - last);
    out += text.slice(last, at);
    const replacement = match[0].length === 1 && match[0] >= "\uD800" ? "\uFFFD" : "";
    newIndex[at] = out.length;
    out += replacement;
    last = at + match[0].length;
  }
  for (let i = last; i <= text.length; i++) newIndex[i] = out.length + (i - last);
  out += text.slice(last);
  for (const entity of entities ?? []) {
    const start = newIndex[Math.min(entity.offset, text.length)]!;
    const end = newIndex[Math.min(entity.offset + entity.length, text.length)]!;
    entity.offset = start;
    entity.length = Math.max(0, end - start);
  }
  return out;
}

/**
 * Cleans every string of an incoming update in place (texts, captions, names, file names,
 * callback data, contact fields, …) and returns it. Message texts and captions keep their
 * entities aligned.
 */
export function makeUpdateStorable<T>(update: T): T {
  // In polling mode the inbox cleans a batch before storing it, and the bot then gets the same objects.
  if (update === null || typeof update !== "object" || cleaned.has(update)) return update;
  clean(update, 0);
  cleaned.add(update);
  return update;
}

const cleaned = new WeakSet<object>();

function clean(value: unknown, depth: number): void {
  if (depth > 32 || value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === "string") value[i] = storableText(item);
      else clean(item, depth + 1);
    }
    return;
  }
  const record = value as Record<string, unknown>;
  for (const [key, item] of Object.entries(record)) {
    if (typeof item === "string") {
      if (key === "text") record[key] = storableWithEntities(item, record.entities as Entity[] | undefined);
      else if (key === "caption") record[key] = storableWithEntities(item, record.caption_entities as Entity[] | undefined);
      else record[key] = storableText(item);
    } else clean(item, depth + 1);
  }
}
