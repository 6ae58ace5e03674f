import type { Chat, Message, Update, User } from "grammy/types";

let nextUpdateId = 1000;
let nextMessageId = 1;
const now = () => Math.floor(Date.now() / 1000);

export interface TestUser extends User {
  language_code?: string;
}

let nextUserId = 500_000;
export function makeUser(overrides: Partial<TestUser> = {}): TestUser {
  const id = overrides.id ?? nextUserId++;
  return { id, is_bot: false, first_name: `Имя${id}`, last_name: "Тестова", username: `user${id}`, language_code: "ru", ...overrides };
}

export function privateChat(user: User): Chat.PrivateChat {
  return { id: user.id, type: "private", first_name: user.first_name, ...(user.username ? { username: user.username } : {}) };
}

export const GROUP_CHAT: Chat.GroupChat = { id: -100_777, type: "group", title: "Педагоги отдела" };

type MessageExtras = Partial<Omit<Message, "chat" | "from">> & { chat?: Chat };

function baseMessage(from: User, extras: MessageExtras = {}): Message {
  return { message_id: nextMessageId++, date: now(), chat: privateChat(from), from, ...extras };
}

function wrap(fields: Record<string, unknown>): Update {
  return { update_id: nextUpdateId++, ...fields };
}

export function text(from: User, body: string, extras: MessageExtras = {}): Update {
  return wrap({ message: { ...baseMessage(from, extras), text: body } });
}

export function command(from: User, name: string, payload = "", extras: MessageExtras = {}): Update {
  const body = payload ? `/${name} ${payload}` : `/${name}`;
  return wrap({
    message: {
      ...baseMessage(from, extras),
      text: body,
      entities: [{ type: "bot_command", offset: 0, length: name.length + 1 }],
    },
  });
}

export function sticker(from: User): Update {
  return wrap({
    message: {
      ...baseMessage(from),
      sticker: { file_id: "CAACAgIAAx", file_unique_id: "AgAD", type: "regular", width: 512, height: 512, is_animated: false, is_video: false },
    },
  });
}

export function photo(from: User, caption?: string): Update {
  return wrap({
    message: {
      ...baseMessage(from),
      photo: [{ file_id: "AgACAgIAAx", file_unique_id: "AQAD", width: 800, height: 600 }],
      ...(caption ? { caption } : {}),
    },
  });
}

export function documentMessage(from: User): Update {
  return wrap({
    message: { ...baseMessage(from), document: { file_id: "BQACAgIAAx", file_unique_id: "AgADdoc", file_name: "plan.docx" } },
  });
}

export function editedText(from: User, messageId: number, body: string): Update {
  return wrap({ edited_message: { ...baseMessage(from), message_id: messageId, edit_date: now(), text: body } });
}

/** A press on an inline button under `message` (a message the bot sent, as the fake API returned it). */
export function press(from: User, data: string, message?: { message_id: number; chat: Chat }): Update {
  return wrap({
    callback_query: {
      id: String(nextUpdateId * 7),
      from,
      chat_instance: "ci-1",
      data,
      ...(message
        ? { message: { message_id: message.message_id, date: now(), chat: message.chat, from: BOT_USER, text: "…" } as Message }
        : {}),
    },
  });
}

/** Makes the same update again: what Telegram does when it redelivers. */
export function again(update: Update): Update {
  return structuredClone(update);
}

export const BOT_USER: User = { id: 42_000_000, is_bot: true, first_name: "Дворец творчества", username: "palace_partners_bot" };
