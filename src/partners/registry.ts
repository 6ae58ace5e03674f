import { Composer, InlineKeyboard } from "grammy";
import { FOCUSES, PARTNER_TYPES, STAGES } from "./domain/schema.js";
import { listPartners, partnerIdOfContactUser } from "./domain/partners.js";
import { listActiveUnits } from "../people/index.js";
import type { BotContext } from "../core/context.js";
import type { Focus, PartnerType, Stage } from "./domain/schema.js";

export interface PartnerListState {
  type?: PartnerType;
  stage?: Stage;
  unitId?: number;
  focus?: Focus;
  mine?: boolean;
  text?: string;
  page: number;
  /** Set by the Search button: the next text message is the search query. */
  awaitingSearch?: boolean;
}

declare module "../core/context.js" {
  interface SessionData {
    /** Filters and page of /partners, kept so the list comes back as it was left. */
    partners?: PartnerListState;
  }
}
import { NEW_PARTNER_CONVERSATION } from "./partner-dialogs.js";
import { clip } from "../core/telegram/html.js";
import { fitButton } from "../core/telegram/button-label.js";
import { addPageNav, pageOf } from "../core/telegram/paging.js";
import { requireCommandRole, requireRole } from "../core/access/require-role.js";
import { showPartnerCard } from "./card.js";

const PAGE_SIZE = 8;
const STAGE_MARK = { preparatory: "🌱", organisational: "🤝", system_forming: "🏛", archived: "🗄" } as const;

const composer = new Composer<BotContext>();
const privateChats = composer.chatType("private");

const state = (ctx: BotContext): PartnerListState => (ctx.session.partners ??= { page: 0 });

async function renderList(ctx: BotContext) {
  const filter = state(ctx);
  const { items, total } = await listPartners(
    ctx.deps.db,
    {
      ...(filter.type ? { type: filter.type } : {}),
      ...(filter.stage ? { stage: filter.stage } : {}),
      ...(filter.unitId !== undefined ? { ownerUnitId: filter.unitId } : {}),
      ...(filter.focus ? { focus: filter.focus } : {}),
      ...(filter.mine && ctx.user ? { mineFor: ctx.user } : {}),
      ...(filter.text ? { text: filter.text } : {}),
    },
    filter.page,
    PAGE_SIZE,
  );
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  if (filter.page > pages - 1) {
    filter.page = pages - 1;
    return renderList(ctx);
  }
  const t = ctx.t;
  const active: string[] = [];
  if (filter.type) active.push(t(`partners.types.${filter.type}`));
  if (filter.stage) active.push(t(`partners.stages.${filter.stage}`));
  if (filter.unitId !== undefined) {
    const unit = (await listActiveUnits(ctx.deps.db)).find((u) => u.id === filter.unitId);
    if (unit) active.push(unit.name);
  }
  if (filter.focus) active.push(t(`partners.focuses.${filter.focus}`));
  if (filter.mine) active.push(t("partners.list.mine_label"));
  if (filter.text) active.push(t("partners.list.search_label", { text: clip(filter.text, 40), interpolation: { escapeValue: false } }));

  const keyboard = new InlineKeyboard()
    .text(`${t("partners.list.filter_type")} ▾`, "pl:f:type")
    .text(`${t("partners.list.filter_stage")} ▾`, "pl:f:stage")
    .row()
    .text(`${t("partners.list.filter_unit")} ▾`, "pl:f:unit")
    .text(`${t("partners.list.filter_focus")} ▾`, "pl:f:focus")
    .row()
    .text(`${filter.mine ? "☑" : "☐"} ${t("partners.list.filter_mine")}`, "pl:mine")
    .text(t("partners.list.filter_search"), "pl:search");
  if (active.length > 0) keyboard.text(t("partners.list.filter_reset"), "pl:reset");
  keyboard.row();
  for (const item of items) {
    keyboard.text(fitButton(`${STAGE_MARK[item.stage]} ${item.shortName ?? item.fullName}`), `pc:open:${item.id}`).row();
  }
  if (pages > 1) {
    if (filter.page > 0) keyboard.text(t("common.previous"), `pl:page:${filter.page - 1}`);
    if (filter.page < pages - 1) keyboard.text(t("common.next"), `pl:page:${filter.page + 1}`);
    keyboard.row();
  }
  keyboard.text(t("partners.list.add"), "pl:new");
  const text = [
    total === 0 ? t("partners.list.empty") : t("partners.list.title", { count: total }),
    active.length > 0 ? t("partners.list.filters", { filters: active.join(" · ") }) : t("partners.list.no_filters"),
    pages > 1 ? t("partners.list.page", { page: filter.page + 1, pages }) : "",
  ]
    .filter(Boolean)
    .join("\n");
  return { text, keyboard };
}

export async function showPartnerList(ctx: BotContext, mode: "reply" | "edit"): Promise<void> {
  const view = await renderList(ctx);
  if (mode === "edit" && ctx.callbackQuery?.message) await ctx.editMessageText(view.text, { reply_markup: view.keyboard });
  else await ctx.reply(view.text, { reply_markup: view.keyboard });
}

