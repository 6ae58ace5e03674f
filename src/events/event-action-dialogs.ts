import { InlineKeyboard, type InputFile } from "grammy";
import type { Db } from "../core/db/client.js";
import type { Decision, Event } from "./domain/schema.js";
import { noticeDepsOf } from "../core/outbox/notices.js";
import { MAX_CONFIRMATION_COMMENT, recordConfirmation } from "./domain/confirmations.js";
import { latestDecision } from "./domain/overview.js";
import { parseEventTime } from "./domain/time.js";
import {
  type EventChanges,
  type EventRefusal,
  MAX_PARTICIPANTS,
  decideEvent,
  getEvent,
  isCompetition,
  recordOutcome,
  resultsProblem,
  updateEvent,
} from "./domain/events.js";
import { type Actor, getPartner } from "../partners/index.js";
import { checkName, checkText } from "../core/validation.js";
import type { BotContext, ConversationContext } from "../core/context.js";
import { Extension } from "../core/extension.js";
import { enqueueApprovalRequests, enqueueDecisionNotices, enqueuePartnerAnswer, enqueuePartnerRequests } from "./notices.js";
import { formatEventWhen } from "./text.js";
import { showEventCard } from "./card.js";
import { formatDateTime, plainName } from "../core/telegram/format.js";
import { clip } from "../core/telegram/html.js";
import { actorOf } from "../core/access/actor.js";
import { askConfirm, askText, type FormConversation } from "../core/forms/ask.js";
import { type StepResult, walkSteps } from "../core/forms/steps.js";

/** The names the event action dialogs are registered under (src/events/index.ts) and entered by. */
export const EVENT_DECISION_CONVERSATION = "eventDecision";
export const EVENT_OTHER_TIME_CONVERSATION = "eventOtherTime";
export const EVENT_TIME_CONVERSATION = "eventTime";
export const EVENT_PLACE_CONVERSATION = "eventPlace";
export const EVENT_CANCEL_CONVERSATION = "eventCancel";
export const EVENT_HELD_CONVERSATION = "eventHeld";


/**
 * The short conversations around an existing event: a decision's comment, a partner's other
 * time, a new date or place, a cancellation reason, and the outcome after it ended.
 */

const MAX_COMMENT = 1000;
const MAX_REASON = 500;
const MAX_RESULT = 1500;

/** The event's title and times as the conversation needs them, read once at the start; says so when it is gone. */
async function eventAtStart(conversation: FormConversation, ctx: ConversationContext, eventId: number) {
  const start = await conversation.external(async (outside) => {
    const event = await getEvent(outside.deps.db, eventId);
    return event
      ? {
          title: event.title,
          status: event.status,
          startsAt: event.startsAt.toISOString(),
          endsAt: event.endsAt.toISOString(),
          place: event.place,
          format: event.format,
          competition: isCompetition(event),
          now: outside.deps.now().toISOString(),
          timeZone: outside.deps.config.timeZone,
        }
      : undefined;
  });
  if (!start) await ctx.reply(ctx.t("events.not_found"));
  return start;
}

/** "Already decided: approved by X on …", or the status when nobody decided (cancelled meanwhile). */
export async function alreadyDecidedText(ctx: BotContext, event: Event): Promise<string> {
  const last = await latestDecision(ctx.deps.db, event.id);
  if (!last || event.status === "proposed") return ctx.t("events.decide.not_proposed", { status: ctx.t(`events.statuses.${event.status}`) });
  return ctx.t("events.decide.already", {
    decision: ctx.t(`events.decisions.${last.decision}`),
    who: plainName(last.decidedBy),
    date: formatDateTime(last.decidedAt, ctx.lang, ctx.deps.config.timeZone),
  });
}

/** What the bot says when a domain function refuses a change. */
async function refusalText(outside: BotContext, eventId: number, refusal: EventRefusal): Promise<string> {
  if (refusal.reason === "wrong_status") {
    const event = await getEvent(outside.deps.db, eventId);
    if (event) return outside.t("events.refused.wrong_status", { status: outside.t(`events.statuses.${event.status}`) });
  }
  return outside.t(`events.refused.${refusal.reason}`);
}

