import { createRequire } from "node:module";
import { beforeAll, describe, expect, it } from "vitest";
import { createI18n, type I18n } from "../../src/core/i18n.js";
import {
  type ChartImage,
  chartPng,
  horizontalBarChart,
  lineChart,
  PALETTE,
  stackedBarChart,
  type StackedBarChart,
} from "../../src/reports/charts.js";
import { monthLabels, reportCharts } from "../../src/reports/report-charts.js";
import { autumnReport } from "./report-fixture.js";

// pngjs comes with qrcode.
const { PNG } = createRequire(import.meta.url)("pngjs") as {
  PNG: { sync: { read(buffer: Buffer): { width: number; height: number; data: Buffer } } };
};

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Renders a chart and checks it is a PNG of the chart's size, scaled to at most 1280 px. */
function decoded(image: ChartImage) {
  const png = chartPng(image);
  expect([...png.subarray(0, 8)]).toEqual(SIGNATURE);
  const picture = PNG.sync.read(png);
  const zoom = Math.min(2, 1280 / Math.max(image.width, image.height));
  expect(Math.abs(picture.width - image.width * zoom)).toBeLessThanOrEqual(1);
  expect(Math.abs(picture.height - image.height * zoom)).toBeLessThanOrEqual(1);
  return { png, picture };
}

/** How many pixels differ between two pictures of the same size. */
function differingPixels(a: { data: Buffer }, b: { data: Buffer }): number {
  let count = 0;
  for (let i = 0; i < a.data.length; i += 4) if (a.data.readUInt32BE(i) !== b.data.readUInt32BE(i)) count++;
  return count;
}

const months = ["сент.\n2026", "окт.", "нояб.", "дек."];
const bars = (values: number[], title = "Проведённые мероприятия по форматам"): StackedBarChart => ({
  title,
  categories: months,
  series: [
    { label: "Мастер-класс", color: PALETTE[0], values },
    { label: "Экскурсия", color: PALETTE[1], values: [1, 0, 0, 2] },
  ],
  yTitle: "мероприятий",
  noData: "Нет данных за период",
});

describe("charts", () => {
  it("draws stacked bars as a PNG that changes when the data changes", () => {
    const first = decoded(stackedBarChart(bars([2, 1, 0, 3])));
    const second = decoded(stackedBarChart(bars([2, 4, 0, 3])));
    expect(second.png.equals(first.png)).toBe(false);
    expect(differingPixels(first.picture, second.picture)).toBeGreaterThan(500);
    const svg = stackedBarChart(bars([2, 1, 0, 3])).svg;
    expect(svg).toContain(">Мастер-класс<");
    expect(svg).toContain(">сент.<");
    expect(svg).toContain(">2026<");
  });

  it("renders the text with the bundled fonts: another title gives other pixels", () => {
    const a = decoded(stackedBarChart(bars([2, 1, 0, 3], "Мероприятия")));
    const b = decoded(stackedBarChart(bars([2, 1, 0, 3], "События")));
    expect(differingPixels(a.picture, b.picture)).toBeGreaterThan(100);
  });

  it("escapes text for SVG", () => {
    const image = stackedBarChart(bars([1, 1, 1, 1], "Партнёры <ООО «Рога & копыта»>"));
    expect(image.svg).toContain("Партнёры &lt;ООО «Рога &amp; копыта»&gt;");
    decoded(image);
  });

  it("draws a satisfaction line with gaps on a 1–5 scale", () => {
    const chart = (values: (number | null)[]) =>
      lineChart({
        title: "Средняя оценка по месяцам",
        categories: months,
        series: [
          { label: "Партнёры", color: PALETTE[0], values },
          { label: "Участники", color: PALETTE[1], values: [4.5, null, 3, 5] },
        ],
        yMin: 1,
        yMax: 5,
        yStep: 1,
        yTitle: "оценка",
        formatValue: (v) => String(v).replace(".", ","),
        noData: "Нет данных",
      });
    const image = chart([4.5, 4, null, null]);
    expect(image.empty).toBe(false);
    // One polyline per run of values: partners Sep–Oct, participants Nov–Dec; Sep alone is a point.
    expect(image.svg.match(/<polyline/g)).toHaveLength(2);
    expect(image.svg.match(/<circle/g)!.length).toBe(2 + 3 + 2);
    expect(image.svg).toContain(">4,5<");
    const first = decoded(image);
    const second = decoded(chart([4.5, 2, null, null]));
    expect(differingPixels(first.picture, second.picture)).toBeGreaterThan(100);
  });

  it("draws horizontal bars, and says so when there is nothing to draw", () => {
    const chart = (school: number) =>
      horizontalBarChart({
        title: "Партнёры по типам",
        color: PALETTE[0],
        bars: [
          { label: "Школа", value: school },
          { label: "Вуз", value: 1 },
        ],
        noData: "Нет данных за период",
      });
    const first = decoded(chart(3));
    const second = decoded(chart(5));
    expect(differingPixels(first.picture, second.picture)).toBeGreaterThan(100);

    for (const empty of [
      horizontalBarChart({ title: "Партнёры по этапам", color: PALETTE[2], bars: [], noData: "Нет данных за период" }),
      horizontalBarChart({ title: "Партнёры по этапам", color: PALETTE[2], bars: [{ label: "Школа", value: 0 }], noData: "Нет данных за период" }),
      stackedBarChart({ ...bars([]), series: [{ label: "Выставка", color: PALETTE[8], values: [0, 0, 0, 0] }] }),
      stackedBarChart({ ...bars([]), categories: [] }),
      lineChart({ title: "Оценки", categories: months, series: [{ label: "П", color: PALETTE[0], values: [null, null, null, null] }], yMin: 1, yMax: 5, yStep: 1, yTitle: "", formatValue: String, noData: "Нет данных за период" }),
    ]) {
      expect(empty.empty).toBe(true);
      expect(empty.svg).toContain(">Нет данных за период<");
      decoded(empty);
    }
    // A partial series does not make the stacked chart empty.
    expect(stackedBarChart({ ...bars([0, 0, 0, 0]), series: [{ label: "Выставка", color: PALETTE[8], values: [0, 0, 1, 0] }] }).empty).toBe(false);
  });

  it("keeps a long period (five years of months) within Telegram's photo size", () => {
    const many = Array.from({ length: 60 }, (_, i) => String(i));
    const image = stackedBarChart({ ...bars([]), categories: many, series: [{ label: "Мастер-класс", color: PALETTE[0], values: many.map((_, i) => i % 4) }] });
    const { picture } = decoded(image);
    expect(Math.max(picture.width, picture.height)).toBeLessThanOrEqual(1280);
  });
});

