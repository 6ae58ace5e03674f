import { periodOf, type ReportData } from "../../src/reports/domain/data.js";
import { type Count, type Indicator, INDICATOR_LEVELS, type SelfAssessment } from "../../src/reports/domain/self-assessment.js";

const zero = { held: 0, approved: 0, proposed: 0, cancelled: 0, rejected: 0 };

const count = (value: number): Count => ({ value, share: undefined });
const indicator = (total: number, byLevel: number[] = []): Indicator => ({
  total: count(total),
  byLevel: Object.fromEntries(INDICATOR_LEVELS.map((level, i) => [level, count(byLevel[i] ?? 0)])) as Indicator["byLevel"],
});

/** The self-assessment of autumn 2026: one municipal contest (1 participant… 4), nothing else of mass. */
export function autumnAssessment(): SelfAssessment {
  const period = periodOf("custom", "2026-09-01", "2026-12-31", "Asia/Irkutsk");
  return {
    from: period.from,
    to: period.to,
    academicYear: 2026,
    students: undefined,
    massParticipants: indicator(26, [4]),
    winners: indicator(2, [2]),
    eventsWithoutResults: 0,
    projectStudents: indicator(0),
    massEvents: indicator(3, [1]),
    gifted: count(9),
    disabilities: count(2),
  };
}

/** A report of autumn 2026, made by hand: for the charts and the workbook, without a database. */
export function autumnReport(): ReportData {
  return {
    period: periodOf("custom", "2026-09-01", "2026-12-31", "Asia/Irkutsk"),
    months: ["2026-09", "2026-10", "2026-11", "2026-12"],
    partners: {
      registered: 3,
      newInPeriod: 1,
      archived: 1,
      byType: { school: 2, university: 1, college: 0, science_centre: 0, government_body: 0, public_organisation: 0, business: 0, culture_organisation: 0, other: 0 },
      byStage: { preparatory: 1, organisational: 0, system_forming: 2 },
    },
    events: {
      total: 4,
      byStatus: { held: 3, approved: 0, proposed: 1, cancelled: 0, rejected: 0 },
      byMonthFormat: [
        { month: "2026-09", format: "master_class", counts: { ...zero, held: 2 } },
        { month: "2026-10", format: "excursion", counts: { ...zero, held: 1 } },
        { month: "2026-11", format: "round_table", counts: { ...zero, proposed: 1 } },
      ],
    },
    participants: { gifted: 9, disabilities: 2, careerGuidance: 3, other: 12, total: 26 },
    satisfaction: {
      partners: { average: 4.3, count: 3 },
      participants: { average: 3.7, count: 3 },
      responseRate: { sent: 4, answered: 3, rate: 0.75 },
      byMonth: [
        { month: "2026-09", partners: { average: 4.5, count: 2 }, participants: { average: 4.5, count: 2 } },
        { month: "2026-10", partners: { average: 4, count: 1 }, participants: { average: 2, count: 1 } },
        { month: "2026-11", partners: null, participants: null },
        { month: "2026-12", partners: null, participants: null },
      ],
    },
    selfAssessment: autumnAssessment(),
    rows: {
      partners: [
        {
          id: 1,
          fullName: "Средняя общеобразовательная школа № 5",
          shortName: "СОШ № 5",
          type: "school",
          ownerKind: "department",
          ownerUnitName: "Технический отдел",
          ownerUserName: null,
          focuses: ["technical", "arts"],
          stage: "system_forming",
          createdAt: new Date("2026-09-10T03:00:00Z"),
          agreement: { number: "7/2026", signedOn: "2026-08-25", validFrom: "2026-09-01", validTo: "2027-08-31" },
          heldEvents: 2,
        },
        {
          id: 2,
          fullName: "Лицей № 2 города Иркутска",
          shortName: null,
          type: "university",
          ownerKind: "teacher",
          ownerUnitName: null,
          ownerUserName: "Мария Петрова",
          focuses: [],
          stage: "preparatory",
          createdAt: new Date("2025-05-01T03:00:00Z"),
          agreement: null,
          heldEvents: 1,
        },
      ],
      events: [
        {
          id: 10,
          title: "Мастер-класс по робототехнике",
          format: "master_class",
          status: "held",
          startsAt: new Date("2026-09-15T07:00:00Z"),
          endsAt: new Date("2026-09-15T09:00:00Z"),
          place: "Дворец творчества, каб. 12",
          partners: "Лицей № 2, СОШ № 5",
          unitName: "Технический отдел",
          responsibleName: "Мария Петрова",
          participants: { gifted: 5, disabilities: 1, careerGuidance: 2, other: 4, total: 12 },
          result: "Собрали трёх роботов",
          level: "municipal",
          winners: null,
          prizeWinners: null,
          projectStudents: null,
        },
        {
          id: 11,
          title: "Круглый стол «Профессии будущего»",
          format: "round_table",
          status: "proposed",
          startsAt: new Date("2026-11-01T07:00:00Z"),
          endsAt: new Date("2026-11-01T08:30:00Z"),
          place: null,
          partners: "СОШ № 5",
          unitName: null,
          responsibleName: "Олег Сидоров",
          participants: null,
          result: null,
          level: "institutional",
          winners: null,
          prizeWinners: null,
          projectStudents: null,
        },
      ],
      eventFeedback: [
        {
          eventId: 10,
          title: "Мастер-класс по робототехнике",
          format: "master_class",
          startsAt: new Date("2026-09-15T07:00:00Z"),
          partners: "Лицей № 2, СОШ № 5",
          promptsSent: 3,
          partnerAnswers: 2,
          responseRate: 2 / 3,
          partnerAverage: 4,
          participantAnswers: 2,
          participantAverage: 4.5,
        },
      ],
      partnerFeedback: [
        { partnerId: 2, name: "Лицей № 2", promptsSent: 1, partnerAnswers: 1, responseRate: 1, partnerAverage: 3, participantAnswers: 2, participantAverage: 4.5 },
        { partnerId: 1, name: "СОШ № 5", promptsSent: 3, partnerAnswers: 2, responseRate: 2 / 3, partnerAverage: 4.5, participantAnswers: 3, participantAverage: 3.7 },
      ],
    },
  };
}
