import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { Resvg } from "@resvg/resvg-js";

/**
 * Hand-written SVG charts, rendered to PNG with resvg and the bundled DejaVu fonts (Cyrillic
 * included), so the pictures never depend on the fonts of the machine. Each chart is a pure
 * function: data and the texts to show (already in the reader's language) in, an image out.
 * Data with nothing to draw gives a chart that says so (`noData`).
 */

const FONT = "DejaVu Sans";
/** Colours that stay apart for the colour-blind, then softer ones. */
export const PALETTE = ["#2b6cb0", "#dd6b20", "#38a169", "#d53f8c", "#805ad5", "#d69e2e", "#319795", "#e53e3e", "#718096", "#975a16"] as const;
const INK = "#1a202c";
const MUTED = "#4a5568";
const GRID = "#e2e8f0";
/** Telegram shows photos at up to 1280 px on the longer side. */
const MAX_OUTPUT = 1280;

let fontFiles: string[] | undefined;
function fonts(): string[] {
  if (!fontFiles) {
    const root = dirname(createRequire(import.meta.url).resolve("dejavu-fonts-ttf/package.json"));
    fontFiles = [join(root, "ttf", "DejaVuSans.ttf"), join(root, "ttf", "DejaVuSans-Bold.ttf")];
  }
  return fontFiles;
}

/** Renders an SVG to PNG, scaled up for sharpness within Telegram's photo size. */
export function svgToPng(svg: string, width: number, height: number): Buffer {
  const zoom = Math.min(2, MAX_OUTPUT / Math.max(width, height));
  const resvg = new Resvg(svg, {
    font: { fontFiles: fonts(), loadSystemFonts: false, defaultFontFamily: FONT },
    fitTo: { mode: "zoom", value: zoom },
    background: "#ffffff",
  });
  return resvg.render().asPng();
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&apos;");
}

/** A generous estimate of a text's width in DejaVu Sans (its letters are wide). */
export function textWidth(text: string, size: number, bold = false): number {
  return Array.from(text).length * size * (bold ? 0.66 : 0.61);
}

/** Shortens a label to fit `width` pixels, with an ellipsis. */
function fitText(text: string, size: number, width: number): string {
  const chars = Array.from(text);
  const max = Math.max(1, Math.floor(width / (size * 0.61)));
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join("")}…`;
}

interface TextOptions {
  size?: number;
  bold?: boolean;
  anchor?: "start" | "middle" | "end";
  color?: string;
}

function text(x: number, y: number, content: string, options: TextOptions = {}): string {
  const { size = 13, bold = false, anchor = "start", color = INK } = options;
  return `<text x="${round(x)}" y="${round(y)}" font-family="${FONT}" font-size="${size}"${bold ? ' font-weight="bold"' : ""} text-anchor="${anchor}" fill="${color}">${escapeXml(content)}</text>`;
}

const round = (n: number) => Math.round(n * 10) / 10;

function svgDocument(width: number, height: number, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">`,
    `<rect x="0" y="0" width="${width}" height="${height}" fill="#ffffff"/>`,
    ...body,
    "</svg>",
  ].join("\n");
}

/** A title (wrapped to two lines if long), returning the markup and the height it takes. */
function title(content: string, width: number): { markup: string[]; height: number } {
  const size = 20;
  const fits = textWidth(content, size, true) <= width - 40;
  if (fits) return { markup: [text(width / 2, 34, content, { size, bold: true, anchor: "middle" })], height: 52 };
  const words = content.split(" ");
  let first = "";
  for (const word of words) {
    const candidate = first ? `${first} ${word}` : word;
    if (textWidth(candidate, size, true) > width - 40 && first) break;
    first = candidate;
  }
  const second = fitText(content.slice(first.length).trim(), size, width - 40);
  return {
    markup: [text(width / 2, 32, first, { size, bold: true, anchor: "middle" }), text(width / 2, 58, second, { size, bold: true, anchor: "middle" })],
    height: 76,
  };
}

