import type { TFunction } from "i18next";
import type { Language } from "../config.js";
import { EVENT_FORMATS, PARTNER_TYPES } from "../partners/index.js";
import type { ReportData } from "./domain/data.js";
import { type ChartImage, horizontalBarChart, lineChart, PALETTE, stackedBarChart } from "./charts.js";

export const REPORT_CHARTS = ["formats", "satisfaction", "types", "stages"] as const;
export type ReportChartKey = (typeof REPORT_CHARTS)[number];

export interface ReportChart {
  key: ReportChartKey;
  /** The chart's title, as drawn (plain text). */
  title: string;
  image: ChartImage;
}

const LOCALES: Record<Language, string> = { ru: "ru-RU", en: "en-GB" };

/** Month captions for the x axis: "сент." / "Sep", with the year under the first month and every January. */
export function monthLabels(months: string[], language: Language): string[] {
  const format = new Intl.DateTimeFormat(LOCALES[language], { month: "short", timeZone: "UTC" });
  return months.map((month, i) => {
    const [year, number] = month.split("-").map(Number) as [number, number];
    const name = format.format(new Date(Date.UTC(year, number - 1, 1)));
    return i === 0 || number === 1 ? `${name}\n${year}` : name;
  });
}

/**
 * The report's four charts in the reader's language: held events by format per month,
 * the average rating per month (partners and participants), partners by type and by stage.
 */
export function reportCharts(data: ReportData, t: TFunction, language: Language): ReportChart[] {
  const text = (key: string) => t(`report.charts.${key}`, { interpolation: { escapeValue: false } });
  const categories = monthLabels(data.months, language);
  const noData = text("no_data");
  const index = new Map(data.months.map((m, i) => [m, i]));

  const formats = EVENT_FORMATS.map((format, f) => {
    const values = data.months.map(() => 0);
    for (const cell of data.events.byMonthFormat) {
      const i = index.get(cell.month);
      if (cell.format === format && i !== undefined) values[i] = cell.counts.held;
    }
    return { label: t(`agreements.formats.${format}`), color: PALETTE[f % PALETTE.length]!, values };
  }).filter((s) => s.values.some((v) => v > 0));

  const average = new Intl.NumberFormat(LOCALES[language], { maximumFractionDigits: 1 });
  const charts: ReportChart[] = [
    {
      key: "formats",
      title: text("formats_title"),
      image: stackedBarChart({ title: text("formats_title"), categories, series: formats, yTitle: text("formats_y"), noData }),
    },
    {
      key: "satisfaction",
      title: text("satisfaction_title"),
      image: lineChart({
        title: text("satisfaction_title"),
        categories,
        series: [
          { label: text("partners"), color: PALETTE[0], values: data.satisfaction.byMonth.map((m) => m.partners?.average ?? null) },
          { label: text("participants"), color: PALETTE[1], values: data.satisfaction.byMonth.map((m) => m.participants?.average ?? null) },
        ],
        yMin: 1,
        yMax: 5,
        yStep: 1,
        yTitle: text("satisfaction_y"),
        formatValue: (v) => average.format(v),
        noData,
      }),
    },
    {
      key: "types",
      title: text("types_title"),
      image: horizontalBarChart({
        title: text("types_title"),
        color: PALETTE[0],
        bars: PARTNER_TYPES.filter((type) => data.partners.byType[type] > 0).map((type) => ({ label: t(`partners.types.${type}`), value: data.partners.byType[type] })),
        noData,
      }),
    },
    {
      key: "stages",
      title: text("stages_title"),
      image: horizontalBarChart({
        title: text("stages_title"),
        color: PALETTE[2],
        bars: (["preparatory", "organisational", "system_forming"] as const).map((stage) => ({
          label: t(`partners.stages.${stage}`),
          value: data.partners.byStage[stage],
        })),
        noData,
      }),
    },
  ];
  return charts;
}
