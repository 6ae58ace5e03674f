/**
 * People: invites, units (departments and creative associations), staff, and /start, /help, /lang, /privacy.
 * What other folders may use of this area; nothing else of it is imported from outside.
 */
import { createConversation } from "@grammyjs/conversations";
import { Composer } from "grammy";
import type { BotContext } from "../core/context.js";
import type { Job } from "../core/job.js";
import { inviteConversation, INVITE_CONVERSATION } from "./invite-dialog.js";
import { inviteFeature } from "./invite.js";
import { helpFeature } from "./help.js";
import { languageFeature } from "./language.js";
import { privacyFeature } from "./privacy.js";
import { staffFeature } from "./staff.js";
import { startFeature } from "./start.js";
import { UNIT_HEAD_CONVERSATION, UNIT_NAME_CONVERSATION, unitHeadConversation, unitNameConversation } from "./units-dialogs.js";
import { unitsFeature } from "./units.js";

export { invites } from "./domain/invites-schema.js";
export type { Invite } from "./domain/invites-schema.js";
export { findUserById, hashInviteToken, looksLikeInviteToken } from "./domain/invites.js";
export { listActiveUnits } from "./domain/units.js";
export { helpText } from "./help.js";
// Extension points.
export { startPayloads, type StartPayloadHandler } from "./start.js";
export { privacySections, type PrivacySection } from "./privacy.js";
export { unitCardLines, type UnitCardLine } from "./units.js";

/** This area's dialogs: bot.ts registers every area's dialogs before any area's commands and buttons. */
export const dialogs = new Composer<BotContext>();
dialogs.use(createConversation(inviteConversation, INVITE_CONVERSATION));
dialogs.use(createConversation(unitNameConversation, UNIT_NAME_CONVERSATION));
dialogs.use(createConversation(unitHeadConversation, UNIT_HEAD_CONVERSATION));

/** This area's commands and buttons. */
export const composer = new Composer<BotContext>();
composer.use(
  startFeature, helpFeature, languageFeature, privacyFeature, inviteFeature, staffFeature, unitsFeature,
);

/** This area's scheduled jobs. */
export const jobs: readonly Job[] = [];

/** This area adds nothing to the areas below it. */
export function install(): void {}