function noDataChart(heading: string, message: string, width = 800, height = 300): ChartImage {
  const head = title(heading, width);
  const svg = svgDocument(width, height, [...head.markup, text(width / 2, head.height + (height - head.height) / 2, message, { size: 16, anchor: "middle", color: MUTED })]);
  return { svg, width, height, empty: true };
}

/** A step for integer counts giving at most `ticks` grid lines: 1, 2, 5, 10, 20, 50… */
function countStep(max: number, ticks = 6): number {
  for (let magnitude = 1; ; magnitude *= 10) {
    for (const factor of [1, 2, 5]) {
      const step = factor * magnitude;
      if (Math.ceil(max / step) <= ticks) return step;
    }
  }
}

interface LegendItem {
  label: string;
  color: string;
  line?: boolean;
}

/** Legend items laid out in rows under the plot; returns the markup and the height used. */
function legend(items: LegendItem[], x0: number, y0: number, width: number): { markup: string[]; height: number } {
  const markup: string[] = [];
  const size = 13;
  const rowHeight = 22;
  let x = x0;
  let y = y0;
  for (const item of items) {
    const label = fitText(item.label, size, width - 40);
    const itemWidth = 22 + textWidth(label, size) + 22;
    if (x > x0 && x + itemWidth > x0 + width) {
      x = x0;
      y += rowHeight;
    }
    markup.push(
      item.line
        ? `<line x1="${x}" y1="${y - 4}" x2="${x + 16}" y2="${y - 4}" stroke="${item.color}" stroke-width="3"/><circle cx="${x + 8}" cy="${y - 4}" r="4" fill="${item.color}"/>`
        : `<rect x="${x}" y="${y - 12}" width="14" height="14" rx="2" fill="${item.color}"/>`,
      text(x + 22, y, label, { size }),
    );
    x += itemWidth;
  }
  return { markup, height: items.length === 0 ? 0 : y - y0 + rowHeight };
}

/** X labels: a "\n" splits a label into two lines (month, then year). Every `every`-th is shown. */
function xLabels(labels: string[], centre: (i: number) => number, y: number, every: number): string[] {
  const markup: string[] = [];
  labels.forEach((label, i) => {
    if (i % every !== 0) return;
    label.split("\n").forEach((line, n) => markup.push(text(centre(i), y + n * 16, line, { size: 12, anchor: "middle", color: MUTED })));
  });
  return markup;
}

export interface ChartImage {
  svg: string;
  width: number;
  height: number;
  /** Nothing to draw: the chart says `noData`. */
  empty: boolean;
}

export interface StackedBarChart {
  title: string;
  /** One per bar, e.g. months; "\n" breaks a label into two lines. */
  categories: string[];
  /** One value per category each; drawn bottom-up in this order. */
  series: { label: string; color: string; values: number[] }[];
  /** The y axis' caption, e.g. "events". */
  yTitle: string;
  noData: string;
}

