import { privacySections, startPayloads } from "../people/index.js";
import { forgetMeKeyboard, showContactConsent } from "./contacts/contacts.js";
import { isContactInviteToken } from "./domain/contacts.js";

/** What the partners area adds to the areas below it (see src/areas.ts). */
export function install(): void {
  // A contact's consent link: t.me/<bot>?start=<token>.
  startPayloads.add(async (ctx, payload) => {
    if (!(await isContactInviteToken(ctx.deps.db, payload))) return false;
    await showContactConsent(ctx, payload);
    return true;
  });
  // A partner contact's own data, and the button to have it removed.
  privacySections.add(async (ctx) => {
    const keyboard = await forgetMeKeyboard(ctx);
    return keyboard ? { text: ctx.t("privacy.contact_data"), keyboard } : undefined;
  });
}
