/**
 * The Benchmark panel: runs the workloads on both backends in the visitor's browser, shows
 * what really ran (`tg.backendInfo()`, the GPU's name where the browser tells it) and
 * shares the result as text or as a link that shows the same table to whoever opens it.
 */
import * as tg from 'tsgrad';
import { BACKENDS, onBackend, startBackend, type BackendName } from '../backends.ts';
import { byId, fmt, h } from '../ui/dom.ts';
import { Messages } from '../ui/messages.ts';
import { currentUrl, getParam, parseNumber, setParam } from '../url-state.ts';
import { matmulWorkload, measure, trainingWorkload, type Workload } from './workloads.ts';

/** A result as shared in a link: small, versioned, plain data. */
interface Shared {
  v: 1;
  date: string;
  browser: string;
  info: Partial<Record<BackendName, string>>;
  rows: [label: string, unit: string, cpu: number | null, gpu: number | null][];
}

const DEFAULT_SIZES = [256, 512, 1024];
const DEFAULT_SECONDS = 2;

export class BenchTab {
  private readonly messages = new Messages(byId('bench-messages'));
  private result: Shared | null = null;
  private running = false;

  constructor() {
    const seconds = byId<HTMLInputElement>('bench-seconds');
    seconds.value = getParam('bench.seconds') ?? String(DEFAULT_SECONDS);
    byId('bench-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.run();
    });
    byId('bench-copy-text').addEventListener('click', () => void this.copy(this.asText(), 'The results are on the clipboard as text'));
    byId('bench-copy-link').addEventListener('click', () => void this.copy(this.asLink(), 'A link to these results is on the clipboard'));
    const shared = getParam('bench.result');
    if (shared) this.showShared(shared);
  }

  async run(): Promise<void> {
    if (this.running) return;
    const secondsInput = byId<HTMLInputElement>('bench-seconds');
    const seconds = parseNumber(secondsInput.value);
    if (seconds === null || seconds <= 0 || seconds > 60) {
      secondsInput.setAttribute('aria-invalid', 'true');
      this.messages.error('seconds', `Seconds per measurement: '${secondsInput.value.trim()}' is not a number from 0 to 60`);
      return;
    }
    secondsInput.removeAttribute('aria-invalid');
    this.messages.clear('seconds');
    setParam('bench.seconds', seconds === DEFAULT_SECONDS ? null : String(seconds));
    const backends = BACKENDS.filter((b) => byId<HTMLInputElement>(`bench-${b}`).checked);
    const workloads: Workload[] = [...this.sizes().map(matmulWorkload), trainingWorkload('mlp'), trainingWorkload('cnn')];

    this.running = true;
    document.body.dataset.benchStatus = 'running';
    byId<HTMLButtonElement>('bench-run').disabled = true;
    const progress = byId('bench-progress');
    const result: Shared = {
      v: 1, date: new Date().toISOString().slice(0, 10), browser: navigator.userAgent, info: {},
      rows: workloads.map((w) => [w.label, w.unit, null, null]),
    };
    this.result = result;
    this.render(result, false);
    try {
      for (const backend of backends) {
        try {
          await startBackend(backend);
          result.info[backend] = describeBackend(backend);
        } catch (err) {
          this.messages.error(`start-${backend}`, `The ${backend} backend could not start; it is left out`, err);
          result.info[backend] = 'could not start';
          continue;
        }
        this.messages.clear(`start-${backend}`);
        for (const [i, w] of workloads.entries()) {
          progress.textContent = `Measuring ${w.label} on ${backend}…`;
          try {
            result.rows[i]![backend === 'cpu' ? 2 : 3] = await measure(w, backend, seconds);
          } catch (err) {
            this.messages.error(`${backend}-${w.id}`, `${w.label} failed on ${backend}`, err);
          }
          this.render(result, false);
        }
      }
      progress.textContent = `Done. ${backends.length ? '' : 'Tick a backend to measure it.'}`;
    } finally {
      this.running = false;
      document.body.dataset.benchStatus = 'done';
      byId<HTMLButtonElement>('bench-run').disabled = false;
      this.render(result, false);
    }
  }

  private sizes(): number[] {
    const raw = getParam('bench.sizes');
    if (raw === null) return DEFAULT_SIZES;
    const sizes = raw.split(',').map(parseNumber);
    if (sizes.some((n) => n === null || !Number.isInteger(n) || n < 1 || n > 4096)) {
      this.messages.error('sizes', `The link's bench.sizes=${raw} is not a list of whole numbers up to 4096; using ${DEFAULT_SIZES.join(', ')}`);
      return DEFAULT_SIZES;
    }
    return sizes as number[];
  }

  private render(r: Shared, shared: boolean): void {
    const info = byId('bench-info');
    info.replaceChildren(h('dl', { class: 'stats' },
      ...(Object.entries(r.info) as [BackendName, string][]).map(([b, text]) => h('div', {}, h('dt', {}, b), h('dd', { 'data-backend': b }, text))),
      h('div', { class: 'wide' }, h('dt', {}, shared ? 'Shared result, browser' : 'Browser'), h('dd', {}, r.browser)),
    ));
    const table = byId<HTMLTableElement>('bench-table');
    table.querySelector('caption')!.textContent = shared ? `Shared result of ${r.date} (higher is better)` : 'Results (higher is better)';
    table.tHead!.replaceChildren(h('tr', {}, h('th', { scope: 'col' }, 'workload'), h('th', { scope: 'col' }, 'unit'),
      h('th', { scope: 'col' }, 'cpu'), h('th', { scope: 'col' }, 'gpu')));
    table.tBodies[0]!.replaceChildren(...r.rows.map(([label, unit, cpu, gpu]) => h('tr', {},
      h('th', { scope: 'row' }, label), h('td', {}, unit),
      h('td', { class: 'num', 'data-backend': 'cpu', 'data-value': cpu ?? '' }, cpu === null ? '–' : fmt(cpu)),
      h('td', { class: 'num', 'data-backend': 'gpu', 'data-value': gpu ?? '' }, gpu === null ? '–' : fmt(gpu)))));
    const any = r.rows.some((row) => row[2] !== null || row[3] !== null);
    byId<HTMLButtonElement>('bench-copy-text').disabled = !any || this.running;
    byId<HTMLButtonElement>('bench-copy-link').disabled = !any || this.running;
  }

  private asText(): string {
    const r = this.result!;
    const lines = [
      `tsgrad playground benchmark, ${r.date}`,
      `browser: ${r.browser}`,
      ...Object.entries(r.info).map(([b, text]) => `${b}: ${text}`),
      '',
      '| workload | unit | cpu | gpu |',
      '|---|---|---|---|',
      ...r.rows.map(([label, unit, cpu, gpu]) => `| ${label} | ${unit} | ${cpu === null ? '–' : fmt(cpu)} | ${gpu === null ? '–' : fmt(gpu)} |`),
    ];
    return lines.join('\n');
  }

  private asLink(): string {
    const r = this.result!;
    const rounded = { ...r, rows: r.rows.map(([l, u, c, g]) => [l, u, c === null ? null : Number(c.toPrecision(4)), g === null ? null : Number(g.toPrecision(4))]) };
    const url = new URL(currentUrl());
    url.search = '';
    url.searchParams.set('tab', 'bench');
    url.searchParams.set('bench.result', toBase64Url(JSON.stringify(rounded)));
    return url.toString();
  }

  /** Copies to the clipboard; where that is not allowed, shows the text selected, to copy by hand. */
  private async copy(text: string, done: string): Promise<void> {
    const box = byId<HTMLTextAreaElement>('bench-share');
    try {
      await navigator.clipboard.writeText(text);
      this.messages.note('copy', done);
      box.hidden = true;
    } catch {
      box.hidden = false;
      box.value = text;
      box.focus();
      box.select();
      this.messages.note('copy', 'The browser did not allow copying: the text is selected below, copy it with Ctrl+C (⌘C)');
    }
  }

  private showShared(encoded: string): void {
    try {
      const r = JSON.parse(fromBase64Url(encoded)) as Shared;
      if (r.v !== 1 || !Array.isArray(r.rows)) throw new Error('not a result this page knows');
      this.result = r;
      this.render(r, true);
    } catch (err) {
      this.messages.error('shared', 'The link holds a benchmark result that could not be read', err);
    }
  }
}

/** What `tg.backendInfo()` says, plus the GPU's name where the browser reveals it. */
function describeBackend(backend: BackendName): string {
  const info = onBackend(backend, () => tg.backendInfo());
  const parts = [info.mode];
  if (backend === 'cpu') {
    parts.push(`${info.threads} thread${info.threads === 1 ? '' : 's'}`);
    parts.push(crossOriginIsolated ? 'cross-origin isolated' : 'not cross-origin isolated (one thread)');
  } else {
    const gpu = gpuName();
    if (gpu) parts.push(gpu);
  }
  return parts.join(', ');
}

function gpuName(): string | null {
  const gl = document.createElement('canvas').getContext('webgl2') ?? document.createElement('canvas').getContext('webgl');
  if (!gl) return null;
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const name = ext ? String(gl.getParameter(ext.UNMASKED_RENDERER_WEBGL)) : String(gl.getParameter(gl.RENDERER));
  // Browsers cap live WebGL contexts; this one is not needed any more.
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return name;
}

function toBase64Url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64Url(s: string): string {
  const bin = atob(s.replace(/-/g, '+').replace(/_/g, '/'));
  return new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)));
}
