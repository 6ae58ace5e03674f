/**
 * Digests: the weekly digest, its data, text, settings and job.
 * What other folders may use of this area; nothing else of it is imported from outside.
 */
import { createConversation } from "@grammyjs/conversations";
import { Composer } from "grammy";
import type { BotContext } from "../core/context.js";
import { guarded, type Job } from "../core/job.js";
import { digestFeature } from "./digest.js";
import { DIGEST_HOUR_CONVERSATION, digestHourConversation } from "./hour-dialog.js";
import { sendDigests } from "./job.js";



/** This area's dialogs: bot.ts registers every area's dialogs before any area's commands and buttons. */
export const dialogs = new Composer<BotContext>();
dialogs.use(createConversation(digestHourConversation, DIGEST_HOUR_CONVERSATION));

/** This area's commands and buttons. */
export const composer = new Composer<BotContext>();
composer.use(
  digestFeature,
);

/** This area's scheduled jobs. */
export const jobs: readonly Job[] = [
  guarded("weekly-digests", "*/5 * * * *", "weekly digests failed", async (deps) => {
    const { sent, empty } = await sendDigests(deps, deps.now());
    if (sent + empty > 0) deps.logger.info({ sent, empty }, "queued weekly digests");
  }),
];

/** This area adds nothing to the areas below it. */
export function install(): void {}
