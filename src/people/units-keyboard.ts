import { InlineKeyboard } from "grammy";
import type { Unit, UnitKind } from "../core/access/units-schema.js";
import type { UnitCard } from "./domain/units.js";
import { plainName } from "../core/telegram/format.js";
import type { TFunction } from "../core/i18n.js";
import { fitButton } from "../core/telegram/button-label.js";
import { addPageNav, pageOf, pageOfIndex } from "../core/telegram/paging.js";


/** A unit card as plain data: survives a conversation's storage (no Dates, no classes). */
export interface UnitCardData {
  id: number;
  kind: UnitKind;
  name: string;
  parentName: string | null;
  headName: string | null;
  staffCount: number;
  associationCount: number;
  archived: boolean;
  /** The page of /units that holds the unit: «Back to the list» returns there. */
  listPage?: number;
}

/** The page of the list (`units` as listUnits orders them) that holds unit `unitId`. */
export function listPageOf(units: Pick<Unit, "id">[], unitId: number): number {
  return pageOfIndex(units.findIndex((unit) => unit.id === unitId));
}

export function toCardData(card: UnitCard): UnitCardData {
  return {
    id: card.unit.id,
    kind: card.unit.kind,
    name: card.unit.name,
    parentName: card.parent?.name ?? null,
    headName: card.head ? plainName(card.head) : null,
    staffCount: card.staffCount,
    associationCount: card.associationCount,
    archived: card.unit.archivedAt !== null,
  };
}

const flag = (showArchived: boolean) => (showArchived ? 1 : 0);

/** Back to the list page that holds the unit; page 0 keeps the short form of the button. */
const listData = (showArchived: boolean, page = 0) => (page > 0 ? `un:list:${flag(showArchived)}:${page}` : `un:list:${flag(showArchived)}`);

/** A unit as a button: 🏛 department, ↳ association, 🗄 archived. */
export function unitLabel(unit: Unit): string {
  const label = unit.parentId === null ? `🏛 ${unit.name}` : `↳ ${unit.name}`;
  return fitButton(unit.archivedAt === null ? label : `🗄 ${label}`);
}

/** The structure: departments, each followed by its associations, as buttons, a page at a time. */
export function unitListView(t: TFunction, units: Unit[], showArchived: boolean, requestedPage = 0) {
  const a = flag(showArchived);
  const active = units.filter((unit) => unit.archivedAt === null);
  const lines = [t("units.title")];
  if (units.length === 0) {
    lines.push("", t("units.empty"));
  } else {
    lines.push(
      t("units.summary", {
        departments: active.filter((unit) => unit.kind === "department").length,
        associations: active.filter((unit) => unit.kind === "association").length,
      }),
    );
    if (showArchived) lines.push(t("units.summary_archived", { count: units.length - active.length }));
    lines.push("", t("units.pick"));
  }
  const keyboard = new InlineKeyboard();
  const page = pageOf(units, requestedPage);
  for (const unit of page.items) keyboard.text(unitLabel(unit), `un:open:${unit.id}:${a}`).row();
  addPageNav(keyboard, t, page, (p) => listData(showArchived, p));
  keyboard.text(t("units.add_department"), `un:add:0:${a}`).row();
  keyboard.text(showArchived ? t("units.hide_archived") : t("units.show_archived"), `un:list:${flag(!showArchived)}`);
  return { text: lines.join("\n"), keyboard };
}

export function unitCardView(t: TFunction, card: UnitCardData, showArchived: boolean) {
  const a = flag(showArchived);
  const lines = [t("units.card_title", { name: card.name }), t("units.card_kind", { kind: t(`units.kind_${card.kind}`) })];
  if (card.parentName !== null) lines.push(t("units.card_parent", { name: card.parentName }));
  if (card.kind === "department") lines.push(t("units.card_associations", { count: card.associationCount }));
  lines.push(t("units.card_head", { name: card.headName ?? t("units.no_head") }));
  lines.push(t("units.card_staff", { count: card.staffCount }));
  if (card.archived) lines.push(t("units.card_archived"));

  const keyboard = new InlineKeyboard();
  if (card.archived) {
    keyboard.text(t("units.restore"), `un:restore:${card.id}:${a}`).row();
  } else {
    keyboard.text(t("units.rename"), `un:rename:${card.id}:${a}`).text(t("units.set_head"), `un:head:${card.id}:${a}`).row();
    if (card.kind === "department") keyboard.text(t("units.add_association"), `un:add:${card.id}:${a}`).row();
    keyboard.text(t("units.archive"), `un:archive:${card.id}:${a}`).row();
  }
  keyboard.text(t("units.back_to_list"), listData(showArchived, card.listPage));
  return { text: lines.join("\n"), keyboard };
}

export type UnitRefusal =
  | { reason: "invalid_name"; error: string }
  | { reason: "duplicate"; existing: Pick<Unit, "name"> }
  | { reason: "has_active_associations"; associations: number }
  | {
      reason:
        | "forbidden"
        | "not_found"
        | "parent_not_found"
        | "archived"
        | "head_not_eligible"
        | "already_archived"
        | "not_archived"
        | "parent_archived"
        | "user_not_found"
        | "unit_not_found";
    };

/** A domain refusal, in words. */
export function refusalText(t: TFunction, refusal: UnitRefusal): string {
  switch (refusal.reason) {
    case "invalid_name":
      return t(`validation.${refusal.error}`);
    case "duplicate":
      return t("units.refused_duplicate", { name: refusal.existing.name });
    case "has_active_associations":
      return t("units.refused_has_active_associations", { count: refusal.associations });
    case "forbidden":
      return t("access.denied_button");
    default:
      return t(`units.refused_${refusal.reason}`);
  }
}
