import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { digestSettings } from "../../src/digests/domain/schema.js";
import { events } from "../../src/events/domain/schema.js";
import { renderDigest } from "../../src/digests/text.js";
import { DEFAULT_DIGEST_PREFERENCES, type Digest, digestPreferencesOf } from "../../src/digests/domain/digests.js";
import { sendDigests } from "../../src/digests/job.js";
import { DIGEST_NOW, digestWorld, type WorldPeople } from "../helpers/digest-world.js";
import { jobDeps, lastAnswer, pressIn } from "../helpers/event-world.js";
import { checkTelegramHtml } from "../helpers/fake-telegram.js";
import { createHarness, type Harness } from "../helpers/harness.js";
import { command, makeUser, sticker, text, type TestUser } from "../helpers/updates.js";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

const TELEGRAM: WorldPeople = {
  admin: 830_001,
  teacher: 830_002,
  head: 830_003,
  other: 830_004,
  contact: 830_005,
  guest: 830_006,
  gone: 830_007,
  idle: 830_008,
};

async function setting(language: "ru" | "en" = "ru") {
  const world = await digestWorld(h.database.db, { telegramIds: TELEGRAM, language });
  const tg = (key: keyof WorldPeople, first_name: string): TestUser => makeUser({ id: TELEGRAM[key], first_name, last_name: "Тестова", language_code: language });
  h.clock.now = DIGEST_NOW;
  return {
    ...world,
    teacher: tg("teacher", "Мария"),
    admin: tg("admin", "Анна"),
    contact: tg("contact", "Ирина"),
    idle: tg("idle", "Пётр"),
    guest: tg("guest", "Гость"),
    gone: tg("gone", "Ушедший"),
  };
}

const last = (user: TestUser) => h.telegram.lastMessageTo(user.id);
const say = (user: TestUser, body: string) => h.send(text(user, body));
const runJob = async () => {
  const result = await sendDigests(jobDeps(h), h.clock.now);
  await h.flushOutbox();
  return result;
};
const digestsTo = (user: TestUser) => h.telegram.textsTo(user.id).filter((t) => t.startsWith("📰"));
const buttonData = (user: TestUser) => last(user).buttons.map((b) => b.data);
const SETTINGS_BUTTONS = [
  ...[1, 2, 3, 4, 5, 6, 7].map((d) => `ds:day:${d}`),
  ...[7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20].map((hour) => `ds:hour:${hour}`),
  "ds:type",
  "ds:off",
];

