/**
 * The playground's web server: one address for the Bot API emulator (the bot polls it as it would
 * api.telegram.org) and for the web chat people use instead of Telegram (src/playground/web/, plus
 * a small JSON API under /api/ and server-sent events per person).
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { MAX_UPLOAD_BYTES } from "./emulator/telegram-rules.js";
import { type ChatEvent, type PlaygroundChats, PlaygroundError } from "./emulator/types.js";

type LogFn = (obj: object, msg?: string) => void;

export interface PlaygroundServerOptions {
  emulator: { handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> } & PlaygroundChats;
  host: string;
  port: number;
  logger: { info: LogFn; warn: LogFn; error: LogFn };
  /** The page's "demo data" button; absent → the button is hidden. */
  seedDemo?: () => Promise<{ seeded: boolean; summary: string }>;
  /** The admin person's id, to preselect on first visit. */
  defaultPersonId?: number;
  /** Where index.html, chat.js and chat.css are; by default src/playground/web (also from dist/). */
  webDir?: string;
  /** How often an event stream says it is alive; default 15 s (tests shorten it). */
  heartbeatMs?: number;
}

export interface PlaygroundServer {
  /** http://host:port, no trailing slash. */
  url: string;
  port: number;
  close(): Promise<void>;
}

export class PortInUseError extends Error {
  constructor(
    readonly port: number,
    readonly host: string,
  ) {
    super(`Port ${port} on ${host} is already in use: stop what uses it, or choose another port with PLAYGROUND_PORT=3001`);
    this.name = "PortInUseError";
  }
}

/** What a person may send at once, as in Telegram (the emulator's limit); bots may download only 20 MB of it. */
export { MAX_UPLOAD_BYTES };
const MAX_JSON_BYTES = 1024 * 1024;
/** Past this, an oversized upload is no longer read to its end before the 413: the connection is cut. */
const MAX_DRAINED_BYTES = 4 * MAX_UPLOAD_BYTES;
const HEARTBEAT_MS = 15_000;

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json; charset=utf-8",
};

const PAGE_CSP = "default-src 'self'; img-src 'self' blob: data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
/** Files people and the bot sent are shown or downloaded, never run as a page. */
const FILE_CSP = "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'";

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The request went away before its body was read: nobody to answer. */
class Aborted extends Error {}

interface Asset {
  body: Buffer;
  type: string;
  etag: string;
  version: string;
}

function defaultWebDir(): string {
  const candidates = [new URL("./web/", import.meta.url), new URL("../../src/playground/web/", import.meta.url)].map((url) => fileURLToPath(url));
  return candidates.find((dir) => existsSync(join(dir, "index.html"))) ?? candidates[0]!;
}

/** The page's files, read once; index.html names the others with their version, so they may be cached for good. */
function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  const asset = (name: string, body: Buffer): Asset => {
    const version = createHash("sha256").update(body).digest("hex").slice(0, 12);
    return { body, type: CONTENT_TYPES[extname(name)] ?? "application/octet-stream", etag: `"${version}"`, version };
  };
  for (const name of readdirSync(dir)) {
    if (!/^[\w.-]+$/.test(name) || name === "index.html" || !(extname(name) in CONTENT_TYPES)) continue;
    assets.set(`/${name}`, asset(name, readFileSync(join(dir, name))));
  }
  let index = readFileSync(join(dir, "index.html"), "utf8");
  for (const [path, { version }] of assets) index = index.replaceAll(`"${path}"`, `"${path}?v=${version}"`);
  assets.set("/", asset("index.html", Buffer.from(index)));
  return assets;
}

