import { pino } from "pino";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createI18n, type I18n } from "../../../src/core/i18n.js";
import { agreementReminders } from "../../../src/partners/domain/schema.js";
import { outbox } from "../../../src/core/outbox/schema.js";
import { units } from "../../../src/core/access/units-schema.js";
import { users } from "../../../src/core/access/schema.js";
import { OutboxSender } from "../../../src/core/outbox/sender.js";
import { addAgreement, addDays } from "../../../src/partners/domain/agreements.js";
import { createPartner, type PartnerDraft } from "../../../src/partners/domain/partners.js";
import { type ReminderDeps, sendAgreementReminders } from "../../../src/partners/agreements/reminders.js";
import { createTestDatabase, type TestDatabase } from "../../helpers/db.js";
import { partnerDraft } from "../../helpers/partners.js";
import { fakeApi, FakeTelegram } from "../../helpers/fake-telegram.js";
import { failOutboxWrites } from "../../helpers/outbox-failure.js";

let database: TestDatabase;
let i18n: I18n;
let telegram: FakeTelegram;
let deps: ReminderDeps;
let sender: OutboxSender;
let clock: { ms: number };
let wakes: number;
beforeAll(async () => {
  database = await createTestDatabase();
  i18n = await createI18n();
});
afterAll(async () => database.close());
beforeEach(async () => {
  await database.truncate();
  telegram = new FakeTelegram();
  clock = { ms: Date.parse("2026-12-01T01:00:00Z") };
  wakes = 0;
  const logger = pino({ level: "silent" });
  // The real outbox sender over the fake Telegram, as the harness has it.
  sender = new OutboxSender({ database, api: fakeApi(telegram), logger, now: () => clock.ms, perChatIntervalMs: 0, perSecond: 1_000_000 });
  deps = { db: database.db, i18n, logger, defaultLanguage: "ru", timeZone: "Asia/Irkutsk", wakeOutbox: () => void wakes++ };
});

/** Runs the job and delivers what it enqueued. */
async function remind(today: string) {
  const result = await sendAgreementReminders(deps, today);
  await sender.flush();
  return result;
}

const TODAY = "2026-12-01";

let nextTelegramId = 700_000;
async function person(language: { language?: string; telegramLanguage?: string } = {}) {
  const [user] = await database.db
    .insert(users)
    .values({ telegramId: nextTelegramId++, firstName: "Мария", role: "staff", ...language })
    .returning();
  return user!;
}

const university = (overrides: Partial<PartnerDraft>) =>
  partnerDraft({ fullName: "Иркутский государственный университет", shortName: "ИГУ", type: "university", ...overrides });

async function agreementFor(owner: { id: number } & Parameters<typeof createPartner>[1]["user"], validTo: string | null, number: string) {
  const actor = { user: owner, role: "staff" as const };
  const partner = await createPartner(database.db, actor, university({ ownerKind: "teacher", ownerUserId: owner.id }));
  const result = await addAgreement(
    database.db,
    actor,
    { partnerId: partner.id, number, signedOn: "2026-01-10", validFrom: "2026-01-10", validTo, subject: "Сотрудничество", scan: null },
    TODAY,
  );
  if (!result.ok) throw new Error(result.reason);
  return { partner, agreement: result.agreement };
}

const messagesTo = (chatId: number) => telegram.sent("sendMessage").filter((m) => m.chat_id === chatId);

