import { eq } from "drizzle-orm";
import type { Db } from "../../src/core/db/client.js";
import { type Role, users } from "../../src/core/access/schema.js";
import { units } from "../../src/core/access/units-schema.js";
import type { Harness } from "./harness.js";
import { command, documentMessage, makeUser, type TestUser } from "./updates.js";

/** Registers a person through /start, then gives them a role (and a unit) directly in the database. */
export async function registered(h: Harness, user: TestUser, role: Role, unitId: number | null = null) {
  await h.send(command(user, "start"));
  const [row] = await h.database.db.update(users).set({ role, unitId }).where(eq(users.telegramId, user.id)).returning();
  return row!;
}

/** A new person made staff: the Telegram user and their stored id. */
export async function addStaff(h: Harness, overrides: Partial<TestUser> = {}): Promise<{ user: TestUser; id: number }> {
  const user = makeUser(overrides);
  const row = await registered(h, user, "staff");
  return { user, id: row.id };
}

export async function addDepartment(db: Db, name: string): Promise<number> {
  const [row] = await db.insert(units).values({ kind: "department", name }).returning();
  return row!.id;
}

/** Opens a partner's card the way a person does: /partners, then the partner's button. */
export async function openPartnerCard(h: Harness, user: TestUser, partnerId: number): Promise<void> {
  await h.send(command(user, "partners"));
  await h.pressButton(user, `pc:open:${partnerId}`);
}

/** A document of 60 MB: more than a bot may take from Telegram. */
export function hugeDocument(user: TestUser) {
  const update = documentMessage(user);
  update.message!.document!.file_size = 60 * 1024 * 1024;
  return update;
}
