/**
 * Tiny SVG plotting for the examples and the training CLI: line charts (loss curves) and
 * contour plots with paths drawn over them (optimizer trajectories). No dependencies; each
 * function returns a complete SVG document as a string, ready for `writeFileSync`.
 *
 *   lineChart({ series: [{ name, xs, ys }], title, xLabel, yLabel, logY: true })
 *   lineChart({ ..., logX: true, marks: [{ x, label }] })    // e.g. an lr range test and its pick
 *   contourPlot({ f, xRange, yRange, levels, paths: [{ name, xs, ys }], title })
 *   contourPanels({ ...the same, columns: 3 })   // one small panel per path
 */

import { marchingSquares } from './marching-squares.ts';

/** One named line of (x, y) points. */
export interface Series {
  name: string;
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
  /** CSS colour; a palette colour by position when left out. */
  color?: string;
  /** Draw dashed, e.g. to keep a line visible that runs on top of another. */
  dashed?: boolean;
}

/** Options of `lineChart`. */
export interface LineChartOptions {
  series: Series[];
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Logarithmic y axis (values ≤ 0 are left out). */
  logY?: boolean;
  /** Logarithmic x axis (points with x ≤ 0 are left out). */
  logX?: boolean;
  /** Vertical dashed lines across the plot at these x values, listed in the legend unless the label is empty. */
  marks?: { x: number; label: string; color?: string }[];
  /** Values below this are drawn at it (e.g. a float32 noise floor on a log axis). */
  yMin?: number;
  width?: number;
  height?: number;
}

/** Options of `contourPlot` and `contourPanels`. */
export interface ContourPlotOptions {
  /** The surface whose level sets are drawn. */
  f: (x: number, y: number) => number;
  xRange: [number, number];
  yRange: [number, number];
  /** The values of f to draw lines at; default 12 levels from the minimum up, spaced geometrically. */
  levels?: number[];
  /** Paths drawn over the contours, each with a dot at its start and a ring at its end. */
  paths?: Series[];
  /** A point to mark with a star, e.g. the minimum. */
  marker?: { x: number; y: number; label?: string };
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** Length of the longer side of the plotting area in pixels. Default 480 (260 per panel). */
  size?: number;
  /** Grid resolution for the contour lines. Default 160. */
  resolution?: number;
}

/** Distinct colours, in the order series take them. */
export const PALETTE = ['#1b6ca8', '#e0662b', '#2e9e4f', '#c8323c', '#7b52ab', '#8c5a3c', '#d6589f', '#5f6b73'];

const FONT = 'font-family="Helvetica, Arial, sans-serif"';
const MARGIN = { left: 70, top: 48, bottom: 58, gap: 16 };

const fmt = (v: number): string => (Math.round(v * 10) / 10).toString();
const colorOf = (s: Series, i: number): string => s.color ?? PALETTE[i % PALETTE.length];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Rough width of a label in pixels (for sizing, not typesetting). */
const textWidth = (s: string, fontSize: number): number => s.length * fontSize * 0.56;

/** Round tick values covering [min, max]: steps of 1, 2 or 5 times a power of ten. */
export function niceTicks(min: number, max: number, count = 6): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  // Multiply rather than accumulate, and round, so 3 × 0.2 prints as 0.6.
  for (let k = Math.ceil(min / step - 1e-9); k * step <= max + step * 1e-9; k++) ticks.push(Number((k * step).toPrecision(12)) || 0);
  return ticks;
}

function tickLabel(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) return v.toExponential(0).replace('e+', 'e');
  return String(Number(v.toPrecision(6)));
}

/** Linear map from [d0, d1] onto [r0, r1]. */
function scale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const k = (r1 - r0) / (d1 - d0 || 1);
  return (v) => r0 + (v - d0) * k;
}

/** Pixel points of a series, leaving out those closer than half a pixel to the last one kept. */
function points(xs: ArrayLike<number>, ys: ArrayLike<number>, sx: (v: number) => number, sy: (v: number) => number): string {
  const pts: string[] = [];
  let lx = Infinity;
  let ly = Infinity;
  const n = Math.min(xs.length, ys.length);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(xs[i]) || !Number.isFinite(ys[i])) continue;
    const px = sx(xs[i]);
    const py = sy(ys[i]);
    if (i !== n - 1 && Math.hypot(px - lx, py - ly) < 0.5) continue;
    pts.push(`${fmt(px)},${fmt(py)}`);
    lx = px;
    ly = py;
  }
  return pts.join(' ');
}

