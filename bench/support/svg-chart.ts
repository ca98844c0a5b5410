/** One measured point: the median of several runs, with the smallest and largest run. */
export interface ChartPoint {
  readonly x: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

/** A named curve; its points are drawn in order of x whatever order they come in. */
export interface ChartSeries {
  readonly name: string;
  readonly points: readonly ChartPoint[];
}

/** What a line chart shows: its texts, its curves and the lines they are measured against. */
export interface ChartOptions {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly series: readonly ChartSeries[];
  /** Logarithmic x axis (e.g. run sizes 10..2000); linear when absent. */
  readonly xLog?: boolean;
  /** Horizontal reference lines, e.g. { y: 1000, label: 'p99 = 1 s' } or a ceiling. */
  readonly references?: ReadonlyArray<{ readonly y: number; readonly label: string }>;
}

interface Tick {
  readonly value: number;
  readonly label: string;
}

interface Axis {
  readonly ticks: readonly Tick[];
  readonly toPixel: (value: number) => number;
}

interface Plot {
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
}

interface LegendEntry {
  readonly name: string;
  readonly colour: string;
  readonly x: number;
  readonly row: number;
}

const WIDTH = 720;
const HEIGHT = 420;
// Okabe-Ito without its yellow, too faint on white, and its black, which the axes use.
const PALETTE = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9'];
const TICK_FONT = 12;
const LABEL_FONT = 13;
const TITLE_FONT = 16;
const MIN_INTERVALS = 4;
const MAX_INTERVALS = 6;
// Keeps points on the first and last x clear of the y axis and the right edge.
const X_INSET = 14;
const LEGEND_ROW = 18;
const LEGEND_TOP = 50;
const CAP = 4;
const RADIUS = 3.5;
// Absorbs float error in value / step so that a value on a tick does not open one more interval.
const EPSILON = 1e-9;

/** A complete standalone SVG document (string) of a line chart. */
export function lineChart(options: ChartOptions): string {
  assertDrawable(options);
  const points = options.series.flatMap((series) => series.points);
  const references = options.references ?? [];
  const yTicks = niceTicks(0, Math.max(0, ...points.map((point) => point.max), ...references.map((reference) => reference.y)) || 1);
  const left = 34 + Math.max(...yTicks.map((tick) => textWidth(tick.label, TICK_FONT))) + 8;
  const right = WIDTH - 24;
  const legend = options.series.length > 1 ? legendLayout(options.series.map((series) => series.name), left, right) : [];
  const rows = legend.length === 0 ? 0 : legend[legend.length - 1].row + 1;
  const plot: Plot = { left, right, top: rows === 0 ? 48 : LEGEND_TOP + (rows - 1) * LEGEND_ROW + 22, bottom: HEIGHT - 56 };
  const xs = points.map((point) => point.x);
  const x = options.xLog === true ? logAxis(xs, plot.left + X_INSET, plot.right - X_INSET) : linearAxis(xs, plot.left + X_INSET, plot.right - X_INSET);
  const y = scaleAxis(yTicks, plot.bottom, plot.top);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="${TICK_FONT}">`,
    `<title>${escapeXml(options.title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#ffffff"/>`,
    text(WIDTH / 2, 28, options.title, `text-anchor="middle" font-size="${TITLE_FONT}" font-weight="bold"`),
    ...yAxis(y, plot, options.yLabel),
    ...xAxis(x, plot, options.xLabel),
    ...references.map((reference) => referenceLine(y.toPixel(reference.y), plot)),
    ...options.series.flatMap((series, index) => seriesShapes(series, PALETTE[index], x, y)),
    ...references.map((reference) => referenceLabel(y.toPixel(reference.y), reference.label, plot)),
    ...legend.flatMap(legendShapes),
    '</svg>',
    '',
  ].join('\n');
}

/** Fails on what would draw a misleading chart, or none, rather than drawing it. */
function assertDrawable(options: ChartOptions): void {
  if (options.series.length > PALETTE.length) {
    throw new RangeError(`a chart tells at most ${PALETTE.length} series apart, not ${options.series.length}`);
  }
  const points = options.series.flatMap((series) => series.points);
  if (points.length === 0) {
    throw new RangeError(`chart "${options.title}" has no points`);
  }
  const values = [...points.flatMap((point) => [point.x, point.median, point.min, point.max]), ...(options.references ?? []).map((reference) => reference.y)];
  if (!values.every(Number.isFinite)) {
    throw new RangeError(`chart "${options.title}" has a value that is not a finite number`);
  }
  if (options.xLog === true && points.some((point) => point.x <= 0)) {
    throw new RangeError(`chart "${options.title}" has an x <= 0 on a logarithmic axis`);
  }
}

/** Ticks 1, 2 or 5 × 10^n apart covering lo..hi in 4 to 6 intervals: the coarsest step that needs no more than 6. */
function niceTicks(lo: number, hi: number): Tick[] {
  for (let exponent = Math.floor(Math.log10(hi - lo)) - 1; ; exponent += 1) {
    for (const multiple of [1, 2, 5]) {
      const step = multiple * 10 ** exponent;
      const first = Math.floor(lo / step + EPSILON);
      const last = Math.ceil(hi / step - EPSILON);
      if (last - first <= MAX_INTERVALS) {
        // Too few intervals say little about the scale, so a short range is stretched at the top.
        const count = Math.max(MIN_INTERVALS, last - first) + 1;
        const decimals = Math.max(0, -exponent);
        return Array.from({ length: count }, (_, index) => {
          const value = (first + index) * step;
          return { value, label: formatNumber(value, decimals) };
        });
      }
    }
  }
}

/** Maps the range of the first to the last tick onto from..to (to may be above from, as on a y axis). */
function scaleAxis(ticks: readonly Tick[], from: number, to: number): Axis {
  const lo = ticks[0].value;
  const hi = ticks[ticks.length - 1].value;
  return { ticks, toPixel: (value) => from + ((value - lo) / (hi - lo)) * (to - from) };
}

function linearAxis(xs: readonly number[], from: number, to: number): Axis {
  const lo = Math.min(...xs);
  const hi = Math.max(...xs);
  // A single x has no range of its own, so it gets one around it.
  const pad = hi > lo ? 0 : Math.abs(lo) / 2 || 1;
  return scaleAxis(niceTicks(lo - pad, hi + pad), from, to);
}

/** Ticks at the measured x values themselves: they are the sizes that were run, and rarely powers of ten. */
function logAxis(xs: readonly number[], from: number, to: number): Axis {
  const values = [...new Set(xs)].sort((a, b) => a - b);
  const lo = Math.log10(values[0]);
  const hi = Math.log10(values[values.length - 1]);
  const ticks = values.map((value) => ({ value, label: formatNumber(value, fractionDigits(value)) }));
  const toPixel = hi > lo ? (value: number) => from + ((Math.log10(value) - lo) / (hi - lo)) * (to - from) : () => (from + to) / 2;
  return { ticks, toPixel };
}

/** Places legend entries left to right, wrapping onto a new row where one would pass the plot's right edge. */
function legendLayout(names: readonly string[], left: number, right: number): LegendEntry[] {
  const entries: LegendEntry[] = [];
  let x = left;
  let row = 0;
  names.forEach((name, index) => {
    const width = 26 + textWidth(name, TICK_FONT);
    if (x > left && x + width > right) {
      x = left;
      row += 1;
    }
    entries.push({ name, colour: PALETTE[index], x, row });
    x += width + 18;
  });
  return entries;
}

function yAxis(axis: Axis, plot: Plot, label: string): string[] {
  const middle = (plot.top + plot.bottom) / 2;
  return [
    ...axis.ticks.flatMap((tick) => {
      const y = axis.toPixel(tick.value);
      return [
        `<line x1="${num(plot.left)}" y1="${num(y)}" x2="${num(plot.right)}" y2="${num(y)}" stroke="#e6e6e6"/>`,
        `<line x1="${num(plot.left - 5)}" y1="${num(y)}" x2="${num(plot.left)}" y2="${num(y)}" stroke="#333333"/>`,
        // Half a digit's height below the tick centres the label on it in any renderer.
        text(plot.left - 8, y + TICK_FONT / 3, tick.label, 'text-anchor="end"'),
      ];
    }),
    `<line x1="${num(plot.left)}" y1="${num(plot.top)}" x2="${num(plot.left)}" y2="${num(plot.bottom)}" stroke="#333333"/>`,
    text(18, middle, label, `text-anchor="middle" font-size="${LABEL_FONT}" transform="rotate(-90 18 ${num(middle)})"`),
  ];
}

function xAxis(axis: Axis, plot: Plot, label: string): string[] {
  return [
    `<line x1="${num(plot.left)}" y1="${num(plot.bottom)}" x2="${num(plot.right)}" y2="${num(plot.bottom)}" stroke="#333333"/>`,
    ...axis.ticks.map((tick) => {
      const x = axis.toPixel(tick.value);
      return `<line x1="${num(x)}" y1="${num(plot.bottom)}" x2="${num(x)}" y2="${num(plot.bottom + 5)}" stroke="#333333"/>`;
    }),
    ...readableTicks(axis).map((tick) => text(axis.toPixel(tick.value), plot.bottom + 20, tick.label, 'text-anchor="middle"')),
    text((plot.left + plot.right) / 2, HEIGHT - 14, label, `text-anchor="middle" font-size="${LABEL_FONT}"`),
  ];
}

/** The ticks whose labels do not run into the previous one kept: a log axis may put measured x values close together. */
function readableTicks(axis: Axis): Tick[] {
  const kept: Tick[] = [];
  let edge = Number.NEGATIVE_INFINITY;
  for (const tick of axis.ticks) {
    const half = textWidth(tick.label, TICK_FONT) / 2;
    const x = axis.toPixel(tick.value);
    if (x - half >= edge + 4) {
      kept.push(tick);
      edge = x + half;
    }
  }
  return kept;
}

function referenceLine(y: number, plot: Plot): string {
  return `<line x1="${num(plot.left)}" y1="${num(y)}" x2="${num(plot.right)}" y2="${num(y)}" stroke="#888888" stroke-width="1.2" stroke-dasharray="6 4"/>`;
}

/** Drawn after the curves, with a white halo, so that a curve passing under the label does not hide it. */
function referenceLabel(y: number, label: string, plot: Plot): string {
  return text(plot.right, y - 5, label, 'text-anchor="end" fill="#555555" stroke="#ffffff" stroke-width="3" paint-order="stroke"');
}

function seriesShapes(series: ChartSeries, colour: string, x: Axis, y: Axis): string[] {
  const points = [...series.points].sort((a, b) => a.x - b.x);
  const line = points.map((point) => `${num(x.toPixel(point.x))},${num(y.toPixel(point.median))}`).join(' ');
  return [
    ...points.flatMap((point) => errorBar(x.toPixel(point.x), y.toPixel(point.min), y.toPixel(point.max), colour)),
    // A polyline of one point draws nothing; the circle alone marks a single measurement.
    ...(points.length > 1 ? [`<polyline points="${line}" fill="none" stroke="${colour}" stroke-width="2" stroke-linejoin="round"/>`] : []),
    ...points.map((point) => `<circle cx="${num(x.toPixel(point.x))}" cy="${num(y.toPixel(point.median))}" r="${RADIUS}" fill="${colour}"/>`),
  ];
}

/**
 * Empty when the spread is within the point's circle: the bar would hide behind it and its caps would
 * read as a cross through the point. The circle itself then says the runs agree that closely.
 */
function errorBar(x: number, yMin: number, yMax: number, colour: string): string[] {
  if (yMin - yMax <= 2 * RADIUS) {
    return [];
  }
  const caps = `M${num(x - CAP)} ${num(yMin)}H${num(x + CAP)}M${num(x - CAP)} ${num(yMax)}H${num(x + CAP)}`;
  return [`<path d="M${num(x)} ${num(yMin)}V${num(yMax)}${caps}" fill="none" stroke="${colour}" stroke-width="1.2"/>`];
}

function legendShapes(entry: LegendEntry): string[] {
  const y = LEGEND_TOP - 4 + entry.row * LEGEND_ROW;
  return [
    `<line x1="${num(entry.x)}" y1="${num(y)}" x2="${num(entry.x + 20)}" y2="${num(y)}" stroke="${entry.colour}" stroke-width="2"/>`,
    `<circle cx="${num(entry.x + 10)}" cy="${num(y)}" r="${RADIUS}" fill="${entry.colour}"/>`,
    text(entry.x + 26, y + TICK_FONT / 3, entry.name, ''),
  ];
}

function text(x: number, y: number, content: string, attributes: string): string {
  return `<text x="${num(x)}" y="${num(y)}"${attributes === '' ? '' : ` ${attributes}`}>${escapeXml(content)}</text>`;
}

/** Layout has no access to font metrics, so text is measured at a generous 0.6 em a character. */
function textWidth(content: string, fontSize: number): number {
  return content.length * fontSize * 0.6;
}

/** Fixed decimals with comma-separated thousands, e.g. 10,000 or 1,234.5. */
function formatNumber(value: number, decimals: number): string {
  const [whole, fraction] = value.toFixed(decimals).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+$)/g, ',');
  return decimals === 0 ? grouped : `${grouped}.${fraction}`;
}

function fractionDigits(value: number): number {
  const [, fraction = ''] = String(value).split('.');
  return fraction.length;
}

/** One decimal is finer than a pixel and keeps the document small and stable. */
function num(value: number): string {
  return String(Math.round(value * 10) / 10);
}

function escapeXml(content: string): string {
  return content.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