describe("/digest", () => {
  it("shows one's own digest now, in Russian, with the settings button", async () => {
    const { teacher, admin, contact } = await setting();
    await h.send(command(teacher, "digest"));
    expect(last(teacher).text).toBe(
      [
        "📰 <b>Дайджест на неделю 7–13 декабря</b>",
        "",
        "📅 <b>Ваши мероприятия на этой неделе</b> (2)",
        "• 10 декабря 2026, 15:00 — Мастер-класс по робототехнике",
        "• 13 декабря 2026, 23:00 — Вечер настольных игр",
        "",
        "❓ <b>Отметьте, состоялись ли мероприятия</b> (1)",
        "• 5 декабря 2026, 11:00 — Круглый стол о профориентации",
        "",
        "📄 <b>Договоры, которые заканчиваются в ближайшие 30 дней</b> (2)",
        "• Лицей № 2: договор № 3/2026 до 07.12.2026 (заканчивается сегодня)",
        "• СОШ № 5: договор № 12/2026 до 21.12.2026 (через 14 дней)",
        "",
        "🗓 <b>План на декабрь: мероприятие ещё не назначено</b> (3)",
        "• Гимназия № 3: Олимпиада по физике — 05.12.2026",
        "• СОШ № 5: Неделя науки — 15.12.2026",
        "• СОШ № 5: Экскурсия на завод — 20.12.2026",
        "",
        "⭐ <b>Новые отзывы за 7 дней</b> (1) — средняя оценка и число ответов",
        "• Мастер-класс по 3D-печати (2 декабря): участники — 3 (2); партнёры — 2 (1)",
        "",
        "⚠️ <b>Низкие оценки</b> (2)",
        "• 1 из 5 — Мастер-класс по 3D-печати, участник: «Было душно»",
        "• 2 из 5 — Мастер-класс по 3D-печати, СОШ № 5: «Мало времени»",
        "",
        "⏳ <b>Партнёры, которые больше 90 дней на одном этапе</b> (1)",
        "• СОШ № 5: этап «Организационный» с 29 августа 2026 г. (100 дней)",
      ].join("\n"),
    );
    expect(buttonData(teacher)).toEqual(["ds:show"]);

    await h.send(command(admin, "digest"));
    expect(last(admin).text).toContain(
      [
        "🏛 <b>Учреждение за 7 дней</b> (в скобках — за предыдущие 7)",
        "Новых партнёров: 1 (1)",
        "Мероприятий предложено: 1 (1), согласовано: 2 (1), проведено: 1 (1)",
        "Охвачено участников: 18 (2), из них одарённых детей — 8 (1), детей с ОВЗ — 2 (0), профориентация 15–17 лет — 5 (0)",
        "Удовлетворённость: 2,7 из 5, ответов: 3 (4 из 5, ответов: 2)",
        "Ответили партнёры (опросы, закрытые за неделю): 50% — 1 из 2 (нет данных)",
        "🎓 С начала учебного года 2026/27: 2 массовых мероприятия, 20 участников, 0 победителей и призёров",
      ].join("\n"),
    );
    expect(last(admin).text).toContain("🗳 <b>Ждут вашего решения</b> (4)\n• 9 декабря 2026, 09:00 — День открытых дверей");

    await h.send(command(contact, "digest"));
    expect(last(contact).text).toBe(
      [
        "📰 <b>Дайджест на неделю 7–13 декабря</b>",
        "",
        "🤝 <b>Совместные мероприятия в ближайшие 14 дней</b> (3)",
        "• 10 декабря 2026, 09:00 — Выставка рисунков",
        "• 10 декабря 2026, 15:00 — Мастер-класс по робототехнике",
        "• 14 декабря 2026, 00:00 — Ночь в музее",
        "",
        "📝 <b>Ждут вашего отзыва</b> (1)",
        "• Мастер-класс по 3D-печати (2 декабря) — ответить можно до 16 декабря",
        "Чтобы ответить, отправьте /feedback.",
      ].join("\n"),
    );
  });

  it("shows the digest in English, politely says when there is nothing, and refuses guests", async () => {
    const { teacher, admin, contact, idle, guest, gone } = await setting("en");
    await h.send(command(admin, "digest"));
    // The admin's institution part ends with the academic year so far.
    expect(last(admin).text).toContain(
      "Partner response rate (surveys closed this week): 50%, 1 of 2 (no data)\n🎓 Since the start of the academic year 2026/27: 2 mass events, 20 participants, 0 winners and prize-winners",
    );
    await h.send(command(teacher, "digest"));
    expect(last(teacher).text).toContain("📰 <b>Your weekly digest: 7–13 December</b>\n\n📅 <b>Your events this week</b> (2)\n• 10 December 2026, 15:00 — Мастер-класс по робототехнике");
    expect(last(teacher).text).toContain("⚠️ <b>Low ratings</b> (2)\n• 1 of 5 — Мастер-класс по 3D-печати, a participant: “Было душно”");
    await h.send(command(contact, "digest"));
    expect(last(contact).text).toContain("📝 <b>Waiting for your feedback</b> (1)\n• Мастер-класс по 3D-печати (2 December) — open until 16 December\nTo answer, send /feedback.");
    expect(buttonData(contact)).toEqual(["ds:show"]);
    await h.send(command(idle, "digest"));
    expect(last(idle).text).toBe("Nothing for you this week: no events, deadlines or new feedback. Have a good week!");
    await h.send(command(guest, "digest"));
    expect(last(guest).text).toBe("This command works only once you are connected to the bot. To connect, ask an administrator of the Palace of Creativity for an invite link and open it.");
    // A suspended member is told so, not that the command is for staff.
    await h.send(command(gone, "digest"));
    expect(last(gone).text).toBe("Your access to the bot has been suspended. If this is a mistake, please contact the Palace of Creativity administrator.");
  });

  it("lists long sections shortly, with the number of the rest", async () => {
    const { teacher, people } = await setting();
    await h.database.db.insert(events).values(
      Array.from({ length: 8 }, (_, i) => ({
        title: `Занятие кружка ${"очень длинное название ".repeat(10)}${i + 1}`,
        format: "master_class" as const,
        startsAt: new Date(Date.UTC(2026, 11, 8, 2 + i)),
        endsAt: new Date(Date.UTC(2026, 11, 8, 3 + i)),
        responsibleUserId: people.teacher.id,
        proposedBy: people.teacher.id,
      })),
    );
    await h.send(command(teacher, "digest"));
    const shown = last(teacher).text;
    expect(shown).toContain("📅 <b>Ваши мероприятия на этой неделе</b> (10)");
    expect(shown).toContain("…и ещё 5");
    expect(shown).toContain("📅 <b>Ваши мероприятия на этой неделе</b> (10)\n• 8 декабря 2026, 10:00 — Занятие кружка очень длинное название очень длинное название очень дл…\n");
  });
});

