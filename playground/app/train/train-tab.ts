/**
 * The Train panel: MNIST in the page, a model trained live, its curves, a digit to draw and
 * the model's file. Whatever goes wrong (a bad setting, a backend that will not start, a
 * model file that does not fit) is said in the panel, and the current model either keeps
 * training or stays exactly as it was.
 */
import * as tg from 'tsgrad';
import { onBackend, startBackend, type BackendName } from '../backends.ts';
import { LineChart } from '../ui/chart.ts';
import { byId, fmt, formatBytes, h, percent } from '../ui/dom.ts';
import { Messages } from '../ui/messages.ts';
import { DrawPad } from './draw-pad.ts';
import { evaluate, predict } from './evaluate.ts';
import { loadMnist, type Mnist } from './mnist.ts';
import { downloadModel, loadWeights, readFileBytes } from './model-file.ts';
import { MODELS, type ModelKind } from './models.ts';
import { TrainForm } from './train-form.ts';
import { QUICK_TEST, Trainer } from './trainer.ts';

/** The model on show: being trained, trained, or loaded from a file. */
interface Current {
  kind: ModelKind;
  model: tg.nn.Module;
  backend: BackendName;
  trainer: Trainer | null;
}

const COLORS = { train: '#1f77b4', test: '#d62728' };

export class TrainTab {
  private readonly messages = new Messages(byId('train-messages'));
  private readonly form: TrainForm;
  private current: Current | null = null;
  private data: Mnist | null = null;
  private readonly lossChart = new LineChart(byId('chart-loss'), { title: 'Loss (cross-entropy)', xLabel: 'step', yLog: true });
  private readonly accChart = new LineChart(byId('chart-accuracy'), { title: 'Accuracy', xLabel: 'step' });
  private readonly pad: DrawPad;
  private redrawPending = false;
  private lastMemory = 0;

  constructor() {
    this.form = new TrainForm(this.messages, {
      lrChanged: (lr) => this.liveChange('lr', () => this.current?.trainer?.setLr(lr)),
      hyperChanged: (key, value) => this.liveChange(`h.${key}`, () => {
        const trainer = this.current?.trainer;
        if (trainer && trainer.config.optimizer.name === byId<HTMLSelectElement>('train-optimizer').value) trainer.setHyper(key, value);
      }),
      backendChanged: (name) => void this.tryBackend(name),
    });
    byId('train-form').addEventListener('submit', (e) => {
      e.preventDefault();
      void this.start();
    });
    byId('train-pause').addEventListener('click', () => this.togglePause());
    byId('train-stop').addEventListener('click', () => this.current?.trainer?.stop());
    byId('model-save').addEventListener('click', () => this.save());
    const fileInput = byId<HTMLInputElement>('model-load');
    byId('model-load-button').addEventListener('click', () => fileInput.click());
    fileInput.addEventListener('change', () => {
      const file = fileInput.files?.[0];
      fileInput.value = ''; // picking the same file again should load it again
      if (file) void this.load(file);
    });
    this.pad = new DrawPad(byId<HTMLCanvasElement>('draw-pad'), () => this.guess());
    byId('draw-clear').addEventListener('click', () => {
      this.pad.clear();
      this.guess();
    });
    byId('draw-sample').addEventListener('click', () => void this.sampleDigit());
    this.buildProbabilityBars();
    this.render();
  }

  /** Called when the tab is first shown: fetches MNIST so that Train starts at once. */
  prefetch(): void {
    void this.ensureData().catch(() => undefined);
  }

