/**
 * The optimizer lab: every optimizer in tg.optim races down a 2-D surface from the same
 * start, animated over the surface's contour lines, with the loss per step below.
 */
import { listOptimizers } from '../optimizers.ts';
import { LineChart } from '../ui/chart.ts';
import { byId, fmt, h } from '../ui/dom.ts';
import { Messages } from '../ui/messages.ts';
import { nextFrame, nextTask, SLICE_MS } from '../ui/yield.ts';
import { clearParams, getParam, parseNumber, setParam } from '../url-state.ts';
import { frameFor, renderSurface, type Frame } from './contour.ts';
import { optionsFor, raceLr, Sliders, takesIterations } from './lab-form.ts';
import { Race } from './race.ts';
import { findSurface, SURFACES, type Surface } from './surfaces.ts';

/** Distinct colours; optimizers past the palette are drawn dashed. */
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf', '#000000', '#b15928'];

/** How long a race takes, whatever its number of steps, where the machine keeps up. */
const RACE_MS = 3000;

export class LabTab {
  private readonly messages = new Messages(byId('lab-messages'));
  private readonly surfaceSelect = byId<HTMLSelectElement>('lab-surface');
  private readonly canvas = byId<HTMLCanvasElement>('lab-contour');
  private readonly sliders: Sliders;
  private readonly lossChart = new LineChart(byId('lab-loss'), { title: 'L(θ) − min L, per step (colours as in the table)', xLabel: 'step', yLog: true, legend: false });
  private surface: Surface;
  private race: Race | null = null;
  /** Bumped by every new race, so an older animation loop knows to stop. */
  private generation = 0;
  private background: { key: string; image: HTMLCanvasElement; frame: Frame } | null = null;
  private readonly rows = new Map<string, { lr: HTMLInputElement; on: HTMLInputElement; loss: HTMLElement; step: HTMLElement; row: HTMLElement }>();

