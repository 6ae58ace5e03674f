import { conversations, createConversation } from "@grammyjs/conversations";
import { sequentialize } from "@grammyjs/runner";
import { Bot, type BotConfig, type Context, session } from "grammy";
import type { UserFromGetMe } from "grammy/types";
import { CONVERSATION_KEY_PREFIX, DbStateStorage, SESSION_KEY_PREFIX } from "../db/state-storage.js";
import { journaledDb } from "../db/update-scope.js";
import { localOwner, type UpdateOwner } from "../domain/processed-updates.js";
import { Inbox, journalingFetch } from "./exactly-once.js";
import { installApiPlugins } from "./api-plugins.js";
import type { BotContext, BotDeps, ConversationContext, SessionData } from "./context.js";
import { contactConversation } from "./conversations/contact.js";
import { AGREEMENT_CONVERSATION, agreementConversation, PLAN_ITEM_CONVERSATION, planItemConversation } from "./conversations/agreement.js";
import { INTERACTION_CONVERSATION, interactionConversation } from "./conversations/interaction.js";
import { inviteConversation, INVITE_CONVERSATION } from "./conversations/invite.js";
import { UNIT_HEAD_CONVERSATION, UNIT_NAME_CONVERSATION, unitHeadConversation, unitNameConversation } from "./conversations/units.js";
import { editPartnerConversation, NEW_PARTNER_CONVERSATION, newPartnerConversation, stageConversation } from "./conversations/partner.js";
import {
  eventCancelConversation,
  eventDecisionConversation,
  eventHeldConversation,
  eventOtherTimeConversation,
  eventPlaceConversation,
  eventTimeConversation,
} from "./conversations/event-actions.js";
import {
  EVENT_CANCEL_CONVERSATION,
  EVENT_DECISION_CONVERSATION,
  EVENT_HELD_CONVERSATION,
  EVENT_OTHER_TIME_CONVERSATION,
  EVENT_PLACE_CONVERSATION,
  EVENT_TIME_CONVERSATION,
} from "./conversations/event-names.js";
import { EVENT_CONVERSATION, eventConversation } from "./conversations/event.js";
import { participantCommentConversation } from "./conversations/participant-feedback.js";
import { FEEDBACK_CONVERSATION, feedbackConversation } from "./conversations/feedback.js";
import { IMPORT_CONVERSATION, importConversation } from "./conversations/import.js";
import { reportPeriodConversation } from "./conversations/report-period.js";
import { DIGEST_HOUR_CONVERSATION, digestHourConversation } from "./conversations/digest-hour.js";
import { makeUpdateStorable } from "../domain/storable-text.js";
import { handleError } from "./error-handler.js";
import { PARTICIPANT_COMMENT_CONVERSATION } from "./participant-link.js";
import type { InFlightUpdates } from "./in-flight.js";
import { agreementsFeature } from "./features/agreements.js";
import { calendarFeature } from "./features/calendar.js";
import { cancelFeature } from "./features/cancel.js";
import { CONTACT_CONVERSATION, contactsFeature } from "./features/contacts.js";
import { editedMessagesFeature } from "./features/edited-messages.js";
import { digestFeature } from "./features/digest.js";
import { eventAnswersFeature } from "./features/event-answers.js";
import { eventCardFeature } from "./features/event-card.js";
import { eventFormFeature } from "./features/event-form.js";
import { exportFeature } from "./features/export.js";
import { feedbackResultsFeature } from "./features/feedback-results.js";
import { feedbackFeature } from "./features/feedback.js";
import { fallbackFeature } from "./features/fallback.js";
import { groupFeature } from "./features/group.js";
import { importFeature } from "./features/import.js";
import { helpFeature } from "./features/help.js";
import { interactionsFeature } from "./features/interactions.js";
import { inviteFeature } from "./features/invite.js";
import { languageFeature } from "./features/language.js";
import { participantFeedbackFeature } from "./features/participant-feedback.js";
import { EDIT_PARTNER_CONVERSATION, partnerCardFeature, STAGE_CONVERSATION } from "./features/partner-card.js";
import { partnersFeature } from "./features/partners.js";
import { privacyFeature } from "./features/privacy.js";
import { REPORT_PERIOD_CONVERSATION, reportFeature } from "./features/report.js";
import { staffFeature } from "./features/staff.js";
import { startFeature } from "./features/start.js";
import { unitsFeature } from "./features/units.js";
import { identify } from "./middlewares/identify.js";

/** One key for sequentialize, sessions and conversations: the chat. */
export function chatKey(ctx: Context): string | undefined {
  return ctx.chat?.id.toString();
}

/** Bump when a conversation's code changes in a way old saved states cannot replay into. */
const CONVERSATIONS_VERSION = 1;

export interface CreateBotOptions {
  /** Skips getMe at start-up (tests pass a fixed identity). */
  botInfo?: UserFromGetMe;
  client?: BotConfig<BotContext>["client"];
  /** Counts updates in flight, for a graceful shutdown. */
  inFlight?: InFlightUpdates;
  /** Who this instance is when claiming updates (see exactly-once.ts); a local owner by default. */
  owner?: UpdateOwner;
}

const inboxes = new WeakMap<Bot<BotContext>, Inbox>();

/** The inbox of a bot made by createBot: recover() hands it the updates a dead process left. */
export function inboxOf(bot: Bot<BotContext>): Inbox {
  const inbox = inboxes.get(bot);
  if (!inbox) throw new Error("not a bot made by createBot");
  return inbox;
}

