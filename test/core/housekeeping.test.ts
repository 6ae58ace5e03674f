import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { botState, processedUpdates } from "../../src/core/db/schema.js";
import { outbox } from "../../src/core/outbox/schema.js";
import { forgetAbandonedDialogs, forgetDeliveredMessages, forgetProcessedUpdates } from "../../src/core/housekeeping.js";
import { createTestDatabase, type TestDatabase } from "../helpers/db.js";

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => database.close());
beforeEach(async () => database.truncate());

const now = new Date("2026-12-10T00:00:00Z");
const daysAgo = (days: number) => new Date(now.getTime() - days * 24 * 3600 * 1000);

describe("housekeeping", () => {
  it("forgets processed update ids older than the cut-off and keeps the recent ones", async () => {
    await database.db.insert(processedUpdates).values([
      { updateId: 1, processedAt: daysAgo(5) },
      { updateId: 2, processedAt: daysAgo(4) },
      { updateId: 3, processedAt: daysAgo(1) },
    ]);
    expect(await forgetProcessedUpdates(database.db, daysAgo(3))).toBe(2);
    expect((await database.db.select().from(processedUpdates)).map((r) => r.updateId)).toEqual([3]);
  });

  it("forgets dialogs abandoned for a week, but not fresh dialogs or sessions", async () => {
    await database.db.insert(botState).values([
      { key: "conversation:100", value: { old: true }, updatedAt: daysAgo(8) },
      { key: "conversation:200", value: { old: false }, updatedAt: daysAgo(2) },
      { key: "session:100", value: { staffPage: 1 }, updatedAt: daysAgo(30) },
    ]);
    expect(await forgetAbandonedDialogs(database.db, daysAgo(7))).toBe(1);
    expect((await database.db.select().from(botState)).map((r) => r.key).sort()).toEqual(["conversation:200", "session:100"]);
  });

  it("forgets delivered and given-up outbox messages after 30 days, never pending or in-flight ones", async () => {
    const row = (id: number, status: "pending" | "sending" | "sent" | "failed" | "blocked", age: number) => ({
      id,
      chatId: 100 + id,
      payload: { text: `message ${id}` },
      status,
      createdAt: daysAgo(age),
    });
    await database.db.insert(outbox).values([
      row(1, "sent", 31),
      row(2, "failed", 40),
      row(3, "blocked", 35),
      row(4, "sent", 10),
      row(5, "pending", 60),
      row(6, "sending", 60),
    ]);
    expect(await forgetDeliveredMessages(database.db, daysAgo(30))).toBe(3);
    expect((await database.db.select({ id: outbox.id }).from(outbox)).map((r) => r.id).sort()).toEqual([4, 5, 6]);
  });
});
