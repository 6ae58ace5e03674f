import type { TFunction } from "i18next";
import type { Language } from "../config.js";
import { formatAverage } from "../feedback/index.js";
import { formatDay } from "../core/dates.js";
import { EVENT_BUCKETS, type ReportData, type ReportPeriod } from "./domain/data.js";

/** "01.09.2026 – 31.12.2026". */
export function periodLabel(t: TFunction, period: Pick<ReportPeriod, "firstDay" | "lastDay">): string {
  return t("report.period", { first: formatDay(period.firstDay), last: formatDay(period.lastDay), interpolation: { escapeValue: false } });
}

/**
 * The report's summary message (Telegram HTML): partners, events by status, participants by
 * category, satisfaction and the partners' response rate; `skipped` names the charts left out.
 */
export function renderReportSummary(t: TFunction, language: Language, data: ReportData, skipped: string[]): string {
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

  if (skipped.length > 0) lines.push("", t("report.summary.charts_skipped", { list: skipped.join(", "), interpolation: { escapeValue: false } }));
  return lines.join("\n");
}