export function createBot(rawDeps: BotDeps, options: CreateBotOptions = {}): Bot<BotContext> {
  // Handlers write through the journaling view of the database (their effects happen once).
  const deps: BotDeps = { ...rawDeps, db: journaledDb(rawDeps.db) };
  const bot = new Bot<BotContext>(deps.config.botToken, {
    ...(options.botInfo ? { botInfo: options.botInfo } : {}),
    client: {
      ...(deps.config.telegramApiRoot ? { apiRoot: deps.config.telegramApiRoot } : {}),
      ...options.client,
      fetch: journalingFetch((options.client?.fetch as typeof fetch | undefined) ?? ((input, init) => fetch(input, init))) as never,
    },
  });
  installApiPlugins(bot.api);
  const inbox = new Inbox(rawDeps.db, options.owner ?? localOwner(), deps.logger);
  inboxes.set(bot, inbox);
  bot.api.config.use(inbox.onGetUpdates);
  const storage = new DbStateStorage<unknown>(rawDeps.db);

  if (options.inFlight) bot.use(options.inFlight.middleware);
  bot.use((ctx, next) => {
    // The one boundary where user text becomes storable: nothing past it meets NUL or lone surrogates.
    makeUpdateStorable(ctx.update);
    ctx.deps = deps;
    return next();
  });
  bot.catch((error) => handleError(error));

  // One chat's updates in order; within that, each update claimed, handled and finished once.
  bot.use(sequentialize(chatKey));
  bot.use(inbox.middleware);
  const protectedBot = bot.errorBoundary(handleError);
  protectedBot.use(identify);
  protectedBot.use(
    session<SessionData, BotContext>({
      getSessionKey: chatKey,
      initial: () => ({ staffPage: 0 }),
      prefix: SESSION_KEY_PREFIX,
      storage: storage as DbStateStorage<SessionData>,
    }),
  );
  protectedBot.use(groupFeature);
  protectedBot.use(editedMessagesFeature);
  protectedBot.use(
    conversations<BotContext, ConversationContext>({
      storage: { type: "key", version: CONVERSATIONS_VERSION, prefix: CONVERSATION_KEY_PREFIX, getStorageKey: chatKey, adapter: storage as never },
      plugins: (conversation) => [
        async (ctx, next) => {
          installApiPlugins(ctx.api);
          const { lang } = await conversation.external((outside) => ({ lang: outside.lang }));
          ctx.lang = lang;
          ctx.t = deps.i18n.fixedT(lang);
          await next();
        },
      ],
    }),
  );
  protectedBot.use(cancelFeature);
  protectedBot.use(createConversation(inviteConversation, INVITE_CONVERSATION));
  protectedBot.use(createConversation(interactionConversation, INTERACTION_CONVERSATION));
  protectedBot.use(createConversation(agreementConversation, AGREEMENT_CONVERSATION));
  protectedBot.use(createConversation(planItemConversation, PLAN_ITEM_CONVERSATION));
  protectedBot.use(createConversation(contactConversation, CONTACT_CONVERSATION));
  protectedBot.use(createConversation(unitNameConversation, UNIT_NAME_CONVERSATION));
  protectedBot.use(createConversation(unitHeadConversation, UNIT_HEAD_CONVERSATION));
  protectedBot.use(createConversation(newPartnerConversation, NEW_PARTNER_CONVERSATION));
  protectedBot.use(createConversation(editPartnerConversation, EDIT_PARTNER_CONVERSATION));
  protectedBot.use(createConversation(stageConversation, STAGE_CONVERSATION));
  protectedBot.use(createConversation(eventConversation, EVENT_CONVERSATION));
  protectedBot.use(createConversation(eventDecisionConversation, EVENT_DECISION_CONVERSATION));
  protectedBot.use(createConversation(eventOtherTimeConversation, EVENT_OTHER_TIME_CONVERSATION));
  protectedBot.use(createConversation(eventTimeConversation, EVENT_TIME_CONVERSATION));
  protectedBot.use(createConversation(eventPlaceConversation, EVENT_PLACE_CONVERSATION));
  protectedBot.use(createConversation(eventCancelConversation, EVENT_CANCEL_CONVERSATION));
  protectedBot.use(createConversation(eventHeldConversation, EVENT_HELD_CONVERSATION));
  protectedBot.use(createConversation(participantCommentConversation, PARTICIPANT_COMMENT_CONVERSATION));
  protectedBot.use(createConversation(feedbackConversation, FEEDBACK_CONVERSATION));
  protectedBot.use(createConversation(importConversation, IMPORT_CONVERSATION));
  protectedBot.use(createConversation(reportPeriodConversation, REPORT_PERIOD_CONVERSATION));
  protectedBot.use(createConversation(digestHourConversation, DIGEST_HOUR_CONVERSATION));
  protectedBot.use(startFeature);
  protectedBot.use(helpFeature);
  protectedBot.use(languageFeature);
  protectedBot.use(privacyFeature);
  protectedBot.use(inviteFeature);
  protectedBot.use(staffFeature);
  protectedBot.use(unitsFeature);
  protectedBot.use(partnersFeature);
  protectedBot.use(partnerCardFeature);
  protectedBot.use(contactsFeature);
  protectedBot.use(interactionsFeature);
  protectedBot.use(agreementsFeature);
  // Before the event card: it owns ev: but eventFormFeature answers ev:new / ev:plan and calendarFeature ev:ics.
  protectedBot.use(eventFormFeature);
  protectedBot.use(calendarFeature);
  protectedBot.use(eventCardFeature);
  protectedBot.use(eventAnswersFeature);
  protectedBot.use(feedbackResultsFeature);
  protectedBot.use(feedbackFeature);
  protectedBot.use(participantFeedbackFeature);
  protectedBot.use(importFeature);
  protectedBot.use(reportFeature);
  protectedBot.use(exportFeature);
  protectedBot.use(digestFeature);
  protectedBot.use(fallbackFeature);
  return bot;
}
