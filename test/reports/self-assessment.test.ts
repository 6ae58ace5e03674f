import ExcelJS from "exceljs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { users } from "../../src/core/access/schema.js";
import { createI18n, type I18n } from "../../src/core/i18n.js";
import { events } from "../../src/events/domain/schema.js";
import { periodOf, reportData } from "../../src/reports/domain/data.js";
import { institutionStudents } from "../../src/reports/domain/schema.js";
import { readStudents, saveStudents, selfAssessment } from "../../src/reports/domain/self-assessment.js";
import { reportWorkbook } from "../../src/reports/workbook.js";
import { createTestDatabase, type TestDatabase } from "../helpers/db.js";

const TZ = "Asia/Irkutsk";
/** The academic year 2026/27 in Irkutsk. */
const YEAR = periodOf("academic_year", "2026-09-01", "2027-08-31", TZ);

let database: TestDatabase;
let i18n: I18n;
beforeAll(async () => {
  database = await createTestDatabase();
  i18n = await createI18n();
});
afterAll(async () => database.close());
beforeEach(async () => database.truncate());

type EventInsert = typeof events.$inferInsert;

/**
 * A year of joint events, inserted as rows. The hand count of each figure is in the test below.
 * Attendance is gifted / ОВЗ / career guidance / other.
 */
async function seedYear() {
  const db = database.db;
  const [teacher] = await db.insert(users).values({ telegramId: 910_001, firstName: "Мария", role: "staff" }).returning();
  const [admin] = await db.insert(users).values({ telegramId: 910_002, firstName: "Анна", role: "admin" }).returning();
  let n = 0;
  const event = (values: Partial<EventInsert> & Pick<EventInsert, "format">, attendance: [number, number, number, number] | null = null): EventInsert => {
    n++;
    const startsAt = values.startsAt ?? new Date(Date.UTC(2026, 9, n, 3)); // October, 11:00 in Irkutsk
    return {
      title: `Мероприятие ${n}`,
      startsAt,
      endsAt: new Date(startsAt.getTime() + 3_600_000),
      responsibleUserId: teacher!.id,
      proposedBy: teacher!.id,
      status: "held",
      ...(attendance
        ? { participantsGifted: attendance[0], participantsDisabilities: attendance[1], participantsCareerGuidance: attendance[2], participantsOther: attendance[3] }
        : {}),
      ...values,
    };
  };
  await db.insert(events).values([
    // Mass events.
    event({ format: "joint_event", level: "municipal", title: "Фестиваль" }, [10, 2, 3, 15]), // A: 30
    event({ format: "contest", competition: true, level: "regional", winners: 3, prizeWinners: 5 }, [20, 0, 5, 15]), // B: 40, 8
    event({ format: "master_class", level: "federal", status: "closed" }, [4, 1, 0, 5]), // C: 10
    event({ format: "exhibition", competition: true, level: "international", winners: 1, prizeWinners: 2 }, [0, 0, 0, 12]), // D: 12, 3
    event({ format: "contest", competition: true, level: "municipal" }, [5, 0, 0, 5]), // E: 10, no results
    event({ format: "round_table", level: "interregional" }, [2, 0, 6, 0]), // F: 8
    event({ format: "joint_event", level: "institutional" }, [6, 1, 0, 13]), // G: 20, the institution's own
    event({ format: "contest", competition: true, level: "institutional", winners: 2, prizeWinners: 0 }, [0, 0, 0, 9]), // H: 9, 2
    event({ format: "consultation", competition: true, level: "federal", winners: 1, prizeWinners: 0 }, [0, 0, 0, 4]), // L: a competition: 4, 1
    // Not mass events.
    event({ format: "consultation", level: "municipal" }, [3, 1, 0, 2]), // I: gifted and ОВЗ only
    event({ format: "project", level: "regional", projectStudents: 25 }, [0, 2, 0, 0]), // J: 1.10
    event({ format: "project", level: "institutional", projectStudents: 7 }), // K: 1.10 total only
    // Not counted at all.
    event({ format: "contest", competition: true, level: "municipal", status: "cancelled", winners: 50, prizeWinners: 50, cancelReason: "Карантин" }, [100, 100, 100, 100]),
    event({ format: "joint_event", level: "municipal", status: "approved" }),
    event({ format: "project", level: "regional", status: "proposed", projectStudents: 300 }),
    // 31 August 23:59:59 in Irkutsk: the year before. 1 September 2027 00:00: the year after.
    event({ format: "consultation", level: "municipal", startsAt: new Date("2026-08-31T15:59:59Z") }, [1000, 0, 0, 0]),
    event({ format: "contest", competition: true, level: "regional", startsAt: new Date("2027-08-31T16:00:00Z"), winners: 9, prizeWinners: 9 }, [0, 0, 0, 500]),
  ]);
  return { db, teacher: teacher!, admin: admin! };
}

