import { eq } from "drizzle-orm";
import type { Api } from "grammy";
import { type NoticeDeps, sendHeldQuestion } from "../bot/event-notices.js";
import { users } from "../db/schema/index.js";
import { claimHeldQuestion, eventsAwaitingHeldQuestion, markHeldQuestionUndelivered, releaseHeldQuestion } from "../domain/held-questions.js";

/**
 * Asks the responsible person of every approved event that has ended whether it was held. Each
 * question is claimed in the database before it is sent, so it is asked once however often and
 * wherever this runs; a failed delivery gives the claim back, unless the person blocked the bot.
 */
export async function askHeldQuestions(deps: NoticeDeps, api: Api, now: Date): Promise<{ asked: number }> {
  let asked = 0;
  for (const event of await eventsAwaitingHeldQuestion(deps.db, now)) {
    const [responsible] = await deps.db.select().from(users).where(eq(users.id, event.responsibleUserId));
    if (!responsible) continue;
    if (!(await claimHeldQuestion(deps.db, event))) continue;
    const delivery = await sendHeldQuestion(api, deps, event, responsible);
    if (delivery === "sent") asked++;
    else if (delivery === "blocked") await markHeldQuestionUndelivered(deps.db, event);
    else await releaseHeldQuestion(deps.db, event);
  }
  return { asked };
}