/** ea:ok|no|chg — an optional comment, then the decision; the proposer and the responsible person learn it. */
export async function eventDecisionConversation(
  conversation: FormConversation,
  ctx: ConversationContext,
  eventId: number,
  decision: Decision,
): Promise<void> {
  const start = await eventAtStart(conversation, ctx, eventId);
  if (!start) return;
  const answer = await askText(conversation, ctx, {
    prompt: ctx.t(`events.decide.ask_comment_${decision}`, { title: clip(start.title, 200) }),
    optional: true,
    check: (raw) => checkText(raw, MAX_COMMENT),
  });
  const comment = answer.kind === "value" ? answer.value : null;
  await conversation.external(async (outside) => {
    const actor = actorOf(outside);
    if (!actor) return;
    const notices = noticeDepsOf(outside.deps);
    // The decision and the notices it causes commit together, or not at all.
    const result = await outside.deps.db.transaction(async (tx) => {
      const decided = await decideEvent(tx, actor, { eventId, decision, comment });
      if (decided.ok) {
        await enqueueDecisionNotices(tx, notices, eventId, decision, comment, actor.user);
        if (decision === "approved") await enqueuePartnerRequests(tx, notices, eventId);
      }
      return decided;
    });
    if (!result.ok) {
      const event = await getEvent(outside.deps.db, eventId);
      await outside.reply(
        result.reason === "wrong_status" && event ? await alreadyDecidedText(outside, event) : await refusalText(outside, eventId, result),
      );
      return;
    }
    outside.deps.wakeOutbox();
    await outside.reply(outside.t(`events.decide.done_${decision}`));
    await showEventCard(outside, eventId, "reply");
  });
}

/** ec:alt — a partner contact suggests another time, in their own words. */
export async function eventOtherTimeConversation(conversation: FormConversation, ctx: ConversationContext, eventId: number): Promise<void> {
  const start = await eventAtStart(conversation, ctx, eventId);
  if (!start) return;
  const answer = await askText(conversation, ctx, {
    prompt: ctx.t("events.confirm.ask_other_time", { title: clip(start.title, 200) }),
    check: (raw) => checkText(raw, MAX_CONFIRMATION_COMMENT),
  });
  if (answer.kind !== "value") return;
  await conversation.external(async (outside) => {
    await saveConfirmation(outside, eventId, "other_time", answer.value);
  });
}

/** Stores a partner contact's answer, thanks them and tells the responsible person. */
export async function saveConfirmation(
  ctx: BotContext,
  eventId: number,
  answer: "confirmed" | "declined" | "other_time",
  comment: string | null,
): Promise<boolean> {
  const actor = actorOf(ctx);
  if (!actor) return false;
  const result = await ctx.deps.db.transaction(async (tx) => {
    const saved = await recordConfirmation(tx, actor, { eventId, answer, comment }, ctx.deps.now());
    if (saved.ok) {
      const partner = await getPartner(tx, saved.contact.partnerId);
      await enqueuePartnerAnswer(tx, noticeDepsOf(ctx.deps), saved.event, {
        contactName: saved.contact.fullName,
        partnerName: partner ? (partner.shortName ?? partner.fullName) : "—",
        answer,
        comment,
      });
    }
    return saved;
  });
  if (!result.ok) {
    await ctx.reply(ctx.t(result.reason === "forbidden" ? "access.denied_button" : `events.confirm.refused_${result.reason}`));
    return false;
  }
  ctx.deps.wakeOutbox();
  await ctx.reply(ctx.t(`events.confirm.saved_${answer}`, { title: clip(result.event.title, 200) }));
  return true;
}

/**
 * Saves a change; back to the deciders when the domain says so (or when changes had been
 * requested), with their approval requests written in the same transaction as the change.
 */
