import type { Context, MiddlewareFn } from "grammy";

/**
 * Counts updates being handled, so shutdown can wait for them: the runner's stop() ends the
 * fetching loop but does not wait for middleware still running.
 */
export class InFlightUpdates {
  private count = 0;
  private idle: (() => void)[] = [];

  readonly middleware: MiddlewareFn<Context> = async (_ctx, next) => {
    this.count++;
    try {
      await next();
    } finally {
      this.count--;
      if (this.count === 0) for (const resolve of this.idle.splice(0)) resolve();
    }
  };

  get size(): number {
    return this.count;
  }

  /** Resolves once no update is being handled. */
  drained(): Promise<void> {
    return this.count === 0 ? Promise.resolve() : new Promise((resolve) => this.idle.push(resolve));
  }
}