function polylineSvg(s: Series, color: string, sx: (v: number) => number, sy: (v: number) => number, clip: string, width = 2): string {
  const dash = s.dashed ? ' stroke-dasharray="7 5"' : '';
  return `<polyline clip-path="url(#${clip})" points="${points(s.xs, s.ys, sx, sy)}" fill="none" stroke="${color}" stroke-width="${width}"${dash} stroke-linejoin="round" opacity="0.9"/>`;
}

function document(width: number, height: number, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${Math.ceil(width)}" height="${Math.ceil(height)}" viewBox="0 0 ${Math.ceil(width)} ${Math.ceil(height)}">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...body,
    '</svg>',
    '',
  ].join('\n');
}

function text(x: number, y: number, s: string, size: number, extra = '', fill = '#222'): string {
  return `<text x="${fmt(x)}" y="${fmt(y)}" font-size="${size}" ${FONT} fill="${fill}" ${extra}>${esc(s)}</text>`;
}

interface Tick {
  v: number;
  px: number;
  label?: string;
}

/** Frame, ticks, tick labels and (optionally) grid lines of one plotting area. */
function axes(x0: number, y0: number, w: number, h: number, xTicks: Tick[], yTicks: Tick[], grid: boolean, fontSize = 12): string[] {
  const out: string[] = [];
  for (const t of xTicks) {
    if (grid) out.push(`<line x1="${fmt(t.px)}" y1="${y0}" x2="${fmt(t.px)}" y2="${y0 + h}" stroke="#e6e6e6"/>`);
    out.push(`<line x1="${fmt(t.px)}" y1="${y0 + h}" x2="${fmt(t.px)}" y2="${y0 + h + 5}" stroke="#333"/>`);
    out.push(text(t.px, y0 + h + 8 + fontSize, t.label ?? tickLabel(t.v), fontSize, 'text-anchor="middle"'));
  }
  for (const t of yTicks) {
    if (grid) out.push(`<line x1="${x0}" y1="${fmt(t.px)}" x2="${x0 + w}" y2="${fmt(t.px)}" stroke="#e6e6e6"/>`);
    out.push(`<line x1="${x0 - 5}" y1="${fmt(t.px)}" x2="${x0}" y2="${fmt(t.px)}" stroke="#333"/>`);
    out.push(text(x0 - 8, t.px + fontSize / 3, t.label ?? tickLabel(t.v), fontSize, 'text-anchor="end"'));
  }
  out.push(`<rect x="${fmt(x0)}" y="${fmt(y0)}" width="${fmt(w)}" height="${fmt(h)}" fill="none" stroke="#333"/>`);
  return out;
}

/** Title above, x label below, y label turned on the left. */
function labels(width: number, x0: number, y0: number, w: number, h: number, o: { title?: string; xLabel?: string; yLabel?: string }): string[] {
  const out: string[] = [];
  if (o.title) out.push(text(width / 2, 28, o.title, 16, 'text-anchor="middle" font-weight="bold"'));
  if (o.xLabel) out.push(text(x0 + w / 2, y0 + h + 44, o.xLabel, 13, 'text-anchor="middle"'));
  if (o.yLabel) out.push(text(18, y0 + h / 2, o.yLabel, 13, `text-anchor="middle" transform="rotate(-90 18 ${fmt(y0 + h / 2)})"`));
  return out;
}

const legendWidth = (names: string[]): number => 44 + Math.max(0, ...names.map((n) => textWidth(n, 12.5)));

function legend(x: number, y: number, series: Series[], notes: string[] = []): string[] {
  const out: string[] = [];
  series.forEach((s, i) => {
    const ly = y + 8 + i * 20;
    const dash = s.dashed ? ' stroke-dasharray="7 5"' : '';
    out.push(`<line x1="${x}" y1="${ly}" x2="${x + 24}" y2="${ly}" stroke="${colorOf(s, i)}" stroke-width="3"${dash}/>`);
    out.push(text(x + 32, ly + 4, s.name, 12.5));
  });
  notes.forEach((note, k) => out.push(text(x, y + 14 + (series.length + k) * 20 + 6, note, 12, '', '#555')));
  return out;
}

