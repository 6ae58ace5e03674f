import { createServer, type Server } from "node:http";
import { type Bot, webhookCallback } from "grammy";
import type { BotContext } from "./bot/context.js";
import type { Logger } from "./logger.js";

export interface WebhookServer {
  server: Server;
  close(): Promise<void>;
}

/**
 * POST <path of WEBHOOK_URL> takes updates (401 without the right secret token header);
 * GET /healthz answers 200 while the process is up and not shutting down.
 */
export async function startWebhookServer(options: {
  bot: Bot<BotContext>;
  path: string;
  secret: string;
  port: number;
  host?: string;
  logger: Logger;
}): Promise<WebhookServer> {
  const handleUpdate = webhookCallback(options.bot, "http", {
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