privateChats.command("partners", requireCommandRole("partners"), async (ctx) => {
  if (ctx.role === "partner" && ctx.user) {
    // A partner contact sees only their own organisation.
    const own = await partnerIdOfContactUser(ctx.deps.db, ctx.user.id);
    if (own !== undefined) {
      await showPartnerCard(ctx, own, "reply");
      return;
    }
  }
  await requireRole("staff", "admin")(ctx, () => showPartnerList(ctx, "reply"));
});

privateChats.command("newpartner", requireCommandRole("newpartner"), async (ctx) => {
  await ctx.conversation.enter(NEW_PARTNER_CONVERSATION);
});

const lists = privateChats.callbackQuery(/^pl:/).use(requireRole("staff", "admin"));

lists.callbackQuery("pl:show", async (ctx) => {
  await ctx.answerCallbackQuery();
  await showPartnerList(ctx, "edit");
});

lists.callbackQuery(/^pl:page:(\d{1,5})$/, async (ctx) => {
  state(ctx).page = Number(ctx.match[1]);
  await ctx.answerCallbackQuery();
  await showPartnerList(ctx, "edit");
});

lists.callbackQuery("pl:mine", async (ctx) => {
  const filter = state(ctx);
  filter.mine = !filter.mine;
  filter.page = 0;
  await ctx.answerCallbackQuery();
  await showPartnerList(ctx, "edit");
});

lists.callbackQuery("pl:reset", async (ctx) => {
  ctx.session.partners = { page: 0 };
  await ctx.answerCallbackQuery();
  await showPartnerList(ctx, "edit");
});

lists.callbackQuery("pl:new", async (ctx) => {
  await ctx.answerCallbackQuery();
  await ctx.conversation.enter(NEW_PARTNER_CONVERSATION);
});

lists.callbackQuery("pl:search", async (ctx) => {
  state(ctx).awaitingSearch = true;
  await ctx.answerCallbackQuery();
  await ctx.reply(ctx.t("partners.list.search_prompt"));
});

// The text right after the Search button is the query; anything else clears the wait.
privateChats.on("message", async (ctx, next) => {
  const filter = ctx.session.partners;
  if (!filter?.awaitingSearch) return next();
  filter.awaitingSearch = false;
  const text = ctx.msg.text?.trim();
  if (!text || text.startsWith("/") || (ctx.role !== "staff" && ctx.role !== "admin")) return next();
  filter.text = Array.from(text).slice(0, 100).join("");
  filter.page = 0;
  await showPartnerList(ctx, "reply");
});

// pl:f:unit:<page>: the units come a page at a time; a page beyond the end shows the last one.
lists.callbackQuery(/^pl:f:(type|stage|unit|focus)(?::(\d{1,5}))?$/, async (ctx) => {
  const t = ctx.t;
  const which = ctx.match[1] as "type" | "stage" | "unit" | "focus";
  const units = which === "unit" ? pageOf(await listActiveUnits(ctx.deps.db), Number(ctx.match[2] ?? 0)) : undefined;
  const options: [string, string][] =
    which === "type"
      ? PARTNER_TYPES.map((v) => [v, t(`partners.types.${v}`)])
      : which === "stage"
        ? STAGES.map((v) => [v, t(`partners.stages.${v}`)])
        : which === "focus"
          ? FOCUSES.map((v) => [v, t(`partners.focus_buttons.${v}`)])
          : (units?.items ?? []).map((u) => [String(u.id), u.parentId ? `↳ ${u.name}` : u.name]);
  const keyboard = new InlineKeyboard();
  options.forEach(([value, label], i) => {
    keyboard.text(fitButton(label), `pl:set:${which}:${value}`);
    if (i % 2 === 1) keyboard.row();
  });
  keyboard.row();
  if (units) addPageNav(keyboard, t, units, (p) => `pl:f:unit:${p}`);
  keyboard.text(t("partners.list.any"), `pl:set:${which}:any`).text(t("common.back"), "pl:show");
  await ctx.answerCallbackQuery();
  await ctx.editMessageText(t(`partners.list.pick_${which}`), { reply_markup: keyboard });
});

lists.callbackQuery(/^pl:set:(type|stage|unit|focus):([a-z_]+|\d{1,9})$/, async (ctx) => {
  const filter = state(ctx);
  const [, which, value] = ctx.match;
  const any = value === "any";
  if (which === "type") {
    const type = PARTNER_TYPES.find((v) => v === value);
    if (type || any) filter.type = type;
  } else if (which === "stage") {
    const stage = STAGES.find((v) => v === value);
    if (stage || any) filter.stage = stage;
  } else if (which === "focus") {
    const focus = FOCUSES.find((v) => v === value);
    if (focus || any) filter.focus = focus;
  } else {
    filter.unitId = any ? undefined : Number(value);
  }
  filter.page = 0;
  await ctx.answerCallbackQuery();
  await showPartnerList(ctx, "edit");
});

lists.on("callback_query", async (ctx) => {
  await ctx.answerCallbackQuery({ text: ctx.t("common.button_outdated") });
});

export { composer as partnersFeature };