/** Stacked vertical bars with a legend of the series that have any value, totals over the bars. */
export function stackedBarChart(chart: StackedBarChart): ChartImage {
  const n = chart.categories.length;
  const totals = chart.categories.map((_, i) => chart.series.reduce((sum, s) => sum + Math.max(0, s.values[i] ?? 0), 0));
  const max = Math.max(0, ...totals);
  if (n === 0 || max === 0) return noDataChart(chart.title, chart.noData);

  const slot = Math.max(18, Math.min(70, 900 / n));
  const left = 64;
  const right = 24;
  const plotWidth = slot * n;
  const width = Math.max(800, Math.ceil(left + plotWidth + right));
  const head = title(chart.title, width);
  const top = head.height + 14;
  const plotHeight = 320;
  const bottom = top + plotHeight;
  const step = countStep(max);
  const yMax = Math.ceil(max / step) * step;
  const y = (value: number) => bottom - (value / yMax) * plotHeight;
  const x0 = left + (width - left - right - plotWidth) / 2;
  const barWidth = slot * 0.68;
  const centre = (i: number) => x0 + slot * i + slot / 2;

  const body: string[] = [...head.markup];
  for (let v = 0; v <= yMax; v += step) {
    body.push(`<line x1="${left}" y1="${round(y(v))}" x2="${width - right}" y2="${round(y(v))}" stroke="${v === 0 ? MUTED : GRID}" stroke-width="1"/>`);
    body.push(text(left - 8, y(v) + 4, String(v), { size: 12, anchor: "end", color: MUTED }));
  }
  body.push(text(18, top + plotHeight / 2, chart.yTitle, { size: 12, anchor: "middle", color: MUTED }).replace("<text ", `<text transform="rotate(-90 18 ${round(top + plotHeight / 2)})" `));
  chart.categories.forEach((_, i) => {
    let base = 0;
    for (const series of chart.series) {
      const value = Math.max(0, series.values[i] ?? 0);
      if (value === 0) continue;
      body.push(
        `<rect x="${round(centre(i) - barWidth / 2)}" y="${round(y(base + value))}" width="${round(barWidth)}" height="${round(y(base) - y(base + value))}" fill="${series.color}"/>`,
      );
      base += value;
    }
    if ((totals[i] ?? 0) > 0 && slot >= 22) body.push(text(centre(i), y(totals[i]!) - 6, String(totals[i]), { size: 12, bold: true, anchor: "middle" }));
  });
  const every = Math.ceil(n / Math.max(1, Math.floor(plotWidth / 48)));
  body.push(...xLabels(chart.categories, centre, bottom + 20, every));
  const used = chart.series.filter((s) => s.values.some((v) => v > 0)).map((s) => ({ label: s.label, color: s.color }));
  const key = legend(used, left, bottom + 64, width - left - right);
  body.push(...key.markup);
  const height = Math.ceil(bottom + 64 + key.height + 8);
  return { svg: svgDocument(width, height, body), width, height, empty: false };
}

export interface LineChart {
  title: string;
  categories: string[];
  /** One value per category each; null is a gap. */
  series: { label: string; color: string; values: (number | null)[] }[];
  /** The y range, e.g. 1–5 for ratings, with a grid line every `yStep`. */
  yMin: number;
  yMax: number;
  yStep: number;
  yTitle: string;
  /** How values are written next to the points (e.g. "4,5" in Russian). */
  formatValue: (value: number) => string;
  noData: string;
}

