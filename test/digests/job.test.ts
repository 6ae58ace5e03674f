import { and, eq, like } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { digestDeliveries } from "../../src/digests/domain/schema.js";
import { events } from "../../src/events/domain/schema.js";
import { outbox } from "../../src/core/outbox/schema.js";
import { saveDigestPreferences } from "../../src/digests/domain/digests.js";
import { sendDigests } from "../../src/digests/job.js";
import { DIGEST_NOW, digestWorld, type WorldPeople } from "../helpers/digest-world.js";
import { jobDeps } from "../helpers/event-world.js";
import { createHarness, type Harness } from "../helpers/harness.js";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

const TELEGRAM: WorldPeople = {
  admin: 820_001,
  teacher: 820_002,
  head: 820_003,
  other: 820_004,
  contact: 820_005,
  guest: 820_006,
  gone: 820_007,
  idle: 820_008,
};
/** Those with something in their digest on Monday 7 December; `idle` has nothing, guest and gone get none. */
const WITH_NEWS = ["admin", "teacher", "head", "other", "contact"] as const;

const world = (language: "ru" | "en" = "ru") => digestWorld(h.database.db, { telegramIds: TELEGRAM, language });
/** Runs the job with a fresh set of deps (as after a restart) at the harness clock. */
const run = () => sendDigests(jobDeps(h), h.clock.now);
const digestsTo = (telegramId: number) => h.telegram.textsTo(telegramId).filter((t) => t.startsWith("📰"));
const deliveries = () =>
  h.database.db.select({ userId: digestDeliveries.userId, weekStart: digestDeliveries.weekStart, empty: digestDeliveries.empty }).from(digestDeliveries);
const digestRows = () => h.database.db.select({ chatId: outbox.chatId, dedupeKey: outbox.dedupeKey }).from(outbox).where(like(outbox.dedupeKey, "digest:%"));

