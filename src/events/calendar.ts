import { Composer, InlineKeyboard, InputFile } from "grammy";
import { EVENT_FORMATS } from "../partners/index.js";
import { EVENT_LEVELS, EVENT_STATUSES, type Event, type EventStatus } from "./domain/schema.js";
import {
  type Period,
  PERIODS,
  involvedUpcomingEvents,
  partnerNamesOfEvents,
  partnersWithEvents,
  periodRange,
  upcomingEventsOfPartner,
} from "./domain/calendar.js";
import { canViewEvent } from "./domain/overview.js";
import { type EventFilter, getEvent, listEvents } from "./domain/events.js";
import { buildCalendar } from "./domain/ics.js";
import { levelLabel, levelOf } from "./text.js";
import { partnerIdOfContactUser } from "../partners/index.js";
import { listActiveUnits } from "../people/index.js";
import type { BotContext } from "../core/context.js";
import { formatDateTime } from "../core/telegram/format.js";
import { clip, escapeHtml } from "../core/telegram/html.js";
import { fitButton } from "../core/telegram/button-label.js";
import { requireCommandRole, requireRole } from "../core/access/require-role.js";
import { actorOf } from "../core/access/actor.js";

const PAGE_SIZE = 8;
const PICKER_PAGE_SIZE = 10;

/** How each status shows in the list: the marks of `events.statuses`, which make the legend. */
export const STATUS_MARKS: Record<EventStatus, string> = {
  proposed: "🕓",
  changes_requested: "✏️",
  approved: "✅",
  rejected: "❌",
  cancelled: "🚫",
  held: "🏁",
  closed: "📁",
};

/**
 * What the list shows, carried in the buttons' callback data (so each /events message keeps its
 * own view): period, page ("l" = the last page), mine, unit, partner, format, level (0 = any).
 */
interface ListState {
  period: Period;
  page: number | "last";
  mine: boolean;
  unitId: number;
  partnerId: number;
  format: number;
  level: number;
}

const PERIOD_CODES: Record<Period, string> = { week: "w", month: "m", upcoming: "u", past: "p" };
// The level came last, later: a list drawn before it (six fields) still works, with any level.
const STATE_PATTERN = /^([wmup])\.(\d{1,4}|l)\.([01])\.(\d{1,9})\.(\d{1,9})\.(\d{1,2})(?:\.(\d))?$/;

function encode(state: ListState): string {
  return [PERIOD_CODES[state.period], state.page === "last" ? "l" : state.page, state.mine ? 1 : 0, state.unitId, state.partnerId, state.format, state.level].join(".");
}

function decode(raw: string): ListState | undefined {
  const match = STATE_PATTERN.exec(raw);
  if (!match) return undefined;
  const format = Number(match[6]);
  const level = Number(match[7] ?? 0);
  if (format > EVENT_FORMATS.length || level > EVENT_LEVELS.length) return undefined;
  return {
    period: PERIODS.find((p) => PERIOD_CODES[p] === match[1])!,
    page: match[2] === "l" ? "last" : Number(match[2]),
    mine: match[3] === "1",
    unitId: Number(match[4]),
    partnerId: Number(match[5]),
    format,
    level,
  };
}

const INITIAL: ListState = { period: "upcoming", page: 0, mine: false, unitId: 0, partnerId: 0, format: 0, level: 0 };

const composer = new Composer<BotContext>();
const privateChats = composer.chatType("private");

privateChats.command("events", requireCommandRole("events"), async (ctx) => {
  const view = await renderList(ctx, INITIAL);
  await ctx.reply(view.text, { reply_markup: view.keyboard });
});

