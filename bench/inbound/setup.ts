/** The people and partners the load needs, made through the bot itself: invites, /start, /newpartner. */
import { command, press, privateChat, type TestUser } from "../../test/helpers/updates.js";
import type { ChatDriver, DialogCounts, Target } from "./load.js";

const JOINED = "Вы подключены к боту";

async function ok(target: Target, sending: Promise<{ status: number }>, what: string): Promise<void> {
  const { status } = await sending;
  if (status < 200 || status > 299) throw new Error(`${target.name}: ${what} was answered ${status}`);
}

/** The admin makes one single-use staff invite per user; each user joins with /start <token>. */
export async function inviteStaff(target: Target, admin: TestUser, users: TestUser[]): Promise<void> {
  const view = () => target.api.chat(admin.id);
  const pressLast = async (data: string) => {
    const last = view().last;
    if (!last?.buttons.includes(data)) throw new Error(`${target.name}: no ${data} under «${last?.text}» (${last?.buttons.join(", ")})`);
    await ok(target, target.send(press(admin, data, { message_id: last.messageId, chat: privateChat(admin) }), admin.id), data);
  };
  const tokens: string[] = [];
  while (tokens.length < users.length) {
    await ok(target, target.send(command(admin, "invite"), admin.id), "/invite");
    await pressLast("invite:role:staff");
    if (view().last?.buttons.includes("invite:unit:none")) await pressLast("invite:unit:none");
    await pressLast("invite:create");
    const token = /start=([A-Za-z0-9_-]{43})/.exec(view().last?.text ?? "")?.[1];
    if (!token) throw new Error(`${target.name}: no invite link in «${view().last?.text}»`);
    tokens.push(token);
  }
  await Promise.all(users.map((user, i) => ok(target, target.send(command(user, "start", tokens[i]), user.id), "/start <invite>")));
  const refused = users.filter((user) => !target.api.chat(user.id).last?.text.includes(JOINED));
  if (refused.length > 0) throw new Error(`${target.name}: ${refused.length} invites were not accepted: «${target.api.chat(refused[0]!.id).last?.text}»`);
}

/** One user walks /newpartner `count` times, so that the partner list has pages and filters. */
export async function createPartners(target: Target, driver: ChatDriver, count: number): Promise<void> {
  const counts: DialogCounts = { completed: 0, desynced: 0, similar: 0 };
  const id = driver.user.id;
  for (let i = 0; i < count; i++) {
    driver.beginDialog();
    while (driver.inDialog) {
      const { update } = driver.next(target.api.chat(id), target.strict, counts);
      await ok(target, target.send(update, id), "a step of /newpartner");
    }
    driver.answered(target.api.chat(id), target.strict, counts);
  }
  if (counts.completed !== count) {
    throw new Error(`${target.name}: ${counts.completed} of ${count} partners saved (${counts.desynced} dialogs lost their way); last: «${target.api.chat(id).last?.text}»`);
  }
}
