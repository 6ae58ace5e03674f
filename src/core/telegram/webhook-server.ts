import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { type Bot, webhookCallback } from "grammy";
import type { Update } from "grammy/types";
import type { BotContext } from "../context.js";
import type { Logger } from "../../logger.js";

/** Far more than any update Telegram sends (a message is at most 4096 characters, plus entities). */
const MAX_BODY_BYTES = 1024 * 1024;
const SECRET_HEADER = "x-telegram-bot-api-secret-token";

/** A request body that is not an update: answered 400 (413 when too big), logged as a warning. */
class NotAnUpdate extends Error {
  constructor(
    readonly reason: string,
    readonly status = 400,
  ) {
    super(reason);
  }
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      // The rest is read and dropped; the connection closes after the answer.
      if (size > MAX_BODY_BYTES) reject(new NotAnUpdate(`the body is over ${MAX_BODY_BYTES} bytes`, 413));
      else chunks.push(chunk);
    });
    req.once("end", () => resolve(Buffer.concat(chunks)));
    req.once("error", (error) => reject(new NotAnUpdate(`the body could not be read: ${error.message}`)));
  });
}

/** The update in a webhook body: a JSON object with a whole, non-negative update_id. */
function parseUpdate(body: string): Update {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new NotAnUpdate("the body is not JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new NotAnUpdate("the body is not a JSON object");
  const id = (value as { update_id?: unknown }).update_id;
  if (typeof id !== "number" || !Number.isSafeInteger(id) || id < 0) throw new NotAnUpdate("the body has no numeric update_id");
  return value as Update;
}

/**
 * grammY's adapter for node:http, except that the body is checked before the bot sees it. grammY
 * reads `update` only after the secret token matched, so a wrong secret is still a 401.
 */
function nodeAdapter(req: IncomingMessage, res: ServerResponse) {
  const header = req.headers[SECRET_HEADER];
  return {
    get update() {
      return readBody(req).then((body) => parseUpdate(body.toString("utf8")));
    },
    header: Array.isArray(header) ? header[0] : header,
    end: () => res.end(),
    respond: (json: string) => res.writeHead(200, { "content-type": "application/json" }).end(json),
    unauthorized: () => res.writeHead(401).end("secret token is wrong"),
    /** The request is answered through `res`; the callback's promise only says when. */
    handlerReturn: undefined,
  };
}

export interface WebhookServer {
  server: Server;
  close(): Promise<void>;
}

/**
 * POST <path of WEBHOOK_URL> takes updates (401 without the right secret token header, 400 for
 * a body that is not an update); GET /healthz answers 200 while the process is up and not
 * shutting down.
 */
export async function startWebhookServer(options: {
  bot: Bot<BotContext>;
  path: string;
  secret: string;
  port: number;
  host?: string;
  logger: Logger;
}): Promise<WebhookServer> {
  const handleUpdate = webhookCallback(options.bot, nodeAdapter, {
    secretToken: options.secret,
    onTimeout: "return",
    timeoutMilliseconds: 50_000,
  });
  let closing = false;
  let inFlight = 0;
  let drained: (() => void) | undefined;

  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (req.method === "GET" && path === "/healthz") {
      res.writeHead(closing ? 503 : 200, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: closing ? "shutting down" : "ok" }));
      return;
    }
    if (req.method !== "POST" || path !== options.path) {
      res.writeHead(404).end();
      return;
    }
    if (closing) {
      // Telegram retries later; another instance (or this one after restart) will take it.
      res.writeHead(503).end();
      return;
    }
    inFlight++;
    handleUpdate(req, res)
      .catch((error: unknown) => {
        if (error instanceof NotAnUpdate) {
          // Whoever sent it knows the secret but sent no update: nothing to handle, and no point in retrying.
          options.logger.warn({ reason: error.reason, bytes: req.headers["content-length"] }, "webhook request is not an update");
          if (!res.headersSent) res.writeHead(error.status, error.status === 413 ? { connection: "close" } : {}).end();
          return;
        }
        options.logger.error({ err: error }, "webhook update failed");
        if (!res.headersSent) res.writeHead(500).end();
      })
      .finally(() => {
        inFlight--;
        if (closing && inFlight === 0) drained?.();
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, options.host ?? "0.0.0.0", () => resolve());
  });

  return {
    server,
    async close() {
      closing = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) await new Promise<void>((resolve) => (drained = resolve));
      server.closeAllConnections();
      await stopped;
    },
  };
}
