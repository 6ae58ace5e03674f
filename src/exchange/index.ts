/**
 * Exchange: /export and /import.
 * What other folders may use of this area; nothing else of it is imported from outside.
 */
import { createConversation } from "@grammyjs/conversations";
import { Composer } from "grammy";
import type { BotContext } from "../core/context.js";
import type { Job } from "../core/job.js";
import { exportFeature } from "./export.js";
import { IMPORT_CONVERSATION, importConversation } from "./import-dialog.js";
import { importFeature } from "./import.js";



/** This area's dialogs: bot.ts registers every area's dialogs before any area's commands and buttons. */
export const dialogs = new Composer<BotContext>();
dialogs.use(createConversation(importConversation, IMPORT_CONVERSATION));

/** This area's commands and buttons. */
export const composer = new Composer<BotContext>();
composer.use(
  importFeature, exportFeature,
);

/** This area's scheduled jobs. */
export const jobs: readonly Job[] = [];

/** This area adds nothing to the areas below it. */
export function install(): void {}
