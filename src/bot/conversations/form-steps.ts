import { localDate } from "../../domain/dates.js";
import { getPartner } from "../../domain/partners.js";
import type { Answer, FormConversation } from "./ask.js";

/** What a step did: answered (or skipped), asked to go back, to be asked again, or to start over. */
export type StepResult = Answer<unknown> | "again" | "restart";

/** More than enough for any form with some going back and forth; never endless. */
const MAX_ANSWERS = 60;

/**
 * Walks a form of `count` steps in order: Back returns one step, "again" re-asks the same step
 * (after the conversation explained why), "restart" returns to the first. False when the person
 * went round for too long.
 */
export async function walkSteps(count: number, ask: (index: number) => Promise<StepResult>): Promise<boolean> {
  let index = 0;
  for (let answers = 0; answers < MAX_ANSWERS; answers++) {
    const result = await ask(index);
    if (result === "restart") index = 0;
    else if (result !== "again") index = result.kind === "back" ? Math.max(0, index - 1) : index + 1;
    if (index >= count) return true;
  }
  return false;
}

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