/** A log10 axis over [min, max] mapped onto [r0, r1], with a tick at every power of ten (or every few). */
function logAxis(min: number, max: number, r0: number, r1: number): { map: (v: number) => number; ticks: Tick[] } {
  const lo = Math.floor(Math.log10(min));
  const hi = Math.max(Math.ceil(Math.log10(max)), lo + 1);
  const s = scale(lo, hi, r0, r1);
  const every = Math.ceil((hi - lo) / 8);
  const ticks: Tick[] = [];
  for (let e = lo; e <= hi; e += every) ticks.push({ v: 10 ** e, px: s(e), label: `1e${e}` });
  return { map: (v) => s(Math.log10(v)), ticks };
}

/** A line chart of one or more series with axes, grid and legend. */
export function lineChart(o: LineChartOptions): string {
  const marks = o.marks ?? [];
  const lw = legendWidth([...o.series.map((s) => s.name), ...marks.filter((m) => m.label).map((m) => m.label)]);
  const width = Math.max(o.width ?? 760, textWidth(o.title ?? '', 16) + 40);
  const height = o.height ?? 440;
  const x0 = MARGIN.left;
  const y0 = MARGIN.top;
  const w = width - x0 - MARGIN.gap - lw - 8;
  const h = height - y0 - MARGIN.bottom;
  const floor = o.yMin ?? -Infinity;
  const usable = (y: number): boolean => Number.isFinite(y) && (!o.logY || y > 0);
  const series = o.series.map((s) => ({
    ...s,
    ys: Array.from(s.ys, (y, i) => (usable(y) && (!o.logX || s.xs[i] > 0) ? Math.max(y, floor) : NaN)),
  }));
  let xMin = Infinity, xMax = -Infinity, yMin = Infinity, yMax = -Infinity;
  for (const s of series) {
    for (let i = 0; i < Math.min(s.xs.length, s.ys.length); i++) {
      if (Number.isNaN(s.ys[i])) continue;
      xMin = Math.min(xMin, s.xs[i]); xMax = Math.max(xMax, s.xs[i]);
      yMin = Math.min(yMin, s.ys[i]); yMax = Math.max(yMax, s.ys[i]);
    }
  }
  if (!Number.isFinite(xMin)) { xMin = o.logX ? 1 : 0; xMax = o.logX ? 10 : 1; yMin = o.logY ? 1 : 0; yMax = o.logY ? 10 : 1; }
  let sx = scale(xMin, xMax, x0, x0 + w);
  let xTicks = niceTicks(xMin, xMax).map((v) => ({ v, px: sx(v) }));
  if (o.logX) ({ map: sx, ticks: xTicks } = logAxis(xMin, xMax, x0, x0 + w));
  let sy: (v: number) => number;
  let yTicks: Tick[];
  if (o.logY) {
    ({ map: sy, ticks: yTicks } = logAxis(yMin, yMax, y0 + h, y0));
  } else {
    const pad = (yMax - yMin) * 0.05 || 1;
    const lo = yMin >= 0 && yMin - pad < 0 ? 0 : yMin - pad;
    sy = scale(lo, yMax + pad, y0 + h, y0);
    yTicks = niceTicks(lo, yMax + pad).map((v) => ({ v, px: sy(v) }));
  }
  const body = axes(x0, y0, w, h, xTicks, yTicks, true);
  body.push(...labels(width, x0, y0, w, h, o));
  body.push(`<clipPath id="plot"><rect x="${x0}" y="${y0}" width="${fmt(w)}" height="${fmt(h)}"/></clipPath>`);
  series.forEach((s, i) => body.push(polylineSvg(s, colorOf(s, i), sx, sy, 'plot')));
  const markSeries: Series[] = marks.map((m, k) => ({ name: m.label, xs: [], ys: [], color: m.color ?? PALETTE[(o.series.length + k) % PALETTE.length], dashed: true }));
  marks.forEach((m, k) => {
    if (!Number.isFinite(m.x) || (o.logX && m.x <= 0)) return;
    const px = fmt(sx(m.x));
    body.push(`<line clip-path="url(#plot)" x1="${px}" y1="${y0}" x2="${px}" y2="${y0 + h}" stroke="${markSeries[k].color}" stroke-width="2" stroke-dasharray="7 5"/>`);
  });
  body.push(...legend(x0 + w + MARGIN.gap, y0, [...o.series, ...markSeries.filter((m) => m.name)]));
  return document(width, height, body);
}

