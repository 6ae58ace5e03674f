import { eq, sql } from "drizzle-orm";
import type { Update } from "grammy/types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMMAND_NAMES, commandsFor } from "../../../src/core/telegram/commands.js";
import type { TFunction } from "../../../src/core/i18n.js";
import { selectRows } from "../../../src/core/db/client.js";
import { type Role, users } from "../../../src/core/access/schema.js";
import { registered } from "../../helpers/bot-people.js";
import { pressIn } from "../../helpers/event-world.js";
import { feedbackWorld } from "../../helpers/feedback-world.js";
import { createHarness, type Harness } from "../../helpers/harness.js";
import { command, makeUser, type TestUser } from "../../helpers/updates.js";

/**
 * Every command of the bot, and the main buttons, for each kind of person: what they may use
 * answers as it should, everything else gets the standard refusal and changes nothing.
 * A suspended staff member is a guest to the server, and is told that their access is suspended;
 * a guest is told how to get access.
 */

type Person = "guest" | "suspended" | "partner" | "staff" | "admin";
type Language = "ru" | "en";
const PEOPLE: readonly Person[] = ["guest", "suspended", "partner", "staff", "admin"];
const CALLED: Record<Person, string> = {
  guest: "a guest",
  suspended: "a suspended staff member",
  partner: "a partner contact",
  staff: "a staff member",
  admin: "an admin",
};
const LANGUAGES: readonly Language[] = ["ru", "en"];

// Who may use what, written out here rather than read from src/bot/commands.ts: the test checks that table too.
const EVERYONE = ["start", "help", "lang", "privacy", "cancel"];
const STAFF = [...EVERYONE, "partners", "newpartner", "newevent", "events", "report", "export", "digest", "settings"];
const MAY_USE: Record<Person, readonly string[]> = {
  guest: EVERYONE,
  suspended: EVERYONE,
  partner: [...EVERYONE, "partners", "events", "feedback", "digest", "settings"],
  staff: STAFF,
  admin: [...STAFF, "invite", "staff", "units", "import"],
};
/** Commands only partner contacts use: everyone else is told so, not that the command is for staff. */
const PARTNER_COMMANDS = new Set(["feedback"]);

const REFUSAL = {
  ru: {
    command: "Эта команда доступна только сотрудникам с нужными правами. Список доступных вам команд — /help.",
    partnerCommand: "Эта команда — для представителей организаций-партнёров. Список доступных вам команд — /help.",
    guestCommand:
      "Эта команда доступна только после подключения к боту. Чтобы подключиться, попросите администратора Дворца творчества прислать вам ссылку-приглашение и откройте её.",
    button: "Это действие вам недоступно.",
    suspended: "Ваш доступ к боту приостановлен. Если это ошибка, обратитесь к администратору Дворца творчества.",
  },
  en: {
    command: "This command is only for staff with the right permissions. See /help for the commands you can use.",
    partnerCommand: "This command is for representatives of partner organisations. See /help for the commands you can use.",
    guestCommand:
      "This command works only once you are connected to the bot. To connect, ask an administrator of the Palace of Creativity for an invite link and open it.",
    button: "This action isn't available to you.",
    suspended: "Your access to the bot has been suspended. If this is a mistake, please contact the Palace of Creativity administrator.",
  },
} as const;

