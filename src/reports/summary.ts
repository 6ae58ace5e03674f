import type { TFunction } from "i18next";
import type { Language } from "../config.js";
import { formatAverage } from "../feedback/index.js";
import { formatDay } from "../core/dates.js";
import { EVENT_BUCKETS, type ReportData, type ReportPeriod } from "./domain/data.js";
import { academicYearLabel, type Count, type SelfAssessment } from "./domain/self-assessment.js";

const LOCALES: Record<Language, string> = { ru: "ru-RU", en: "en-GB" };

/** A share as shown: «28,3 %», "28.3%", or «—» while the total of students is not given. */
export function formatShare(t: TFunction, language: Language, share: number | undefined): string {
  if (share === undefined) return "—";
  const value = new Intl.NumberFormat(LOCALES[language], { minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(share);
  return t("self_assessment.summary.percent", { value });
}

/**
 * The summary's «Показатели самообследования»: 1.8–1.11 with their shares, the gifted and ОВЗ
 * participants, and what the shares are of (or who can give the total: `admin` is the reader).
 */
export function selfAssessmentLines(t: TFunction, language: Language, figures: SelfAssessment, admin: boolean): string[] {
  const plain = { interpolation: { escapeValue: false } };
  const line = (key: string, count: Count) => t(`self_assessment.summary.${key}`, { ...plain, value: count.value, share: formatShare(t, language, count.share) });
  const years = academicYearLabel(figures.academicYear);
  return [
    t("self_assessment.summary.title"),
    line("mass_participants", figures.massParticipants.total),
    line("winners", figures.winners.total),
    line("project_students", figures.projectStudents.total),
    t("self_assessment.summary.mass_events", { value: figures.massEvents.total.value }),
    t("self_assessment.summary.categories", {
      ...plain,
      gifted: figures.gifted.value,
      giftedShare: formatShare(t, language, figures.gifted.share),
      disabilities: figures.disabilities.value,
      disabilitiesShare: formatShare(t, language, figures.disabilities.share),
    }),
    ...(figures.eventsWithoutResults > 0 ? [t("self_assessment.summary.without_results", { count: figures.eventsWithoutResults })] : []),
    figures.students !== undefined
      ? t("self_assessment.summary.shares", { count: figures.students, years })
      : t(admin ? "self_assessment.summary.shares_admin" : "self_assessment.summary.shares_staff"),
  ];
}

/** "01.09.2026 – 31.12.2026". */
export function periodLabel(t: TFunction, period: Pick<ReportPeriod, "firstDay" | "lastDay">): string {
  return t("report.period", { first: formatDay(period.firstDay), last: formatDay(period.lastDay), interpolation: { escapeValue: false } });
}

/**
 * The report's summary message (Telegram HTML): partners, events by status, participants by
 * category, satisfaction and the partners' response rate, the self-assessment indicators;
 * `skipped` names the charts left out; `admin`: the reader is an administrator (who can give the
 * total of students).
 */
export function renderReportSummary(t: TFunction, language: Language, data: ReportData, skipped: string[], admin = false): string {
  const list = (items: [string, number][], separator: string) =>
    items.filter(([, n]) => n > 0).map(([label, n]) => `${label} — ${n}`).join(separator);
  const lines = [t("report.summary.title", { period: periodLabel(t, data.period) }), ""];

  const { partners } = data;
  lines.push(t("report.summary.partners_title"), t("report.summary.partners_registered", { count: partners.registered, new: partners.newInPeriod }));
  if (partners.archived > 0) lines.push(t("report.summary.partners_archived", { count: partners.archived }));
  if (partners.registered > 0) {
    const stages = (["preparatory", "organisational", "system_forming"] as const).map((s): [string, number] => [t(`report.stages.${s}`), partners.byStage[s]]);
    lines.push(t("report.summary.partners_by_stage", { list: list(stages, ", "), interpolation: { escapeValue: false } }));
  }

  lines.push("", t("report.summary.events_title", { count: data.events.total }));
  if (data.events.total === 0) lines.push(t("report.summary.events_none"));
  else lines.push(list(EVENT_BUCKETS.map((b): [string, number] => [t(`report.buckets.${b}`), data.events.byStatus[b]]), "; "));

  const p = data.participants;
  if (p.total > 0) {
    lines.push(
      "",
      t("report.summary.participants_title", { count: p.total }),
      list(
        [
          [t("report.categories.gifted"), p.gifted],
          [t("report.categories.disabilities"), p.disabilities],
          [t("report.categories.career_guidance"), p.careerGuidance],
          [t("report.categories.other"), p.other],
        ],
        "; ",
      ),
    );
  }

  const { satisfaction } = data;
  lines.push("", t("report.summary.satisfaction_title"));
  const rating = (source: "partners" | "participants") => {
    const value = satisfaction[source];
    return value
      ? t(`report.summary.satisfaction_${source}`, { count: value.count, average: formatAverage(value.average, language) })
      : t(`report.summary.satisfaction_${source}_none`);
  };
  lines.push(rating("partners"));
  const response = satisfaction.responseRate;
  lines.push(
    response.rate === null
      ? t("report.summary.response_rate_none")
      : t("report.summary.response_rate", { answered: response.answered, sent: response.sent, percent: Math.round(response.rate * 100) }),
  );
  lines.push(rating("participants"));

  lines.push("", ...selfAssessmentLines(t, language, data.selfAssessment, admin));

  if (skipped.length > 0) lines.push("", t("report.summary.charts_skipped", { list: skipped.join(", "), interpolation: { escapeValue: false } }));
  return lines.join("\n");
}