describe("the report's charts", () => {
  let i18n: I18n;
  beforeAll(async () => {
    i18n = await createI18n();
  });

  it("label months in the reader's language", () => {
    expect(monthLabels(["2026-11", "2026-12", "2027-01", "2027-02"], "ru")).toEqual(["нояб.\n2026", "дек.", "янв.\n2027", "февр."]);
    expect(monthLabels(["2026-11", "2026-12", "2027-01", "2027-02"], "en")).toEqual(["Nov\n2026", "Dec", "Jan\n2027", "Feb"]);
  });

  it("draws the four charts in Russian and in English from the report's figures", () => {
    for (const [language, titles, format] of [
      ["ru", ["Проведённые совместные мероприятия по форматам", "Средняя оценка по месяцам (из 5)", "Партнёры по типам организаций", "Партнёры по этапам партнёрства"], "Мастер-класс"],
      ["en", ["Joint events held, by format", "Average rating by month (out of 5)", "Partners by type of organisation", "Partners by partnership stage"], "Master class"],
    ] as const) {
      const charts = reportCharts(autumnReport(), i18n.fixedT(language), language);
      expect(charts.map((c) => c.key)).toEqual(["formats", "satisfaction", "types", "stages"]);
      expect(charts.map((c) => c.title)).toEqual(titles);
      expect(charts.every((c) => !c.image.empty)).toBe(true);
      expect(charts[0]!.image.svg).toContain(`>${format}<`);
      // Only formats with held events are in the legend: the proposed round table is not.
      expect(charts[0]!.image.svg).not.toContain(language === "ru" ? "Круглый стол" : "Round table");
      for (const chart of charts) decoded(chart.image);
    }
  });

  it("are empty when the period has no data", () => {
    const data = autumnReport();
    data.events.byMonthFormat = [];
    data.satisfaction.byMonth = data.satisfaction.byMonth.map((m) => ({ ...m, partners: null, participants: null }));
    data.partners.byType = { ...data.partners.byType, school: 0, university: 0 };
    data.partners.byStage = { preparatory: 0, organisational: 0, system_forming: 0 };
    const charts = reportCharts(data, i18n.fixedT("en"), "en");
    expect(charts.map((c) => c.image.empty)).toEqual([true, true, true, true]);
    expect(charts[0]!.image.svg).toContain(">No data for the period<");
  });
});
