import { dialogsSavedAsAnswered } from "../core/telegram/cancel.js";
import { findUserById, startPayloads, unitCardLines } from "../people/index.js";
import { partnerCardSections } from "../partners/index.js";
import { noticeDepsOf } from "../core/outbox/notices.js";
import { plainName } from "../core/telegram/format.js";
import { afterHeld, type Event, eventCardButtons } from "../events/index.js";
import { hasOpenLink } from "./domain/participants.js";
import { feedbackRoundOf, recentSatisfaction } from "./domain/results.js";
import { FEEDBACK_CONVERSATION } from "./feedback-dialog.js";
import { participantLinkParts, startParticipantFeedback } from "./participant-feedback.js";
import { enqueueParticipantLinkNotice } from "./participant-link.js";
import { PARTICIPANT_COMMENT_CONVERSATION } from "./participant-dialog.js";
import { openFeedbackRound } from "./prompts.js";
import { satisfactionLine } from "./results-text.js";

/** What the feedback area adds to the areas below it (see src/areas.ts). */
export function install(): void {
  // Surveys save each answer as it arrives: /cancel says so.
  dialogsSavedAsAnswered.add(FEEDBACK_CONVERSATION, PARTICIPANT_COMMENT_CONVERSATION);
  // The participants' survey link: t.me/<bot>?start=pf_<token>.
  startPayloads.add(async (ctx, payload) => {
    if (!payload.startsWith("pf_")) return false;
    await startParticipantFeedback(ctx, payload.slice(3));
    return true;
  });
  // The 90-day satisfaction on the partner card (staff only) and on the unit card.
  partnerCardSections.add({
    place: "internal",
    lines: async (ctx, partnerId) => {
      const line = satisfactionLine(ctx.t, ctx.lang, await recentSatisfaction(ctx.deps.db, "partner", partnerId, ctx.deps.now()));
      return line ? [line] : [];
    },
  });
  unitCardLines.add(async (ctx, unitId) => satisfactionLine(ctx.t, ctx.lang, await recentSatisfaction(ctx.deps.db, "unit", unitId, ctx.deps.now())));
  // On the card of a held event: the results once feedback was asked, the participants' link and QR code while it is open.
  const held = (event: Event) => event.status === "held" || event.status === "closed";
  eventCardButtons.add(
    async (ctx, event) =>
      held(event) && (await feedbackRoundOf(ctx.deps.db, event.id)) ? { label: ctx.t("feedback_results.button"), data: `fr:show:${event.id}` } : undefined,
    async (ctx, event) =>
      held(event) && (await hasOpenLink(ctx.deps.db, event.id, ctx.deps.now())) ? { label: ctx.t("participant.buttons.card"), data: `pf:qr:${event.id}` } : undefined,
  );
  // Held: the partners' prompts and the participants' link, in the same transaction; then what
  // the person who recorded it is told — the link with its QR code, or who received it.
  afterHeld.add(async (tx, ctx, event) => {
    const { deps } = ctx;
    const notices = noticeDepsOf(deps);
    const { prompted } = await openFeedbackRound(tx, { ...notices, feedback: deps.config.feedback }, event.id, deps.now());
    const someoneElse = event.responsibleUserId !== ctx.user?.id;
    const linkTo = someoneElse && (await enqueueParticipantLinkNotice(tx, notices, event.id, ctx.me.username)) ? event.responsibleUserId : undefined;
    return async () => {
      const lines = [prompted > 0 ? ctx.t("events.held.feedback_sent", { count: prompted }) : ctx.t("events.held.feedback_nobody")];
      if (linkTo === undefined) {
        const link = await participantLinkParts(ctx, event.id);
        if (link) return { lines: [...lines, link.text], photo: { file: link.qr, caption: link.caption } };
        return { lines };
      }
      const responsible = await findUserById(deps.db, linkTo);
      if (responsible) lines.push(ctx.t("events.held.participants_link_sent", { name: plainName(responsible) }));
      return { lines };
    };
  });
}