  /** Starts a new run with the form's settings; the current run, if any, goes on until the new one is ready. */
  async start(): Promise<void> {
    const config = this.form.read();
    if (!config) return;
    let data: Mnist;
    try {
      data = await this.ensureData();
      await startBackend(config.backend);
    } catch (err) {
      this.messages.error('start', this.current?.trainer ? `Could not start; the current model keeps training` : 'Could not start', err);
      return;
    }
    let trainer: Trainer;
    try {
      trainer = new Trainer(config, data, {
        progress: () => this.render(),
        failed: (err) => {
          this.messages.error('run', `Training paused at step ${trainer.step}; the model is as the last good step left it. Change the settings and press Resume`, err);
          this.render();
        },
        finished: () => this.finished(trainer),
      });
    } catch (err) {
      this.messages.error('start', `Could not build the run${this.current?.trainer ? '; the current model keeps training' : ''}`, err);
      return;
    }
    this.current?.trainer?.stop();
    this.messages.clear('start');
    this.messages.clear('run');
    this.current = { kind: config.model, model: trainer.model, backend: config.backend, trainer };
    this.render();
    await trainer.run();
  }

  private togglePause(): void {
    const t = this.current?.trainer;
    if (!t) return;
    if (t.status === 'running') t.pause();
    else t.resume();
    this.render();
  }

  private finished(trainer: Trainer): void {
    if (this.current?.trainer !== trainer) return;
    this.render();
    this.guess();
  }

  private liveChange(key: string, apply: () => void): void {
    try {
      apply();
    } catch (err) {
      this.messages.error(key, `Not applied to the running model (it keeps its old value)`, err);
    }
  }

  /** Starts a backend as soon as it is picked, so that a failure shows before Train is pressed. */
  private async tryBackend(name: BackendName): Promise<void> {
    this.messages.clear('backend');
    try {
      await startBackend(name);
    } catch (err) {
      const running = this.current?.trainer?.status === 'running' ? '; the current model keeps training on its backend' : '';
      this.messages.error('backend', `The ${name} backend could not start${running}`, err);
    }
  }

  private async ensureData(): Promise<Mnist> {
    if (this.data) return this.data;
    const progress = byId<HTMLProgressElement>('data-progress');
    const text = byId('data-text');
    try {
      this.data = await loadMnist((loaded, total) => {
        progress.value = loaded / total;
        text.textContent = `${formatBytes(loaded)} of ${formatBytes(total)}`;
      });
    } catch (err) {
      text.textContent = 'failed';
      throw new Error(`MNIST did not load (${err instanceof Error ? err.message : String(err)})`);
    }
    progress.value = 1;
    text.textContent = `${this.data.train.count.toLocaleString('en-US')} training and ${this.data.test.count.toLocaleString('en-US')} test digits`;
    byId('data-status').classList.add('loaded');
    return this.data;
  }

  private save(): void {
    const c = this.current;
    if (!c) return;
    try {
      const meta: Record<string, string> = { app: 'tsgrad playground' };
      if (c.trainer) Object.assign(meta, { optimizer: c.trainer.config.optimizer.name, steps: String(c.trainer.step) });
      const name = downloadModel(c.model, c.kind, c.backend, meta);
      this.messages.note('file', `Saved ${name}`);
    } catch (err) {
      this.messages.error('file', 'Could not save the model', err);
    }
  }

