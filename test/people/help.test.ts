import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { contacts } from "../../src/partners/domain/schema.js";
import { createPartner } from "../../src/partners/domain/partners.js";
import { registered } from "../helpers/bot-people.js";
import { createHarness, type Harness } from "../helpers/harness.js";
import { partnerDraft } from "../helpers/partners.js";
import { command, makeUser, type TestUser } from "../helpers/updates.js";

/**
 * What /help, /privacy and a refused command tell people: what they can do today, who sees
 * their data, and how a guest gets access. In Russian and in English.
 */

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

type Language = "ru" | "en";

/** A partner contact: a person linked in the bot to a contact of a school. */
async function partnerContact(language: Language): Promise<TestUser> {
  const staff = await registered(h, makeUser(), "staff");
  const partner = await createPartner(h.database.db, { user: staff, role: "staff" }, partnerDraft());
  const user = makeUser({ first_name: "Мария", last_name: "Петрова", language_code: language });
  const row = await registered(h, user, "partner");
  await h.database.db
    .insert(contacts)
    .values({ partnerId: partner.id, fullName: "Мария Петрова", consentBasis: "bot", consentRecordedBy: staff.id, userId: row.id });
  return user;
}

async function helpFor(user: TestUser): Promise<string> {
  await h.send(command(user, "help"));
  return h.telegram.lastTextTo(user.id);
}

const HELP = {
  ru: {
    staffOld: "Скоро здесь появятся партнёры, договоры и совместные мероприятия.",
    partnerOld: "Здесь вы будете подтверждать совместные мероприятия и оставлять отзывы.",
    staffNew: [
      "В карточке партнёра — его контакты, договоры, совместный план, взаимодействия и этап работы.",
      "Предложенное мероприятие согласует администратор или руководитель подразделения.",
      "После мероприятия бот спросит ответственного, состоялось ли оно, и соберёт отзывы партнёров и участников.",
    ],
    partnerNew: [
      "В /partners — карточка вашей организации с договорами и совместным планом.",
      "Когда совместное мероприятие согласовано, бот пришлёт его вам: участие можно подтвердить, отказаться или предложить другое время.",
      "После мероприятия бот попросит оценить его от 1 до 5; опросы, которые ждут ответа, — в /feedback.",
    ],
    // A partner contact's /partners is their own card, and /events their organisation's events.
    partnerCommands: ["/partners — Карточка вашей организации", "/events — Мероприятия с вашей организацией"],
    staffCommands: ["/partners — Партнёры: список и поиск", "/events — Календарь совместных мероприятий"],
  },
  en: {
    staffOld: "Partners, agreements and joint events are coming here soon.",
    partnerOld: "Here you will confirm joint events and leave feedback.",
    staffNew: [
      "A partner's card holds its contacts, agreements, joint plan, interactions and stage.",
      "An event you propose is approved by an administrator or the head of its unit.",
      "After the event the bot asks the person responsible whether it took place, and collects feedback from the partners and the participants.",
    ],
    partnerNew: [
      "Your organisation's card, with its agreements and joint plan, is in /partners.",
      "Once a joint event is approved, the bot sends it to you: confirm, decline or suggest another time.",
      "After the event the bot asks you to rate it from 1 to 5; surveys waiting for your answer are in /feedback.",
    ],
    partnerCommands: ["/partners — Your organisation's card", "/events — Events with your organisation"],
    staffCommands: ["/partners — Partners: list and search", "/events — Calendar of joint events"],
  },
} as const;

describe.each(["ru", "en"] as const)("/help, in %s", (language) => {
  const texts = HELP[language];

  it("tells a staff member what they can do today, not what is coming", async () => {
    const teacher = makeUser({ language_code: language });
    await registered(h, teacher, "staff");
    const help = await helpFor(teacher);
    for (const line of texts.staffNew) expect(help).toContain(line);
    expect(help).not.toContain(texts.staffOld);
    expect(help).not.toContain(texts.partnerOld);
    for (const line of texts.staffCommands) expect(help).toContain(line);
    // The commands come first, the summary after them.
    expect(help.indexOf("/newevent")).toBeLessThan(help.indexOf(texts.staffNew[0]));
  });

  it("tells a partner contact what they can do today, not what they will do", async () => {
    const contact = await partnerContact(language);
    const help = await helpFor(contact);
    for (const line of texts.partnerNew) expect(help).toContain(line);
    expect(help).not.toContain(texts.partnerOld);
    expect(help).not.toContain(texts.staffOld);
    // A partner contact is not shown the staff's summary, nor the staff's wording of the commands.
    expect(help).not.toContain(texts.staffNew[0]);
    for (const line of texts.partnerCommands) expect(help).toContain(line);
    for (const line of texts.staffCommands) expect(help).not.toContain(line);
    expect(help.match(/^\/\w+/gm)).toEqual(["/start", "/help", "/lang", "/privacy", "/cancel", "/partners", "/events", "/feedback", "/digest", "/settings"]);
  });
});

