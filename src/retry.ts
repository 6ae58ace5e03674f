const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A start-up dependency (the database, the Bot API) stayed unreachable through every attempt. */
export class UnavailableError extends Error {
  constructor(what: string, attempts: number, cause: unknown) {
    super(`${what} is unreachable after ${attempts} attempt(s): ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = "UnavailableError";
  }
}

/**
 * Runs `attempt` up to `attempts` times with exponential back-off (delayMs, 2×delayMs, …),
 * reporting each failure; then throws UnavailableError naming `what`.
 */
export async function withRetries<T>(
  what: string,
  attempt: () => Promise<T>,
  options: { attempts: number; delayMs: number; onFailure: (error: unknown, attempt: number) => void },
): Promise<T> {
  let lastError: unknown;
  for (let n = 1; n <= options.attempts; n++) {
    try {
      return await attempt();
    } catch (error) {
      lastError = error;
      options.onFailure(error, n);
      if (n < options.attempts) await sleep(options.delayMs * 2 ** (n - 1));
    }
  }
  throw new UnavailableError(what, options.attempts, lastError);
}
