import { enqueueNotice, type NoticeDeps, type Recipient } from "./notices.js";
import type { Writer } from "../audit.js";

/**
 * Writes a one-line notice to another user, in *their* language, to the outbox. Pass the
 * transaction of the change the notice tells about; the outbox sender delivers it (and copes
 * with a recipient who blocked the bot). Wake the sender after the transaction commits.
 */
export async function enqueueUserNotice(
  tx: Writer,
  deps: NoticeDeps,
  recipient: Recipient,
  key: string,
  values: Record<string, string | number> = {},
): Promise<boolean> {
  return enqueueNotice(tx, deps, recipient, (t) => ({ text: t(key, values) }));
}
