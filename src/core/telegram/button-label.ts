import { clip } from "./html.js";

/**
 * Inline buttons fit a phone screen: at most this many characters (code points, so an emoji
 * counts as one or two, as Telegram draws it). The fake Bot API of the tests refuses longer ones.
 */
export const MAX_BUTTON_LABEL = 24;

/** The number of characters of a label as the limit counts them. */
export function labelLength(text: string): number {
  return [...text].length;
}

/** A label cut to the limit, ending in "…" when something was cut. */
export function fitButton(text: string, max = MAX_BUTTON_LABEL): string {
  const cut = clip(text, max);
  // No space left before the "…": it would take a character of the label for nothing.
  return cut === text ? text : `${cut.slice(0, -1).trimEnd()}…`;
}

/**
 * A label made of fixed text around a name or title (`render(value)`): the value is shortened
 * with "…" until the whole label fits, so the fixed part ("📎 Скан № …") always shows.
 */
export function fitLabel(render: (value: string) => string, value: string, max = MAX_BUTTON_LABEL): string {
  const full = render(value);
  const over = labelLength(full) - max;
  if (over <= 0) return full;
  const chars = [...value];
  const keep = chars.length - over - 1;
  return fitButton(render(keep > 0 ? `${chars.slice(0, keep).join("").trimEnd()}…` : "…"), max);
}