async function changeEvent(outside: BotContext, actor: Actor, eventId: number, changes: EventChanges, before: string): Promise<void> {
  const result = await outside.deps.db.transaction(async (tx) => {
    const updated = await updateEvent(tx, actor, eventId, changes, outside.deps.now());
    if (updated.ok && (updated.needsApprovalAgain || before === "changes_requested")) {
      await enqueueApprovalRequests(tx, noticeDepsOf(outside.deps), eventId);
    }
    return updated;
  });
  if (!result.ok) {
    await outside.reply(await refusalText(outside, eventId, result));
    return;
  }
  if (result.needsApprovalAgain || before === "changes_requested") {
    outside.deps.wakeOutbox();
    await outside.reply(outside.t(result.needsApprovalAgain ? "events.edit.sent_back" : "events.edit.sent_to_deciders"));
  } else {
    await outside.reply(outside.t("events.edit.saved"));
  }
  await showEventCard(outside, eventId, "reply");
}

/** ev:time — a new start typed as people type it; the duration stays; the date understood is echoed back. */
export async function eventTimeConversation(conversation: FormConversation, ctx: ConversationContext, eventId: number): Promise<void> {
  const start = await eventAtStart(conversation, ctx, eventId);
  if (!start) return;
  const now = new Date(start.now);
  const duration = new Date(start.endsAt).getTime() - new Date(start.startsAt).getTime();
  const current = formatDateTime(new Date(start.startsAt), ctx.lang, start.timeZone);
  let startsAt: Date | undefined;
  // A refused answer is explained in the next question itself: one message, with its buttons.
  let refusal: string | undefined;
  const done = await walkSteps(2, async (step): Promise<StepResult> => {
    if (step === 0) {
      const prompt = refusal ?? ctx.t("events.edit.ask_time", { title: clip(start.title, 200), current });
      refusal = undefined;
      const answer = await askText(conversation, ctx, { prompt, check: (raw) => checkText(raw, 100) });
      if (answer.kind !== "value") return answer;
      const parsed = parseEventTime(answer.value, now, start.timeZone, ctx.lang);
      if (!parsed.ok) {
        refusal = ctx.t(`events.edit.time_${parsed.reason}`);
        return "again";
      }
      if (parsed.date.getTime() <= now.getTime()) {
        refusal = ctx.t("events.edit.time_past", { date: formatDateTime(parsed.date, ctx.lang, start.timeZone) });
        return "again";
      }
      startsAt = parsed.date;
      return answer;
    }
    const when = formatEventWhen({ startsAt: startsAt!, endsAt: new Date(startsAt!.getTime() + duration) }, ctx.lang, start.timeZone);
    const decision = await askConfirm(conversation, ctx, {
      summary: ctx.t(start.status === "approved" ? "events.edit.understood_approved" : "events.edit.understood", { when }),
      confirmLabel: ctx.t("events.edit.save"),
      editLabel: ctx.t("events.edit.retype"),
    });
    return decision === "confirm" ? { kind: "skip" } : "restart";
  });
  if (!done || !startsAt) {
    await ctx.reply(ctx.t("events.edit.too_long"));
    return;
  }
  const chosen = startsAt;
  await conversation.external(async (outside) => {
    const actor = actorOf(outside);
    if (!actor) return;
    await changeEvent(outside, actor, eventId, { startsAt: chosen, endsAt: new Date(chosen.getTime() + duration) }, start.status);
  });
}

/** ev:place — a new place. */
export async function eventPlaceConversation(conversation: FormConversation, ctx: ConversationContext, eventId: number): Promise<void> {
  const start = await eventAtStart(conversation, ctx, eventId);
  if (!start) return;
  const answer = await askText(conversation, ctx, {
    prompt: ctx.t("events.edit.ask_place", { title: clip(start.title, 200), current: clip(start.place ?? "—", 200) }),
    check: (raw) => checkName(raw, { min: 2, max: 300 }),
  });
  if (answer.kind !== "value") return;
  await conversation.external(async (outside) => {
    const actor = actorOf(outside);
    if (!actor) return;
    await changeEvent(outside, actor, eventId, { place: answer.value }, start.status);
  });
}