/** Dark blue (low) to pale green (high): the colour of contour line k of n. */
function levelColor(k: number, n: number): string {
  const stops = [[37, 52, 148], [44, 127, 184], [65, 182, 196], [127, 205, 187], [199, 233, 180]];
  const t = n <= 1 ? 0 : (k / (n - 1)) * (stops.length - 1);
  const i = Math.min(Math.floor(t), stops.length - 2);
  const f = t - i;
  return `rgb(${stops[i].map((v, d) => Math.round(v + f * (stops[i + 1][d] - v))).join(',')})`;
}

/** The contour lines of f as SVG paths, computed once and placed in any panel. */
function contourLines(o: ContourPlotOptions): (x0: number, y0: number, w: number, h: number) => string[] {
  const [xa, xb] = o.xRange;
  const [ya, yb] = o.yRange;
  const res = o.resolution ?? 160;
  const longest = Math.max(xb - xa, yb - ya);
  const nx = Math.max(2, Math.round((res * (xb - xa)) / longest));
  const ny = Math.max(2, Math.round((res * (yb - ya)) / longest));
  const values = new Float64Array(nx * ny);
  let fMin = Infinity, fMax = -Infinity;
  for (let j = 0; j < ny; j++) {
    for (let i = 0; i < nx; i++) {
      const v = o.f(xa + ((xb - xa) * i) / (nx - 1), ya + ((yb - ya) * j) / (ny - 1));
      values[j * nx + i] = v;
      fMin = Math.min(fMin, v);
      fMax = Math.max(fMax, v);
    }
  }
  const levels = o.levels ?? Array.from({ length: 12 }, (_, k) => fMin + (fMax - fMin) * 10 ** (-3 + (3 * (k + 0.5)) / 12));
  const lines = levels.map((level) => marchingSquares(values, nx, ny, level));
  return (x0, y0, w, h) => {
    const gx = scale(0, nx - 1, x0, x0 + w);
    const gy = scale(0, ny - 1, y0 + h, y0);
    return lines.flatMap((polys, k) => {
      const d = polys.map((line) => 'M' + line.map(([i, j]) => `${fmt(gx(i))} ${fmt(gy(j))}`).join('L')).join('');
      return d ? [`<path d="${d}" fill="none" stroke="${levelColor(k, levels.length)}" stroke-width="1.2"/>`] : [];
    });
  };
}

function star(cx: number, cy: number, r: number): string {
  const pts = Array.from({ length: 10 }, (_, k) => {
    const rr = k % 2 === 0 ? r : r * 0.42;
    const a = -Math.PI / 2 + (k * Math.PI) / 5;
    return `${fmt(cx + rr * Math.cos(a))},${fmt(cy + rr * Math.sin(a))}`;
  });
  return `<polygon points="${pts.join(' ')}" fill="#ffd400" stroke="#222" stroke-width="1"/>`;
}

/** One plotting area: contours, the given paths with start dot and end ring, the marker. */
function contourPanel(
  o: ContourPlotOptions, lines: ReturnType<typeof contourLines>, paths: { s: Series; color: string }[],
  x0: number, y0: number, w: number, h: number, id: string, fontSize: number,
): string[] {
  const sx = scale(o.xRange[0], o.xRange[1], x0, x0 + w);
  const sy = scale(o.yRange[0], o.yRange[1], y0 + h, y0);
  const ticks = (a: number, b: number, s: (v: number) => number, n: number): Tick[] => niceTicks(a, b, n).map((v) => ({ v, px: s(v) }));
  const count = Math.max(3, Math.round(w / 80));
  const out = axes(x0, y0, w, h, ticks(o.xRange[0], o.xRange[1], sx, count), ticks(o.yRange[0], o.yRange[1], sy, Math.max(3, Math.round(h / 80))), false, fontSize);
  out.push(`<clipPath id="${id}"><rect x="${fmt(x0)}" y="${fmt(y0)}" width="${fmt(w)}" height="${fmt(h)}"/></clipPath>`);
  out.push(`<g clip-path="url(#${id})">`, ...lines(x0, y0, w, h));
  for (const { s, color } of paths) {
    out.push(polylineSvg(s, color, sx, sy, id));
    const n = Math.min(s.xs.length, s.ys.length);
    if (n === 0) continue;
    out.push(`<circle cx="${fmt(sx(s.xs[0]))}" cy="${fmt(sy(s.ys[0]))}" r="3.5" fill="${color}"/>`);
    out.push(`<circle cx="${fmt(sx(s.xs[n - 1]))}" cy="${fmt(sy(s.ys[n - 1]))}" r="4" fill="white" stroke="${color}" stroke-width="2"/>`);
  }
  // The star goes last: runs that arrive end on top of it.
  if (o.marker) out.push(star(sx(o.marker.x), sy(o.marker.y), 8));
  out.push('</g>');
  return out;
}