  /**
   * Loads weights into the current model (a running one keeps training from them). With no
   * current model, into a new one: the chosen architecture first, then the others.
   */
  private async load(file: File): Promise<void> {
    this.messages.clear('file');
    let bytes: Uint8Array;
    try {
      bytes = await readFileBytes(file);
    } catch (err) {
      this.messages.error('file', `Could not read ${file.name}`, err);
      return;
    }
    const c = this.current;
    if (c) {
      try {
        loadWeights(c.model, c.backend, bytes);
      } catch (err) {
        this.messages.error('file', `${file.name} was not loaded; the current ${c.kind.toUpperCase()} is unchanged${c.trainer?.status === 'running' ? ' and keeps training' : ''}`, err);
        return;
      }
      this.messages.note('file', `Loaded ${file.name} into the current ${c.kind.toUpperCase()}`);
    } else {
      const backend = this.form.backendName;
      try {
        await startBackend(backend);
      } catch (err) {
        this.messages.error('file', `The ${backend} backend could not start, so nothing was loaded`, err);
        return;
      }
      const chosen = (this.form.read()?.model ?? 'mlp');
      const kinds = [chosen, ...(Object.keys(MODELS) as ModelKind[]).filter((k) => k !== chosen)];
      let firstError: unknown = null;
      for (const kind of kinds) {
        const model = onBackend(backend, () => MODELS[kind].build());
        try {
          loadWeights(model, backend, bytes);
          this.current = { kind, model, backend, trainer: null };
          this.form.setModelKind(kind);
          break;
        } catch (err) {
          firstError ??= err;
        }
      }
      if (!this.current) {
        this.messages.error('file', `${file.name} is not a model this page knows (neither ${kinds.join(' nor ').toUpperCase()})`, firstError);
        return;
      }
      this.messages.note('file', `Loaded ${file.name} as a ${this.current.kind.toUpperCase()}`);
    }
    this.render();
    this.guess();
    await this.scoreLoaded();
  }

  /** A loaded model's test accuracy, so the visitor sees what they loaded. */
  private async scoreLoaded(): Promise<void> {
    const c = this.current;
    if (!c || c.trainer?.status === 'running') return;
    try {
      const data = await this.ensureData();
      const score = await evaluate(c.model, c.backend, data.test, data.test.count);
      if (this.current === c) this.showFinal(score.accuracy, score.count);
    } catch (err) {
      this.messages.error('file', 'Could not score the loaded model', err);
    }
  }

  private async sampleDigit(): Promise<void> {
    try {
      const data = await this.ensureData();
      const i = Math.floor(Math.random() * data.test.count);
      this.pad.show(data.test.images.subarray(i * 784, (i + 1) * 784));
      this.guess(`test digit #${i}, labelled ${data.test.labels[i]}`);
    } catch (err) {
      this.messages.error('draw', 'No test digits to show', err);
    }
  }

  private buildProbabilityBars(): void {
    const list = byId('draw-probs');
    for (let d = 0; d < 10; d++) {
      list.append(h('li', { 'data-digit': d },
        h('span', { class: 'digit' }, String(d)),
        h('span', { class: 'bar' }, h('span', { class: 'fill' })),
        h('span', { class: 'value' }, '–')));
    }
  }

  /** The model's probabilities for what is on the pad. */
  private guess(what = 'your drawing'): void {
    const out = byId('draw-guess');
    const c = this.current;
    const bars = [...byId('draw-probs').children] as HTMLElement[];
    if (!c || this.pad.isEmpty()) {
      out.textContent = c ? 'Draw a digit in the box.' : 'Train or load a model, then draw.';
      for (const li of bars) this.setBar(li, 0, false);
      return;
    }
    try {
      const probs = predict(c.model, c.backend, this.pad.pixels());
      let best = 0;
      for (let d = 1; d < 10; d++) if (probs[d]! > probs[best]!) best = d;
      bars.forEach((li, d) => this.setBar(li, probs[d]!, d === best));
      out.textContent = `The model reads ${what} as ${best} (${percent(probs[best]!, 1)}).`;
    } catch (err) {
      this.messages.error('draw', 'Could not classify the drawing', err);
    }
  }

  private setBar(li: HTMLElement, p: number, best: boolean): void {
    (li.querySelector('.fill') as HTMLElement).style.width = `${(100 * p).toFixed(1)}%`;
    li.querySelector('.value')!.textContent = p ? percent(p, 1) : '–';
    li.classList.toggle('best', best);
  }

  /** Redraws stats and charts, at most once per frame. */
  private render(): void {
    if (this.redrawPending) return;
    this.redrawPending = true;
    requestAnimationFrame(() => {
      this.redrawPending = false;
      this.renderNow();
    });
  }

