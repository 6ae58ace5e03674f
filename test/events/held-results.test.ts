import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getEvent, recordOutcome } from "../../src/events/domain/events.js";
import { eventWorld, pressIn } from "../helpers/event-world.js";
import { createHarness, type Harness } from "../helpers/harness.js";
import { command, text, type TestUser } from "../helpers/updates.js";

let h: Harness;
beforeAll(async () => {
  h = await createHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

const last = (user: TestUser) => h.telegram.lastMessageTo(user.id);
const say = (user: TestUser, body: string) => h.send(text(user, body));
const sentTo = (user: TestUser) => h.telegram.sent("sendMessage").filter((m) => m.chat_id === user.id).length;

/** 10 December 17:30 in Irkutsk: half an hour after the event ended. */
const AFTER_THE_EVENT = new Date("2026-12-10T09:30:00Z");

/** A refused answer is one message: the refusal with the question again, and the step's buttons. */
async function refused(user: TestUser, body: string) {
  const before = sentTo(user);
  await say(user, body);
  expect(sentTo(user) - before).toBe(1);
  const answer = last(user);
  expect(answer.buttons.map((b) => b.data)).toEqual(["ask:back", "ask:cancel"]);
  return answer.text;
}

describe("recording a held competition or project", () => {
  it("asks a contest's winners and prize-winners in Russian, refusing more than the participants with the numbers", async () => {
    const { teacher, event, approve } = await eventWorld(h, "ru", { format: "contest", title: "Конкурс роботов", level: "regional" });
    await approve();
    h.clock.now = AFTER_THE_EVENT;
    await h.send(pressIn(teacher, `ev:outcome:${event.id}`));
    await h.pressButton(teacher, `eh:yes:${event.id}`);
    for (const n of ["5", "0", "2", "3"]) await say(teacher, n);
    expect(last(teacher).text).toBe(
      "Сколько учащихся Дворца стали победителями? Напишите целое число от 0 до 10 — столько участников вы записали. Если победителей среди них нет, напишите 0.",
    );
    expect(await refused(teacher, "12")).toBe(
      "Победителей не может быть больше, чем участников: участников записано 10, а победителей указано 12. Сколько учащихся Дворца стали победителями? Напишите число от 0 до 10.",
    );
    expect(await refused(teacher, "много")).toBe("Напишите, пожалуйста, целое число от 0 до 10, например 2. Сколько учащихся Дворца стали победителями?");
    await say(teacher, "4");
    expect(last(teacher).text).toBe(
      "Сколько учащихся Дворца стали призёрами? Напишите целое число от 0 до 6: победителей и призёров вместе не больше, чем участников. Если призёров нет, напишите 0.",
    );
    expect(await refused(teacher, "11")).toBe(
      "Призёров не может быть больше, чем участников: участников записано 10, а призёров указано 11. Сколько учащихся Дворца стали призёрами? Напишите число от 0 до 6.",
    );
    expect(await refused(teacher, "7")).toBe(
      "Победителей и призёров вместе не может быть больше, чем участников: участников записано 10, победителей — 4, а призёров указано 7. Сколько учащихся Дворца стали призёрами? Напишите число от 0 до 6.",
    );
    expect(await refused(teacher, "-1")).toBe("Напишите, пожалуйста, целое число от 0 до 6, например 3. Сколько учащихся Дворца стали призёрами?");
    // Back to the winners: fewer of them leave room for more prize-winners.
    await h.pressButton(teacher, "ask:back");
    expect(last(teacher).text).toContain("Сколько учащихся Дворца стали победителями?");
    await say(teacher, "3");
    expect(last(teacher).text).toContain("от 0 до 7:");
    await say(teacher, "7");
    expect(last(teacher).text).toContain("Каким получился результат?");
    await say(teacher, "Три команды вышли в финал");
    expect(h.telegram.textsTo(teacher.id).some((t) => t.startsWith("Спасибо! Мероприятие отмечено как проведённое: 10 участников."))).toBe(true);
    expect(await getEvent(h.database.db, event.id)).toMatchObject({
      status: "held",
      participantsGifted: 5,
      participantsOther: 3,
      winners: 3,
      prizeWinners: 7,
      projectStudents: null,
      result: "Три команды вышли в финал",
    });
    await h.send(pressIn(teacher, `ev:open:${event.id}`));
    expect(last(teacher).text).toContain(
      "Участвовали 10 человек (одарённые — 5, с ОВЗ — 0, профориентация 15–17 — 2, другие — 3)\nПобедители: 3, призёры: 7\nРезультат: Три команды вышли в финал",
    );
    expect(last(teacher).text).toContain("Формат: Конкурс\nУровень: региональный\nПартнёры");
    h.expectAllCallbacksAnswered();
  });

  it("asks an event marked as a competition in English, and takes none as an answer", async () => {
    const { teacher, event, approve } = await eventWorld(h, "en", { format: "joint_event", competition: true });
    await approve();
    h.clock.now = AFTER_THE_EVENT;
    await h.send(pressIn(teacher, `ev:open:${event.id}`));
    await h.pressButton(teacher, `ev:outcome:${event.id}`);
    await h.pressButton(teacher, `eh:yes:${event.id}`);
    for (const n of ["0", "1", "0", "3"]) await say(teacher, n);
    expect(last(teacher).text).toBe(
      "How many of the Palace's students became winners? Type a whole number from 0 to 4, the participants you recorded. If none did, type 0.",
    );
    expect(await refused(teacher, "5")).toBe(
      "There cannot be more winners than participants: 4 participants were recorded, and you gave 5 winners. How many of the Palace's students became winners? Type a number from 0 to 4.",
    );
    await say(teacher, "0");
    expect(last(teacher).text).toBe(
      "How many of the Palace's students became prize-winners? Type a whole number from 0 to 4: winners and prize-winners together are no more than the participants. If none did, type 0.",
    );
    expect(await refused(teacher, "lots")).toBe("Please type a whole number from 0 to 4, e.g. 3. How many of the Palace's students became prize-winners?");
    await say(teacher, "0");
    await say(teacher, "A friendly match");
    expect(await getEvent(h.database.db, event.id)).toMatchObject({ status: "held", winners: 0, prizeWinners: 0, projectStudents: null });
    await h.send(pressIn(teacher, `ev:open:${event.id}`));
    expect(last(teacher).text).toContain("Took part: 4 (gifted 0, with SEN 1, career guidance 15–17 0, other 3)\nWinners: 0, prize-winners: 0\nResult: A friendly match");
    expect(last(teacher).text).toContain("Format: Joint event\nLevel: institution\nCompetition: yes\n");
    h.expectAllCallbacksAnswered();
  });

  it.each([
    ["en", "How many of the Palace's students took part in the project? Type a whole number from 0 to 5000.", "Please type a whole number from 0 to 5000, e.g. 12.", "The Palace's students in the project: 40"],
    ["ru", "Сколько учащихся Дворца участвовали в проекте? Напишите целое число от 0 до 5000.", "Напишите, пожалуйста, целое число от 0 до 5000, например 12.", "Учащихся Дворца в проекте: 40"],
  ] as const)("asks a project how many of the institution's students took part (%s)", async (language, question, hint, line) => {
    const { teacher, event, approve } = await eventWorld(h, language, { format: "project", title: "Проект «Чистый Байкал»" });
    await approve();
    h.clock.now = AFTER_THE_EVENT;
    await h.send(pressIn(teacher, `ev:outcome:${event.id}`));
    await h.pressButton(teacher, `eh:yes:${event.id}`);
    for (const n of ["2", "0", "10", "20"]) await say(teacher, n);
    // A project has no winners: the next question is its students.
    expect(last(teacher).text).toBe(question);
    expect(await refused(teacher, "5001")).toBe(hint);
    await say(teacher, "40");
    expect(last(teacher).text).toMatch(/результат|result/);
    await say(teacher, language === "ru" ? "Очистили берег" : "Cleaned the shore");
    expect(await getEvent(h.database.db, event.id)).toMatchObject({ status: "held", projectStudents: 40, winners: null, prizeWinners: null, competition: false });
    await h.send(pressIn(teacher, `ev:open:${event.id}`));
    expect(last(teacher).text).toContain(line);
    expect(last(teacher).text).not.toMatch(/Победители|Winners/);
    h.expectAllCallbacksAnswered();
  });

  it("asks no results of an event that is neither a competition nor a project, and keeps none given to the domain", async () => {
    const { teacher, teacherRow, event, approve } = await eventWorld(h);
    await approve();
    h.clock.now = AFTER_THE_EVENT;
    await h.send(pressIn(teacher, `eh:yes:${event.id}`));
    for (const n of ["1", "1", "1", "1"]) await say(teacher, n);
    expect(last(teacher).text).toContain("Каким получился результат?");
    await h.send(command(teacher, "cancel"));
    expect(await getEvent(h.database.db, event.id)).toMatchObject({ status: "approved" });
    const actor = { user: teacherRow, role: "staff" as const };
    const held = await recordOutcome(h.database.db, actor, event.id, { held: true, report: { gifted: 1, disabilities: 0, careerGuidance: 0, other: 0, result: "Ok", winners: 1, prizeWinners: 0, projectStudents: 3 } }, h.clock.now);
    expect(held).toMatchObject({ ok: true, event: { winners: null, prizeWinners: null, projectStudents: null } });
  });

  it("refuses in the domain a competition's results over its participants", async () => {
    const { teacherRow, event, approve } = await eventWorld(h, "ru", { format: "contest" });
    await approve();
    h.clock.now = AFTER_THE_EVENT;
    const actor = { user: teacherRow, role: "staff" as const };
    const report = { gifted: 0, disabilities: 0, careerGuidance: 0, other: 5, result: "Ok" };
    for (const results of [{ winners: 6, prizeWinners: 0 }, { winners: 3, prizeWinners: 3 }, { winners: 1 }, { winners: -1, prizeWinners: 0 }]) {
      expect(await recordOutcome(h.database.db, actor, event.id, { held: true, report: { ...report, ...results } }, h.clock.now)).toEqual({ ok: false, reason: "bad_results" });
    }
    expect(await getEvent(h.database.db, event.id)).toMatchObject({ status: "approved", winners: null });
    const held = await recordOutcome(h.database.db, actor, event.id, { held: true, report: { ...report, winners: 2, prizeWinners: 3 } }, h.clock.now);
    expect(held.ok && held.event).toMatchObject({ status: "held", winners: 2, prizeWinners: 3 });
  });
});