describe("weekly digests", () => {
  it("go out on Monday at 09:00 Irkutsk by default, not a minute before, in Russian", async () => {
    const { people } = await world();
    h.clock.now = new Date("2026-12-07T00:59:00Z"); // Monday 08:59 in Irkutsk
    expect(await run()).toEqual({ sent: 0, empty: 0 });
    expect(await deliveries()).toEqual([]);

    h.clock.now = DIGEST_NOW; // Monday 09:00 in Irkutsk
    expect(await run()).toEqual({ sent: WITH_NEWS.length, empty: 1 });
    await h.flushOutbox();
    for (const who of WITH_NEWS) expect(digestsTo(TELEGRAM[who]), who).toHaveLength(1);
    expect(digestsTo(TELEGRAM.idle)).toEqual([]);
    expect(digestsTo(TELEGRAM.guest)).toEqual([]);
    expect(digestsTo(TELEGRAM.gone)).toEqual([]);

    const teacher = digestsTo(TELEGRAM.teacher)[0]!;
    expect(teacher).toContain("📰 <b>Дайджест на неделю 7–13 декабря</b>");
    expect(teacher).toContain("📅 <b>Ваши мероприятия на этой неделе</b> (2)\n• 10 декабря 2026, 15:00 — Мастер-класс по робототехнике");
    expect(teacher).toContain("• СОШ № 5: договор № 12/2026 до 21.12.2026 (через 14 дней)");
    expect(teacher).toContain("• 1 из 5 — Мастер-класс по 3D-печати, участник: «Было душно»");
    expect(teacher).not.toContain("Учреждение за 7 дней");
    expect(h.telegram.lastMessageTo(TELEGRAM.teacher).buttons).toEqual([{ text: "⚙️ Настройки дайджеста", data: "ds:show" }]);
    expect(digestsTo(TELEGRAM.admin)[0]).toContain("🏛 <b>Учреждение за 7 дней</b> (в скобках — за предыдущие 7)\nНовых партнёров: 1 (1)");
    expect(digestsTo(TELEGRAM.contact)[0]).toContain("📝 <b>Ждут вашего отзыва</b> (1)");

    expect(await digestRows()).toContainEqual({ chatId: TELEGRAM.teacher, dedupeKey: `digest:${people.teacher.id}:2026-12-07` });
    expect(await deliveries()).toContainEqual({ userId: people.idle.id, weekStart: "2026-12-07", empty: true });
    expect(await deliveries()).toContainEqual({ userId: people.teacher.id, weekStart: "2026-12-07", empty: false });
    expect(await deliveries()).toHaveLength(WITH_NEWS.length + 1);
  });

  it("are written in each person's language", async () => {
    await world("en");
    h.clock.now = DIGEST_NOW;
    await run();
    await h.flushOutbox();
    const teacher = digestsTo(TELEGRAM.teacher)[0]!;
    expect(teacher).toContain("📰 <b>Your weekly digest: 7–13 December</b>");
    expect(teacher).toContain("• СОШ № 5: agreement No. 12/2026 until 21.12.2026 (in 14 days)");
    expect(teacher).toContain("⏳ <b>Partners in one stage for over 90 days</b> (1)\n• СОШ № 5: Organisational stage since 29 August 2026 (100 days)");
    expect(digestsTo(TELEGRAM.admin)[0]).toContain("Satisfaction: 2.7 of 5, answers: 3 (4 of 5, answers: 2)");
    expect(digestsTo(TELEGRAM.contact)[0]).toContain("🤝 <b>Joint events in the next 14 days</b> (3)");
    expect(h.telegram.lastMessageTo(TELEGRAM.contact).buttons).toEqual([{ text: "⚙️ Digest settings", data: "ds:show" }]);
  });

  it("go once a week: run twice at once, again later and after a restart", async () => {
    const { people } = await world();
    h.clock.now = DIGEST_NOW;
    const results = await Promise.all([run(), run()]);
    expect(results.reduce((sum, r) => sum + r.sent, 0)).toBe(WITH_NEWS.length);
    expect(results.reduce((sum, r) => sum + r.empty, 0)).toBe(1);
    h.clock.now = new Date("2026-12-07T01:05:00Z");
    expect(await run()).toEqual({ sent: 0, empty: 0 });
    h.restart();
    h.clock.now = new Date("2026-12-07T07:00:00Z");
    expect(await run()).toEqual({ sent: 0, empty: 0 });
    await h.flushOutbox();
    for (const who of WITH_NEWS) expect(digestsTo(TELEGRAM[who]), who).toHaveLength(1);
    expect(await digestRows()).toHaveLength(WITH_NEWS.length);
    expect(await deliveries()).toHaveLength(WITH_NEWS.length + 1);
    // Next Monday is a new week.
    h.clock.now = new Date("2026-12-14T01:00:00Z");
    await run();
    await h.flushOutbox();
    expect(digestsTo(TELEGRAM.teacher)).toHaveLength(2);
    expect(await h.database.db.select().from(digestDeliveries).where(eq(digestDeliveries.userId, people.teacher.id))).toHaveLength(2);
  });

  it("do not send an empty digest, and the empty week stays claimed when news comes later", async () => {
    const { people } = await world();
    h.clock.now = DIGEST_NOW;
    await run();
    expect(await deliveries()).toContainEqual({ userId: people.idle.id, weekStart: "2026-12-07", empty: true });
    // Something for the idle colleague this week: the week was already looked at, nothing goes out.
    await h.database.db.insert(events).values({
      title: "Новое занятие",
      format: "master_class",
      startsAt: new Date("2026-12-09T03:00:00Z"),
      endsAt: new Date("2026-12-09T05:00:00Z"),
      responsibleUserId: people.idle.id,
      proposedBy: people.idle.id,
    });
    h.clock.now = new Date("2026-12-07T01:05:00Z");
    expect(await run()).toEqual({ sent: 0, empty: 0 });
    await h.flushOutbox();
    expect(digestsTo(TELEGRAM.idle)).toEqual([]);
  });

  it("missed at 09:00 go out later the same day, but not on a later day", async () => {
    await world();
    h.clock.now = new Date("2026-12-07T07:00:00Z"); // Monday 15:00 in Irkutsk: the bot was down at 09:00
    expect(await run()).toMatchObject({ sent: WITH_NEWS.length });
    await h.flushOutbox();
    expect(digestsTo(TELEGRAM.teacher)).toHaveLength(1);

    await h.reset();
    await world();
    h.clock.now = new Date("2026-12-08T01:00:00Z"); // Tuesday 09:00: Monday was missed altogether
    expect(await run()).toEqual({ sent: 0, empty: 0 });
    h.clock.now = new Date("2026-12-13T15:55:00Z"); // Sunday 23:55
    expect(await run()).toEqual({ sent: 0, empty: 0 });
    expect(await deliveries()).toEqual([]);
  });

  it("follow each person's day and hour, and none goes to those who turned it off", async () => {
    const { people } = await world();
    await saveDigestPreferences(h.database.db, people.teacher.id, { weekday: 3, hour: 18 });
    await saveDigestPreferences(h.database.db, people.admin.id, { enabled: false });
    await saveDigestPreferences(h.database.db, people.contact.id, { hour: 0 });
    h.clock.now = DIGEST_NOW;
    expect(await run()).toEqual({ sent: WITH_NEWS.length - 2, empty: 1 });
    await h.flushOutbox();
    expect(digestsTo(TELEGRAM.teacher)).toEqual([]);
    expect(digestsTo(TELEGRAM.admin)).toEqual([]);
    expect(digestsTo(TELEGRAM.contact)).toHaveLength(1);

    h.clock.now = new Date("2026-12-09T09:59:00Z"); // Wednesday 17:59
    await run();
    await h.flushOutbox();
    expect(digestsTo(TELEGRAM.teacher)).toEqual([]);
    h.clock.now = new Date("2026-12-09T10:00:00Z"); // Wednesday 18:00
    expect(await run()).toEqual({ sent: 1, empty: 0 });
    await h.flushOutbox();
    expect(digestsTo(TELEGRAM.teacher)).toHaveLength(1);
    // Wednesday's digest is about the same week; its "this week" still starts on Monday.
    expect(digestsTo(TELEGRAM.teacher)[0]).toContain("📰 <b>Дайджест на неделю 7–13 декабря</b>");
    expect(await digestRows()).toContainEqual({ chatId: TELEGRAM.teacher, dedupeKey: `digest:${people.teacher.id}:2026-12-07` });
    expect(
      await h.database.db.select().from(digestDeliveries).where(and(eq(digestDeliveries.userId, people.admin.id), eq(digestDeliveries.weekStart, "2026-12-07"))),
    ).toEqual([]);
  });
});
