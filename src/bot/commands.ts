import type { Api } from "grammy";
import { LANGUAGES } from "../config.js";
import type { Role } from "../db/schema/index.js";
import type { Logger } from "../logger.js";
import type { I18n } from "./i18n.js";

const EVERYONE: readonly Role[] = ["admin", "staff", "partner", "guest"];

/** Every command of the bot and who may use it: /help and the command menus are built from this. */
export const COMMANDS = [
  { command: "start", roles: EVERYONE },
  { command: "help", roles: EVERYONE },
  { command: "lang", roles: EVERYONE },
  { command: "privacy", roles: EVERYONE },
  { command: "cancel", roles: EVERYONE },
  { command: "invite", roles: ["admin"] },
  { command: "staff", roles: ["admin"] },
] as const satisfies readonly { command: string; roles: readonly Role[] }[];

export type CommandName = (typeof COMMANDS)[number]["command"];

export const COMMAND_NAMES: readonly string[] = COMMANDS.map((c) => c.command);

export function commandsFor(role: Role): CommandName[] {
  return COMMANDS.filter((c) => (c.roles as readonly Role[]).includes(role)).map((c) => c.command);
}

/**
 * Sets the command menu in both languages: everyone's by default, the admin menu in each
 * configured admin's chat. A failure (e.g. an admin who never opened the bot) is logged only.
 */
export async function publishCommandMenus(api: Api, i18n: I18n, adminTelegramIds: readonly number[], logger: Logger) {
  const menu = (role: Role, language: (typeof LANGUAGES)[number]) => {
    const t = i18n.fixedT(language);
    return commandsFor(role).map((command) => ({ command, description: t(`commands.${command}`) }));
  };
  const attempts: { what: string; call: () => Promise<unknown> }[] = [];
  for (const language of LANGUAGES) {
    attempts.push({
      what: `default menu (${language})`,
      call: () => api.setMyCommands(menu("guest", language), { language_code: language }),
    });
    for (const chatId of adminTelegramIds) {
      attempts.push({
        what: `admin menu for ${chatId} (${language})`,
        call: () =>
          api.setMyCommands(menu("admin", language), { scope: { type: "chat", chat_id: chatId }, language_code: language }),
      });
    }
  }
  attempts.push({ what: "default menu", call: () => api.setMyCommands(menu("guest", "ru")) });
  for (const attempt of attempts) {
    try {
      await attempt.call();
    } catch (error) {
      logger.warn({ err: error instanceof Error ? error.message : String(error) }, `could not set the ${attempt.what}`);
    }
  }
}