const markerNotes = (o: ContourPlotOptions): string[] => ['● start  ○ end', ...(o.marker?.label ? [`★ ${o.marker.label}`] : [])];

/** Contour lines of f over a rectangle, with every path drawn on top and a legend. */
export function contourPlot(o: ContourPlotOptions): string {
  const [xa, xb] = o.xRange;
  const [ya, yb] = o.yRange;
  const size = o.size ?? 480;
  // One unit is the same length on both axes, so circles look like circles.
  const unit = size / Math.max(xb - xa, yb - ya);
  const w = (xb - xa) * unit;
  const h = (yb - ya) * unit;
  const paths = o.paths ?? [];
  const lw = legendWidth([...paths.map((p) => p.name), ...markerNotes(o)]);
  const x0 = MARGIN.left;
  const y0 = MARGIN.top;
  const width = Math.max(x0 + w + MARGIN.gap + lw, textWidth(o.title ?? '', 16) + 40);
  const height = y0 + h + MARGIN.bottom;
  const body = contourPanel(o, contourLines(o), paths.map((s, i) => ({ s, color: colorOf(s, i) })), x0, y0, w, h, 'plot', 12);
  body.push(...labels(width, x0, y0, w, h, o));
  body.push(...legend(x0 + w + MARGIN.gap, y0, paths, markerNotes(o)));
  return document(width, height, body);
}

/** The same contours repeated in a grid of small panels, one path per panel, titled by its name. */
export function contourPanels(o: ContourPlotOptions & { columns?: number }): string {
  const [xa, xb] = o.xRange;
  const [ya, yb] = o.yRange;
  const paths = o.paths ?? [];
  const columns = Math.max(1, Math.min(o.columns ?? 3, paths.length));
  const rows = Math.ceil(paths.length / columns);
  const size = o.size ?? 260;
  const unit = size / Math.max(xb - xa, yb - ya);
  const w = (xb - xa) * unit;
  const h = (yb - ya) * unit;
  const cellW = w + 56;
  const cellH = h + 56;
  const x00 = 60;
  const y00 = MARGIN.top + 10;
  const width = Math.max(x00 + columns * cellW, textWidth(o.title ?? '', 16) + 40);
  const height = y00 + rows * cellH + 4;
  const lines = contourLines(o);
  // The panels share one copy of the contour lines, placed by <use>, which keeps the file small.
  const body = ['<defs><g id="contours">', ...lines(0, 0, w, h), '</g></defs>'];
  const placed: typeof lines = (x0, y0) => [`<use href="#contours" x="${fmt(x0)}" y="${fmt(y0)}"/>`];
  paths.forEach((s, i) => {
    const x0 = x00 + (i % columns) * cellW;
    const y0 = y00 + Math.floor(i / columns) * cellH;
    const color = colorOf(s, i);
    body.push(text(x0 + w / 2, y0 - 8, s.name, 13, 'text-anchor="middle" font-weight="bold"', color));
    body.push(...contourPanel(o, placed, [{ s, color }], x0, y0, w, h, `panel${i}`, 10.5));
  });
  if (o.title) body.push(text(width / 2, 26, o.title, 16, 'text-anchor="middle" font-weight="bold"'));
  const notes = [o.xLabel && o.yLabel ? `axes: ${o.xLabel} across, ${o.yLabel} up` : '', ...markerNotes(o)].filter(Boolean).join('  ·  ');
  body.push(text(width / 2, height - 12, notes, 12, 'text-anchor="middle"', '#555'));
  return document(width, height, body);
}