  constructor() {
    for (const s of SURFACES) this.surfaceSelect.append(h('option', { value: s.id }, s.title));
    const fromUrl = getParam('surface');
    if (fromUrl !== null && !findSurface(fromUrl)) this.messages.error('surface', `The link's surface=${fromUrl} is not one of the choices`);
    this.surface = findSurface(fromUrl) ?? SURFACES[0]!;
    this.surfaceSelect.value = this.surface.id;
    this.sliders = new Sliders(byId('lab-sliders'), () => void this.run());
    this.sliders.load({ lr: this.surface.lr, momentum: this.surface.momentum });
    this.buildTable();
    this.showSurface();

    this.surfaceSelect.addEventListener('change', () => {
      this.surface = findSurface(this.surfaceSelect.value)!;
      setParam('surface', this.surface.id === SURFACES[0]!.id ? null : this.surface.id);
      // A new surface starts from its own start, rate and length.
      for (const key of ['from', 'lab.steps', 'lab.lr', 'lab.momentum']) setParam(key, null);
      this.sliders.load({ lr: this.surface.lr, momentum: this.surface.momentum });
      this.showSurface();
      void this.run();
    });
    byId('lab-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.run();
    });
    byId('lab-reset').addEventListener('click', () => {
      clearParams('lab.');
      setParam('from', null);
      this.sliders.load({ lr: this.surface.lr, momentum: this.surface.momentum });
      this.buildTable();
      this.showSurface();
      void this.run();
    });
    for (const id of ['lab-x', 'lab-y', 'lab-steps']) byId(id).addEventListener('change', () => void this.run());
    this.canvas.addEventListener('click', (e) => {
      const r = this.canvas.getBoundingClientRect();
      const frame = frameFor(this.surface, r.width, r.height);
      const [x, y] = frame.fromPx(e.clientX - r.left, e.clientY - r.top);
      byId<HTMLInputElement>('lab-x').value = fmt(x, 3);
      byId<HTMLInputElement>('lab-y').value = fmt(y, 3);
      void this.run();
    });
    new ResizeObserver(() => this.draw()).observe(this.canvas);
  }

  /** Starts a race with the current settings (stopping the one running). */
  async run(): Promise<void> {
    const start = this.readStart();
    const steps = this.readSteps();
    if (!start || steps === null) return;
    const values = this.sliders.values();
    const configs = [];
    for (const [i, entry] of listOptimizers().entries()) {
      const row = this.rows.get(entry.name)!;
      if (!row.on.checked) continue;
      const own = row.lr.value.trim() === '' ? null : parseNumber(row.lr.value);
      if (row.lr.value.trim() !== '' && (own === null || own <= 0)) {
        row.lr.setAttribute('aria-invalid', 'true');
        this.messages.error(`lr.${entry.name}`, `${entry.name}'s learning rate '${row.lr.value.trim()}' is not a positive number; it races at ${raceLr(entry, null, values.lr)}`);
      } else {
        row.lr.removeAttribute('aria-invalid');
        this.messages.clear(`lr.${entry.name}`);
      }
      configs.push({ entry, lr: raceLr(entry, own, values.lr), options: optionsFor(entry, values), color: PALETTE[i % PALETTE.length]! });
    }
    for (const row of this.rows.values()) {
      row.loss.textContent = '–';
      row.step.textContent = row.on.checked ? '0' : 'not racing';
      delete row.row.dataset.status;
      delete row.row.dataset.steps;
    }
    const generation = ++this.generation;
    const race = new Race(this.surface, start, configs, steps);
    this.race = race;
    document.body.dataset.labStatus = 'running';
    // Paced by the clock, not by frames: the race takes about RACE_MS where the machine
    // keeps up (slower where it does not), and drawing happens once per frame beside it.
    const t0 = performance.now();
    while (generation === this.generation && !race.finished) {
      const due = Math.ceil((steps * (performance.now() - t0)) / RACE_MS);
      const sliceEnd = performance.now() + SLICE_MS;
      while (race.step < due && !race.finished && performance.now() < sliceEnd) race.advance(1);
      this.scheduleDraw();
      await (race.step >= due ? nextFrame() : nextTask());
    }
    if (generation === this.generation) {
      this.draw();
      document.body.dataset.labStatus = 'done';
    }
  }

  private readStart(): [number, number] | null {
    const xIn = byId<HTMLInputElement>('lab-x');
    const yIn = byId<HTMLInputElement>('lab-y');
    const x = parseNumber(xIn.value);
    const y = parseNumber(yIn.value);
    for (const [input, v] of [[xIn, x], [yIn, y]] as const) {
      if (v === null) input.setAttribute('aria-invalid', 'true');
      else input.removeAttribute('aria-invalid');
    }
    if (x === null || y === null) {
      this.messages.error('start', `The start must be two numbers, got '${xIn.value.trim()}', '${yIn.value.trim()}'; the last race is left as it was`);
      return null;
    }
    this.messages.clear('start');
    const [sx, sy] = this.surface.start;
    setParam('from', x === sx && y === sy ? null : `${x},${y}`);
    return [x, y];
  }

  private readSteps(): number | null {
    const input = byId<HTMLInputElement>('lab-steps');
    const v = parseNumber(input.value);
    if (v === null || !Number.isInteger(v) || v < 1 || v > 20_000) {
      input.setAttribute('aria-invalid', 'true');
      this.messages.error('steps', `Steps: '${input.value.trim()}' is not a whole number from 1 to 20 000`);
      return null;
    }
    input.removeAttribute('aria-invalid');
    this.messages.clear('steps');
    setParam('lab.steps', v === this.surface.steps ? null : String(v));
    return v;
  }

  /** Formula, note, start and steps of the chosen surface (the URL's, where it has them). */
  private showSurface(): void {
    const s = this.surface;
    byId('lab-formula').replaceChildren(h('span', { class: 'math' }, s.formula), h('br'), h('span', { class: 'hint' }, s.note));
    const from = (getParam('from') ?? '').split(',').map(parseNumber);
    const [x, y] = from.length === 2 && from.every((v) => v !== null) ? from as number[] : s.start;
    byId<HTMLInputElement>('lab-x').value = String(x);
    byId<HTMLInputElement>('lab-y').value = String(y);
    byId<HTMLInputElement>('lab-steps').value = getParam('lab.steps') ?? String(s.steps);
    this.race = null;
    this.background = null;
    this.draw();
  }

  private buildTable(): void {
    const body = byId('lab-table').querySelector('tbody')!;
    body.replaceChildren();
    this.rows.clear();
    const off = new Set((getParam('lab.off') ?? '').split(',').filter(Boolean));
    listOptimizers().forEach((entry, i) => {
      const color = PALETTE[i % PALETTE.length]!;
      const dashed = i >= PALETTE.length;
      const on = h('input', { type: 'checkbox', id: `race-${entry.name}`, 'aria-label': `race ${entry.name}` });
      on.checked = !off.has(entry.name);
      const ownRate = takesIterations(entry) && entry.defaultLr !== null;
      const lr = h('input', {
        type: 'text', inputmode: 'decimal', class: 'lr', placeholder: ownRate ? `${entry.defaultLr} (own)` : 'shared', autocomplete: 'off',
        'aria-label': `${entry.name} learning rate`,
        ...(ownRate ? { title: `${entry.name} takes one iteration per step at its own rate: its lr scales a quasi-Newton step, not the gradient` } : {}),
      });
      lr.value = getParam(`lab.lr.${entry.name}`) ?? '';
      const loss = h('td', { class: 'num' }, '–');
      const step = h('td', { class: 'num' }, '–');
      const row = h('tr', { 'data-optimizer': entry.name, 'data-color': color },
        h('td', {}, on),
        h('th', { scope: 'row' }, h('span', { class: `swatch${dashed ? ' dashed' : ''}`, style: `--c: ${color}` }), entry.name),
        h('td', {}, lr), loss, step);
      body.append(row);
      this.rows.set(entry.name, { lr, on, loss, step, row });
      on.addEventListener('change', () => {
        const offNow = listOptimizers().filter((o) => !this.rows.get(o.name)!.on.checked).map((o) => o.name);
        setParam('lab.off', offNow.length ? offNow.join(',') : null);
        void this.run();
      });
      lr.addEventListener('change', () => {
        const v = parseNumber(lr.value);
        setParam(`lab.lr.${entry.name}`, v !== null && v > 0 ? String(v) : null);
        void this.run();
      });
    });
  }

  private drawPending = false;

  /** Draws on the next frame, once however often it is asked for before then. */
  private scheduleDraw(): void {
    if (this.drawPending) return;
    this.drawPending = true;
    requestAnimationFrame(() => {
      this.drawPending = false;
      this.draw();
    });
  }

  private draw(): void {
    const { canvas } = this;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (!width || !height) return;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(width * dpr);
    canvas.height = Math.round(height * dpr);
    const ctx = canvas.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const dark = matchMedia('(prefers-color-scheme: dark)').matches;
    const key = `${this.surface.id}:${width}x${height}:${dark}`;
    if (this.background?.key !== key) {
      const frame = frameFor(this.surface, width, height);
      this.background = { key, frame, image: renderSurface(this.surface, frame, dark) };
    }
    const { frame, image } = this.background;
    ctx.drawImage(image, 0, 0, width, height);
    const start = this.readStartQuietly();
    if (start) {
      const [sx, sy] = frame.toPx(...start);
      ctx.fillStyle = dark ? '#fff' : '#000';
      ctx.beginPath();
      ctx.arc(sx, sy, 5, 0, 2 * Math.PI);
      ctx.fill();
    }
    const race = this.race;
    if (!race) return;
    const drawn: string[] = [];
    race.racers.forEach((r) => {
      const { color } = r.config;
      ctx.strokeStyle = color;
      ctx.fillStyle = color;
      ctx.lineWidth = 2;
      ctx.setLineDash(listOptimizers().findIndex((o) => o.name === r.config.entry.name) >= PALETTE.length ? [6, 4] : []);
      ctx.beginPath();
      for (let k = 0; k < r.xs.length; k++) {
        const [px, py] = frame.toPx(r.xs[k]!, r.ys[k]!);
        if (k === 0) ctx.moveTo(px, py);
        else ctx.lineTo(px, py);
      }
      ctx.stroke();
      ctx.setLineDash([]);
      const [ex, ey] = frame.toPx(r.xs.at(-1)!, r.ys.at(-1)!);
      ctx.beginPath();
      ctx.arc(ex, ey, 4, 0, 2 * Math.PI);
      ctx.fill();
      drawn.push(`${r.config.entry.name}:${r.xs.length}`);
      const row = this.rows.get(r.config.entry.name);
      if (row) {
        row.loss.textContent = fmt(r.gaps.at(-1)! + race.surface.minValue, 3);
        row.step.textContent = r.status === 'running' || r.status === 'done' ? String(r.xs.length - 1) : r.message;
        row.row.dataset.status = r.status;
        row.row.dataset.steps = String(r.xs.length - 1);
        row.step.title = r.message;
      }
    });
    canvas.dataset.paths = drawn.join(' ');
    this.lossChart.setSeries(race.racers.map((r) => ({
      name: r.config.entry.name,
      color: r.config.color,
      xs: r.gaps.map((_, k) => k),
      ys: r.gaps.map((g) => Math.max(g, 1e-12)),
    })));
  }

  private readStartQuietly(): [number, number] | null {
    const x = parseNumber(byId<HTMLInputElement>('lab-x').value);
    const y = parseNumber(byId<HTMLInputElement>('lab-y').value);
    return x === null || y === null ? null : [x, y];
  }
}
