import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTemplate, templateReady } from "../../../src/core/db/pglite-template.js";
import { FakeBotApiServer } from "../../helpers/fake-bot-api-server.js";
import { TEST_TOKEN } from "../../helpers/harness.js";
import { startBotProcess } from "../../helpers/process.js";
import { command, makeUser } from "../../helpers/updates.js";

/**
 * The embedded database's first start copies the database prepared at build time (npm run build
 * makes it) instead of running initdb: the real `node dist/main.js` on an empty DATA_DIR.
 */

let workDir: string;
let api: FakeBotApiServer;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), "palace-template-"));
  api = await new FakeBotApiServer().start();
  await ensureTemplate();
}, 120_000);
afterAll(async () => {
  await api.stop();
  rmSync(workDir, { recursive: true, force: true });
});

describe("the first start on the embedded database", () => {
  it("copies the prepared database, then answers at once, migrations applied", { timeout: 120_000 }, async () => {
    expect(templateReady()).toBe(true);
    const dataDir = join(workDir, "data");
    expect(existsSync(join(dataDir, "PG_VERSION"))).toBe(false);
    const bot = startBotProcess({ BOT_TOKEN: TEST_TOKEN, TELEGRAM_API_ROOT: api.url, DATA_DIR: dataDir }, workDir, { compiled: true });
    try {
      await bot.waitForLog("bot is running", 60_000);
      const lines = bot.stdout().split("\n");
      expect(lines.some((l) => l.includes("copied from the prepared template"))).toBe(true);
      expect(lines.some((l) => l.includes("creating the embedded database"))).toBe(false);
      const user = makeUser({ language_code: "en" });
      api.push(command(user, "start"));
      await api.waitFor((t) => t.textsTo(user.id).length > 0, 20_000);
      expect(api.telegram.lastTextTo(user.id)).toContain("Palace");
      bot.child.kill("SIGTERM");
      expect(await bot.exited).toBe(0);
      expect(existsSync(join(dataDir, "PG_VERSION"))).toBe(true);
    } finally {
      if (bot.child.exitCode === null) bot.child.kill("SIGKILL");
    }
  });
});