async function workbookOf(language: "ru" | "en", period = YEAR): Promise<ExcelJS.Workbook> {
  const data = await reportData(database.db, period, TZ);
  const bytes = await reportWorkbook(data, { t: i18n.fixedT(language), russian: i18n.fixedT("ru"), language, timeZone: TZ, generatedAt: new Date("2027-06-01T02:00:00Z") });
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  return workbook;
}

/** The sheet's figures by number: value, share. */
function figuresOf(sheet: ExcelJS.Worksheet, valueColumn = 4): Map<string, [unknown, unknown]> {
  const figures = new Map<string, [unknown, unknown]>();
  sheet.eachRow((row, i) => {
    const number = row.getCell(1).value;
    if (i > 1 && typeof number === "string") figures.set(number, [row.getCell(valueColumn).value, row.getCell(valueColumn + 1).value]);
  });
  return figures;
}

const NUMBERS = ["1.5", "1.6", "1.6.1", ...["1.8", "1.9", "1.10", "1.11"].flatMap((n) => [n, ...[1, 2, 3, 4, 5].map((l) => `${n}.${l}`)])];

describe("the self-assessment sheet", () => {
  it("counts a seeded year by hand: each indicator in all and by level, shares «—» without the total, in Russian", async () => {
    await seedYear();
    const workbook = await workbookOf("ru");
    expect(workbook.worksheets.map((s) => s.name)).toEqual(["Сводка", "Самообследование", "Партнёры", "Мероприятия", "Отзывы", "Отзывы по партнёрам"]);
    const sheet = workbook.getWorksheet("Самообследование")!;
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(["№", "Показатель", "Единица измерения", "Значение", "Доля, %"]);
    expect(sheet.getRow(1).font?.bold).toBe(true);
    const numbers: string[] = [];
    sheet.eachRow((row, i) => {
      if (i > 1 && typeof row.getCell(1).value === "string") numbers.push(row.getCell(1).value as string);
    });
    expect(numbers).toEqual(NUMBERS);

    const byNumber = (number: string) => sheet.getRow(NUMBERS.indexOf(number) + 2);
    expect(byNumber("1.8").getCell(2).value).toBe(
      "Численность/удельный вес численности учащихся, принявших участие в массовых мероприятиях (конкурсы, соревнования, фестивали, конференции), в общей численности учащихся, в том числе:",
    );
    expect(byNumber("1.8.1").getCell(2).value).toBe("На муниципальном уровне");
    expect(byNumber("1.10.5").getCell(2).value).toBe("Международного уровня");
    expect(byNumber("1.11").getCell(2).value).toBe("Количество массовых мероприятий, проведенных образовательной организацией, в том числе:");
    expect(byNumber("1.5").getCell(2).value).toBe(
      "Численность/удельный вес численности учащихся по образовательным программам для детей с выдающимися способностями, в общей численности учащихся\nИз бота — только часть показателя: одарённые дети среди участников совместных мероприятий с партнёрами.",
    );
    expect(byNumber("1.8").getCell(3).value).toBe("человек/%");
    expect(byNumber("1.11.3").getCell(3).value).toBe("единиц");

    const dash = "—";
    const figures = figuresOf(sheet);
    // Hand count (letters as in seedYear):
    // 1.5 gifted, every held event: A 10 + B 20 + C 4 + E 5 + F 2 + G 6 + I 3 = 50.
    expect(figures.get("1.5")).toEqual([50, dash]);
    expect(figures.get("1.6")).toEqual([null, null]);
    // 1.6.1 ОВЗ: A 2 + C 1 + G 1 + I 1 + J 2 = 7.
    expect(figures.get("1.6.1")).toEqual([7, dash]);
    // 1.8: municipal A 30 + E 10 = 40; regional B 40; interregional F 8; federal C 10 + L 4 = 14;
    // international D 12; with the institution's own G 20 + H 9 = 29: 143.
    expect(figures.get("1.8")).toEqual([143, dash]);
    expect(["1.8.1", "1.8.2", "1.8.3", "1.8.4", "1.8.5"].map((k) => figures.get(k)![0])).toEqual([40, 40, 8, 14, 12]);
    // 1.9: municipal 0 (E has no results); regional B 8; interregional 0; federal L 1; international D 3; own H 2: 14.
    expect(figures.get("1.9")).toEqual([14, dash]);
    expect(["1.9.1", "1.9.2", "1.9.3", "1.9.4", "1.9.5"].map((k) => figures.get(k)![0])).toEqual([0, 8, 0, 1, 3]);
    // 1.10: regional J 25; own K 7: 32.
    expect(figures.get("1.10")).toEqual([32, dash]);
    expect(["1.10.1", "1.10.2", "1.10.3", "1.10.4", "1.10.5"].map((k) => figures.get(k)![0])).toEqual([0, 25, 0, 0, 0]);
    // 1.11: municipal A, E; regional B; interregional F; federal C, L; international D; own G, H: 9.
    expect(figures.get("1.11")).toEqual([9, dash]);
    expect(["1.11.1", "1.11.2", "1.11.3", "1.11.4", "1.11.5"].map((k) => figures.get(k)![0])).toEqual([2, 1, 1, 2, 1]);

    const notes: string[] = [];
    sheet.eachRow((row, i) => {
      if (i > NUMBERS.length + 1 && row.getCell(2).value) notes.push(row.getCell(2).text);
    });
    expect(notes).toEqual([
      "Откуда цифры: совместные мероприятия с партнёрами, записанные в боте как проведённые, с началом в периоде 01.09.2026 – 31.08.2027. Массовые мероприятия — все проведённые, кроме проектов и консультаций; конкурсы и соревнования — всегда. Мероприятия уровня учреждения входят только в итоговые строки (1.8, 1.9, 1.10, 1.11).",
      "1.5 и 1.6.1 — только та часть показателя, которую дают совместные мероприятия: одарённые дети и дети с ОВЗ среди их участников. Весь показатель считает учащихся по образовательным программам.",
      "Доли не посчитаны: для них нужно общее число учащихся за учебный год 2026/27. Его указывает администратор в /report.",
      "Конкурсов и соревнований без записанных результатов: 1 — в 1.9 такие мероприятия считаются как 0.",
    ]);
  });

  it("shows each share of the year's total with one decimal once it is given, in English with the Russian wording kept", async () => {
    const { admin } = await seedYear();
    expect(await saveStudents(database.db, { academicYear: 2026, students: 800, setBy: admin.id, timeZone: TZ })).toEqual({ ok: true, before: undefined });
    const figures = await selfAssessment(database.db, { ...YEAR, timeZone: TZ });
    expect(figures.students).toBe(800);
    expect(figures.eventsWithoutResults).toBe(1);

    const workbook = await workbookOf("en");
    expect(workbook.worksheets.map((s) => s.name)[1]).toBe("Self-assessment");
    const sheet = workbook.getWorksheet("Self-assessment")!;
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(["No.", "Indicator (order № 1324, in Russian)", "Indicator in English", "Unit", "Value", "Share, %"]);
    const row = (number: string) => sheet.getRow(NUMBERS.indexOf(number) + 2);
    expect(row("1.9").getCell(2).value).toBe(
      "Численность/удельный вес численности учащихся-победителей и призеров массовых мероприятий (конкурсы, соревнования, фестивали, конференции), в общей численности учащихся, в том числе:",
    );
    expect(row("1.9").getCell(3).value).toBe(
      "Number/share of students who were winners and prize-winners of mass events (contests, competitions, festivals, conferences), of all students, including:",
    );
    expect(row("1.9.2").getCell(2).value).toBe("На региональном уровне");
    expect(row("1.9.2").getCell(3).value).toBe("At the regional level");
    expect(row("1.9.2").getCell(4).value).toBe("persons/%");

    const shares = figuresOf(sheet, 5);
    // Of 800: 143 → 17.9; 40 → 5.0; 8 → 1.0; 14 → 1.8 (17.5 rounds up); 12 → 1.5.
    expect(shares.get("1.8")).toEqual([143, 17.9]);
    expect(["1.8.1", "1.8.2", "1.8.3", "1.8.4", "1.8.5"].map((k) => shares.get(k))).toEqual([[40, 5], [40, 5], [8, 1], [14, 1.8], [12, 1.5]]);
    // 14 → 1.8; 0; 8 → 1.0; 0; 1 → 0.1; 3 → 0.4.
    expect(shares.get("1.9")).toEqual([14, 1.8]);
    expect(["1.9.1", "1.9.2", "1.9.3", "1.9.4", "1.9.5"].map((k) => shares.get(k))).toEqual([[0, 0], [8, 1], [0, 0], [1, 0.1], [3, 0.4]]);
    // 32 → 4.0; 25 → 3.1.
    expect(shares.get("1.10")).toEqual([32, 4]);
    expect(shares.get("1.10.2")).toEqual([25, 3.1]);
    // Events are units: no share.
    expect(shares.get("1.11")).toEqual([9, "—"]);
    expect(shares.get("1.11.4")).toEqual([2, "—"]);
    // 50 → 6.3; 7 → 0.9.
    expect(shares.get("1.5")).toEqual([50, 6.3]);
    expect(shares.get("1.6.1")).toEqual([7, 0.9]);
    expect(row("1.8").getCell(6).numFmt).toBe("0.0");
    let sharesNote = "";
    sheet.eachRow((r) => {
      if (r.getCell(2).text.startsWith("Shares")) sharesNote = r.getCell(2).text;
    });
    expect(sharesNote).toBe("Shares are of all the institution's students in the academic year 2026/27: 800.");
  });

  it("exists with zeros for a period with no events", async () => {
    await seedYear();
    const workbook = await workbookOf("ru", periodOf("custom", "2025-01-01", "2025-06-30", TZ));
    const figures = figuresOf(workbook.getWorksheet("Самообследование")!);
    expect([...figures.keys()]).toEqual(NUMBERS);
    for (const [number, [value, share]] of figures) {
      if (number === "1.6") continue;
      expect([number, value, share]).toEqual([number, 0, "—"]);
    }
    // No competitions without results: no such note.
    const notes: string[] = [];
    workbook.getWorksheet("Самообследование")!.eachRow((row, i) => {
      if (i > NUMBERS.length + 1 && row.getCell(2).value) notes.push(row.getCell(2).text);
    });
    expect(notes).toHaveLength(3);
    expect(notes[2]).toBe("Доли не посчитаны: для них нужно общее число учащихся за учебный год 2024/25. Его указывает администратор в /report.");
  });
});