export async function startPlaygroundServer(options: PlaygroundServerOptions): Promise<PlaygroundServer> {
  const { emulator, logger } = options;
  const assets = loadAssets(options.webDir ?? defaultWebDir());
  const streams = new Set<{ end(): void }>();
  let seeding: Promise<{ seeded: boolean; summary: string }> | undefined;

  const server = createServer((req, res) => {
    void serve(req, res).catch((error: unknown) => {
      if (error instanceof Aborted) return;
      const known = httpError(error);
      if (!known) logger.error({ err: error, method: req.method, url: req.url }, "playground page: request failed");
      if (res.headersSent) {
        res.destroy();
        return;
      }
      sendJson(res, known?.status ?? 500, { error: known?.message ?? "Internal error of the playground server" });
    });
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (await emulator.handle(req, res)) return;
    const url = new URL(req.url ?? "/", "http://playground");
    const path = url.pathname;
    if (path.startsWith("/api/")) return api(req, res, url);
    if (req.method !== "GET" && req.method !== "HEAD") throw new HttpError(405, `${req.method} is not allowed here`);
    const asset = assets.get(path === "/index.html" ? "/" : path);
    if (!asset) {
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" });
      res.end("Not found\n");
      return;
    }
    const immutable = path !== "/" && url.searchParams.get("v") === asset.version;
    const headers: Record<string, string> = {
      "Content-Type": asset.type,
      ETag: asset.etag,
      "Cache-Control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
      "X-Content-Type-Options": "nosniff",
      "Referrer-Policy": "no-referrer",
    };
    if (path === "/") headers["Content-Security-Policy"] = PAGE_CSP;
    if (req.headers["if-none-match"] === asset.etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, { ...headers, "Content-Length": String(asset.body.length) });
    res.end(req.method === "HEAD" ? undefined : asset.body);
  }

  async function api(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = req.method ?? "GET";
    const parts = url.pathname.slice("/api/".length).split("/");
    if (method !== "GET" && method !== "HEAD") checkOrigin(req);
    const route = (allowed: string) => {
      if (method === allowed || (allowed === "GET" && method === "HEAD")) return true;
      throw new HttpError(405, `${method} is not allowed on ${url.pathname}`);
    };

    if (parts.length === 1 && parts[0] === "info" && route("GET")) {
      return sendJson(res, 200, { bot: emulator.bot, demo: options.seedDemo !== undefined, defaultPersonId: options.defaultPersonId ?? null, maxUploadBytes: MAX_UPLOAD_BYTES });
    }
    if (parts.length === 1 && parts[0] === "people") {
      if (method === "GET" || method === "HEAD") return sendJson(res, 200, { people: emulator.people() });
      route("POST");
      const body = await readJson(req);
      const person = emulator.addPerson({
        first_name: requireString(body, "first_name"),
        last_name: optionalString(body, "last_name"),
        language_code: body.language_code === "en" ? "en" : body.language_code === "ru" || body.language_code === undefined ? "ru" : invalid("language_code must be ru or en"),
      });
      return sendJson(res, 201, { person });
    }
    if (parts[0] === "people" && parts.length === 3) {
      const id = personId(parts[1]!);
      switch (parts[2]) {
        case "history":
          route("GET");
          return sendJson(res, 200, { messages: emulator.history(id) });
        case "commands":
          route("GET");
          return sendJson(res, 200, { commands: emulator.commandsFor(id) });
        case "events":
          route("GET");
          return events(req, res, id);
        case "messages": {
          route("POST");
          const body = await readJson(req);
          return sendJson(res, 201, { message: emulator.sendText(id, requireString(body, "text")) });
        }
        case "press": {
          route("POST");
          const body = await readJson(req);
          const messageId = body.message_id;
          if (typeof messageId !== "number" || !Number.isInteger(messageId)) invalid("message_id must be a message's id");
          return sendJson(res, 200, { query_id: emulator.pressButton(id, messageId, requireString(body, "data")) });
        }
        case "start": {
          route("POST");
          const body = await readJson(req);
          const payload = body.payload ?? "";
          if (typeof payload !== "string") invalid("payload must be a string");
          return sendJson(res, 201, { message: emulator.openStartLink(id, payload) });
        }
        case "files": {
          route("POST");
          const name = url.searchParams.get("name")?.trim() || "file";
          const bytes = await readBody(req, MAX_UPLOAD_BYTES, `The file is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MB, the most Telegram lets a person send`);
          if (bytes.length === 0) invalid("The file is empty");
          const mime = req.headers["content-type"]?.split(";")[0]?.trim() || "application/octet-stream";
          const caption = url.searchParams.get("caption") ?? undefined;
          const message = emulator.sendFile(id, { name, mime, bytes, asPhoto: url.searchParams.get("as") === "photo", ...(caption ? { caption } : {}) });
          return sendJson(res, 201, { message });
        }
      }
    }
    if (parts[0] === "files" && parts.length === 2 && route("GET")) {
      return sendFile(req, res, decodeURIComponent(parts[1]!), url.searchParams.has("download"));
    }
    if (parts.length === 1 && parts[0] === "demo" && route("POST")) {
      if (!options.seedDemo) throw new HttpError(404, "This playground has no demo data");
      const seed = options.seedDemo;
      seeding ??= seed().finally(() => (seeding = undefined));
      return sendJson(res, 200, await seeding);
    }
    throw new HttpError(404, `No such route: ${method} ${url.pathname}`);
  }

  function personId(segment: string): number {
    const id = /^-?\d{1,16}$/.test(segment) ? Number(segment) : NaN;
    if (!Number.isSafeInteger(id)) throw new HttpError(400, `Not a person's id: ${segment}`);
    if (!emulator.person(id)) throw new HttpError(404, `No person with id ${id} in this playground`);
    return id;
  }

  function events(req: IncomingMessage, res: ServerResponse, id: number): void {
    res.writeHead(200, {
      "Content-Type": "text/event-stream; charset=utf-8",
      "Cache-Control": "no-cache, no-transform",
      Connection: "keep-alive",
      "X-Accel-Buffering": "no",
    });
    res.write("retry: 2000\n: connected\n\n");
    const send = (event: ChatEvent) => res.write(`data: ${JSON.stringify(event)}\n\n`);
    const unsubscribe = emulator.subscribe(id, send);
    const heartbeat = setInterval(() => res.write(": heartbeat\n\n"), options.heartbeatMs ?? HEARTBEAT_MS);
    const stream = {
      end() {
        clearInterval(heartbeat);
        unsubscribe();
        streams.delete(stream);
        if (!res.writableEnded) res.end();
      },
    };
    streams.add(stream);
    req.on("close", () => stream.end());
    res.on("close", () => stream.end());
  }

  function sendFile(req: IncomingMessage, res: ServerResponse, fileId: string, download: boolean): void {
    const file = emulator.file(fileId);
    if (!file) throw new HttpError(404, "No such file in this playground");
    const showable = /^image\/(png|jpeg|gif|webp|bmp|avif)$/.test(file.mime);
    res.writeHead(200, {
      "Content-Type": file.mime || "application/octet-stream",
      "Content-Length": String(file.bytes.length),
      "Content-Disposition": contentDisposition(download || !showable ? "attachment" : "inline", file.name),
      "Cache-Control": "private, max-age=31536000, immutable",
      "Content-Security-Policy": FILE_CSP,
      "X-Content-Type-Options": "nosniff",
    });
    res.end(req.method === "HEAD" ? undefined : file.bytes);
  }

  await new Promise<void>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      server.off("listening", listening);
      reject(error.code === "EADDRINUSE" ? new PortInUseError(options.port, options.host) : error);
    };
    const listening = () => {
      server.off("error", failed);
      resolve();
    };
    server.once("error", failed);
    server.once("listening", listening);
    server.listen(options.port, options.host);
  });
  server.on("error", (error) => logger.error({ err: error }, "playground page: server error"));

  const port = (server.address() as AddressInfo).port;
  const host = options.host.includes(":") ? `[${options.host}]` : options.host;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        for (const stream of [...streams]) stream.end();
        server.close(() => resolve());
        server.closeAllConnections();
      })),
  };
}