describe("the digest text", () => {
  it("stays within one Telegram message when every section is full, listing fewer items", () => {
    const long = "Очень длинное название мероприятия, которое никак не помещается в одну строку <и&> ещё немного";
    const event = { id: 1, title: long, startsAt: DIGEST_NOW, endsAt: DIGEST_NOW, status: "approved" as const };
    const full = <T>(item: T) => ({ items: Array.from({ length: 5 }, () => item), total: 40 });
    const digest: Digest = {
      userId: 1,
      role: "admin",
      weekStart: "2026-11-30",
      today: "2026-12-04",
      now: DIGEST_NOW,
      staff: {
        thisWeek: full(event),
        toDecide: full(event),
        heldQuestions: full(event),
        agreementsEnding: full({ agreementId: 1, partnerId: 1, partnerName: long, number: "123/2026-ДС", validTo: "2026-12-21", daysLeft: 21 }),
        planDue: full({ planItemId: 1, title: long, plannedOn: "2026-12-01", monthOnly: true, partnerId: 1, partnerName: long }),
        feedback: full({ eventId: 1, title: long, startsAt: DIGEST_NOW, participants: { average: 4.5, count: 12 }, partners: { average: 3, count: 2 }, low: 1 }),
        lowRatings: full({ eventId: 1, title: long, rating: 1, source: "partner" as const, partnerName: long, comment: long.repeat(3), at: DIGEST_NOW }),
        stuck: full({ partnerId: 1, name: long, stage: "preparatory" as const, since: DIGEST_NOW, days: 120 }),
      },
      partner: { upcoming: full(event), openPrompts: full({ promptId: 1, eventId: 1, title: long, startsAt: DIGEST_NOW, closesAt: DIGEST_NOW }) },
    };
    for (const language of ["ru", "en"] as const) {
      const rendered = renderDigest(h.i18n.fixedT(language), language, "Asia/Irkutsk", digest);
      expect(checkTelegramHtml(rendered)).toBeNull();
      expect(rendered).toContain(language === "ru" ? "📰 <b>Дайджест на неделю 30 ноября – 6 декабря</b>" : "📰 <b>Your weekly digest: 30 November – 6 December</b>");
      // Five items per section would not fit: fewer are listed, the rest counted.
      expect(rendered).toMatch(language === "ru" ? /\n…и ещё 3[6-9]\n/ : /\n…and 3[6-9] more\n/);
      expect(rendered).not.toContain(language === "ru" ? "…и ещё 35" : "…and 35 more");
      expect(rendered).toContain("&lt;и&amp;&gt;");
    }
  });
});