describe("the total of students", () => {
  it("reads a whole number from 1 to 100 000, spaces between thousands allowed", () => {
    expect(readStudents("1200")).toEqual({ ok: true, students: 1200 });
    expect(readStudents(" 1 200 ")).toEqual({ ok: true, students: 1200 });
    expect(readStudents("100000")).toEqual({ ok: true, students: 100_000 });
    expect(readStudents("1")).toEqual({ ok: true, students: 1 });
    for (const text of ["0", "100001", "12.5", "-3", "двести", "", "1e3", "1,200"]) expect(readStudents(text), text).toEqual({ ok: false });
  });

  it("refuses a total smaller than the most students one indicator counts that year, and keeps the latest answer", async () => {
    const { admin } = await seedYear();
    // 1.8 counts 143 in 2026/27; the events outside the year do not count.
    expect(await saveStudents(database.db, { academicYear: 2026, students: 142, setBy: admin.id, timeZone: TZ })).toEqual({
      ok: false,
      reason: "smaller",
      largest: { indicator: "mass_participants", value: 143 },
    });
    expect(await database.db.select().from(institutionStudents)).toEqual([]);
    expect(await saveStudents(database.db, { academicYear: 2026, students: 143, setBy: admin.id, timeZone: TZ })).toEqual({ ok: true, before: undefined });
    expect(await saveStudents(database.db, { academicYear: 2026, students: 900, setBy: null, timeZone: TZ })).toEqual({ ok: true, before: 143 });
    expect((await database.db.select().from(institutionStudents)).map((r) => [r.academicYear, r.students, r.setBy])).toEqual([[2026, 900, null]]);
    // Another year has its own figures: the year before holds the one event of 1000 gifted children.
    expect(await saveStudents(database.db, { academicYear: 2025, students: 999, setBy: admin.id, timeZone: TZ })).toMatchObject({
      ok: false,
      largest: { indicator: "gifted", value: 1000 },
    });
  });
});
