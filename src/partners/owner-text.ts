import type { TFunction } from "../core/i18n.js";
import type { OwnerKind } from "./domain/schema.js";

/**
 * Who owns a partnership, the one way the bot writes it (card, form summary): «Отдел техники
 * (отдел)», «Мария Петрова (педагог)», «учреждение в целом». Unescaped, like plainName.
 */
export function ownerText(t: TFunction, kind: OwnerKind, name: string | null | undefined): string {
  const kindText = t(`partners.owner_kinds.${kind}`).toLocaleLowerCase();
  return kind === "institution" || !name ? kindText : `${name} (${kindText})`;
}