function httpError(error: unknown): { status: number; message: string } | undefined {
  if (error instanceof HttpError || error instanceof PlaygroundError) return { status: error.status, message: error.message };
  // An emulator built against another copy of types.ts (a second module instance) still throws "a PlaygroundError".
  if (error instanceof Error && error.name === "PlaygroundError" && typeof (error as { status?: unknown }).status === "number") {
    return { status: (error as unknown as { status: number }).status, message: error.message };
  }
  return undefined;
}

function invalid(message: string): never {
  throw new HttpError(400, message);
}

function requireString(body: Record<string, unknown>, key: string): string {
  const value = body[key];
  if (typeof value !== "string") invalid(`${key} must be a string`);
  return value;
}

function optionalString(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") invalid(`${key} must be a string`);
  return value;
}

/** Pages of other sites may not act in the playground: a browser names the page's origin on every POST. */
function checkOrigin(req: IncomingMessage): void {
  const origin = req.headers.origin;
  if (origin === undefined) return;
  let host: string | undefined;
  try {
    host = new URL(origin).host;
  } catch {
    host = undefined;
  }
  if (host !== req.headers.host) throw new HttpError(403, "Requests from other sites are not accepted");
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json; charset=utf-8",
    "Content-Length": String(Buffer.byteLength(text)),
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
  });
  res.end(text);
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const bytes = await readBody(req, MAX_JSON_BYTES, "The request is too large");
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new HttpError(400, "The request's body is not JSON");
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) throw new HttpError(400, "The request's body must be a JSON object");
  return body as Record<string, unknown>;
}

/**
 * The body, up to `limit` bytes. A larger one is still read to its end (and dropped) so that the
 * client, still sending, gets the 413 rather than a broken connection; past MAX_DRAINED_BYTES the
 * connection is cut.
 */
function readBody(req: IncomingMessage, limit: number, tooLarge: string): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"]);
    let over = Number.isFinite(declared) && declared > limit;
    let chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      if (over) {
        chunks = [];
        if (size > MAX_DRAINED_BYTES) {
          done = true;
          reject(new Aborted());
          req.destroy();
        }
        return;
      }
      chunks.push(chunk);
    });
    req.on("end", () => {
      if (done) return;
      done = true;
      if (over) reject(new HttpError(413, tooLarge));
      else resolve(Buffer.concat(chunks, size));
    });
    req.on("error", () => {
      if (done) return;
      done = true;
      reject(new Aborted());
    });
    req.on("close", () => {
      if (done) return;
      done = true;
      reject(new Aborted());
    });
  });
}

/** RFC 6266 / 5987: an ASCII fallback, and the real name in UTF-8. */
export function contentDisposition(kind: "attachment" | "inline", name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\]/g, "_");
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
