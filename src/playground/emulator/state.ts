/**
 * What the emulator keeps across restarts, in stateDir/state.json (written atomically: a
 * temporary file renamed over the old one), and the uploaded files in stateDir/files/.
 */
import { randomBytes, randomInt } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { rename, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { BotCommand, BotCommandScope, MenuButton, Update } from "grammy/types";
import type { ChatMessage, Person } from "./types.js";

export const STATE_VERSION = 1;

export interface StoredFile {
  file_id: string;
  file_unique_id: string;
  kind: "photo" | "document";
  /** getFile's file_path, and the download route's. */
  file_path: string;
  /** The file's name in stateDir/files/. */
  disk_name: string;
  file_name: string;
  mime_type: string;
  file_size: number;
  width?: number;
  height?: number;
}

export interface CommandSet {
  scope: BotCommandScope;
  language_code: string;
  commands: BotCommand[];
}

export interface WebhookState {
  url: string;
  secret_token?: string;
  max_connections?: number;
  last_error_date?: number;
  last_error_message?: string;
}

export interface CallbackQueryState {
  id: string;
  chat_id: number;
  message_id: number;
  /** Unix seconds. */
  date: number;
}

export interface EmulatorState {
  version: number;
  token: string;
  bot_id: number;
  /** The id of the next update. */
  next_update_id: number;
  next_person_id: number;
  next_file_number: number;
  people: Person[];
  /** Each person's chat, oldest first; the key is the chat's id. */
  chats: Record<string, ChatMessage[]>;
  /** The last message id used in each chat. */
  last_message_id: Record<string, number>;
  files: Record<string, StoredFile>;
  commands: CommandSet[];
  /** "default" or a chat's id. */
  menu_buttons: Record<string, MenuButton>;
  webhook: WebhookState | null;
  /** The last allowed_updates the bot asked for (getUpdates or setWebhook); null: Telegram's default. */
  allowed_updates: string[] | null;
  /** Updates the bot has not confirmed yet, oldest first. */
  pending: Update[];
  /** Button presses not answered yet. */
  callback_queries: CallbackQueryState[];
}

const randomToken = (length: number) => randomBytes(length).toString("base64url").slice(0, length);

export function emptyState(): EmulatorState {
  const botId = randomInt(5_000_000_000, 8_000_000_000);
  return {
    version: STATE_VERSION,
    // As Telegram's: the bot's id, a colon, 35 characters of [A-Za-z0-9_-].
    token: `${botId}:AA${randomToken(33)}`,
    bot_id: botId,
    next_update_id: randomInt(100_000_000, 900_000_000),
    next_person_id: 100_000_001,
    next_file_number: 1,
    people: [],
    chats: {},
    last_message_id: {},
    files: {},
    commands: [],
    menu_buttons: {},
    webhook: null,
    allowed_updates: null,
    pending: [],
    callback_queries: [],
  };
}

function looksLikeState(value: unknown): value is EmulatorState {
  if (!value || typeof value !== "object") return false;
  const s = value as Partial<EmulatorState>;
  return (
    s.version === STATE_VERSION &&
    typeof s.token === "string" &&
    /^\d{5,}:[A-Za-z0-9_-]{30,}$/.test(s.token) &&
    typeof s.bot_id === "number" &&
    typeof s.next_update_id === "number" &&
    Array.isArray(s.people) &&
    typeof s.chats === "object" &&
    s.chats !== null &&
    typeof s.files === "object" &&
    Array.isArray(s.pending) &&
    Array.isArray(s.commands)
  );
}

export interface StateLogger {
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

/**
 * Reads stateDir/state.json, or starts empty. A file that cannot be read as a state is moved
 * aside (state.json.corrupt-<time>) with a warning, and an empty state starts.
 */
export function loadState(stateDir: string, logger: StateLogger | undefined, now: Date): EmulatorState {
  mkdirSync(join(stateDir, "files"), { recursive: true });
  const path = join(stateDir, "state.json");
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return emptyState();
    throw error;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (!looksLikeState(parsed)) throw new Error("not an emulator state");
    return { ...emptyState(), ...parsed };
  } catch (error) {
    const aside = `${path}.corrupt-${now.toISOString().replace(/[:.]/g, "-")}`;
    renameSync(path, aside);
    logger?.warn({ err: error, movedTo: aside }, "playground: the emulator's state.json could not be read; it was moved aside and an empty state starts");
    return emptyState();
  }
}

/** Writes the state now, atomically. */
export async function saveState(stateDir: string, state: EmulatorState): Promise<void> {
  const path = join(stateDir, "state.json");
  const tmp = `${path}.tmp-${process.pid}`;
  await writeFile(tmp, JSON.stringify(state));
  await rename(tmp, path);
}

/** Writes a file's bytes into stateDir/files/ (before anything refers to them). */
export function saveFileBytes(stateDir: string, diskName: string, bytes: Buffer): void {
  const path = join(stateDir, "files", diskName);
  writeFileSync(`${path}.tmp`, bytes);
  renameSync(`${path}.tmp`, path);
}

export function readFileBytes(stateDir: string, diskName: string): Buffer | undefined {
  try {
    return readFileSync(join(stateDir, "files", diskName));
  } catch {
    return undefined;
  }
}

/**
 * Writes the state at most every `delayMs` after a change, one write at a time; flush() writes
 * now (and waits for a write under way).
 */
export class StateWriter {
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private dirty = false;

  constructor(
    private readonly stateDir: string,
    private readonly state: () => EmulatorState,
    private readonly delayMs: number,
    private readonly logger: StateLogger | undefined,
  ) {}

  changed(): void {
    this.dirty = true;
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush().catch(() => undefined);
    }, this.delayMs);
    this.timer.unref();
  }

  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.writing = this.writing.catch(() => undefined).then(async () => {
      if (!this.dirty) return;
      this.dirty = false;
      try {
        await saveState(this.stateDir, this.state());
      } catch (error) {
        this.dirty = true;
        this.logger?.error({ err: error }, "playground: the emulator's state could not be written");
        throw error;
      }
    });
    return this.writing;
  }
}
