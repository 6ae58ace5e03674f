import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createPartner } from "../../../src/partners/domain/partners.js";
import { addStaff } from "../../helpers/bot-people.js";
import { createHarness, type Harness } from "../../helpers/harness.js";
import { partnerDraft } from "../../helpers/partners.js";
import { command, press, text, type TestUser } from "../../helpers/updates.js";

/**
 * What an update costs the database, counted statement by statement through the bot's Db: the
 * claim of the update, the user, the session and the dialog state come in one round trip, and
 * the end of the update (its state and its row) in one more. Round trips, not time: counts are
 * the same on a busy machine (speed itself is in npm run bench:inbound).
 */

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

/** The round trips one update cost, and its statements (shown when the count is over). */
async function cost(update: Parameters<Harness["send"]>[0]): Promise<{ count: number; statements: string[] }> {
  h.roundTrips.reset();
  await h.send(update);
  return { count: h.roundTrips.count, statements: [...h.roundTrips.statements] };
}

async function staffWithPartners(n: number): Promise<TestUser> {
  const { user, id } = await addStaff(h, { language_code: "ru" });
  for (let i = 0; i < n; i++) {
    await createPartner(h.database.db, { user: { id, role: "staff" } as never, role: "staff" }, partnerDraft({ fullName: `Школа № ${100 + i}`, shortName: `Школа ${100 + i}` }));
  }
  return user;
}

describe("database round trips per update", () => {
  it("/help and /start of a known person: two (the claim with the user and state, then the end)", async () => {
    const user = await staffWithPartners(0);
    const help = await cost(command(user, "help"));
    expect(help.count, help.statements.join("\n")).toBeLessThanOrEqual(2);
    const start = await cost(command(user, "start"));
    expect(start.count, start.statements.join("\n")).toBeLessThanOrEqual(2);
  });

  it("turning a page of the partner list: the fixed two and the page's own query", async () => {
    const user = await staffWithPartners(25);
    await h.send(command(user, "partners"));
    const message = h.telegram.lastMessageTo(user.id);
    expect(message.buttons.map((b) => b.data)).toContain("pl:page:1");
    const page = await cost(press(user, "pl:page:1", message));
    expect(h.telegram.lastMessageTo(user.id).text).toContain("Страница 2 из 4");
    expect(page.count, page.statements.join("\n")).toBeLessThanOrEqual(3);
  });

  it("a step of a dialog, typed or pressed: at most three", async () => {
    const user = await staffWithPartners(0);
    await h.send(command(user, "newpartner"));
    const typed = await cost(text(user, "Иркутский государственный университет"));
    expect(h.telegram.lastTextTo(user.id)).toContain("Краткое название");
    expect(typed.count, typed.statements.join("\n")).toBeLessThanOrEqual(3);
    await h.send(text(user, "ИГУ"));
    const pressed = await cost(press(user, "ask:pick:university", h.telegram.lastMessageTo(user.id)));
    expect(h.telegram.lastTextTo(user.id)).toContain("Кто отвечает за партнёрство?");
    expect(pressed.count, pressed.statements.join("\n")).toBeLessThanOrEqual(3);
  });
});