privateChats.callbackQuery(/^el:/, requireRole("admin", "staff", "partner"), async (ctx) => {
  const data = ctx.callbackQuery.data;
  if (data === "el:ics") {
    await sendMyUpcoming(ctx);
    return;
  }
  const view = /^el:v:(.+)$/.exec(data);
  const picker = /^el:f:([upfl]):(\d{1,4}):(.+)$/.exec(data);
  const state = decode(view?.[1] ?? picker?.[3] ?? "");
  const staffOnlyPicker = picker && (picker[1] === "u" || picker[1] === "p") && ctx.role === "partner";
  if (!state || staffOnlyPicker) {
    await ctx.answerCallbackQuery({ text: ctx.t("common.button_outdated") });
    return;
  }
  await ctx.answerCallbackQuery();
  const shown = picker ? await renderPicker(ctx, picker[1] as PickerKind, Number(picker[2]), state) : await renderList(ctx, state);
  await ctx.editMessageText(shown.text, { reply_markup: shown.keyboard });
});

/** The filter of the list: a partner contact sees only their own organisation's events. */
async function filterFor(ctx: BotContext, state: ListState): Promise<EventFilter | undefined> {
  const filter: EventFilter = { ...periodRange(state.period, ctx.deps.now(), ctx.deps.config.timeZone) };
  if (state.format > 0) filter.format = EVENT_FORMATS[state.format - 1]!;
  if (state.level > 0) filter.level = EVENT_LEVELS[state.level - 1]!;
  if (ctx.role === "partner") {
    const own = await partnerIdOfContactUser(ctx.deps.db, ctx.user!.id);
    if (own === undefined) return undefined;
    filter.partnerId = own;
    return filter;
  }
  if (state.mine) filter.mineFor = ctx.user!.id;
  if (state.unitId > 0) filter.unitId = state.unitId;
  if (state.partnerId > 0) filter.partnerId = state.partnerId;
  return filter;
}

async function renderList(ctx: BotContext, requested: ListState) {
  const t = ctx.t;
  const filter = await filterFor(ctx, requested);
  const { items: firstItems, total } = filter ? await listEvents(ctx.deps.db, filter, requested.page === "last" ? 0 : requested.page, PAGE_SIZE) : { items: [], total: 0 };
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const page = requested.page === "last" ? pages - 1 : Math.min(requested.page, pages - 1);
  // Past events open on the last page (the most recent); a page gone since the list was drawn shows the last one.
  const items = page === requested.page ? firstItems : filter ? (await listEvents(ctx.deps.db, filter, page, PAGE_SIZE)).items : [];
  const state: ListState = { ...requested, page };

  const lines = [t("calendar.title", { period: t(`calendar.periods.${state.period}`) })];
  const filters = await describeFilters(ctx, state);
  if (filters) lines.push(filters);
  lines.push("");
  if (total === 0) lines.push(t("calendar.empty"));
  else {
    lines.push(t("calendar.count", { count: total }) + (pages > 1 ? ` ${t("calendar.page", { page: page + 1, pages })}` : ""));
    items.forEach((event, i) => lines.push(eventLine(ctx, event, page * PAGE_SIZE + i + 1)));
    lines.push("", `<i>${EVENT_STATUSES.map((status) => t(`events.statuses.${status}`)).join(" · ")}</i>`);
  }

  const keyboard = new InlineKeyboard();
  for (const period of PERIODS) {
    const label = t(`calendar.periods.${period}`);
    keyboard.text(period === state.period ? `• ${label}` : label, `el:v:${encode({ ...state, period, page: period === "past" ? "last" : 0 })}`);
  }
  keyboard.row();
  if (ctx.role !== "partner") {
    keyboard.text(`${state.mine ? "☑️" : "⬜"} ${t("calendar.filter_mine")}`, `el:v:${encode({ ...state, mine: !state.mine, page: 0 })}`);
    keyboard.text(t("calendar.filter_unit"), `el:f:u:0:${encode(state)}`);
    keyboard.text(t("calendar.filter_partner"), `el:f:p:0:${encode(state)}`).row();
  }
  keyboard.text(t("calendar.filter_format"), `el:f:f:0:${encode(state)}`);
  keyboard.text(t("calendar.filter_level"), `el:f:l:0:${encode(state)}`).row();
  // The lines above carry the dates; a button is the line's number and the title, short enough for a phone.
  items.forEach((event, i) => {
    keyboard.text(fitButton(`${page * PAGE_SIZE + i + 1}. ${event.title}`), `ev:open:${event.id}`).row();
  });
  if (pages > 1) {
    if (page > 0) keyboard.text(t("common.previous"), `el:v:${encode({ ...state, page: page - 1 })}`);
    if (page < pages - 1) keyboard.text(t("common.next"), `el:v:${encode({ ...state, page: page + 1 })}`);
    keyboard.row();
  }
  keyboard.text(t("calendar.ics_mine"), "el:ics");
  return { text: lines.join("\n"), keyboard };
}

