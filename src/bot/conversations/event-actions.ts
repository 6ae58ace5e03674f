import type { Decision, Event } from "../../db/schema/index.js";
import { MAX_CONFIRMATION_COMMENT, recordConfirmation } from "../../domain/event-confirmations.js";
import { latestDecision } from "../../domain/event-overview.js";
import { parseEventTime } from "../../domain/event-time.js";
import { type EventRefusal, MAX_PARTICIPANTS, decideEvent, getEvent, recordOutcome, updateEvent } from "../../domain/events.js";
import { getPartner } from "../../domain/partners.js";
import { checkName, checkText } from "../../domain/validation.js";
import type { BotContext, ConversationContext } from "../context.js";
import { notifyDecision, notifyDeciders, notifyPartnerAnswer, notifyPartnerContacts } from "../event-notices.js";
import { formatEventWhen } from "../event-text.js";
import { showEventCard } from "../features/event-card.js";
import { formatDateTime, plainName } from "../format.js";
import { clip } from "../html.js";
import { actorOf } from "../partner-access.js";
import { askConfirm, askText, type FormConversation } from "./ask.js";
import { type StepResult, walkSteps } from "./form-steps.js";

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
    const result = await decideEvent(outside.deps.db, actor, { eventId, decision, comment });
    if (!result.ok) {
      const event = await getEvent(outside.deps.db, eventId);
      await outside.reply(
        result.reason === "wrong_status" && event ? await alreadyDecidedText(outside, event) : await refusalText(outside, eventId, result),
      );
      return;
    }
    await notifyDecision(outside.api, outside.deps, eventId, decision, comment, actor.user);
    if (decision === "approved") await notifyPartnerContacts(outside.api, outside.deps, eventId);
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
  const result = await recordConfirmation(ctx.deps.db, actor, { eventId, answer, comment }, ctx.deps.now());
  if (!result.ok) {
    await ctx.reply(ctx.t(result.reason === "forbidden" ? "access.denied_button" : `events.confirm.refused_${result.reason}`));
    return false;
  }
  const partner = await getPartner(ctx.deps.db, result.contact.partnerId);
  await notifyPartnerAnswer(ctx.api, ctx.deps, result.event, {
    contactName: result.contact.fullName,
    partnerName: partner ? (partner.shortName ?? partner.fullName) : "—",
    answer,
    comment,
  });
  await ctx.reply(ctx.t(`events.confirm.saved_${answer}`, { title: clip(result.event.title, 200) }));
  return true;
}

/** After a change: back to the deciders when the domain says so (or when changes had been requested). */
async function afterChange(outside: BotContext, eventId: number, before: string, needsApprovalAgain: boolean): Promise<void> {
  if (needsApprovalAgain || before === "changes_requested") {
    await notifyDeciders(outside.api, outside.deps, eventId);
    await outside.reply(outside.t(needsApprovalAgain ? "events.edit.sent_back" : "events.edit.sent_to_deciders"));
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
  const done = await walkSteps(2, async (step): Promise<StepResult> => {
    if (step === 0) {
      const answer = await askText(conversation, ctx, {
        prompt: ctx.t("events.edit.ask_time", { title: clip(start.title, 200), current }),
        check: (raw) => checkText(raw, 100),
      });
      if (answer.kind !== "value") return answer;
      const parsed = parseEventTime(answer.value, now, start.timeZone, ctx.lang);
      if (!parsed.ok) {
        await ctx.reply(ctx.t(`events.edit.time_${parsed.reason}`));
        return "again";
      }
      if (parsed.date.getTime() <= now.getTime()) {
        await ctx.reply(ctx.t("events.edit.time_past", { date: formatDateTime(parsed.date, ctx.lang, start.timeZone) }));
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
    await ctx.reply(ctx.t("invite.too_long"));
    return;
  }
  const chosen = startsAt;
  await conversation.external(async (outside) => {
    const actor = actorOf(outside);
    if (!actor) return;
    const changes = { startsAt: chosen, endsAt: new Date(chosen.getTime() + duration) };
    const result = await updateEvent(outside.deps.db, actor, eventId, changes, outside.deps.now());
    if (!result.ok) await outside.reply(await refusalText(outside, eventId, result));
    else await afterChange(outside, eventId, start.status, result.needsApprovalAgain);
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
    const result = await updateEvent(outside.deps.db, actor, eventId, { place: answer.value }, outside.deps.now());
    if (!result.ok) await outside.reply(await refusalText(outside, eventId, result));
    else await afterChange(outside, eventId, start.status, result.needsApprovalAgain);
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

/** eh:yes — participants by category (whole numbers, not all zero) and a short result. */
export async function eventHeldConversation(conversation: FormConversation, ctx: ConversationContext, eventId: number): Promise<void> {
  const start = await eventAtStart(conversation, ctx, eventId);
  if (!start) return;
  const counts = [0, 0, 0, 0];
  let result = "";
  const done = await walkSteps(CATEGORY_STEPS.length + 1, async (step): Promise<StepResult> => {
    const category = CATEGORY_STEPS[step];
    if (category) {
      const answer = await askText(conversation, ctx, {
        prompt: [
          step === 0 ? ctx.t("events.held.intro", { title: clip(start.title, 200) }) : null,
          ctx.t("events.held.ask_count", { category: ctx.t(`events.held.count_${category}`), max: MAX_PARTICIPANTS }),
        ]
          .filter((line) => line !== null)
          .join("\n\n"),
        back: step > 0,
        check: (raw) => checkText(raw, 20),
      });
      if (answer.kind !== "value") return answer;
      const value = answer.value.replace(/\s+/g, "");
      const n = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
      if (!Number.isInteger(n) || n > MAX_PARTICIPANTS) {
        await ctx.reply(ctx.t("events.held.bad_number", { max: MAX_PARTICIPANTS }));
        return "again";
      }
      counts[step] = n;
      if (step === CATEGORY_STEPS.length - 1 && counts.every((c) => c === 0)) {
        await ctx.reply(ctx.t("events.held.all_zero"));
        return "restart";
      }
      return answer;
    }
    const answer = await askText(conversation, ctx, {
      prompt: ctx.t("events.held.ask_result", { max: MAX_RESULT }),
      back: true,
      check: (raw) => checkText(raw, MAX_RESULT),
    });
    if (answer.kind === "value") result = answer.value;
    return answer;
  });
  if (!done) {
    await ctx.reply(ctx.t("invite.too_long"));
    return;
  }
  const [gifted = 0, disabilities = 0, careerGuidance = 0, other = 0] = counts;
  await conversation.external(async (outside) => {
    const actor = actorOf(outside);
    if (!actor) return;
    const outcome = await recordOutcome(
      outside.deps.db,
      actor,
      eventId,
      { held: true, report: { gifted, disabilities, careerGuidance, other, result } },
      outside.deps.now(),
    );
    if (!outcome.ok) {
      await outside.reply(await refusalText(outside, eventId, outcome));
      return;
    }
    await outside.reply(outside.t("events.held.done", { count: gifted + disabilities + careerGuidance + other }));
    await showEventCard(outside, eventId, "reply");
  });
}
