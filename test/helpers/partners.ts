import type { PartnerDraft } from "../../src/domain/partners.js";

/** A valid partner draft (a school owned by the institution), for creating partners directly in tests. */
export function partnerDraft(overrides: Partial<PartnerDraft> = {}): PartnerDraft {
  return {
    fullName: "Средняя общеобразовательная школа № 5",
    shortName: "СОШ № 5",
    type: "school",
    ownerKind: "institution",
    ownerUnitId: null,
    ownerUserId: null,
    focuses: [],
    website: null,
    address: null,
    inn: null,
    motivation: null,
    tasks: null,
    notes: null,
    ...overrides,
  };
}
