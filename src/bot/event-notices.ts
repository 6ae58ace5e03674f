import { type Api, GrammyError, InlineKeyboard } from "grammy";
import type { Language } from "../config.js";
import type { Db } from "../db/client.js";
import type { ConfirmationAnswer, Decision, Event, User } from "../db/schema/index.js";
import { eventOverview, linkedContactsOfEvent } from "../domain/event-overview.js";
import { decidersOf } from "../domain/events.js";
import type { Logger } from "../logger.js";
import type { BotDeps } from "./context.js";
import { eventSummary } from "./event-text.js";
import { formatDateTime, plainName } from "./format.js";
import { clip } from "./html.js";
import { type I18n, type TFunction, pickLanguage } from "./i18n.js";

/** What sending event notices needs: the bot's deps and the scheduler's deps both have it. */
export interface NoticeDeps {
  db: Db;
  logger: Logger;
  i18n: I18n;
  timeZone: string;
  defaultLanguage: Language;
}

export function noticeDeps(deps: BotDeps): NoticeDeps {
  return { db: deps.db, logger: deps.logger, i18n: deps.i18n, timeZone: deps.config.timeZone, defaultLanguage: deps.config.defaultLanguage };
}

type Recipient = Pick<User, "id" | "telegramId" | "language" | "telegramLanguage">;

interface Message {
  text: string;
  keyboard?: InlineKeyboard;
}

type Delivery = "sent" | "blocked" | "failed";

/**
 * Sends one notice in the recipient's language. A person who blocked the bot, or a failure of
 * Telegram, must not break the action that triggered it: it is logged and reported back.
 */
async function deliver(
  api: Api,
  deps: NoticeDeps,
  recipient: Recipient,
  build: (t: TFunction, language: Language) => Message,
  log: Record<string, unknown>,
): Promise<Delivery> {
  const language = pickLanguage(recipient.language, recipient.telegramLanguage ?? undefined, deps.defaultLanguage);
  const message = build(deps.i18n.fixedT(language), language);
  try {
    await api.sendMessage(recipient.telegramId, message.text, {
      ...(message.keyboard ? { reply_markup: message.keyboard } : {}),
      link_preview_options: { is_disabled: true },
    });
    return "sent";
  } catch (error) {
    const blocked = error instanceof GrammyError && error.error_code === 403;
    deps.logger.warn({ err: error, userId: recipient.id, blocked, ...log }, "could not deliver an event notice");
    return blocked ? "blocked" : "failed";
  }
}

const openButton = (t: TFunction, eventId: number) => new InlineKeyboard().text(t("events.buttons.open"), `ev:open:${eventId}`);

/** The approval request with Approve / Reject / Ask for changes, to every decider of the event. */
export async function notifyDeciders(api: Api, deps: BotDeps, eventId: number): Promise<void> {
  const notice = noticeDeps(deps);
  const overview = await eventOverview(deps.db, eventId);
  if (!overview) return;
  const again = overview.decisions.length > 0;
  for (const decider of await decidersOf(deps.db, overview.event)) {
    await deliver(
      api,
      notice,
      decider,
      (t, language) => ({
        text: [
          t(again ? "events.notice.approval_request_again" : "events.notice.approval_request", {
            who: overview.proposer ? plainName(overview.proposer) : "—",
          }),
          "",
          ...eventSummary(t, language, notice.timeZone, overview),
        ].join("\n"),
        keyboard: new InlineKeyboard()
          .text(t("events.buttons.approve"), `ea:ok:${eventId}`)
          .text(t("events.buttons.reject"), `ea:no:${eventId}`)
          .row()
          .text(t("events.buttons.ask_changes"), `ea:chg:${eventId}`)
          .row()
          .text(t("events.buttons.open"), `ev:open:${eventId}`),
      }),
      { eventId, notice: "approval_request" },
    );
  }
}

