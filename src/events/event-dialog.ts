import { InlineKeyboard } from "grammy";
import { AUDIENCE_CATEGORIES, type AudienceCategory, type EventLevel } from "./domain/schema.js";
import { EVENT_FORMATS, type EventFormat } from "../partners/index.js";
import { noticeDepsOf } from "../core/outbox/notices.js";
import { type AgeRange, parseAgeRange, parseEventEnd, parseParticipants } from "./domain/input.js";
import {
  eventResponsibleCandidates,
  findPartnersForEvent,
  planItemSource,
  planItemsOfPartners,
} from "./domain/proposal.js";
import { parseEventTime } from "./domain/time.js";
import { competitionFlag, type EventDraft, MAX_PARTICIPANTS, proposeEvent, sameDayEvents } from "./domain/events.js";
import { askLevel } from "./level-step.js";
import { findUserById } from "../people/index.js";
import { getPartner } from "../partners/index.js";
import { listActiveUnits } from "../people/index.js";
import { checkName, checkText } from "../core/validation.js";
import type { ConversationContext } from "../core/context.js";
import { enqueueApprovalRequests } from "./notices.js";
import { formatDuration, formatEventWhen, levelOf } from "./text.js";
import { formatDateTime, plainName } from "../core/telegram/format.js";
import { clip, escapeHtml } from "../core/telegram/html.js";
import { MAX_PICKER_ITEMS, PAGE_SIZE } from "../core/telegram/paging.js";
import { actorOf } from "../core/access/actor.js";
import { type Answer, askChoice, askConfirm, askMany, askText, type FormConversation } from "../core/forms/ask.js";
import { formatPlanned } from "../partners/index.js";
import { type StepResult, walkSteps } from "../core/forms/steps.js";

export const EVENT_CONVERSATION = "proposeEvent";

/** Where the proposal started: /newevent, a partner card or a joint-plan item. */
export interface EventFormStart {
  partnerId?: number;
  planItemId?: number;
}

export const MAX_EVENT_TITLE = 200;
export const MAX_EVENT_DESCRIPTION = 2000;
export const MAX_EVENT_PLACE = 300;
const DURATION_CHOICES = [60, 90, 120, 180] as const;
const TYPED = "typed";

interface Named {
  id: number;
  name: string;
}

interface EventForm {
  partners: Named[];
  format: EventFormat | undefined;
  level: EventLevel;
  /** Marked «with winners» (formats other than contest and project). */
  competition: boolean;
  title: string;
  description: string | null;
  /** ISO strings: what conversation.external returns survives replays as JSON. */
  startsAt: string;
  minutes: number;
  place: string | null;
  ages: AgeRange;
  categories: AudienceCategory[];
  expected: number | null;
  responsibleUserId: number;
  ownerUnitId: number | null;
  planItemId: number | null;
  planItemTitle: string | null;
}

const STEPS = [
  "partners",
  "format",
  "level",
  "title",
  "description",
  "when",
  "duration",
  "place",
  "ages",
  "categories",
  "participants",
  "responsible",
  "unit",
  "planItem",
  "duplicate",
  "confirm",
] as const;

