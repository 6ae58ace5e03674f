import type { InlineKeyboard } from "grammy";
import type { TFunction } from "../i18n.js";

/**
 * One way to page a list of buttons, as /partners does: a slice of the items and a row
 * «◀️ 2/5 ▶️» under them; the list is edited in place. Page numbers come back in callback
 * data, so they are never trusted: a stale or forged number shows the nearest page that exists.
 */

/** Items a page, as in /partners and /staff. */
export const PAGE_SIZE = 8;

/**
 * A safety net for pickers that load every candidate into a conversation (staff, units, plan
 * items): far above what the institution has, low enough to keep a conversation's state small.
 */
export const MAX_PICKER_ITEMS = 1000;

export interface Page<T> {
  /** The items of this page. */
  items: T[];
  /** 0-based; always an existing page. */
  page: number;
  /** At least 1, also for an empty list. */
  pages: number;
  total: number;
  /** The position of the page's first item in the whole list. */
  offset: number;
}

export function pageCount(total: number, size = PAGE_SIZE): number {
  return Math.max(1, Math.ceil(total / size));
}

/** The nearest existing page: negative, fractional or absurd numbers included. */
export function clampPage(requested: number, pages: number): number {
  if (!Number.isFinite(requested) || requested <= 0) return 0;
  return Math.min(Math.floor(requested), Math.max(1, pages) - 1);
}

/** The `requested` page of `items`, clamped to the nearest page that exists. */
export function pageOf<T>(items: readonly T[], requested: number, size = PAGE_SIZE): Page<T> {
  const pages = pageCount(items.length, size);
  const page = clampPage(requested, pages);
  const offset = page * size;
  return { items: items.slice(offset, offset + size), page, pages, total: items.length, offset };
}

/** The page that holds the item at `index` (0 when it is not in the list). */
export function pageOfIndex(index: number, size = PAGE_SIZE): number {
  return index < 0 ? 0 : Math.floor(index / size);
}

/**
 * Appends «◀️ 2/5 ▶️» as a row, or nothing when the list fits one page. ◀️ is left out on the
 * first page and ▶️ on the last; the middle button shows the position and redraws the same page.
 */
export function addPageNav(
  keyboard: InlineKeyboard,
  t: TFunction,
  position: { page: number; pages: number },
  data: (page: number) => string,
): InlineKeyboard {
  if (position.pages <= 1) return keyboard;
  if (position.page > 0) keyboard.text(t("common.page_previous"), data(position.page - 1));
  keyboard.text(t("common.page_of", { page: position.page + 1, pages: position.pages }), data(position.page));
  if (position.page < position.pages - 1) keyboard.text(t("common.page_next"), data(position.page + 1));
  return keyboard.row();
}
