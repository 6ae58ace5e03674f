import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BotApiEmulator } from "../../src/playground/emulator/emulator.js";
import type { ChatMessage } from "../../src/playground/emulator/types.js";

export interface EmulatorServer {
  emulator: BotApiEmulator;
  /** The Bot API root for TELEGRAM_API_ROOT; the bot's token is `emulator.token`. */
  url: string;
  /** Resolves with the first bot message in this person's chat that `match` accepts. */
  botMessage(personId: number, match: (message: ChatMessage) => boolean, ms?: number): Promise<ChatMessage>;
  stop(): Promise<void>;
}

/**
 * The playground's Bot API emulator on a port of its own, for a bot run as a separate process:
 * Telegram's rules, long polling and the people's side (sendText, pressButton) as in the playground.
 */
export async function startEmulatorServer(): Promise<EmulatorServer> {
  const stateDir = mkdtempSync(join(tmpdir(), "emulator-"));
  const emulator = await BotApiEmulator.open({ stateDir, writeDelayMs: 10 });
  const server = createServer((req, res) => {
    void emulator.handle(req, res).then((handled) => {
      if (!handled) res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    emulator,
    url,
    async botMessage(personId, match, ms = 15_000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = emulator.history(personId).find((m) => m.from === "bot" && match(m));
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no such message; the chat: ${JSON.stringify(emulator.history(personId).map((m) => m.text))}`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    async stop() {
      await emulator.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