/** ev:cancel and eh:no — a reason, then the event is cancelled ("not held" is a cancellation too). */
export async function eventCancelConversation(
  conversation: FormConversation,
  ctx: ConversationContext,
  eventId: number,
  kind: "cancel" | "not_held",
): Promise<void> {
  const start = await eventAtStart(conversation, ctx, eventId);
  if (!start) return;
  const answer = await askText(conversation, ctx, {
    prompt: ctx.t(`events.${kind === "cancel" ? "cancel" : "held"}.ask_reason`, { title: clip(start.title, 200) }),
    check: (raw) => checkText(raw, MAX_REASON),
  });
  if (answer.kind !== "value") return;
  await conversation.external(async (outside) => {
    const actor = actorOf(outside);
    if (!actor) return;
    const result = await recordOutcome(outside.deps.db, actor, eventId, { held: false, reason: answer.value }, outside.deps.now());
    if (!result.ok) {
      await outside.reply(await refusalText(outside, eventId, result));
      return;
    }
    await outside.reply(outside.t(kind === "cancel" ? "events.cancel.done" : "events.held.not_held_done"));
    await showEventCard(outside, eventId, "reply");
  });
}

const CATEGORY_STEPS = ["gifted", "disabilities", "career_guidance", "general"] as const;
type CategoryStep = (typeof CATEGORY_STEPS)[number];
/** After the attendance: a competition's winners and prize-winners, a project's students. */
type ResultStep = "winners" | "prize_winners" | "project_students";
const isCategoryStep = (step: string): step is CategoryStep => (CATEGORY_STEPS as readonly string[]).includes(step);

export interface HeldPhoto {
  file: InputFile;
  caption: string;
}
/** What a hook tells the person who recorded "held", asked after the transaction committed. */
export type HeldReport = () => Promise<{ lines: string[]; photo?: HeldPhoto }>;
/**
 * What other areas do when an event is recorded as held (the feedback round opens), inside the
 * transaction that records it: a failure rolls "held" back too.
 */
export type AfterHeld = (tx: Db, ctx: BotContext, event: Event) => Promise<HeldReport>;
export const afterHeld = new Extension<AfterHeld>("after an event is held");

/**
 * eh:yes — participants by category (whole numbers, not all zero); for a competition its
 * winners and prize-winners among the institution's students (each not more than the
 * participants, nor both together); for a project how many of the institution's students took
 * part; then a short result. All saved together.
 */