function eventLine(ctx: BotContext, event: Event, n: number): string {
  const when = formatDateTime(event.startsAt, ctx.lang, ctx.deps.config.timeZone);
  return `${n}. ${STATUS_MARKS[event.status]} ${when} · ${ctx.t(`agreements.formats.${event.format}`)} · ${escapeHtml(clip(event.title, 120))}`;
}

async function describeFilters(ctx: BotContext, state: ListState): Promise<string | undefined> {
  const t = ctx.t;
  const parts: string[] = [];
  if (state.mine && ctx.role !== "partner") parts.push(t("calendar.filter_mine"));
  if (state.unitId > 0 && ctx.role !== "partner") {
    const unit = (await listActiveUnits(ctx.deps.db)).find((u) => u.id === state.unitId);
    parts.push(escapeHtml(clip(unit?.name ?? "?", 60)));
  }
  if (state.partnerId > 0 && ctx.role !== "partner") {
    const [partner] = await partnersWithEvents(ctx.deps.db, state.partnerId);
    parts.push(escapeHtml(clip(partner ? (partner.shortName ?? partner.fullName) : "?", 60)));
  }
  if (state.format > 0) parts.push(t(`agreements.formats.${EVENT_FORMATS[state.format - 1]!}`));
  if (state.level > 0) parts.push(t("calendar.level_filter", { level: levelOf(t, EVENT_LEVELS[state.level - 1]!) }));
  return parts.length > 0 ? t("calendar.filters", { filters: parts.join(" · "), interpolation: { escapeValue: false } }) : undefined;
}

type PickerKind = "u" | "p" | "f" | "l";

/** A choice for one filter: units, partners that have events (paginated), formats or levels; "any" resets it. */
async function renderPicker(ctx: BotContext, kind: PickerKind, requestedPage: number, state: ListState) {
  const t = ctx.t;
  const base = { ...state, page: state.period === "past" ? ("last" as const) : 0 };
  const options: { label: string; state: ListState }[] =
    kind === "u"
      ? (await listActiveUnits(ctx.deps.db)).map((u) => ({ label: u.name, state: { ...base, unitId: u.id } }))
      : kind === "p"
        ? (await partnersWithEvents(ctx.deps.db)).map((p) => ({ label: p.shortName ?? p.fullName, state: { ...base, partnerId: p.id } }))
        : kind === "f"
          ? EVENT_FORMATS.map((format, index) => ({ label: t(`agreements.format_buttons.${format}`), state: { ...base, format: index + 1 } }))
          : EVENT_LEVELS.map((level, index) => ({ label: levelLabel(t, level), state: { ...base, level: index + 1 } }));
  const pages = Math.max(1, Math.ceil(options.length / PICKER_PAGE_SIZE));
  const page = Math.min(requestedPage, pages - 1);
  const keyboard = new InlineKeyboard();
  const reset = kind === "u" ? { ...base, unitId: 0 } : kind === "p" ? { ...base, partnerId: 0 } : kind === "f" ? { ...base, format: 0 } : { ...base, level: 0 };
  keyboard.text(t("calendar.any"), `el:v:${encode(reset)}`).row();
  for (const option of options.slice(page * PICKER_PAGE_SIZE, (page + 1) * PICKER_PAGE_SIZE)) {
    keyboard.text(fitButton(option.label), `el:v:${encode(option.state)}`).row();
  }
  if (pages > 1) {
    if (page > 0) keyboard.text(t("common.previous"), `el:f:${kind}:${page - 1}:${encode(state)}`);
    if (page < pages - 1) keyboard.text(t("common.next"), `el:f:${kind}:${page + 1}:${encode(state)}`);
    keyboard.row();
  }
  keyboard.text(t("common.back"), `el:v:${encode(state)}`);
  const key = ({ u: "pick_unit", p: "pick_partner", f: "pick_format", l: "pick_level" } as const)[kind];
  const empty = options.length === 0 ? `\n\n${t(kind === "u" ? "calendar.no_units" : "calendar.no_partners")}` : "";
  return { text: t(`calendar.${key}`) + empty, keyboard };
}