/** Tells the proposer and the responsible person (not the decider themselves) what was decided. */
export async function notifyDecision(
  api: Api,
  deps: BotDeps,
  eventId: number,
  decision: Decision,
  comment: string | null,
  decider: User,
): Promise<void> {
  const notice = noticeDeps(deps);
  const overview = await eventOverview(deps.db, eventId);
  if (!overview) return;
  const people = [overview.proposer, overview.responsible].filter(
    (person, i, all): person is User => person !== undefined && person.id !== decider.id && all.findIndex((p) => p?.id === person.id) === i,
  );
  for (const person of people) {
    await deliver(
      api,
      notice,
      person,
      (t, language) => ({
        text: [
          t(`events.notice.decided_${decision}`, {
            title: clip(overview.event.title, 200),
            start: formatDateTime(overview.event.startsAt, language, notice.timeZone),
            who: plainName(decider),
          }),
          comment ? t("events.notice.comment", { comment: clip(comment, 1000) }) : null,
        ]
          .filter((line) => line !== null)
          .join("\n"),
        keyboard: openButton(t, eventId),
      }),
      { eventId, notice: `decided_${decision}` },
    );
  }
}

/** An approved event goes to the partner contacts linked in the bot: Confirm / Decline / Suggest another time. */
export async function notifyPartnerContacts(api: Api, deps: BotDeps, eventId: number): Promise<void> {
  const notice = noticeDeps(deps);
  const overview = await eventOverview(deps.db, eventId);
  if (!overview || overview.event.status !== "approved") return;
  for (const { user } of await linkedContactsOfEvent(deps.db, eventId)) {
    await deliver(
      api,
      notice,
      user,
      (t, language) => ({
        text: [t("events.notice.partner_request"), "", ...eventSummary(t, language, notice.timeZone, overview)].join("\n"),
        keyboard: new InlineKeyboard()
          .text(t("events.buttons.confirm"), `ec:yes:${eventId}`)
          .text(t("events.buttons.decline"), `ec:no:${eventId}`)
          .row()
          .text(t("events.buttons.other_time"), `ec:alt:${eventId}`),
      }),
      { eventId, notice: "partner_request" },
    );
  }
}

/** Tells the responsible person a partner contact's answer. */
export async function notifyPartnerAnswer(
  api: Api,
  deps: BotDeps,
  event: Event,
  answer: { contactName: string; partnerName: string; answer: ConfirmationAnswer; comment: string | null },
): Promise<void> {
  const notice = noticeDeps(deps);
  const overview = await eventOverview(deps.db, event.id);
  if (!overview?.responsible) return;
  await deliver(
    api,
    notice,
    overview.responsible,
    (t, language) => ({
      text: t(`events.notice.answer_${answer.answer}`, {
        contact: clip(answer.contactName, 100),
        partner: clip(answer.partnerName, 100),
        title: clip(event.title, 200),
        start: formatDateTime(event.startsAt, language, notice.timeZone),
        comment: clip(answer.comment ?? "", 500),
      }),
      keyboard: openButton(t, event.id),
    }),
    { eventId: event.id, notice: `answer_${answer.answer}` },
  );
}

/** "Was it held?" with Held / Not held: the text and buttons, also shown by the card's "Record the outcome". */
export function heldQuestion(t: TFunction, language: Language, timeZone: string, event: Event): Message {
  return {
    text: t("events.notice.held_question", { title: clip(event.title, 200), start: formatDateTime(event.startsAt, language, timeZone) }),
    keyboard: new InlineKeyboard()
      .text(t("events.buttons.held"), `eh:yes:${event.id}`)
      .text(t("events.buttons.not_held"), `eh:no:${event.id}`)
      .row()
      .text(t("events.buttons.open"), `ev:open:${event.id}`),
  };
}

/** Asks the responsible person whether the event was held. */
export async function sendHeldQuestion(api: Api, deps: NoticeDeps, event: Event, responsible: Recipient): Promise<Delivery> {
  return deliver(api, deps, responsible, (t, language) => heldQuestion(t, language, deps.timeZone, event), {
    eventId: event.id,
    notice: "held_question",
  });
}
