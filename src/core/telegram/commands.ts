import type { Api } from "grammy";
import { LANGUAGES } from "../../config.js";
import type { Role } from "../access/schema.js";
import type { Logger } from "../../logger.js";
import type { I18n } from "../i18n.js";

const EVERYONE: readonly Role[] = ["admin", "staff", "partner", "guest"];

/** Every command of the bot and who may use it: /help and the command menus are built from this. */
export const COMMANDS = [
  { command: "start", roles: EVERYONE },
  { command: "help", roles: EVERYONE },
  { command: "lang", roles: EVERYONE },
  { command: "privacy", roles: EVERYONE },
  { command: "cancel", roles: EVERYONE },
  { command: "partners", roles: ["admin", "staff", "partner"] },
  { command: "newpartner", roles: ["admin", "staff"] },
  { command: "newevent", roles: ["admin", "staff"] },
  { command: "events", roles: ["admin", "staff", "partner"] },
  { command: "report", roles: ["admin", "staff"] },
  { command: "export", roles: ["admin", "staff"] },
  { command: "feedback", roles: ["partner"] },
  { command: "digest", roles: ["admin", "staff", "partner"] },
  { command: "settings", roles: ["admin", "staff", "partner"] },
  { command: "invite", roles: ["admin"] },
  { command: "staff", roles: ["admin"] },
  { command: "units", roles: ["admin"] },
  { command: "import", roles: ["admin"] },
] as const satisfies readonly { command: string; roles: readonly Role[] }[];

export type CommandName = (typeof COMMANDS)[number]["command"];

export const COMMAND_NAMES: readonly string[] = COMMANDS.map((c) => c.command);

export function commandsFor(role: Role): CommandName[] {
  return COMMANDS.filter((c) => (c.roles as readonly Role[]).includes(role)).map((c) => c.command);
}

/** Commands that do something narrower for a partner contact, and say so in their menu and /help. */
const PARTNER_WORDING: ReadonlySet<CommandName> = new Set(["partners", "events"]);

/** The line of a command in the menu and in /help, as this role sees the command. */
export function commandDescription(t: (key: string) => string, role: Role, command: CommandName): string {
  return t(role === "partner" && PARTNER_WORDING.has(command) ? `commands.for_partner.${command}` : `commands.${command}`);
}

type MenuLanguage = (typeof LANGUAGES)[number];

function menu(i18n: I18n, role: Role, language: MenuLanguage) {
  const t = i18n.fixedT(language);
  return commandsFor(role).map((command) => ({ command, description: commandDescription(t, role, command) }));
}

/** Runs each call; a failure (e.g. a chat that never opened the bot) is logged, not fatal. */
async function each(calls: { what: string; call: () => Promise<unknown> }[], logger: Logger): Promise<void> {
  for (const { what, call } of calls) {
    try {
      await call();
    } catch (error) {
      logger.warn({ err: error instanceof Error ? error.message : String(error) }, `could not set the ${what}`);
    }
  }
}

/**
 * The menu of one person's chat, for their role: guests fall back to the common menu, so a
 * suspended member loses /invite and /staff from the menu as well as from the server.
 */
export async function publishChatMenu(api: Api, i18n: I18n, chatId: number, role: Role, logger: Logger): Promise<void> {
  const scope = { type: "chat" as const, chat_id: chatId };
  const languages = [...LANGUAGES, undefined];
  await each(
    languages.map((language) => ({
      what: `${role} menu for ${chatId} (${language ?? "default"})`,
      call: () =>
        role === "guest"
          ? api.deleteMyCommands({ scope, ...(language ? { language_code: language } : {}) })
          : api.setMyCommands(menu(i18n, role, language ?? "ru"), { scope, ...(language ? { language_code: language } : {}) }),
    })),
    logger,
  );
}

/** The common menu in both languages, and the admin menu in each configured admin's chat. */
export async function publishCommandMenus(api: Api, i18n: I18n, adminTelegramIds: readonly number[], logger: Logger) {
  await each(
    [...LANGUAGES, undefined].map((language) => ({
      what: `default menu (${language ?? "no language"})`,
      call: () => api.setMyCommands(menu(i18n, "guest", language ?? "ru"), language ? { language_code: language } : {}),
    })),
    logger,
  );
  for (const chatId of adminTelegramIds) await publishChatMenu(api, i18n, chatId, "admin", logger);
}
