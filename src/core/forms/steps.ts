import type { Answer } from "./ask.js";

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