/** What the form needs before its first question, read once; a refusal ends it at once. */
async function loadStart(conversation: FormConversation, start: EventFormStart) {
  return conversation.external(async (outside) => {
    const actor = actorOf(outside);
    if (!actor || (actor.role !== "staff" && actor.role !== "admin")) return { refusal: "access.denied_command" } as const;
    const db = outside.deps.db;
    const plan = start.planItemId !== undefined ? await planItemSource(db, start.planItemId) : undefined;
    if (start.planItemId !== undefined && !plan) return { refusal: "event_form.plan_item_not_found" } as const;
    const partnerId = plan?.partnerId ?? start.partnerId;
    const partner = partnerId !== undefined ? await getPartner(db, partnerId) : undefined;
    if (partnerId !== undefined && !partner) return { refusal: "partners.not_found" } as const;
    if (partner?.stage === "archived") return { refusal: "event_form.partner_in_archive" } as const;
    const staff = await eventResponsibleCandidates(db, actor.user.id, MAX_PICKER_ITEMS);
    const units = await listActiveUnits(db);
    // What the plan item says is taken as said: its staff member (still active) and the partnership's unit.
    const named = plan?.responsibleUserId ? await findUserById(db, plan.responsibleUserId) : undefined;
    const planResponsible = named?.status === "active" && (named.role === "staff" || named.role === "admin") ? named : undefined;
    return {
      refusal: undefined,
      timeZone: outside.deps.config.timeZone,
      proposerId: actor.user.id,
      proposerUnitId: units.some((u) => u.id === actor.user.unitId) ? actor.user.unitId : null,
      partner: partner ? { id: partner.id, name: partner.shortName ?? partner.fullName } : undefined,
      plan: plan
        ? {
            id: plan.planItemId,
            title: plan.title,
            format: plan.format,
            plannedOn: plan.plannedOn,
            plannedMonthOnly: plan.plannedMonthOnly,
            responsible: planResponsible ? { id: planResponsible.id, name: plainName(planResponsible) } : undefined,
            unitId: units.some((u) => u.id === plan.ownerUnitId) ? plan.ownerUnitId : null,
          }
        : undefined,
      staff: staff.map((s) => ({ id: s.id, name: plainName(s) })),
      units: units.map((u) => ({ id: u.id, name: u.name, isAssociation: u.parentId !== null })),
    };
  });
}

/**
 * /newevent, ev:new:<partnerId>, ev:plan:<planItemId>: a staff member proposes a joint event.
 * Every answer is checked on the spot; the date understood is always echoed back; the summary
 * is confirmed or the form walked again; the proposal then goes to the deciders.
 */
