/**
 * A small line chart on a canvas: a few series, linear or log y axis, ticks at round
 * numbers, a legend. The page needs only this, so it is drawn here rather than pulled in
 * from a chart library. Series longer than the chart is wide are averaged per pixel
 * column, which both keeps drawing cheap and smooths noisy per-batch losses.
 */

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
  /** Draw the series' names (default true); off where a table beside the chart says them. */
  legend?: boolean;
}

const PAD = { left: 52, right: 12, top: 28, bottom: 30 };

export class LineChart {
  private series: Series[] = [];
  private readonly ctx: CanvasRenderingContext2D;

  constructor(readonly canvas: HTMLCanvasElement, private readonly options: ChartOptions) {
    this.ctx = canvas.getContext('2d')!;
    canvas.setAttribute('role', 'img');
    new ResizeObserver(() => this.draw()).observe(canvas);
  }

  setSeries(series: Series[]): void {
    this.series = series;
    this.draw();
  }

  draw(): void {
    const { canvas, ctx } = this;
    const dpr = window.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (width === 0 || height === 0) return; // a hidden tab; drawn again when shown
    if (canvas.width !== Math.round(width * dpr)) canvas.width = Math.round(width * dpr);
    if (canvas.height !== Math.round(height * dpr)) canvas.height = Math.round(height * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const style = getComputedStyle(canvas);
    const ink = style.color || '#222';
    ctx.font = `12px ${style.fontFamily || 'sans-serif'}`;

    const plotW = width - PAD.left - PAD.right;
    const plotH = height - PAD.top - PAD.bottom;
    const columns = this.series.map((s) => columnAverages(s, plotW));
    const { yLog } = this.options;
    const tf = (y: number): number => (yLog ? Math.log10(y) : y);
    let xMax = 1;
    let yLo = Infinity;
    let yHi = -Infinity;
    for (const c of columns) {
      for (const p of c) {
        xMax = Math.max(xMax, p.x);
        if (Number.isFinite(tf(p.y))) {
          yLo = Math.min(yLo, tf(p.y));
          yHi = Math.max(yHi, tf(p.y));
        }
      }
    }
    if (this.options.yRange) [yLo, yHi] = this.options.yRange.map(tf) as [number, number];
    if (!(yHi > yLo)) [yLo, yHi] = Number.isFinite(yLo) ? [yLo - 1, yLo + 1] : [0, 1];
    const px = (x: number): number => PAD.left + (x / xMax) * plotW;
    const py = (y: number): number => PAD.top + (1 - (tf(y) - yLo) / (yHi - yLo)) * plotH;

    // Axes and ticks.
    ctx.strokeStyle = 'rgba(128,128,128,0.35)';
    ctx.fillStyle = ink;
    ctx.lineWidth = 1;
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    for (const t of ticks(yLo, yHi, yLog ?? false)) {
      const y = py(t);
      ctx.beginPath();
      ctx.moveTo(PAD.left, y);
      ctx.lineTo(PAD.left + plotW, y);
      ctx.stroke();
      ctx.fillText(tickLabel(t), PAD.left - 4, y);
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    for (const t of ticks(0, xMax, false)) ctx.fillText(tickLabel(t), px(t), PAD.top + plotH + 4);
    ctx.textAlign = 'right';
    ctx.fillText(this.options.xLabel, PAD.left + plotW, PAD.top + plotH + 16);
    ctx.textAlign = 'left';
    ctx.textBaseline = 'alphabetic';
    ctx.font = `bold 13px ${style.fontFamily || 'sans-serif'}`;
    ctx.fillText(this.options.title, PAD.left, 16);

    // Lines, clipped to the plot.
    ctx.save();
    ctx.beginPath();
    ctx.rect(PAD.left, PAD.top, plotW, plotH);
    ctx.clip();
    this.series.forEach((s, i) => {
      ctx.strokeStyle = s.color;
      ctx.fillStyle = s.color;
      ctx.lineWidth = 1.6;
      ctx.setLineDash(s.dashed ? [5, 4] : []);
      ctx.beginPath();
      let pen = false;
      for (const p of columns[i]!) {
        const y = py(p.y);
        if (!Number.isFinite(y)) {
          pen = false;
          continue;
        }
        if (pen) ctx.lineTo(px(p.x), y);
        else ctx.moveTo(px(p.x), y);
        pen = true;
        if (s.dots) ctx.fillRect(px(p.x) - 2, y - 2, 4, 4);
      }
      ctx.stroke();
    });
    ctx.restore();
    ctx.setLineDash([]);

    canvas.setAttribute('aria-label', `${this.options.title}: ${this.summary()}`);
    if (this.options.legend === false) return;
    // Legend, top right.
    ctx.font = `12px ${style.fontFamily || 'sans-serif'}`;
    let lx = PAD.left + plotW;
    ctx.textAlign = 'right';
    for (const s of [...this.series].reverse()) {
      ctx.fillStyle = ink;
      ctx.fillText(s.name, lx, 16);
      lx -= ctx.measureText(s.name).width + 6;
      ctx.fillStyle = s.color;
      ctx.fillRect(lx - 12, 10, 12, 3);
      lx -= 22;
    }
  }

  private summary(): string {
    const parts = this.series.map((s) => {
      const n = s.length ?? s.ys.length;
      return n === 0 ? `${s.name} no data yet` : `${s.name} ${tickLabel(s.ys[n - 1]!)} at ${this.options.xLabel} ${s.xs[n - 1]}`;
    });
    return parts.join('; ');
  }
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

/** Round tick values between lo and hi (in log10 units when `log`). */
function ticks(lo: number, hi: number, log: boolean): number[] {
  if (log) {
    const out: number[] = [];
    const step = Math.max(1, Math.ceil((hi - lo) / 5));
    for (let e = Math.ceil(lo); e <= hi; e += step) out.push(10 ** e);
    return out.length >= 2 ? out : ticks(10 ** lo, 10 ** hi, false);
  }
  const raw = (hi - lo) / 5;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

function tickLabel(t: number): string {
  if (t === 0) return '0';
  const a = Math.abs(t);
  if (a >= 1e5 || a < 1e-3) return t.toExponential(0);
  return Number(t.toPrecision(3)).toString();
}
