import type { Conversation } from "@grammyjs/conversations";
import { InlineKeyboard } from "grammy";
import { INVITABLE_ROLES, type InvitableRole, createInvite } from "./domain/invites.js";
import { listActiveUnits } from "./domain/units.js";
import type { BotContext, ConversationContext } from "../core/context.js";
import { formatDateTime } from "../core/telegram/format.js";
import type { TFunction } from "../core/i18n.js";
import { fitButton } from "../core/telegram/button-label.js";
import { addPageNav, pageOf } from "../core/telegram/paging.js";

export const INVITE_CONVERSATION = "invite";

type InviteConversation = Conversation<BotContext, ConversationContext>;

interface UnitChoice {
  id: number;
  name: string;
  isAssociation: boolean;
}

type Step = "role" | "unit" | "confirm";

/** More than enough for role → unit → confirm with some going back and forth; never endless. */
const MAX_ANSWERS = 30;

/**
 * /invite: an admin picks the role and the unit with buttons, confirms, and gets a single-use
 * link. One message is edited in place; Back returns a step; /cancel leaves at any time.
 */
export async function inviteConversation(conversation: InviteConversation, ctx: ConversationContext): Promise<void> {
  const units = await conversation.external((outside) =>
    listActiveUnits(outside.deps.db).then((rows) =>
      rows.map((unit): UnitChoice => ({ id: unit.id, name: unit.name, isAssociation: unit.parentId !== null })),
    ),
  );
  let role: InvitableRole = "staff";
  let unit: UnitChoice | undefined;
  let step: Step = "role";
  /** The page of the units shown at the unit step. */
  let page = 0;

  const screen = () => render(ctx.t, step, role, unit, units, page);
  const first = screen();
  const message = await ctx.reply(first.text, { reply_markup: first.keyboard });

  for (let answers = 0; answers < MAX_ANSWERS; answers++) {
    const press = await conversation.waitForCallbackQuery(/^invite:/, {
      otherwise: (other) => remindToUseButtons(other),
    });
    if (press.callbackQuery.message?.message_id !== message.message_id) {
      await press.answerCallbackQuery({ text: press.t("common.button_outdated") });
      continue;
    }
    const [, action, value] = press.callbackQuery.data.split(":");
    if (action === "cancel") {
      await press.answerCallbackQuery();
      await press.editMessageText(press.t("invite.cancelled"));
      return;
    }
    if (step === "role" && action === "role" && INVITABLE_ROLES.includes(value as InvitableRole)) {
      role = value as InvitableRole;
      step = units.length > 0 ? "unit" : "confirm";
    } else if (step === "unit" && action === "page" && /^\d{1,6}$/.test(value ?? "")) {
      // A forged or stale number shows the nearest page; the page already shown stays as it is.
      const turned = pageOf(units, Number(value)).page;
      if (turned === page) {
        await press.answerCallbackQuery();
        continue;
      }
      page = turned;
    } else if (step === "unit" && action === "unit") {
      unit = units.find((candidate) => String(candidate.id) === value);
      if (value !== "none" && !unit) {
        await press.answerCallbackQuery({ text: press.t("common.button_outdated") });
        continue;
      }
      step = "confirm";
    } else if (action === "back" && step !== "role") {
      step = step === "confirm" && units.length > 0 ? "unit" : "role";
    } else if (step === "confirm" && action === "create") {
      await press.answerCallbackQuery();
      await finish(conversation, press, role, unit);
      return;
    } else {
      await press.answerCallbackQuery({ text: press.t("common.button_outdated") });
      continue;
    }
    await press.answerCallbackQuery();
    const next = screen();
    await press.editMessageText(next.text, { reply_markup: next.keyboard });
  }
  await ctx.reply(ctx.t("invite.too_long"));
}

async function finish(
  conversation: InviteConversation,
  ctx: ConversationContext,
  role: InvitableRole,
  unit: UnitChoice | undefined,
): Promise<void> {
  // Re-checked at the moment of creation: the admin may have lost the role meanwhile.
  const created = await conversation.external(async (outside) => {
    if (outside.role !== "admin" || !outside.user) return undefined;
    const { token, invite } = await createInvite(outside.deps.db, {
      createdBy: outside.user.id,
      role,
      unitId: unit?.id ?? null,
      ttlDays: outside.deps.config.inviteTtlDays,
      now: outside.deps.now(),
    });
    return {
      link: `https://t.me/${outside.me.username}?start=${token}`,
      expires: formatDateTime(invite.expiresAt, outside.lang, outside.deps.config.timeZone),
    };
  });
  if (!created) {
    await ctx.editMessageText(ctx.t("access.denied_command"));
    return;
  }
  await ctx.editMessageText(
    ctx.t("invite.created", {
      role: ctx.t(`roles.${role}`),
      unit: unit?.name ?? ctx.t("invite.no_unit"),
      expires: created.expires,
      link: created.link,
    }),
    { link_preview_options: { is_disabled: true } },
  );
}

async function remindToUseButtons(ctx: ConversationContext): Promise<void> {
  if (ctx.callbackQuery) {
    await ctx.answerCallbackQuery({ text: ctx.t("common.button_outdated") });
  } else if (ctx.message) {
    await ctx.reply(ctx.t("common.use_buttons"));
  }
}

function render(t: TFunction, step: Step, role: InvitableRole, unit: UnitChoice | undefined, units: UnitChoice[], page: number) {
  const keyboard = new InlineKeyboard();
  let text: string;
  if (step === "role") {
    text = t("invite.choose_role");
    for (const candidate of INVITABLE_ROLES) keyboard.text(t(`roles.${candidate}`), `invite:role:${candidate}`).row();
  } else if (step === "unit") {
    text = t("invite.choose_unit", { role: t(`roles.${role}`) });
    const shown = pageOf(units, page);
    for (const candidate of shown.items) {
      keyboard.text(fitButton(candidate.isAssociation ? `↳ ${candidate.name}` : candidate.name), `invite:unit:${candidate.id}`).row();
    }
    addPageNav(keyboard, t, shown, (p) => `invite:page:${p}`);
    keyboard.text(t("invite.no_unit"), "invite:unit:none").row();
  } else {
    text = t("invite.confirm", { role: t(`roles.${role}`), unit: unit?.name ?? t("invite.no_unit") });
    keyboard.text(t("invite.create"), "invite:create").row();
  }
  if (step !== "role") keyboard.text(t("common.back"), "invite:back");
  keyboard.text(t("common.cancel"), "invite:cancel");
  return { text, keyboard };
}
