import { GrammyError } from "grammy";
import type { Logger } from "../logger.js";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A start-up dependency (the database, the Bot API) stayed unreachable through every attempt: exit code 2. */
export class UnavailableError extends Error {
  constructor(what: string, attempts: number, cause: unknown, hint?: string) {
    super(`${what} is unreachable after ${attempts} ${attempts === 1 ? "attempt" : "attempts"}: ${explainFailure(cause)}.${hint ? ` ${hint}` : ""}`, {
      cause,
    });
    this.name = "UnavailableError";
  }
}

/** A failure that the same attempt would only repeat: withRetries rethrows it at once. */
export class PermanentError extends Error {
  override name = "PermanentError";
}

/** Telegram answered getMe with 401 Unauthorized: the token is wrong or was revoked. Exit code 3. */
export class TokenRejectedError extends PermanentError {
  override name = "TokenRejectedError";
  constructor(description: string) {
    super(
      "Telegram rejected BOT_TOKEN: check it in @BotFather (/mybots → your bot → API Token) and put the current " +
        `token into BOT_TOKEN in .env. Telegram answered ${description}; restarting will not help until the token is fixed.`,
    );
  }
}

/**
 * Runs `attempt` up to `attempts` times with exponential back-off (delayMs, 2×delayMs, …),
 * reporting each failure with the pause before the next try (none after the last one); then
 * throws UnavailableError naming `what`, with `hint` on what to check. A PermanentError is
 * rethrown at once: asking again would get the same answer.
 */
export async function withRetries<T>(
  what: string,
  attempt: () => Promise<T>,
  options: {
    attempts: number;
    delayMs: number;
    hint?: string;
    onFailure: (error: unknown, attempt: number, retryInMs: number | undefined) => void;
  },
): Promise<T> {
  let lastError: unknown;
  for (let n = 1; n <= options.attempts; n++) {
    try {
      return await attempt();
    } catch (error) {
      if (error instanceof PermanentError) throw error;
      lastError = error;
      const retryInMs = n < options.attempts ? options.delayMs * 2 ** (n - 1) : undefined;
      options.onFailure(error, n, retryInMs);
      if (retryInMs !== undefined) await sleep(retryInMs);
    }
  }
  throw new UnavailableError(what, options.attempts, lastError, options.hint);
}

const TELEGRAM_HINT =
  "Check the network and any firewall or proxy on the way (Node does not use HTTPS_PROXY), " +
  "or set TELEGRAM_API_ROOT to a Bot API server this machine can reach.";

/**
 * getMe with the start-up retries: a network failure is retried TELEGRAM_CONNECT_ATTEMPTS times,
 * each one logged with its cause; a rejected token (401) ends it at once with TokenRejectedError.
 */
export function reachTelegram<T>(
  getMe: () => Promise<T>,
  options: { apiRoot: string | undefined; attempts: number; logger: Logger; delayMs?: number },
): Promise<T> {
  const tryOnce = () =>
    getMe().catch((error: unknown) => {
      if (error instanceof GrammyError && error.error_code === 401) throw new TokenRejectedError(`${error.error_code} ${error.description}`);
      throw error;
    });
  return withRetries(`The Telegram Bot API (${options.apiRoot ?? "https://api.telegram.org"})`, tryOnce, {
    attempts: options.attempts,
    delayMs: options.delayMs ?? 1000,
    hint: TELEGRAM_HINT,
    onFailure: (error, attempt, retryInMs) =>
      options.logger.warn(
        { attempt, of: options.attempts, err: explainFailure(error), ...(retryInMs === undefined ? {} : { retryInMs }) },
        retryInMs === undefined ? "the Telegram Bot API is not reachable: giving up" : "the Telegram Bot API is not reachable yet",
      ),
  });
}

interface ErrorLike {
  message?: unknown;
  code?: unknown;
  hostname?: unknown;
  error?: unknown;
  cause?: unknown;
  errors?: unknown;
}

/** The error and what it wraps: grammY's HttpError → fetch's TypeError → its cause (→ an AggregateError's first error). */
function chainOf(error: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  let current: unknown = error;
  while (current !== null && typeof current === "object" && chain.length < 8 && !chain.includes(current)) {
    const e = current as ErrorLike;
    chain.push(e);
    current = e.error ?? e.cause ?? (Array.isArray(e.errors) ? (e.errors as unknown[])[0] : undefined);
  }
  return chain;
}

const TLS_CODE = /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|EPROTO$)/;

/**
 * Why a connection failed, in a few words with the system code, e.g. "the connection was
 * refused (ECONNREFUSED)", rather than grammY's "Network request for 'getMe' failed!".
 */
export function explainFailure(error: unknown): string {
  if (error instanceof GrammyError) return `Telegram answered ${error.error_code} ${error.description}`;
  const chain = chainOf(error);
  const coded = chain.findLast((e) => typeof e.code === "string");
  const code = typeof coded?.code === "string" ? coded.code : undefined;
  // node-fetch (the Bot API's client) names the host only in its message: "getaddrinfo ENOTFOUND <host>".
  const named = typeof coded?.message === "string" ? /getaddrinfo [A-Z_]+ ([^\s,]+)/.exec(coded.message)?.[1] : undefined;
  const host = typeof coded?.hostname === "string" ? coded.hostname : named;
  const innermost = chain.at(-1);
  const message = typeof innermost?.message === "string" ? innermost.message.trim() : String(error);
  switch (code) {
    case "ENOTFOUND":
      return `the name ${host ?? "of the server"} could not be resolved (ENOTFOUND)`;
    case "EAI_AGAIN":
      return `the name ${host ?? "of the server"} could not be resolved (EAI_AGAIN: the DNS server did not answer)`;
    case "ECONNREFUSED":
      return "the connection was refused (ECONNREFUSED)";
    case "ECONNRESET":
      return "the connection was reset (ECONNRESET), often by a firewall or proxy";
    case "ETIMEDOUT":
    case "UND_ERR_CONNECT_TIMEOUT":
    case "CONNECT_TIMEOUT":
      return `the connection timed out (${code})`;
    case "EHOSTUNREACH":
      return "the host is unreachable (EHOSTUNREACH)";
    case "ENETUNREACH":
      return "the network is unreachable (ENETUNREACH)";
  }
  if (code && TLS_CODE.test(code)) return `the TLS (https) handshake failed (${code}); a proxy may be intercepting https, or the server does not speak it`;
  if (message === "bad port") return "fetch refuses to connect to this port (a blocked port, like 1 or 25)";
  if (innermost instanceof SyntaxError) return `the answer is not from a Bot API server (${message})`;
  return code && !message.includes(code) ? `${message} (${code})` : message;
}
