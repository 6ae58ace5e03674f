/**
 * Partners: the registry, names and search, the card, the form, stages, contacts and consent, interactions, agreements and joint plans, plan vs fact, agreement reminders.
 * What other folders may use of this area; nothing else of it is imported from outside.
 */
import { createConversation } from "@grammyjs/conversations";
import { Composer } from "grammy";
import type { BotContext } from "../core/context.js";
import { guarded, type Job } from "../core/job.js";
import { localDate } from "../core/dates.js";
import { AGREEMENT_CONVERSATION, PLAN_ITEM_CONVERSATION, agreementConversation, planItemConversation } from "./agreements/dialogs.js";
import { sendAgreementReminders } from "./agreements/reminders.js";
import { agreementsFeature } from "./agreements/agreements.js";
import { partnerCardFeature } from "./card.js";
import { CONTACT_CONVERSATION, contactConversation } from "./contacts/dialog.js";
import { contactsFeature } from "./contacts/contacts.js";
import { INTERACTION_CONVERSATION, interactionConversation } from "./interactions/dialog.js";
import { interactionsFeature } from "./interactions/interactions.js";
import { EDIT_PARTNER_CONVERSATION, NEW_PARTNER_CONVERSATION, STAGE_CONVERSATION, editPartnerConversation, newPartnerConversation, stageConversation } from "./partner-dialogs.js";
import { partnersFeature } from "./registry.js";
import { install } from "./contributions.js";

export { partnerForAction } from "./access.js";
export { formatPlanned } from "./agreements/dialogs.js";
export { addDays, daysBetween } from "./domain/agreements.js";
export { CONTACT_CHECKS, CONTACT_FIELDS, formatPhone } from "./domain/contacts.js";
export type { ContactDraft, ContactField } from "./domain/contacts.js";
export { normalisePartnerName, partnerSearchKey } from "./domain/names.js";
export { getPartner, listPartners, partnerDisplayName, partnerIdOfContactUser, unitsOf } from "./domain/partners.js";
export type { Actor, PartnerDraft } from "./domain/partners.js";
export { EVENT_FORMATS, FOCUSES, PARTNER_TYPES, STAGES, agreements, contacts, eventFormatEnum, partners, planItems, stageChanges } from "./domain/schema.js";
export type { Contact, EventFormat, Focus, OwnerKind, PartnerType, Stage } from "./domain/schema.js";
// Extension points: how higher areas add to what partners show and count.
export { partnerCardSections, type PartnerCardSection } from "./card.js";
export { jointActivities, type JointActivities } from "./domain/partners.js";
export { planItemEvents, type PlanItemEvents, type PlanItemEvent } from "./domain/plan-facts.js";

/** This area's dialogs: bot.ts registers every area's dialogs before any area's commands and buttons. */
export const dialogs = new Composer<BotContext>();
dialogs.use(createConversation(interactionConversation, INTERACTION_CONVERSATION));
dialogs.use(createConversation(agreementConversation, AGREEMENT_CONVERSATION));
dialogs.use(createConversation(planItemConversation, PLAN_ITEM_CONVERSATION));
dialogs.use(createConversation(contactConversation, CONTACT_CONVERSATION));
dialogs.use(createConversation(newPartnerConversation, NEW_PARTNER_CONVERSATION));
dialogs.use(createConversation(editPartnerConversation, EDIT_PARTNER_CONVERSATION));
dialogs.use(createConversation(stageConversation, STAGE_CONVERSATION));

/** This area's commands and buttons. */
export const composer = new Composer<BotContext>();
composer.use(
  partnersFeature, partnerCardFeature, contactsFeature, interactionsFeature, agreementsFeature,
);

/** This area's scheduled jobs. */
export const jobs: readonly Job[] = [
  guarded("agreement-reminders", "0 9 * * *", "agreement expiry reminders failed", async (deps) => {
    const { queued } = await sendAgreementReminders(deps, localDate(deps.now(), deps.timeZone));
    deps.logger.info({ queued }, "queued agreement expiry reminders");
  }),
];

/** Adds what this area contributes to the extension points of the areas below it (src/areas.ts). */
export { install };
