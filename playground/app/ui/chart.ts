/**
 * The page's line charts (live loss and accuracy curves, the lab's loss per step), drawn by
 * uPlot: a few series, linear or log y axis, a legend. This file only adapts the page's
 * series to uPlot: series that are longer than the chart is wide are averaged per pixel
 * column (which keeps drawing cheap and smooths noisy per-batch losses), and series with
 * x values of their own are aligned on one x axis, as uPlot wants.
 */
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  name: string;
  color: string;
  xs: ArrayLike<number>;
  ys: ArrayLike<number>;
  /** How many points are valid (the arrays may be preallocated); default all. */
  length?: number;
  dashed?: boolean;
  /** Draws a dot at each point (for sparse series such as periodic test scores). */
  dots?: boolean;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLog?: boolean;
  /** Fixed y range; otherwise it follows the data. */
  yRange?: [number, number];
  /** Show the series' names (default true); off where a table beside the chart says them. */
  legend?: boolean;
}

/** Height of the plot and its axes in CSS pixels (the title and legend come on top). */
const PLOT_HEIGHT = 180;

export class LineChart {
  private series: Series[] = [];
  private plot: uPlot | null = null;
  /** The series' names, colours and styles the plot was made for. */
  private shape = '';

  /** `element`: an empty element the chart fills; it gets role="img" and an aria-label. */
  constructor(readonly element: HTMLElement, private readonly options: ChartOptions) {
    element.setAttribute('role', 'img');
    element.setAttribute('aria-label', `${options.title}: no data yet`);
    new ResizeObserver(() => this.draw()).observe(element);
  }

  setSeries(series: Series[]): void {
    this.series = series;
    this.element.setAttribute('aria-label', `${this.options.title}: ${this.summary()}`);
    this.draw();
  }

  draw(): void {
    const width = this.element.clientWidth;
    if (width === 0) return; // a hidden tab; drawn when shown (the ResizeObserver calls again)
    const shape = JSON.stringify(this.series.map((s) => [s.name, s.color, s.dashed, s.dots]));
    if (this.plot && shape !== this.shape) {
      this.plot.destroy();
      this.plot = null;
    }
    const data = alignedData(this.series, width);
    if (!this.plot) {
      this.shape = shape;
      this.plot = new uPlot(this.plotOptions(width), data, this.element);
      return;
    }
    if (this.plot.width !== width) this.plot.setSize({ width, height: PLOT_HEIGHT });
    this.plot.setData(data);
  }

  private plotOptions(width: number): uPlot.Options {
    const { title, xLabel, yLog, yRange, legend } = this.options;
    const ink = getComputedStyle(this.element).color || '#222';
    const grid = { stroke: 'rgba(128,128,128,0.35)', width: 1 };
    const ticks = { stroke: 'rgba(128,128,128,0.35)', width: 1, size: 4 };
    const values = (_: uPlot, splits: number[]): string[] => splits.map((t) => (t == null ? '' : tickLabel(t)));
    // On a log axis, lines and labels at the powers of ten only (uPlot also marks 2…9 × 10ᵏ),
    // unless the data span less than two of them.
    const yAxis: uPlot.Axis = yLog
      ? { grid: { ...grid, filter: decades }, ticks: { ...ticks, filter: decades }, filter: decades }
      : { grid, ticks };
    return {
      title,
      width,
      height: PLOT_HEIGHT,
      legend: { show: legend !== false, live: false },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: { time: false },
        y: { distr: yLog ? 3 : 1, ...(yRange ? { range: yRange } : {}) },
      },
      axes: [
        { label: xLabel, labelSize: 18, stroke: ink, grid, ticks, values, size: 36 },
        { ...yAxis, stroke: ink, values, size: 48 },
      ],
      series: [
        { label: xLabel },
        ...this.series.map((s): uPlot.Series => ({
          label: s.name,
          stroke: s.color,
          width: 1.6,
          ...(s.dashed ? { dash: [5, 4] } : {}),
          points: s.dots ? { show: true, size: 5, fill: s.color, stroke: s.color } : { show: false },
        })),
      ],
    };
  }

  private summary(): string {
    const parts = this.series.map((s) => {
      const n = s.length ?? s.ys.length;
      return n === 0 ? `${s.name} no data yet` : `${s.name} ${tickLabel(s.ys[n - 1]!)} at ${this.options.xLabel} ${s.xs[n - 1]}`;
    });
    return parts.join('; ');
  }
}

/**
 * The series on one x axis, each averaged over at most `columns` equal intervals: x values
 * a series lacks are undefined (uPlot draws the line across them), non-finite y values are
 * null (a gap in the line).
 */
function alignedData(series: Series[], columns: number): uPlot.AlignedData {
  const averaged = series.map((s) => columnAverages(s, columns));
  const xs = [...new Set(averaged.flatMap((c) => c.map((p) => p.x)))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = averaged.map((c) => {
    const out: (number | null | undefined)[] = new Array(xs.length).fill(undefined);
    for (const p of c) out[index.get(p.x)!] = Number.isFinite(p.y) ? p.y : null;
    return out;
  });
  return [xs, ...ys];
}

/** The series averaged over each of `columns` equal x intervals (or as is, when short). */
function columnAverages(s: Series, columns: number): { x: number; y: number }[] {
  const n = s.length ?? s.ys.length;
  const out: { x: number; y: number }[] = [];
  if (n <= columns) {
    for (let i = 0; i < n; i++) out.push({ x: s.xs[i]!, y: s.ys[i]! });
    return out;
  }
  const per = n / columns;
  for (let c = 0; c < columns; c++) {
    const a = Math.floor(c * per);
    const b = Math.max(a + 1, Math.floor((c + 1) * per));
    let sum = 0;
    let count = 0;
    for (let i = a; i < b && i < n; i++) {
      if (Number.isFinite(s.ys[i]!)) {
        sum += s.ys[i]!;
        count++;
      }
    }
    out.push({ x: s.xs[Math.min(b, n) - 1]!, y: count ? sum / count : NaN });
  }
  return out;
}

/** Of a log axis' splits, the powers of ten, every other one or sparser to keep to about five. */
function decades(_: uPlot, splits: number[]): (number | null)[] {
  const exponent = (t: number): number | null => {
    const e = Math.round(Math.log10(t));
    return Math.abs(Math.log10(t) - e) < 1e-9 ? e : null;
  };
  const count = splits.filter((t) => exponent(t) !== null).length;
  if (count < 2) return splits;
  const step = Math.max(1, Math.ceil(count / 5));
  return splits.map((t) => {
    const e = exponent(t);
    return e !== null && e % step === 0 ? t : null;
  });
}

function tickLabel(t: number): string {
  if (t === 0) return '0';
  const a = Math.abs(t);
  if (a >= 1e5 || a < 1e-3) return t.toExponential(0);
  return Number(t.toPrecision(3)).toString();
}