  private renderNow(): void {
    const c = this.current;
    const t = c?.trainer ?? null;
    const set = (id: string, text: string, value?: number | string): void => {
      const el = byId(id);
      el.textContent = text;
      if (value !== undefined) el.dataset.value = String(value);
    };
    const status = !t ? (c ? 'loaded from a file' : 'idle')
      : t.status === 'running' && t.step === t.totalSteps ? `testing on all 10 000 digits (${Math.round(100 * t.finalProgress)} %)`
      : t.status;
    set('stat-status', status, t?.status ?? (c ? 'loaded' : 'idle'));
    document.body.dataset.trainStatus = t?.status ?? 'idle';
    if (t) {
      set('stat-step', `${t.step.toLocaleString('en-US')} of ${t.totalSteps.toLocaleString('en-US')}`, t.step);
      set('stat-epoch', `${Math.min(t.epoch + 1, t.config.epochs)} of ${t.config.epochs}`);
      set('stat-speed', t.samplesPerSecond ? fmt(t.samplesPerSecond) : '–', Math.round(t.samplesPerSecond));
      set('stat-lr', fmt(t.lr, 4), t.lr);
      if (t.finalTest) this.showFinal(t.finalTest.accuracy, t.finalTest.count);
      else set('final-accuracy', t.status === 'stopped' ? 'stopped before the end' : 'after the last step', '');
      const stats = byId('train-stats');
      const recent = t.train.loss.slice(-20);
      stats.dataset.firstLoss = String(t.train.loss[0] ?? '');
      stats.dataset.recentLoss = String(recent.length ? recent.reduce((a, b) => a + b, 0) / recent.length : '');
      stats.dataset.testAccuracy = String(t.test.accuracy.at(-1) ?? '');
    }
    if (c) {
      // What really runs, as tg.backendInfo() says (e.g. 'wasm-relaxed-simd', 'webgl2').
      const info = onBackend(c.backend, () => tg.backendInfo());
      set('stat-backend', `${c.backend}: ${info.mode}${c.backend === 'cpu' ? `, ${info.threads} thread${info.threads === 1 ? '' : 's'}` : ''}`, `${c.backend} ${info.mode}`);
    }
    // tg.memory() counts every live tensor; with tg.tidy per step it stays flat while training.
    const mem = tg.memory();
    if (mem.bytes !== this.lastMemory || !t) {
      this.lastMemory = mem.bytes;
      set('stat-memory', `${mem.tensors} tensors, ${formatBytes(mem.bytes)}`, mem.tensors);
    }
    byId<HTMLButtonElement>('train-pause').disabled = !t || t.status === 'done' || t.status === 'stopped';
    byId('train-pause').textContent = t && (t.status === 'paused' || t.status === 'failed') ? 'Resume' : 'Pause';
    byId<HTMLButtonElement>('train-stop').disabled = !t || t.status === 'done' || t.status === 'stopped';
    byId<HTMLButtonElement>('model-save').disabled = !c;
    if (t) {
      this.lossChart.setSeries([
        { name: 'train', color: COLORS.train, xs: t.train.steps, ys: t.train.loss },
        { name: `test (${QUICK_TEST.toLocaleString('en-US')} digits)`, color: COLORS.test, xs: t.test.steps, ys: t.test.loss, dots: true },
      ]);
      this.accChart.setSeries([
        { name: 'train', color: COLORS.train, xs: t.train.steps, ys: t.train.accuracy },
        { name: `test (${QUICK_TEST.toLocaleString('en-US')} digits)`, color: COLORS.test, xs: t.test.steps, ys: t.test.accuracy, dots: true },
      ]);
    }
  }

  private showFinal(accuracy: number, count: number): void {
    const el = byId('final-accuracy');
    el.textContent = `${percent(accuracy)} of ${count.toLocaleString('en-US')}`;
    el.dataset.value = String(accuracy);
  }
}