export async function eventHeldConversation(conversation: FormConversation, ctx: ConversationContext, eventId: number): Promise<void> {
  const start = await eventAtStart(conversation, ctx, eventId);
  if (!start) return;
  const counts = [0, 0, 0, 0];
  const results: Partial<Record<ResultStep, number>> = {};
  let result = "";
  const steps: (CategoryStep | ResultStep | "result")[] = [
    ...CATEGORY_STEPS,
    ...(start.competition ? (["winners", "prize_winners"] as const) : []),
    ...(start.format === "project" ? (["project_students"] as const) : []),
    "result",
  ];
  const participants = () => counts.reduce((a, b) => a + b, 0);
  // A refused answer is explained in the next question itself: one message, with its buttons.
  // A bad number's hint replaces the question; after «all zero» the counting starts again under it.
  let badNumber = false;
  let allZero = false;
  let refusal: string | undefined;
  /** A whole number from 0 to MAX_PARTICIPANTS typed, or NaN. */
  const readCount = (raw: string) => {
    const value = raw.replace(/\s+/g, "");
    const n = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
    return Number.isInteger(n) && n <= MAX_PARTICIPANTS ? n : Number.NaN;
  };
  const done = await walkSteps(steps.length, async (index): Promise<StepResult> => {
    const step = steps[index]!;
    if (isCategoryStep(step)) {
      const category = step;
      const lead = allZero ? ctx.t("events.held.all_zero") : index === 0 ? ctx.t("events.held.intro", { title: clip(start.title, 200) }) : null;
      const ask = ctx.t("events.held.ask_count", { category: ctx.t(`events.held.count_${category}`), max: MAX_PARTICIPANTS });
      const prompt = badNumber ? ctx.t("events.held.bad_number", { max: MAX_PARTICIPANTS }) : [lead, ask].filter((line) => line !== null).join("\n\n");
      badNumber = false;
      allZero = false;
      const answer = await askText(conversation, ctx, {
        prompt,
        back: index > 0,
        check: (raw) => checkText(raw, 20),
      });
      if (answer.kind !== "value") return answer;
      const n = readCount(answer.value);
      if (Number.isNaN(n)) {
        badNumber = true;
        return "again";
      }
      counts[index] = n;
      if (index === CATEGORY_STEPS.length - 1 && counts.every((c) => c === 0)) {
        allZero = true;
        return "restart";
      }
      return answer;
    }
    if (step !== "result") {
      const count = participants();
      const left = count - (results.winners ?? 0);
      const vars = { participants: count, left, max: MAX_PARTICIPANTS };
      const prompt = refusal ?? ctx.t(`events.held.ask_${step}`, vars);
      refusal = undefined;
      const answer = await askText(conversation, ctx, { prompt, back: true, check: (raw) => checkText(raw, 20) });
      if (answer.kind !== "value") return answer;
      const n = readCount(answer.value);
      if (Number.isNaN(n)) {
        refusal = ctx.t(step === "project_students" ? "events.held.bad_number" : `events.held.bad_${step}`, vars);
        return "again";
      }
      if (step !== "project_students") {
        const problem = resultsProblem(count, step === "winners" ? { winners: n } : { winners: results.winners ?? 0, prizeWinners: n });
        if (problem) {
          refusal = ctx.t(`events.held.${problem}`, { ...vars, given: n, winners: results.winners ?? 0 });
          return "again";
        }
      }
      results[step] = n;
      return answer;
    }
    const answer = await askText(conversation, ctx, {
      prompt: ctx.t("events.held.ask_result", { count: MAX_RESULT }),
      back: true,
      check: (raw) => checkText(raw, MAX_RESULT),
    });
    if (answer.kind === "value") result = answer.value;
    return answer;
  });
  if (!done) {
    await ctx.reply(ctx.t("events.held.too_long"));
    return;
  }
  const [gifted = 0, disabilities = 0, careerGuidance = 0, other = 0] = counts;
  const report = {
    gifted,
    disabilities,
    careerGuidance,
    other,
    result,
    ...(results.winners !== undefined ? { winners: results.winners } : {}),
    ...(results.prize_winners !== undefined ? { prizeWinners: results.prize_winners } : {}),
    ...(results.project_students !== undefined ? { projectStudents: results.project_students } : {}),
  };
  await conversation.external(async (outside) => {
    const actor = actorOf(outside);
    if (!actor) return;
    const { deps } = outside;
    const now = deps.now();
    // Held, and what other areas do when an event is held (the feedback round): one transaction.
    const { outcome, reports } = await deps.db.transaction(async (tx) => {
      const outcome = await recordOutcome(tx, actor, eventId, { held: true, report }, now);
      if (!outcome.ok) return { outcome, reports: [] };
      const reports: HeldReport[] = [];
      for (const hook of afterHeld.items) reports.push(await hook(tx, outside, outcome.event));
      return { outcome, reports };
    });
    if (!outcome.ok) {
      await outside.reply(await refusalText(outside, eventId, outcome));
      return;
    }
    deps.wakeOutbox();
    // Two messages at most: what was recorded (with what the hooks report), then a photo they
    // send (the participants' QR code) with the way back to the card, or the card button under the first.
    const lines = [outside.t("events.held.done", { count: gifted + disabilities + careerGuidance + other })];
    let photo: HeldPhoto | undefined;
    for (const report of reports) {
      const { lines: more, photo: shown } = await report();
      lines.push(...more);
      photo ??= shown;
    }
    const toCard = new InlineKeyboard().text(outside.t("events.buttons.open"), `ev:open:${eventId}`);
    if (photo) {
      await outside.reply(lines.join("\n\n"), { link_preview_options: { is_disabled: true } });
      await outside.replyWithPhoto(photo.file, { caption: photo.caption, reply_markup: toCard });
      return;
    }
    await outside.reply(lines.join("\n\n"), { reply_markup: toCard });
  });
}
