import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createHarness, type Harness } from "../helpers/harness.js";
import { command, makeUser } from "../helpers/updates.js";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

describe("/start without a payload", () => {
  it("greets a guest in Russian and tells how to get access", async () => {
    const guest = makeUser({ first_name: "Ольга", language_code: "ru" });
    await h.send(command(guest, "start"));
    const reply = h.telegram.lastTextTo(guest.id);
    expect(reply).toContain("Здравствуйте, Ольга!");
    expect(reply).toContain("Как получить доступ");
    expect(reply).toContain("/privacy");
    expect(reply).not.toContain("/invite");
  });

  it("greets a guest in English when Telegram says English", async () => {
    const guest = makeUser({ first_name: "Olga", language_code: "en" });
    await h.send(command(guest, "start"));
    const reply = h.telegram.lastTextTo(guest.id);
    expect(reply).toContain("Hello, Olga!");
    expect(reply).toContain("How to get access");
  });

  it("shows an admin the admin commands", async () => {
    await h.send(command(h.admin, "start"));
    const reply = h.telegram.lastTextTo(h.admin.id);
    expect(reply).toContain("/invite");
    expect(reply).toContain("/staff");
    h.expectAllCallbacksAnswered();
  });
});
