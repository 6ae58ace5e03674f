import { emptyPartnerDraft, type PartnerDraft } from "../../src/partners/domain/partners.js";

/** A valid partner draft (a school owned by the institution), for creating partners directly in tests. */
export function partnerDraft(overrides: Partial<PartnerDraft> = {}): PartnerDraft {
  return { ...emptyPartnerDraft(), fullName: "Средняя общеобразовательная школа № 5", shortName: "СОШ № 5", type: "school", ...overrides };
}
