import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type App, startApp } from "../../../src/app.js";
import { parseConfig } from "../../../src/config.js";
import { createTestDatabase, TEST_DRIVER, type TestDatabase } from "../../helpers/db.js";
import { FakeBotApiServer } from "../../helpers/fake-bot-api-server.js";
import { TEST_TOKEN } from "../../helpers/harness.js";
import { captureLogs, type LogLine } from "../../helpers/logs.js";
import { command, makeUser } from "../../helpers/updates.js";

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
let logs: LogLine[] = [];

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
  const captured = captureLogs("info");
  logs = captured.logs;
  const logger = captured.logger;
  app = await startApp(config, logger);
});

afterAll(async () => {
  await app.stop();
  await api.stop();
  await database?.close();
  rmSync(workDir, { recursive: true, force: true });
});

const postRaw = (body: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/telegram/hook`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
const post = (body: unknown, headers: Record<string, string> = {}) => postRaw(JSON.stringify(body), headers);
const withSecret = { "X-Telegram-Bot-Api-Secret-Token": SECRET };

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

  it("answers 400 to a body that is not an update, logs a warning and no error, and goes on", async () => {
    const from = logs.length;
    const bodies = [
      "not json at all",
      '{"update_id": 1, "message":',
      "",
      "[1, 2]",
      "42",
      "null",
      '"update_id"',
      '{"message": {"text": "/help"}}',
      '{"update_id": "7"}',
      '{"update_id": 1.5}',
      '{"update_id": -1}',
    ];
    const statuses = [];
    for (const body of bodies) statuses.push((await postRaw(body, withSecret)).status);
    expect(statuses).toEqual(bodies.map(() => 400));
    const lines = logs.slice(from);
    expect(lines.filter((l) => l.level >= 50)).toEqual([]);
    const warnings = lines.filter((l) => l.msg === "webhook request is not an update");
    expect(warnings.map((l) => l.level)).toEqual(bodies.map(() => 40));
    expect(warnings.map((l) => l.reason)).toEqual([
      ...Array<string>(3).fill("the body is not JSON"),
      ...Array<string>(4).fill("the body is not a JSON object"),
      ...Array<string>(4).fill("the body has no numeric update_id"),
    ]);

    const user = makeUser({ language_code: "en" });
    expect((await post(command(user, "help"), withSecret)).status).toBe(200);
    await api.waitFor((t) => t.textsTo(user.id).length === 1);
    expect(api.telegram.lastTextTo(user.id)).toContain("How to get access");
  });

  it("checks the secret before the body, and refuses a body too big for an update with 413", async () => {
    const from = logs.length;
    expect((await postRaw("not json at all")).status).toBe(401);
    expect((await postRaw("[1, 2]", { "X-Telegram-Bot-Api-Secret-Token": "wrong" })).status).toBe(401);
    expect(logs.slice(from).filter((l) => l.msg === "webhook request is not an update")).toEqual([]);

    const huge = JSON.stringify({ update_id: 5, message: { text: "x".repeat(2 * 1024 * 1024) } });
    expect((await postRaw(huge, withSecret)).status).toBe(413);
    expect(logs.slice(from).filter((l) => l.level >= 50)).toEqual([]);
    expect(logs.slice(from).filter((l) => l.msg === "webhook request is not an update").map((l) => [l.level, l.reason])).toEqual([
      [40, "the body is over 1048576 bytes"],
    ]);
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