export async function eventConversation(conversation: FormConversation, ctx: ConversationContext, start: EventFormStart = {}): Promise<void> {
  const t = ctx.t;
  const loaded = await loadStart(conversation, start);
  if (loaded.refusal !== undefined) {
    await ctx.reply(t(loaded.refusal));
    return;
  }
  const { timeZone } = loaded;
  const presetPartner = loaded.partner;
  const form: EventForm = {
    partners: presetPartner ? [presetPartner] : [],
    format: loaded.plan?.format,
    level: "institutional",
    competition: false,
    title: loaded.plan?.title ?? "",
    description: null,
    startsAt: "",
    minutes: 90,
    place: null,
    ages: { from: null, to: null },
    categories: [],
    expected: null,
    responsibleUserId: loaded.plan?.responsible?.id ?? loaded.proposerId,
    ownerUnitId: loaded.plan?.unitId ?? loaded.proposerUnitId,
    planItemId: loaded.plan?.id ?? null,
    planItemTitle: loaded.plan?.title ?? null,
  };
  /** After Edit every question is asked, the prefilled ones too. */
  let editing = false;
  let goingBack = false;
  let searching = false;
  let typingDuration = false;
  /** A step that has nothing to ask passes on in the direction the person is going. */
  const pass = (): StepResult => (goingBack ? { kind: "back" } : { kind: "skip" });
  /** Started from a plan item that says this (`known`): the step is skipped, until Edit. */
  const planSays = (known = true): boolean => loaded.plan !== undefined && known && !editing;
  /**
   * A refused answer: its explanation (which carries the hint) becomes the step's next question,
   * with the step's buttons, so the person gets one message, not the refusal and the question again.
   */
  let refusal: string | undefined;
  const refuse = (text: string): StepResult => {
    refusal = text;
    return "again";
  };
  const question = (prompt: string): string => {
    const shown = refusal ?? prompt;
    refusal = undefined;
    return shown;
  };
  const partnerNames = () => form.partners.map((p) => p.name).join(", ");

  const askPartners = async (): Promise<StepResult> => {
    // The first step: going back from here is not possible, so it always passes forwards.
    if (planSays() && form.partners.length > 0) return { kind: "skip" };
    if (form.partners.length === 0 || searching) {
      const typed = await askText(conversation, ctx, {
        prompt: question(t(form.partners.length === 0 ? "event_form.ask_partner" : "event_form.ask_another_partner")),
        back: form.partners.length > 0,
        check: (raw) => checkName(raw, { min: 2, max: 100 }),
      });
      if (typed.kind !== "value") {
        searching = false;
        return "again";
      }
      const found = await conversation.external((outside) => findPartnersForEvent(outside.deps.db, typed.value));
      if (found.items.length === 0) {
        return refuse(t(found.archived > 0 ? "event_form.partner_archived" : "event_form.partner_none", { text: clip(typed.value, 100) }));
      }
      const pick = await askChoice(conversation, ctx, {
        prompt: t("event_form.pick_partner"),
        back: true,
        choices: found.items.map((p) => ({ id: `p${p.id}`, label: clip(p.name, 60) })),
      });
      if (pick.kind === "value") {
        const chosen = found.items.find((p) => `p${p.id}` === pick.value)!;
        if (!form.partners.some((p) => p.id === chosen.id)) form.partners.push(chosen);
        searching = false;
      }
      return "again";
    }
    const removable = form.partners.length > (presetPartner ? 1 : 0);
    const menu = await askChoice(conversation, ctx, {
      prompt: t("event_form.partners_chosen", { partners: clip(partnerNames(), 1000) }),
      back: removable,
      choices: [
        { id: "next", label: t("event_form.partners_next") },
        { id: "add", label: t("event_form.partners_add") },
      ],
    });
    if (menu.kind === "back") {
      form.partners.pop();
      return "again";
    }
    if (menu.kind === "value" && menu.value === "add") {
      searching = true;
      return "again";
    }
    return { kind: "skip" };
  };

  /** The plan item's day, when it names one: a time typed alone is read on that day. */
  const plannedDay = loaded.plan && !loaded.plan.plannedMonthOnly ? loaded.plan.plannedOn : undefined;

  const askWhen = async (): Promise<StepResult> => {
    const plan = loaded.plan;
    const typed = await askText(conversation, ctx, {
      prompt: question(
        plan
          ? t(plannedDay ? "event_form.ask_when_planned_day" : "event_form.ask_when_planned_month", {
              planned: formatPlanned(ctx.lang, plan.plannedOn, plan.plannedMonthOnly),
            })
          : t("event_form.ask_when"),
      ),
      back: true,
      check: (raw) => checkName(raw, { min: 1, max: 100 }),
    });
    if (typed.kind !== "value") return typed;
    const read = await conversation.external((outside) => {
      const now = outside.deps.now();
      let parsed = parseEventTime(typed.value, now, timeZone, outside.lang);
      if (!parsed.ok && parsed.reason === "no_date" && plannedDay) {
        parsed = parseEventTime(`${plannedDay.split("-").reverse().join(".")} ${typed.value}`, now, timeZone, outside.lang);
      }
      if (!parsed.ok) return { ok: false as const, reason: parsed.reason };
      return { ok: true as const, iso: parsed.date.toISOString(), past: parsed.date.getTime() <= now.getTime(), now: now.toISOString() };
    });
    if (!read.ok) return refuse(t(`event_form.when_${read.reason}`));
    if (read.past) return refuse(t("event_form.when_past", { now: formatDateTime(new Date(read.now), ctx.lang, timeZone) }));
    const echo = await askChoice(conversation, ctx, {
      prompt: t("event_form.when_understood", { when: formatDateTime(new Date(read.iso), ctx.lang, timeZone, { weekday: true }) }),
      choices: [
        { id: "yes", label: t("event_form.when_correct") },
        { id: "no", label: t("event_form.when_reenter") },
      ],
    });
    if (echo.kind !== "value" || echo.value === "no") return "again";
    form.startsAt = read.iso;
    return echo;
  };

  const askDuration = async (): Promise<StepResult> => {
    if (!typingDuration) {
      const choice = await askChoice(conversation, ctx, {
        prompt: t("event_form.ask_duration"),
        back: true,
        columns: 4,
        choices: [
          ...DURATION_CHOICES.map((m) => ({ id: String(m), label: t(`event_form.duration_${m}`) })),
          { id: TYPED, label: t("event_form.duration_custom") },
        ],
      });
      if (choice.kind !== "value") return choice;
      if (choice.value !== TYPED) {
        form.minutes = Number(choice.value);
        return choice;
      }
      typingDuration = true;
    }
    const typed = await askText(conversation, ctx, {
      prompt: question(t("event_form.ask_duration_typed")),
      back: true,
      check: (raw) => checkName(raw, { min: 1, max: 50 }),
    });
    if (typed.kind !== "value") {
      typingDuration = false;
      return "again";
    }
    const startsAt = new Date(form.startsAt);
    const end = parseEventEnd(typed.value, startsAt, timeZone);
    if (!end.ok) return refuse(t(`event_form.duration_${end.reason}`));
    typingDuration = false;
    form.minutes = Math.round((end.endsAt.getTime() - startsAt.getTime()) / 60_000);
    return typed;
  };

  const askOptionalText = async (
    prompt: string,
    check: (raw: string) => ReturnType<typeof checkText>,
    set: (value: string | null) => void,
  ): Promise<StepResult> => {
    const answer = await askText(conversation, ctx, { prompt, back: true, optional: true, check });
    if (answer.kind !== "back") set(answer.kind === "value" ? answer.value : null);
    return answer;
  };

  /** A typed answer read by `parse`; a refusal is explained with `hint`, which asks again. */
  const askParsed = async <T,>(
    prompt: string,
    hint: string,
    parse: (raw: string) => { ok: true; value: T } | { ok: false },
    set: (value: T | null) => void,
  ): Promise<StepResult> => {
    const answer: Answer<string> = await askText(conversation, ctx, {
      prompt: question(prompt),
      back: true,
      optional: true,
      check: (raw) => checkName(raw, { min: 1, max: 30 }),
    });
    if (answer.kind !== "value") {
      if (answer.kind === "skip") set(null);
      return answer;
    }
    const parsed = parse(answer.value);
    if (!parsed.ok) return refuse(hint);
    set(parsed.value);
    return answer;
  };

  const askPlanItem = async (): Promise<StepResult> => {
    if (planSays()) return pass();
    const items = await conversation.external((outside) =>
      planItemsOfPartners(
        outside.deps.db,
        form.partners.map((p) => p.id),
        MAX_PICKER_ITEMS,
      ),
    );
    if (items.length === 0) {
      form.planItemId = null;
      form.planItemTitle = null;
      return pass();
    }
    const answer = await askChoice(conversation, ctx, {
      prompt: t("event_form.ask_plan_item"),
      back: true,
      optional: true,
      pageSize: PAGE_SIZE,
      choices: items.map((item) => ({
        id: `i${item.id}`,
        label: `${formatPlanned(ctx.lang, item.plannedOn, item.plannedMonthOnly)} — ${clip(item.title, 40)}`,
      })),
    });
    if (answer.kind !== "back") {
      const item = answer.kind === "value" ? items.find((i) => `i${i.id}` === answer.value) : undefined;
      form.planItemId = item?.id ?? null;
      form.planItemTitle = item?.title ?? null;
    }
    return answer;
  };

  const askDuplicate = async (): Promise<StepResult> => {
    const partnerIds = form.partners.map((p) => p.id);
    const same = await conversation.external(async (outside) =>
      (await sameDayEvents(outside.deps.db, partnerIds, new Date(form.startsAt), timeZone)).map((e) => ({
        title: e.title,
        startsAt: e.startsAt.toISOString(),
      })),
    );
    if (same.length === 0) return pass();
    const list = same
      .slice(0, 5)
      .map((e) => `• ${escapeHtml(clip(e.title, 100))} — ${formatDateTime(new Date(e.startsAt), ctx.lang, timeZone)}`)
      .join("\n");
    return askChoice(conversation, ctx, {
      prompt: `${t("event_form.duplicate_warning")}\n${list}\n\n${t("event_form.duplicate_question")}`,
      back: true,
      choices: [{ id: "continue", label: t("event_form.duplicate_continue") }],
    });
  };

  const summary = (): string => {
    const startsAt = new Date(form.startsAt);
    const timing = { startsAt, endsAt: new Date(startsAt.getTime() + form.minutes * 60_000) };
    const unit = loaded.units.find((u) => u.id === form.ownerUnitId)?.name;
    const responsible = [...loaded.staff, ...(loaded.plan?.responsible ? [loaded.plan.responsible] : [])].find((s) => s.id === form.responsibleUserId)?.name ?? "—";
    const lines = [
      t("event_form.summary_title"),
      t("event_form.summary_partners", { partners: clip(partnerNames(), 500) }),
      t("event_form.summary_format", { format: t(`agreements.formats.${form.format ?? "other"}`) }),
      t("event_form.summary_level", { level: levelOf(t, form.level) }),
      ...(form.format !== "contest" && competitionFlag(form.format ?? "other", form.competition) ? [t("event_form.summary_competition")] : []),
      t("event_form.summary_name", { title: clip(form.title, 200) }),
      t("event_form.summary_when", { when: formatEventWhen(timing, ctx.lang, timeZone), duration: formatDuration(t, timing) }),
      t("event_form.summary_place", { place: form.place ? clip(form.place, 200) : t("event_form.not_set") }),
      t("event_form.summary_ages", { ages: form.ages.from === null ? t("event_form.not_set") : agesText(form.ages) }),
      t("event_form.summary_categories", { categories: form.categories.map((c) => t(`event_form.categories.${c}`)).join(", ") }),
      t("event_form.summary_expected", { expected: form.expected === null ? t("event_form.not_set") : String(form.expected) }),
      t("event_form.summary_responsible", { name: responsible }),
      t("event_form.summary_unit", { unit: unit ?? t("event_form.no_unit") }),
    ];
    if (form.planItemTitle !== null) lines.push(t("event_form.summary_plan_item", { title: clip(form.planItemTitle, 200) }));
    if (form.description) lines.push("", t("event_form.summary_description", { text: clip(form.description, 1000) }));
    return lines.join("\n");
  };

  const ask = async (step: (typeof STEPS)[number]): Promise<StepResult> => {
    switch (step) {
      case "partners":
        return askPartners();
      case "format": {
        if (planSays()) return pass();
        const answer = await askChoice(conversation, ctx, {
          prompt: t("event_form.ask_format", { partners: clip(partnerNames(), 500) }),
          back: true,
          columns: 2,
          choices: EVENT_FORMATS.map((format) => ({ id: format, label: t(`agreements.format_buttons.${format}`) })),
        });
        if (answer.kind === "value") form.format = answer.value as EventFormat;
        return answer;
      }
      case "level": {
        // From a plan item the level is the first question asked: nothing to go back to.
        const format = form.format ?? "other";
        const toggle = format !== "contest" && format !== "project";
        const ask = t(toggle ? "event_form.ask_level_competition" : "event_form.ask_level");
        const plan = loaded.plan;
        const lead = planSays() && plan ? t("event_form.level_from_plan", { title: clip(plan.title, 200), format: t(`agreements.formats.${format}`) }) : undefined;
        const answer = await askLevel(conversation, ctx, {
          prompt: question(lead ? `${lead}\n\n${ask}` : ask),
          level: form.level,
          competition: toggle ? form.competition : undefined,
          back: !planSays(),
        });
        if (answer.kind === "value") {
          form.level = answer.value.level;
          form.competition = answer.value.competition;
        }
        return answer;
      }
      case "title": {
        if (planSays()) return pass();
        const answer = await askText(conversation, ctx, {
          prompt: t("event_form.ask_title", { count: MAX_EVENT_TITLE }),
          back: true,
          check: (raw) => checkName(raw, { min: 2, max: MAX_EVENT_TITLE }),
        });
        if (answer.kind === "value") form.title = answer.value;
        return answer;
      }
      case "description":
        return askOptionalText(
          t("event_form.ask_description", { count: MAX_EVENT_DESCRIPTION }),
          (raw) => checkText(raw, MAX_EVENT_DESCRIPTION),
          (v) => {
            form.description = v;
          },
        );
      case "when":
        return askWhen();
      case "duration":
        return askDuration();
      case "place":
        return askOptionalText(t("event_form.ask_place"), (raw) => checkText(raw, MAX_EVENT_PLACE), (v) => {
          form.place = v;
        });
      case "ages":
        return askParsed(t("event_form.ask_ages"), t("event_form.ages_invalid"), parseAgeRange, (v) => {
          form.ages = v ?? { from: null, to: null };
        });
      case "categories": {
        const answer = await askMany(conversation, ctx, {
          prompt: t("event_form.ask_categories"),
          back: true,
          selected: form.categories,
          choices: AUDIENCE_CATEGORIES.map((c) => ({ id: c, label: t(`event_form.categories.${c}`) })),
        });
        if (answer.kind === "value") form.categories = answer.value as AudienceCategory[];
        return answer;
      }
      case "participants":
        return askParsed(t("event_form.ask_participants"), t("event_form.participants_invalid", { max: MAX_PARTICIPANTS }), parseParticipants, (v) => {
          form.expected = v;
        });
      case "responsible": {
        if (planSays(loaded.plan?.responsible !== undefined)) return pass();
        const answer = await askChoice(conversation, ctx, {
          prompt: t("event_form.ask_responsible"),
          back: true,
          pageSize: PAGE_SIZE,
          choices: loaded.staff.map((s) => ({ id: `u${s.id}`, label: clip(s.name, 60) })),
        });
        if (answer.kind === "value") form.responsibleUserId = Number(answer.value.slice(1));
        return answer;
      }
      case "unit": {
        if (planSays(loaded.plan?.unitId != null)) return pass();
        const own = loaded.units.find((u) => u.id === loaded.proposerUnitId);
        const others = loaded.units.filter((u) => u.id !== own?.id);
        const answer = await askChoice(conversation, ctx, {
          prompt: own ? t("event_form.ask_unit_own", { unit: own.name }) : t("event_form.ask_unit"),
          back: true,
          pageSize: PAGE_SIZE,
          choices: [
            ...(own ? [{ id: `n${own.id}`, label: `✓ ${clip(own.name, 60)}` }] : []),
            ...others.map((u) => ({ id: `n${u.id}`, label: u.isAssociation ? `↳ ${clip(u.name, 60)}` : clip(u.name, 60) })),
          ],
          fixed: [{ id: "none", label: t("event_form.no_unit") }],
        });
        if (answer.kind === "value") form.ownerUnitId = answer.value === "none" ? null : Number(answer.value.slice(1));
        return answer;
      }
      case "planItem":
        return askPlanItem();
      case "duplicate":
        return askDuplicate();
      case "confirm": {
        const decision = await askConfirm(conversation, ctx, {
          summary: summary(),
          confirmLabel: t("event_form.send"),
          editLabel: t("event_form.edit"),
        });
        if (decision === "confirm") return { kind: "skip" };
        editing = true;
        return "restart";
      }
    }
  };

  const done = await walkSteps(STEPS.length, async (index): Promise<StepResult> => {
    const result = await ask(STEPS[index]!);
    goingBack = typeof result === "object" && result.kind === "back";
    return result;
  });


  if (!done) {
    await ctx.reply(t("event_form.too_long"));
    return;
  }
  const startsAt = new Date(form.startsAt);
  const draft: EventDraft = {
    partnerIds: form.partners.map((p) => p.id),
    format: form.format ?? "other",
    title: form.title,
    description: form.description,
    startsAt,
    endsAt: new Date(startsAt.getTime() + form.minutes * 60_000),
    place: form.place,
    ageFrom: form.ages.from,
    ageTo: form.ages.to,
    categories: form.categories,
    expectedParticipants: form.expected,
    responsibleUserId: form.responsibleUserId,
    ownerUnitId: form.ownerUnitId,
    planItemId: form.planItemId,
    level: form.level,
    competition: competitionFlag(form.format ?? "other", form.competition),
  };
  const outcome = await conversation.external(async (outside) => {
    const actor = actorOf(outside);
    if (!actor) return { ok: false as const, reason: "forbidden" as const };
    // The proposal and the deciders' approval requests commit together.
    const result = await outside.deps.db.transaction(async (tx) => {
      const proposed = await proposeEvent(tx, actor, draft, outside.deps.now());
      if (proposed.ok) await enqueueApprovalRequests(tx, noticeDepsOf(outside.deps), proposed.event.id);
      return proposed;
    });
    if (!result.ok) return { ok: false as const, reason: result.reason };
    outside.deps.wakeOutbox();
    return { ok: true as const, eventId: result.event.id };
  });
  if (!outcome.ok) {
    await ctx.reply(t(`event_form.refused_${outcome.reason}`));
    return;
  }
  await ctx.reply(t("event_form.sent", { title: clip(form.title, 200) }), {
    reply_markup: new InlineKeyboard().text(t("event_form.open"), `ev:open:${outcome.eventId}`),
  });
}

function agesText(ages: AgeRange): string {
  return ages.from === ages.to ? String(ages.from) : `${ages.from}–${ages.to}`;
}
