import { localDate } from "../core/dates.js";
import type { FormConversation } from "../core/forms/ask.js";
import { getPartner } from "./domain/partners.js";

/** The partner's name for the prompts and the institution's today, read once at the start of a form. */
export function partnerAndToday(conversation: FormConversation, partnerId: number): Promise<{ name: string | undefined; today: string }> {
  return conversation.external(async (outside) => {
    const partner = await getPartner(outside.deps.db, partnerId);
    return {
      name: partner ? (partner.shortName ?? partner.fullName) : undefined,
      today: localDate(outside.deps.now(), outside.deps.config.timeZone),
    };
  });
}