async function sendCalendarFile(ctx: BotContext, events: Event[], fileName: string, caption: string): Promise<void> {
  const names = await partnerNamesOfEvents(
    ctx.deps.db,
    events.map((e) => e.id),
  );
  const ics = buildCalendar(
    events.map((event) => ({ event, partnerNames: names.get(event.id) ?? [] })),
    { name: ctx.t("calendar.ics_name"), timeZone: ctx.deps.config.timeZone, uidDomain: ctx.me.username, now: ctx.deps.now() },
  );
  await ctx.replyWithDocument(new InputFile(Buffer.from(ics, "utf8"), fileName), { caption });
}

/** "All my upcoming": approved events from now on that the person is involved in, as one .ics file. */
async function sendMyUpcoming(ctx: BotContext): Promise<void> {
  const events = await involvedUpcomingEvents(ctx.deps.db, ctx.user!.id, ctx.deps.now());
  if (events.length === 0) {
    await ctx.answerCallbackQuery({ text: ctx.t("calendar.ics_mine_none"), show_alert: true });
    return;
  }
  await ctx.answerCallbackQuery();
  await sendCalendarFile(ctx, events, "my-events.ics", ctx.t("calendar.ics_mine_caption", { count: events.length }));
}

// One event as an .ics file: from the event card and from reminders.
privateChats.callbackQuery(/^ev:ics:(\d{1,9})$/, requireRole("admin", "staff", "partner"), async (ctx) => {
  const actor = actorOf(ctx);
  const eventId = Number(ctx.match[1]);
  const event = await getEvent(ctx.deps.db, eventId);
  if (!actor || !event || !(await canViewEvent(ctx.deps.db, actor, eventId))) {
    await ctx.answerCallbackQuery({ text: ctx.t(event ? "access.denied_button" : "calendar.event_not_found"), show_alert: true });
    return;
  }
  await ctx.answerCallbackQuery();
  await sendCalendarFile(ctx, [event], `event-${event.id}.ics`, ctx.t("calendar.ics_one_caption", { title: clip(event.title, 200) }));
});

export { composer as calendarFeature };

/**
 * The partner card's events: the next three still going ahead, or "no upcoming events". The
 * partner's own contacts see only approved ones: proposals under review are internal.
 */
export async function upcomingEventsBlock(ctx: BotContext, partnerId: number, options: { approvedOnly?: boolean } = {}): Promise<string[]> {
  const going = await upcomingEventsOfPartner(ctx.deps.db, partnerId, ctx.deps.now(), options.approvedOnly ? 50 : 3);
  const upcoming = options.approvedOnly ? going.filter((event) => event.status === "approved").slice(0, 3) : going;
  if (upcoming.length === 0) return [ctx.t("partners.card.events_none")];
  return [
    ctx.t("calendar.card_title"),
    ...upcoming.map((event) =>
      ctx.t("calendar.card_line", {
        when: formatDateTime(event.startsAt, ctx.lang, ctx.deps.config.timeZone),
        title: clip(event.title, 100),
        status: ctx.t(`events.statuses.${event.status}`),
      }),
    ),
  ];
}