describe("agreement reminders", () => {
  it("send each reminder once, even when the job runs twice at the same time, and none for open-ended agreements", async () => {
    const owner = await person({ telegramLanguage: "ru" });
    await agreementFor(owner, addDays(TODAY, 30), "30");
    const { partner } = await agreementFor(owner, addDays(TODAY, 7), "7");
    await agreementFor(owner, TODAY, "0");
    await agreementFor(owner, addDays(TODAY, 45), "45");
    await agreementFor(owner, null, "бессрочный");

    const results = await Promise.all([sendAgreementReminders(deps, TODAY), sendAgreementReminders(deps, TODAY)]);
    expect(results.reduce((sum, r) => sum + r.queued, 0)).toBe(3);
    expect(await remind(TODAY)).toEqual({ queued: 0 });
    expect(wakes).toBe(results.filter((r) => r.queued > 0).length);
    const keys = (await database.db.select({ key: outbox.dedupeKey }).from(outbox)).map((row) => row.key);
    expect(keys.sort()).toEqual(
      (await database.db.select().from(agreementReminders)).map((c) => `agreement:${c.agreementId}:${c.daysBefore}:u${owner.id}`).sort(),
    );
    const texts = messagesTo(owner.telegramId).map((m) => String(m.text));
    expect(texts).toHaveLength(3);
    expect(texts).toEqual(
      expect.arrayContaining([
        "⏰ Сегодня, 01.12.2026, последний день действия договора № 0 с партнёром «ИГУ». Если сотрудничество продолжится, подготовьте, пожалуйста, продление или новый договор.",
        expect.stringContaining("Договор № 7 с партнёром «ИГУ» заканчивается 08.12.2026 — через 7 дней."),
        expect.stringContaining("Договор № 30 с партнёром «ИГУ» заканчивается 31.12.2026 — через 30 дней."),
      ]),
    );
    expect(texts.join("\n")).not.toContain("бессрочный");
    const seven = messagesTo(owner.telegramId).find((m) => String(m.text).includes("№ 7 "))!;
    expect(seven.reply_markup).toEqual({ inline_keyboard: [[{ text: "📄 Договоры партнёра", callback_data: `ag:list:${partner.id}` }]] });
    expect(await database.db.select().from(agreementReminders)).toHaveLength(3);

    // 23 days later the first agreement is due for its 7-day reminder, and the 45-day one for its
    // first; the job catches up the day it missed (30 days before) with the days actually left.
    await remind(addDays(TODAY, 23));
    const later = messagesTo(owner.telegramId).slice(3).map((m) => String(m.text));
    expect(later).toHaveLength(2);
    expect(later).toEqual(
      expect.arrayContaining([
        expect.stringContaining("Договор № 30 с партнёром «ИГУ» заканчивается 31.12.2026 — через 7 дней."),
        expect.stringContaining("Договор № 45 с партнёром «ИГУ» заканчивается 15.01.2027 — через 22 дня."),
      ]),
    );
  });

  it("speak each recipient's language: the one chosen in the bot first, then Telegram's", async () => {
    const english = await person({ language: "en", telegramLanguage: "ru" });
    const russian = await person({ language: "ru", telegramLanguage: "en" });
    const telegramEnglish = await person({ telegramLanguage: "en-GB" });
    await agreementFor(english, addDays(TODAY, 1), "E-1");
    await agreementFor(russian, addDays(TODAY, 2), "R-2");
    await agreementFor(telegramEnglish, addDays(TODAY, 21), "T-21");
    await remind(TODAY);
    expect(messagesTo(english.telegramId)[0]!.text).toBe(
      "⏰ Agreement No. E-1 with “ИГУ” ends on 02.12.2026, in 1 day. If the cooperation goes on, please prepare an extension or a new agreement.",
    );
    expect(messagesTo(russian.telegramId)[0]!.text).toContain("через 2 дня.");
    expect(messagesTo(telegramEnglish.telegramId)[0]!.text).toContain("in 21 days.");
    expect(messagesTo(telegramEnglish.telegramId)[0]!.reply_markup).toMatchObject({ inline_keyboard: [[{ text: "📄 Partner's agreements" }]] });
  });

  it("go out once: someone who blocked the bot does not stop the others and is not reminded again; Telegram's errors are retried by the outbox", async () => {
    const blocking = await person();
    const flaky = await person();
    const fine = await person();
    await agreementFor(blocking, addDays(TODAY, 30), "B");
    await agreementFor(flaky, addDays(TODAY, 7), "F");
    await agreementFor(fine, TODAY, "OK");
    telegram.block(blocking.telegramId);
    telegram.failNext("sendMessage", { error_code: 502, description: "Bad Gateway" });
    expect(await remind(TODAY)).toEqual({ queued: 3 });
    expect(messagesTo(blocking.telegramId)).toHaveLength(0);
    expect(messagesTo(fine.telegramId)).toHaveLength(1);
    // The claims stay: the next runs enqueue nothing, for the blocked person either.
    expect(await remind(TODAY)).toEqual({ queued: 0 });
    expect(await database.db.select().from(agreementReminders)).toHaveLength(3);
    // The 502 is the outbox's to retry, after its backoff.
    clock.ms += 60_000;
    await sender.flush();
    expect(messagesTo(flaky.telegramId)).toHaveLength(1);
    expect(messagesTo(fine.telegramId)).toHaveLength(1);
    const statuses = await database.db.select({ chatId: outbox.chatId, status: outbox.status }).from(outbox);
    expect(statuses).toEqual(
      expect.arrayContaining([
        { chatId: blocking.telegramId, status: "blocked" },
        { chatId: flaky.telegramId, status: "sent" },
        { chatId: fine.telegramId, status: "sent" },
      ]),
    );
    expect(await remind(TODAY)).toEqual({ queued: 0 });
    expect(telegram.calls.filter((c) => c.method === "sendMessage" && c.payload.chat_id === blocking.telegramId)).toHaveLength(1);
  });

  it("claim a reminder only together with its message: one that cannot be written is neither claimed nor blocks the others", async () => {
    const broken = await person();
    const fine = await person();
    await agreementFor(broken, addDays(TODAY, 7), "X");
    await agreementFor(fine, addDays(TODAY, 7), "Y");
    const undo = await failOutboxWrites(database.db, broken.telegramId);
    try {
      expect(await remind(TODAY)).toEqual({ queued: 1 });
    } finally {
      await undo();
    }
    expect(await database.db.select().from(agreementReminders)).toHaveLength(1);
    expect(messagesTo(fine.telegramId)).toHaveLength(1);
    expect(messagesTo(broken.telegramId)).toHaveLength(0);
    expect(await remind(TODAY)).toEqual({ queued: 1 });
    expect(messagesTo(broken.telegramId).map((m) => String(m.text))).toEqual([expect.stringContaining("Договор № X")]);
    expect(messagesTo(fine.telegramId)).toHaveLength(1);
  });

  it("go to the head of the owning unit when no teacher owns the partnership", async () => {
    const creator = await person();
    const head = await person({ language: "en" });
    const [unit] = await database.db.insert(units).values({ kind: "department", name: "Отдел техники", headUserId: head.id }).returning();
    const actor = { user: creator, role: "admin" as const };
    const partner = await createPartner(database.db, actor, university({ ownerKind: "department", ownerUnitId: unit!.id }));
    const added = await addAgreement(database.db, actor, { partnerId: partner.id, number: "U", signedOn: TODAY, validFrom: TODAY, validTo: TODAY, subject: "Сотрудничество", scan: null }, TODAY);
    expect(added.ok).toBe(true);
    await remind(TODAY);
    expect(messagesTo(head.telegramId)[0]!.text).toContain("Today, 01.12.2026, is the last day of agreement No. U");
    expect(messagesTo(creator.telegramId)).toHaveLength(0);
  });
});