/** Lines with points over a fixed y range; gaps where a value is missing; a legend. */
export function lineChart(chart: LineChart): ChartImage {
  const n = chart.categories.length;
  const hasData = chart.series.some((s) => s.values.some((v) => v !== null));
  if (n === 0 || !hasData) return noDataChart(chart.title, chart.noData);

  const slot = Math.max(18, Math.min(70, 900 / n));
  const left = 64;
  const right = 24;
  const plotWidth = slot * n;
  const width = Math.max(800, Math.ceil(left + plotWidth + right));
  const head = title(chart.title, width);
  const top = head.height + 14;
  const plotHeight = 300;
  const bottom = top + plotHeight;
  const clamp = (v: number) => Math.min(chart.yMax, Math.max(chart.yMin, v));
  const y = (value: number) => bottom - ((clamp(value) - chart.yMin) / (chart.yMax - chart.yMin)) * plotHeight;
  const x0 = left + (width - left - right - plotWidth) / 2;
  const centre = (i: number) => x0 + slot * i + slot / 2;

  const body: string[] = [...head.markup];
  for (let v = chart.yMin; v <= chart.yMax + 1e-9; v += chart.yStep) {
    body.push(`<line x1="${left}" y1="${round(y(v))}" x2="${width - right}" y2="${round(y(v))}" stroke="${v === chart.yMin ? MUTED : GRID}" stroke-width="1"/>`);
    body.push(text(left - 8, y(v) + 4, chart.formatValue(v), { size: 12, anchor: "end", color: MUTED }));
  }
  body.push(text(18, top + plotHeight / 2, chart.yTitle, { size: 12, anchor: "middle", color: MUTED }).replace("<text ", `<text transform="rotate(-90 18 ${round(top + plotHeight / 2)})" `));
  const labelled = slot >= 30 && n <= 24;
  chart.series.forEach((series, s) => {
    // Runs of consecutive values become polylines; a lone value is just its point.
    let run: string[] = [];
    const flush = () => {
      if (run.length > 1) body.push(`<polyline points="${run.join(" ")}" fill="none" stroke="${series.color}" stroke-width="3" stroke-linejoin="round"/>`);
      run = [];
    };
    series.values.forEach((value, i) => {
      if (value === null) return flush();
      run.push(`${round(centre(i))},${round(y(value))}`);
    });
    flush();
    series.values.forEach((value, i) => {
      if (value === null) return;
      body.push(`<circle cx="${round(centre(i))}" cy="${round(y(value))}" r="5" fill="${series.color}" stroke="#ffffff" stroke-width="1.5"/>`);
      // A value labels above its point unless another series is higher there (then below), so labels rarely collide.
      const others = chart.series.filter((_, o) => o !== s).map((o) => o.values[i] ?? null).filter((v): v is number => v !== null);
      const above = others.every((other) => value > other || (value === other && s === 0));
      if (labelled) body.push(text(centre(i), y(value) + (above ? -10 : 20), chart.formatValue(value), { size: 11, anchor: "middle", color: series.color }));
    });
  });
  const every = Math.ceil(n / Math.max(1, Math.floor(plotWidth / 48)));
  body.push(...xLabels(chart.categories, centre, bottom + 20, every));
  const key = legend(
    chart.series.filter((s) => s.values.some((v) => v !== null)).map((s) => ({ label: s.label, color: s.color, line: true })),
    left,
    bottom + 64,
    width - left - right,
  );
  body.push(...key.markup);
  const height = Math.ceil(bottom + 64 + key.height + 8);
  return { svg: svgDocument(width, height, body), width, height, empty: false };
}

export interface HorizontalBarChart {
  title: string;
  bars: { label: string; value: number }[];
  color: string;
  noData: string;
}

/** One horizontal bar per item, labels on the left, values at the bars' ends. Zero bars are kept (they are figures too). */
export function horizontalBarChart(chart: HorizontalBarChart): ChartImage {
  const max = Math.max(0, ...chart.bars.map((b) => b.value));
  if (chart.bars.length === 0 || max === 0) return noDataChart(chart.title, chart.noData);

  const width = 800;
  const head = title(chart.title, width);
  const size = 14;
  const labelWidth = Math.min(360, Math.max(...chart.bars.map((b) => textWidth(b.label, size))) + 8);
  const left = 24 + labelWidth;
  const right = 64;
  const rowHeight = 34;
  const top = head.height + 12;
  const plotWidth = width - left - right;
  const body: string[] = [...head.markup];
  chart.bars.forEach((bar, i) => {
    const yTop = top + i * rowHeight;
    const length = (Math.max(0, bar.value) / max) * plotWidth;
    body.push(text(left - 10, yTop + rowHeight / 2 + 5, fitText(bar.label, size, labelWidth), { size, anchor: "end" }));
    if (length > 0) body.push(`<rect x="${left}" y="${yTop + 6}" width="${round(Math.max(2, length))}" height="${rowHeight - 12}" rx="3" fill="${chart.color}"/>`);
    body.push(text(left + length + 8, yTop + rowHeight / 2 + 5, String(bar.value), { size, bold: true }));
  });
  body.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${top + chart.bars.length * rowHeight}" stroke="${MUTED}" stroke-width="1"/>`);
  const height = top + chart.bars.length * rowHeight + 20;
  return { svg: svgDocument(width, height, body), width, height, empty: false };
}

/** A chart as PNG. */
export function chartPng(image: ChartImage): Buffer {
  return svgToPng(image.svg, image.width, image.height);
}