describe("/settings", () => {
  it("changes the day and the hour in place, and the job follows them (Russian)", async () => {
    const { teacher, people } = await setting();
    await h.send(command(teacher, "settings"));
    const settings = last(teacher);
    expect(settings.text).toBe(
      "⚙️ <b>Еженедельный дайджест</b>\n\nДайджест приходит каждый понедельник в 09:00 по местному времени.\nВыберите день недели и час кнопками ниже.",
    );
    expect(buttonData(teacher)).toEqual(SETTINGS_BUTTONS);
    expect(settings.buttons.filter((b) => b.text.startsWith("✅")).map((b) => b.text)).toEqual(["✅ Пн", "✅ 09:00"]);

    await h.pressButton(teacher, "ds:day:3");
    expect(lastAnswer(h)?.text).toBe("Сохранено.");
    await h.pressButton(teacher, "ds:hour:18");
    const edits = h.telegram.sent("editMessageText");
    expect(edits).toHaveLength(2);
    expect(edits.every((e) => e.message_id === settings.message_id)).toBe(true);
    expect(last(teacher).text).toContain("Дайджест приходит каждую среду в 18:00 по местному времени.");
    expect(last(teacher).buttons.filter((b) => b.text.startsWith("✅")).map((b) => b.text)).toEqual(["✅ Ср", "✅ 18:00"]);
    await h.pressButton(teacher, "ds:hour:18");
    expect(lastAnswer(h)?.text).toBe("Уже так и настроено.");
    expect(h.telegram.sent("editMessageText")).toHaveLength(2);
    expect(await digestPreferencesOf(h.database.db, people.teacher.id)).toEqual({ enabled: true, weekday: 3, hour: 18 });

    // Monday 09:00: not the teacher's day any more; Wednesday 18:00 is.
    await runJob();
    expect(digestsTo(teacher)).toEqual([]);
    h.clock.now = new Date("2026-12-09T10:00:00Z");
    await runJob();
    expect(digestsTo(teacher)).toHaveLength(1);
    h.expectAllCallbacksAnswered();
  });

  it("turns the digest off and on again in English; nothing is sent while it is off", async () => {
    const { contact, people } = await setting("en");
    await h.send(command(contact, "settings"));
    expect(last(contact).text).toBe("⚙️ <b>Weekly digest</b>\n\nThe digest comes every Monday at 09:00, local time.\nPick the day and the hour with the buttons below.");
    await h.pressButton(contact, "ds:off");
    expect(last(contact).text).toBe(
      "⚙️ <b>Weekly digest</b>\n\nThe digest is off. Turn it on to get a weekly summary of your events, deadlines and new feedback.",
    );
    expect(last(contact).buttons).toEqual([{ text: "🔔 Turn on", data: "ds:on" }]);
    expect(await runJob()).toMatchObject({ sent: 4 });
    expect(digestsTo(contact)).toEqual([]);
    await h.pressButton(contact, "ds:on");
    expect(lastAnswer(h)?.text).toBe("Saved.");
    expect(await digestPreferencesOf(h.database.db, people.contact.id)).toEqual(DEFAULT_DIGEST_PREFERENCES);
    h.expectAllCallbacksAnswered();
  });

  it("opens from the button under a digest", async () => {
    const { teacher } = await setting("en");
    await h.send(command(teacher, "digest"));
    await h.pressButton(teacher, "ds:show");
    expect(last(teacher).text).toContain("The digest comes every Monday at 09:00, local time.");
    expect(buttonData(teacher)).toEqual(SETTINGS_BUTTONS);
    h.expectAllCallbacksAnswered();
  });

  it("takes a typed hour 0–23 and refuses 25, 9:30 and words politely, saving nothing until it is valid (Russian)", async () => {
    const { teacher, people } = await setting();
    await h.send(command(teacher, "settings"));
    const settings = last(teacher);
    await h.pressButton(teacher, "ds:type");
    expect(last(teacher).text).toBe("В котором часу присылать дайджест? Напишите целое число от 0 до 23, например 7 или 18.");
    await say(teacher, "25");
    expect(last(teacher).text).toBe("Часа «25» не бывает. Напишите, пожалуйста, целое число от 0 до 23, например 9 — это 09:00.");
    await say(teacher, "9:30");
    expect(last(teacher).text).toBe(
      "Минуты указать нельзя: дайджест приходит в начале часа. Напишите, пожалуйста, только час — целое число от 0 до 23, например 9.",
    );
    await say(teacher, "abc");
    expect(last(teacher).text).toBe("Часа «abc» не бывает. Напишите, пожалуйста, целое число от 0 до 23, например 9 — это 09:00.");
    await h.send(sticker(teacher));
    expect(last(teacher).text).toBe("Пожалуйста, отправьте ответ текстом или воспользуйтесь кнопками.");
    expect(await h.database.db.select().from(digestSettings)).toEqual([]);

    await say(teacher, "22");
    expect(last(teacher).text).toBe("Готово: дайджест будет приходить в 22:00.");
    expect(await digestPreferencesOf(h.database.db, people.teacher.id)).toEqual({ enabled: true, weekday: 1, hour: 22 });
    const edited = h.telegram.sent("editMessageText").at(-1)!;
    expect(edited.message_id).toBe(settings.message_id);
    expect(edited.text).toContain("Дайджест приходит каждый понедельник в 22:00 по местному времени.");

    // 21:59 on Monday: not yet; 22:00: sent.
    h.clock.now = new Date("2026-12-07T13:59:00Z");
    await runJob();
    expect(digestsTo(teacher)).toEqual([]);
    h.clock.now = new Date("2026-12-07T14:00:00Z");
    await runJob();
    expect(digestsTo(teacher)).toHaveLength(1);
    h.expectAllCallbacksAnswered();
  });

  it("takes 0 and 09:00 typed in English, and Cancel leaves the setting as it was", async () => {
    const { teacher, people } = await setting("en");
    await h.send(command(teacher, "settings"));
    await h.pressButton(teacher, "ds:type");
    await say(teacher, "25");
    expect(last(teacher).text).toBe("There is no hour “25”. Please send a whole number from 0 to 23, e.g. 9 for 09:00.");
    await h.pressButton(teacher, "ask:cancel");
    expect(last(teacher).text).toBe("Cancelled. Nothing was saved.");
    expect(await h.database.db.select().from(digestSettings)).toEqual([]);
    await h.send(command(teacher, "settings"));
    await h.pressButton(teacher, "ds:type");
    await say(teacher, "0");
    expect(last(teacher).text).toBe("Done: the digest will come at 00:00.");
    expect(await digestPreferencesOf(h.database.db, people.teacher.id)).toMatchObject({ hour: 0 });
    await h.send(command(teacher, "settings"));
    await h.pressButton(teacher, "ds:type");
    await say(teacher, "09:00");
    expect(last(teacher).text).toBe("Done: the digest will come at 09:00.");
    expect(await digestPreferencesOf(h.database.db, people.teacher.id)).toMatchObject({ hour: 9 });
    h.expectAllCallbacksAnswered();
  });

  it("refuses forged buttons (weekday 8, hour 24, garbage) and guests, and answers every press", async () => {
    const { teacher, guest } = await setting();
    for (const data of ["ds:day:8", "ds:day:0", "ds:hour:24", "ds:hour:99", "ds:hour:-1", "ds:day:1x", "ds:", "ds:garbage"]) {
      await h.send(pressIn(teacher, data));
      expect(lastAnswer(h), data).toEqual(
        expect.objectContaining({ text: "Эта кнопка больше не работает. Отправьте /settings, чтобы открыть настройки заново.", show_alert: true }),
      );
    }
    await h.send(pressIn(guest, "ds:day:2"));
    expect(lastAnswer(h)).toEqual(expect.objectContaining({ text: "Это действие вам недоступно.", show_alert: true }));
    await h.send(command(guest, "settings"));
    expect(last(guest).text).toBe("Эта команда доступна только после подключения к боту. Чтобы подключиться, попросите администратора Дворца творчества прислать вам ссылку-приглашение и откройте её.");
    expect(await h.database.db.select().from(digestSettings)).toEqual([]);
    h.expectAllCallbacksAnswered();
  });
});