interface World {
  people: Record<Language, Record<Person, TestUser>>;
  partnerName: string;
  partners: number;
  staffMembers: number;
  /** Callback data of the main buttons, with the ids of real rows. */
  buttons: string[];
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** The text of `key` with any values in its placeholders, as a pattern. */
function shaped(t: TFunction, key: string, placeholders: string[]): RegExp {
  const marked = t(key, Object.fromEntries(placeholders.map((name) => [name, `@@${name}@@`])));
  return new RegExp(marked.split(/@@\w+@@/).map(escapeRegExp).join(".+?"));
}

/** The role the bot's texts are written for: a suspended member reads the guest's. */
const roleOf = (who: Person): Role => (who === "suspended" ? "guest" : who);

/** What each command answers first, to someone who may use it. */
const FIRST_ANSWER: Record<string, (t: TFunction, who: Person, user: TestUser, world: World) => string | RegExp> = {
  start: (t, who, user) => (who === "suspended" ? t("start.suspended", { name: user.first_name }) : t(`start.welcome_${who}`, { name: user.first_name })),
  help: (t, who) => t(`help.intro_${roleOf(who)}`),
  lang: (t) => t("language.choose"),
  privacy: (t) => t("privacy.text"),
  cancel: (t) => t("cancel.nothing"),
  // A partner contact sees their own organisation's card; staff the list of all partners.
  partners: (t, who, _user, world) => (who === "partner" ? `<b>${world.partnerName}</b>` : t("partners.list.title", { count: world.partners })),
  newpartner: (t) => t("partners.new.full_name"),
  newevent: (t) => t("event_form.ask_partner"),
  events: (t) => t("calendar.title", { period: t("calendar.periods.upcoming") }),
  report: (t) => t("report.choose_period"),
  export: (t) => t("export.choose_dataset"),
  // The partner contact of the world has an open survey: its question comes first.
  feedback: (t) => t("feedback.question"),
  // The digest of the week, or that there is nothing in it (the English staff member has no events).
  digest: (t) => new RegExp(`${shaped(t, "digest.title", ["range"]).source}|${escapeRegExp(t("digest.nothing"))}`),
  settings: (t) => t("digest.settings.title"),
  invite: (t) => t("invite.choose_role"),
  staff: (t, _who, _user, world) => t("staff.title", { count: world.staffMembers }),
  units: (t) => t("units.title"),
  import: (t) => shaped(t, "import.intro", ["limit"]),
};

let h: Harness;
let world: World;

/**
 * A fingerprint of every table but the inbox of updates: equal fingerprints, no change. Only
 * updated_at is left out: the session of a chat is written back after each update, as it was.
 */
async function databaseState(): Promise<Record<string, string>> {
  const db = h.database.db;
  const tables = await selectRows<{ name: string }>(
    db,
    sql`select table_name as name from information_schema.tables
        where table_schema = 'public' and table_type = 'BASE TABLE'
          and table_name not in ('processed_updates', 'update_effects') and table_name not like '%migrations%'
        order by table_name`,
  );
  const parts = tables.map(
    ({ name }) => sql`select ${name}::text as name, count(*)::int as rows, md5(coalesce(string_agg((to_jsonb(t) - 'updated_at')::text, '|' order by (to_jsonb(t) - 'updated_at')::text), '')) as digest from ${sql.identifier(name)} t`,
  );
  const rows = await selectRows<{ name: string; rows: number; digest: string }>(db, sql.join(parts, sql` union all `));
  return Object.fromEntries(rows.map((r) => [r.name, `${r.rows} rows, ${r.digest}`]));
}

/** Sends an update and returns what the bot called Telegram for, in order. */
async function callsFor(update: Update) {
  const before = h.telegram.calls.length;
  await h.send(update);
  return h.telegram.calls.slice(before);
}

beforeAll(async () => {
  h = await createHarness();
  const w = await feedbackWorld(h, "ru");
  const db = h.database.db;
  const person = async (role: Role | "suspended", language: Language) => {
    const user = makeUser({ language_code: language });
    const row = await registered(h, user, role === "suspended" ? "staff" : role);
    if (role === "suspended") await db.update(users).set({ status: "inactive" }).where(eq(users.id, row.id));
    return user;
  };
  const people: World["people"] = {
    ru: { guest: await person("guest", "ru"), suspended: await person("suspended", "ru"), partner: w.contact, staff: w.teacher, admin: h.admin },
    en: {
      guest: await person("guest", "en"),
      suspended: await person("suspended", "en"),
      // John Smith: a contact of the same school, with his own open survey.
      partner: w.english,
      staff: await person("staff", "en"),
      // An admin by role in the database, not one of the configured ones.
      admin: await person("admin", "en"),
    },
  };
  const [counts] = await selectRows<{ partners: number; staff: number }>(
    db,
    sql`select (select count(*)::int from partners) as partners, (select count(*)::int from users where role in ('admin', 'staff')) as staff`,
  );
  const p = w.partner.id;
  const c = w.contactRecord.id;
  const e = w.event.id;
  world = {
    people,
    partnerName: w.partner.fullName,
    partners: counts!.partners,
    staffMembers: counts!.staff,
    buttons: [
      "pl:show",
      `pc:open:${p}`,
      `pc:edit:${p}`,
      `pc:history:${p}`,
      `st:menu:${p}`,
      `st:to:${p}:archived`,
      `ct:list:${p}`,
      `ct:add:${p}`,
      `ct:open:${c}`,
      `ct:inv:${c}`,
      `ct:del:${c}`,
      `ct:delok:${c}`,
      "ct:forget",
      "ct:forgetok",
      `ag:list:${p}`,
      `ag:add:${p}`,
      `ix:add:${p}`,
      `ix:list:${p}`,
      "el:ics",
      `ev:open:${e}`,
      `ev:ics:${e}`,
      `ev:time:${e}`,
      `ev:cancel:${e}`,
      `ev:new:${p}`,
      `ea:ok:${e}`,
      `ec:yes:${e}`,
      `eh:yes:${e}`,
      `fr:show:${e}`,
      `pf:qr:${e}`,
      `fb:r:${w.prompt.id}:5`,
      "ds:on",
      "ex:ds:partners",
      "ex:back",
      "rp:month",
      "rp:dates",
      "imp:tpl:xlsx",
      "invite:role:staff",
      `staff:deactivate:${w.teacherRow.id}:0`,
      "un:list:0",
    ],
  };
  h.telegram.reset();
});
afterAll(async () => h.close());

describe("the command menus", () => {
  it.each(PEOPLE.filter((who) => who !== "suspended").map((who) => [CALLED[who], who] as const))(
    "list for %s exactly the commands the server lets them use",
    (_called, who) => {
      expect([...commandsFor(roleOf(who))].sort()).toEqual([...MAY_USE[who]].sort());
    },
  );

  it("are all covered here, and a suspended member keeps only what guests have", () => {
    expect(Object.keys(FIRST_ANSWER).sort()).toEqual([...COMMAND_NAMES].sort());
    expect(MAY_USE.suspended).toEqual(commandsFor("guest"));
  });
});

/** Every (person, command): a title for the test, and whether the person may use it. */
const commandCases = PEOPLE.flatMap((who) =>
  COMMAND_NAMES.map((name) => {
    const allowed = MAY_USE[who].includes(name);
    return [`${CALLED[who]}: /${name} ${allowed ? "answers" : "is refused"}`, { who, name, allowed }] as const;
  }),
);

describe.each(LANGUAGES)("every command, in %s", (language) => {
  const t = () => h.i18n.fixedT(language);

  it.each(commandCases)("%s", async (_title, { who, name, allowed }) => {
    const user = world.people[language][who];
    const before = await databaseState();
    const calls = await callsFor(command(user, name));
    const texts = calls.filter((c) => c.method === "sendMessage" && !c.error).map((c) => String(c.payload.text));

    if (allowed) {
      expect(texts[0]).toMatch(FIRST_ANSWER[name]!(t(), who, user, world));
      // Leaves whatever dialog the command opened, so the next command starts clean.
      await h.send(command(user, "cancel"));
      return;
    }
    const refusal = REFUSAL[language];
    // A guest is told how to get access, whatever the command is for.
    const expected =
      who === "suspended"
        ? refusal.suspended
        : who === "guest"
          ? refusal.guestCommand
          : PARTNER_COMMANDS.has(name)
            ? refusal.partnerCommand
            : refusal.command;
    // The refusal, and nothing else: no other message, no menu change, no file.
    expect(calls.map((c) => [c.method, c.payload.text])).toEqual([["sendMessage", expected]]);
    expect(await databaseState()).toEqual(before);
  });
});

describe.each(LANGUAGES)("forged buttons, in %s", (language) => {
  it.each((["guest", "suspended"] as const).map((who) => [CALLED[who], who] as const))("are refused to %s with an alert, and change nothing", async (_called, who) => {
    const user = world.people[language][who];
    const expected = who === "suspended" ? REFUSAL[language].suspended : REFUSAL[language].button;
    const before = await databaseState();
    const answers: { data: string; answers: unknown[]; others: string[] }[] = [];
    for (const data of world.buttons) {
      const calls = await callsFor(pressIn(user, data));
      answers.push({
        data,
        answers: calls.filter((c) => c.method === "answerCallbackQuery").map((c) => ({ text: c.payload.text, show_alert: c.payload.show_alert })),
        others: calls.filter((c) => c.method !== "answerCallbackQuery").map((c) => c.method),
      });
    }
    // One alert per press, with the refusal, and nothing else: no message, no edit, no file.
    expect(answers).toEqual(world.buttons.map((data) => ({ data, answers: [{ text: expected, show_alert: true }], others: [] })));
    expect(await databaseState()).toEqual(before);
    h.expectAllCallbacksAnswered();
  });
});
