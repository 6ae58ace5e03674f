import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, startApp } from "../src/app.js";
import { parseConfig } from "../src/config.js";
import { createTestDatabase, TEST_DRIVER, type TestDatabase } from "./helpers/db.js";
import { FakeBotApiServer } from "./helpers/fake-bot-api-server.js";
import { TEST_TOKEN } from "./helpers/harness.js";
import { command, makeUser } from "./helpers/updates.js";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

let api: FakeBotApiServer;
let app: App;
let base: string;
let workDir: string;
let database: TestDatabase | undefined;
const SECRET = "webhook_secret-123";

beforeAll(async () => {
  api = await new FakeBotApiServer().start();
  workDir = mkdtempSync(join(tmpdir(), "palace-webhook-"));
  if (TEST_DRIVER === "postgres") database = await createTestDatabase("postgres");
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  const config = parseConfig({
    BOT_TOKEN: TEST_TOKEN,
    BOT_MODE: "webhook",
    WEBHOOK_URL: "https://palace.example.org/telegram/hook",
    WEBHOOK_SECRET: SECRET,
    PORT: String(port),
    TELEGRAM_API_ROOT: api.url,
    ...(database?.url ? { DATABASE_URL: database.url } : { DATA_DIR: join(workDir, "data") }),
  });
  app = await startApp(config, pino({ level: "silent" }));
});

afterAll(async () => {
  await app.stop();
  await api.stop();
  await database?.close();
  rmSync(workDir, { recursive: true, force: true });
});

const post = (body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${base}/telegram/hook`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

describe("webhook mode", () => {
  it("registers the webhook with its secret", () => {
    expect(api.telegram.sent("setWebhook")).toEqual([
      expect.objectContaining({ url: "https://palace.example.org/telegram/hook", secret_token: SECRET }),
    ]);
  });

  it("answers GET /healthz", async () => {
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("refuses updates without the right secret token with 401 and handles none of them", async () => {
    const stranger = makeUser();
    expect((await post(command(stranger, "help"))).status).toBe(401);
    expect((await post(command(stranger, "help"), { "X-Telegram-Bot-Api-Secret-Token": "wrong" })).status).toBe(401);
    expect(api.telegram.textsTo(stranger.id)).toEqual([]);
  });

  it("handles an update with the right secret token", async () => {
    const user = makeUser({ language_code: "en" });
    const response = await post(command(user, "help"), { "X-Telegram-Bot-Api-Secret-Token": SECRET });
    expect(response.status).toBe(200);
    await api.waitFor((t) => t.textsTo(user.id).length === 1);
    expect(api.telegram.lastTextTo(user.id)).toContain("How to get access");
  });

  it("answers 404 elsewhere", async () => {
    expect((await fetch(`${base}/other`)).status).toBe(404);
  });

  it("on stop finishes the update in flight, then closes", async () => {
    const user = makeUser();
    api.sendMessageDelayMs = 1000;
    const inFlight = post(command(user, "privacy"), { "X-Telegram-Bot-Api-Secret-Token": SECRET });
    const before = api.arrived.filter((m) => m === "sendMessage").length;
    await api.waitFor(() => api.arrived.filter((m) => m === "sendMessage").length > before);
    expect(api.telegram.textsTo(user.id)).toEqual([]); // the reply is still on its way
    await app.stop();
    api.sendMessageDelayMs = 0;
    expect((await inFlight).status).toBe(200);
    expect(api.telegram.lastTextTo(user.id)).toContain("Что хранится.");
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });
});
