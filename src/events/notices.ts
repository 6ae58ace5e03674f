import { InlineKeyboard } from "grammy";
import type { Language } from "../config.js";
import type { Db } from "../core/db/client.js";
import type { ConfirmationAnswer, Decision, Event } from "./domain/schema.js";
import type { User } from "../core/access/schema.js";
import { enqueueNotice, type Notice, type NoticeDeps, type Recipient } from "../core/outbox/notices.js";
import { eventOverview, linkedContactsOfEvent } from "./domain/overview.js";
import { decidersOf } from "./domain/events.js";
import { eventSummary } from "./text.js";
import { formatDateTime, plainName } from "../core/telegram/format.js";
import { clip } from "../core/telegram/html.js";
import type { TFunction } from "../core/i18n.js";

/*
 * The notices around an event, written to the outbox. Each takes the transaction of the change
 * that causes it (a decision, an answer, a proposal), so the notice exists exactly when the
 * change does; the outbox sender delivers it. They read through the same transaction, so they
 * see the change. Each returns how many notices it wrote.
 */

const openButton = (t: TFunction, eventId: number) => new InlineKeyboard().text(t("events.buttons.open"), `ev:open:${eventId}`);

/** The approval request with Approve / Reject / Ask for changes, to every decider of the event. */
export async function enqueueApprovalRequests(tx: Db, deps: NoticeDeps, eventId: number): Promise<number> {
  const overview = await eventOverview(tx, eventId);
  if (!overview) return 0;
  const again = overview.decisions.length > 0;
  let written = 0;
  for (const decider of await decidersOf(tx, overview.event)) {
    const wrote = await enqueueNotice(tx, deps, decider, (t, language) => ({
      text: [
        t(again ? "events.notice.approval_request_again" : "events.notice.approval_request", {
          who: overview.proposer ? plainName(overview.proposer) : "—",
        }),
        "",
        ...eventSummary(t, language, deps.timeZone, overview),
      ].join("\n"),
      keyboard: new InlineKeyboard()
        .text(t("events.buttons.approve"), `ea:ok:${eventId}`)
        .text(t("events.buttons.reject"), `ea:no:${eventId}`)
        .row()
        .text(t("events.buttons.ask_changes"), `ea:chg:${eventId}`)
        .row()
        .text(t("events.buttons.open"), `ev:open:${eventId}`),
    }));
    if (wrote) written++;
  }
  return written;
}

/** Tells the proposer and the responsible person (not the decider themselves) what was decided. */
export async function enqueueDecisionNotices(
  tx: Db,
  deps: NoticeDeps,
  eventId: number,
  decision: Decision,
  comment: string | null,
  decider: User,
): Promise<number> {
  const overview = await eventOverview(tx, eventId);
  if (!overview) return 0;
  const people = [overview.proposer, overview.responsible].filter(
    (person, i, all): person is User => person !== undefined && person.id !== decider.id && all.findIndex((p) => p?.id === person.id) === i,
  );
  let written = 0;
  for (const person of people) {
    const wrote = await enqueueNotice(tx, deps, person, (t, language) => ({
      text: [
        t(`events.notice.decided_${decision}`, {
          title: clip(overview.event.title, 200),
          start: formatDateTime(overview.event.startsAt, language, deps.timeZone),
          who: plainName(decider),
        }),
        comment ? t("events.notice.comment", { comment: clip(comment, 1000) }) : null,
      ]
        .filter((line) => line !== null)
        .join("\n"),
      keyboard: openButton(t, eventId),
    }));
    if (wrote) written++;
  }
  return written;
}

/** An approved event goes to the partner contacts linked in the bot: Confirm / Decline / Suggest another time. */
export async function enqueuePartnerRequests(tx: Db, deps: NoticeDeps, eventId: number): Promise<number> {
  const overview = await eventOverview(tx, eventId);
  if (!overview || overview.event.status !== "approved") return 0;
  let written = 0;
  for (const { user } of await linkedContactsOfEvent(tx, eventId)) {
    const wrote = await enqueueNotice(tx, deps, user, (t, language) => ({
      text: [t("events.notice.partner_request"), "", ...eventSummary(t, language, deps.timeZone, overview)].join("\n"),
      keyboard: new InlineKeyboard()
        .text(t("events.buttons.confirm"), `ec:yes:${eventId}`)
        .text(t("events.buttons.decline"), `ec:no:${eventId}`)
        .row()
        .text(t("events.buttons.other_time"), `ec:alt:${eventId}`),
    }));
    if (wrote) written++;
  }
  return written;
}

/** Tells the responsible person a partner contact's answer. */
export async function enqueuePartnerAnswer(
  tx: Db,
  deps: NoticeDeps,
  event: Event,
  answer: { contactName: string; partnerName: string; answer: ConfirmationAnswer; comment: string | null },
): Promise<number> {
  const overview = await eventOverview(tx, event.id);
  if (!overview?.responsible) return 0;
  const wrote = await enqueueNotice(tx, deps, overview.responsible, (t, language) => ({
    text: t(`events.notice.answer_${answer.answer}`, {
      contact: clip(answer.contactName, 100),
      partner: clip(answer.partnerName, 100),
      title: clip(event.title, 200),
      start: formatDateTime(event.startsAt, language, deps.timeZone),
      comment: clip(answer.comment ?? "", 500),
    }),
    keyboard: openButton(t, event.id),
  }));
  return wrote ? 1 : 0;
}

/** "Was it held?" with Held / Not held: the text and buttons, also shown by the card's "Record the outcome". */
export function heldQuestion(t: TFunction, language: Language, timeZone: string, event: Event): Notice {
  return {
    text: t("events.notice.held_question", { title: clip(event.title, 200), start: formatDateTime(event.startsAt, language, timeZone) }),
    keyboard: new InlineKeyboard()
      .text(t("events.buttons.held"), `eh:yes:${event.id}`)
      .text(t("events.buttons.not_held"), `eh:no:${event.id}`)
      .row()
      .text(t("events.buttons.open"), `ev:open:${event.id}`),
  };
}

/** Asks the responsible person whether the event was held; false when `dedupeKey` was used before. */
export async function enqueueHeldQuestion(
  tx: Db,
  deps: NoticeDeps,
  event: Event,
  responsible: Recipient,
  dedupeKey?: string,
): Promise<boolean> {
  return enqueueNotice(tx, deps, responsible, (t, language) => heldQuestion(t, language, deps.timeZone, event), dedupeKey);
}