describe("/help for a guest", () => {
  it("introduces the bot in natural Russian", async () => {
    const guest = makeUser({ language_code: "ru" });
    const help = await helpFor(guest);
    expect(help).toContain("Через этот бот Дворец творчества работает с социальными партнёрами.");
    expect(help).not.toContain("Этот бот ведёт работу");
  });

  it("introduces the bot in natural English", async () => {
    const guest = makeUser({ language_code: "en" });
    const help = await helpFor(guest);
    expect(help).toContain("The Palace of Creativity works with its social partners through this bot.");
    expect(help).not.toContain("runs the Palace of Creativity's work");
  });
});

const WHO_SEES = {
  ru: "<b>Кто видит.</b> Администраторы бота во Дворце творчества. Данные контактных лиц организации-партнёра видят также сотрудники, которые отвечают за работу с этой организацией, а их ФИО и должность — все сотрудники Дворца творчества. Данные хранятся на сервере учреждения и третьим лицам не передаются.",
  en: "<b>Who sees it.</b> The bot's administrators at the Palace of Creativity. The details of a partner organisation's contact persons are also visible to the staff responsible for working with that organisation, and their names and positions to all Palace of Creativity staff. The data is stored on the institution's server and is not passed to third parties.",
} as const;

/** The paragraph of /privacy that starts with `heading`. */
const paragraph = (text: string, heading: string) => text.split("\n\n").find((p) => p.startsWith(heading));

describe.each(["ru", "en"] as const)("/privacy, in %s", (language) => {
  it("says that the staff who work with a partner see its contacts, as the consent does", async () => {
    const contact = await partnerContact(language);
    await h.send(command(contact, "privacy"));
    const text = h.telegram.lastTextTo(contact.id);
    expect(paragraph(text, language === "ru" ? "<b>Кто видит.</b>" : "<b>Who sees it.</b>")).toBe(WHO_SEES[language]);
    // The consent a contact gives in the bot names the same people.
    const consent = h.i18n.fixedT(language)("contacts.consent.text", { partner: "П", name: "Н" });
    expect(consent).toContain(language === "ru" ? "Сотрудники Дворца творчества, которые отвечают за работу с вашей организацией" : "staff responsible for working with your organisation");
  });

  it("tells a guest the same", async () => {
    const guest = makeUser({ language_code: language });
    await h.send(command(guest, "privacy"));
    expect(h.telegram.lastTextTo(guest.id)).toContain(WHO_SEES[language]);
  });
});

const GUEST_REFUSAL = {
  ru: "Эта команда доступна только после подключения к боту. Чтобы подключиться, попросите администратора Дворца творчества прислать вам ссылку-приглашение и откройте её.",
  en: "This command works only once you are connected to the bot. To connect, ask an administrator of the Palace of Creativity for an invite link and open it.",
} as const;

describe.each(["ru", "en"] as const)("a guest refused a command, in %s", (language) => {
  it.each(["partners", "newevent", "invite", "feedback"])("/%s: is told how to get access, and nothing else", async (name) => {
    const guest = makeUser({ language_code: language });
    await registered(h, guest, "guest");
    const before = h.telegram.calls.length;
    await h.send(command(guest, name));
    const calls = h.telegram.calls.slice(before);
    expect(calls.map((c) => [c.method, c.payload.text])).toEqual([["sendMessage", GUEST_REFUSAL[language]]]);
  });

  it("a staff member refused an admin's command is not sent for an invite", async () => {
    const teacher = makeUser({ language_code: language });
    await registered(h, teacher, "staff");
    await h.send(command(teacher, "invite"));
    const reply = h.telegram.lastTextTo(teacher.id);
    expect(reply).not.toBe(GUEST_REFUSAL[language]);
    expect(reply).toBe(h.i18n.fixedT(language)("access.denied_command"));
  });
});
