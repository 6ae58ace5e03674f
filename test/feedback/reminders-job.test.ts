import { eq, like } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { feedbackPrompts } from "../../src/feedback/domain/schema.js";
import { outbox } from "../../src/core/outbox/schema.js";
import { users } from "../../src/core/access/schema.js";
import { claimPromptReminder } from "../../src/feedback/domain/feedback.js";
import { type FeedbackReminderDeps, sendFeedbackReminders } from "../../src/feedback/reminders-job.js";
import { lastAnswer } from "../helpers/event-world.js";
import { afterOpening, DAY_MS, feedbackWorld } from "../helpers/feedback-world.js";
import { createHarness, type Harness } from "../helpers/harness.js";
import type { TestUser } from "../helpers/updates.js";

let h: Harness;
let wakes = 0;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());
beforeEach(async () => {
  await h.reset();
  wakes = 0;
});

const deps = (): FeedbackReminderDeps => ({
  db: h.database.db,
  i18n: h.i18n,
  defaultLanguage: h.config.defaultLanguage,
  timeZone: h.config.timeZone,
  feedback: h.config.feedback,
  wakeOutbox: () => wakes++,
});

/** Runs the job at `at` and delivers what it queued; returns how many it queued. */
async function runAt(at: Date): Promise<number> {
  h.clock.now = at;
  const { queued } = await sendFeedbackReminders(deps(), at);
  await h.flushOutbox();
  return queued;
}

const remindersTo = (user: TestUser) => h.telegram.textsTo(user.id).filter((t) => t.startsWith("⏰"));
const promptRow = async (id: number) => (await h.database.db.select().from(feedbackPrompts).where(eq(feedbackPrompts.id, id)))[0]!;

describe("feedback reminders", () => {
  it("go at day 2 and 5 only to those who have not rated, in their language, at most twice, and stop when they answer", async () => {
    const { contact, english, stranger, prompt, englishPrompt } = await feedbackWorld(h);
    expect(await runAt(afterOpening(1.99))).toBe(0);

    expect(await runAt(afterOpening(2))).toBe(2);
    expect(wakes).toBe(1);
    expect(remindersTo(contact)).toEqual([
      "⏰ <b>Напоминаем об отзыве</b>\nБудем благодарны, если вы оцените совместное мероприятие «Мастер-класс по робототехнике», " +
        "10 декабря 2026, 15:00. Достаточно одного нажатия.\n\n" +
        "Насколько вы довольны совместным мероприятием?\n\nОпрос открыт ещё 12 дней.\n\n1 — совсем не довольны … 5 — полностью довольны",
    ]);
    expect(h.telegram.lastMessageTo(contact.id).buttons.map((b) => b.data)).toEqual([1, 2, 3, 4, 5].map((n) => `fb:r:${prompt.id}:${n}`));
    expect(remindersTo(english)).toEqual([
      "⏰ <b>A reminder about your feedback</b>\nWe would be grateful if you rated the joint event “Мастер-класс по робототехнике”, " +
        "10 December 2026, 15:00. One tap is enough.\n\n" +
        "How satisfied are you with the joint event?\n\nThe survey stays open for 12 more days.\n\n1 — not satisfied at all … 5 — completely satisfied",
    ]);
    expect(await runAt(afterOpening(2.01))).toBe(0);

    // The English contact answers on the reminder: no more reminders for them.
    h.clock.now = afterOpening(3);
    await h.pressButton(english, `fb:r:${englishPrompt.id}:4`);
    expect(lastAnswer(h)?.text).toBe("Thank you! Your rating of 4 out of 5 is saved.");

    expect(await runAt(afterOpening(4.9))).toBe(0);
    expect(await runAt(afterOpening(5))).toBe(1);
    expect(remindersTo(contact)).toHaveLength(2);
    expect(remindersTo(contact)[1]).toContain("Опрос открыт ещё 9 дней.");
    expect(remindersTo(english)).toHaveLength(1);
    for (const day of [6, 9, 12, 13.9]) expect(await runAt(afterOpening(day))).toBe(0);
    expect(remindersTo(contact)).toHaveLength(2);
    expect(remindersTo(stranger)).toEqual([]);
    expect(await promptRow(prompt.id)).toMatchObject({ remindersSent: 2, lastRemindedAt: afterOpening(5), rating: null });
    expect(await promptRow(englishPrompt.id)).toMatchObject({ remindersSent: 1, rating: 4 });
  });

  it("sends nothing to someone who answered before day 2, or after the prompt closed at day 14", async () => {
    const { contact, english, englishPrompt } = await feedbackWorld(h);
    h.clock.now = afterOpening(1);
    await h.pressButton(english, `fb:r:${englishPrompt.id}:5`);
    // The job did not run for two weeks: once the prompt closed, nothing is due.
    expect(await runAt(afterOpening(14))).toBe(0);
    expect(await runAt(afterOpening(20))).toBe(0);
    expect(remindersTo(contact)).toEqual([]);
    expect(remindersTo(english)).toEqual([]);
    expect(wakes).toBe(0);
  });

  it("sends a reminder once when the job runs twice at the same time or again", async () => {
    const { contact, english, prompt } = await feedbackWorld(h);
    h.clock.now = afterOpening(2);
    const results = await Promise.all([sendFeedbackReminders(deps(), afterOpening(2)), sendFeedbackReminders(deps(), afterOpening(2))]);
    expect(results.reduce((sum, r) => sum + r.queued, 0)).toBe(2);
    expect(await sendFeedbackReminders(deps(), afterOpening(2))).toEqual({ queued: 0 });
    await h.flushOutbox();
    expect(remindersTo(contact)).toHaveLength(1);
    expect(remindersTo(english)).toHaveLength(1);
    const rows = await h.database.db.select().from(outbox).where(like(outbox.dedupeKey, "fbremind:%"));
    expect(rows.map((r) => r.dedupeKey).sort()).toEqual(expect.arrayContaining([`fbremind:${prompt.id}:1`]));
    expect(rows).toHaveLength(2);
    expect((await promptRow(prompt.id)).remindersSent).toBe(1);

    // The claim itself: reminder 1 is taken; of two instances claiming reminder 2 at once, one wins.
    const db = h.database.db;
    expect(await claimPromptReminder(db, prompt.id, 0, afterOpening(5))).toBe(false);
    const claims = await Promise.all([1, 1].map(() => db.transaction((tx) => claimPromptReminder(tx, prompt.id, 1, afterOpening(5)))));
    expect(claims.filter(Boolean)).toHaveLength(1);
    expect((await promptRow(prompt.id)).remindersSent).toBe(2);
  });

  it("leaves a day between reminders when the job missed the first one, and skips people who left", async () => {
    const { contact, english, englishRow } = await feedbackWorld(h);
    await h.database.db.update(users).set({ status: "inactive" }).where(eq(users.id, englishRow.id));
    expect(await runAt(afterOpening(6))).toBe(1);
    expect(await runAt(afterOpening(6.5))).toBe(0);
    expect(await runAt(new Date(afterOpening(6).getTime() + DAY_MS))).toBe(1);
    expect(remindersTo(contact)).toHaveLength(2);
    expect(remindersTo(contact)[1]).toContain("Опрос открыт ещё 7 дней.");
    expect(remindersTo(english)).toEqual([]);
  });
});
