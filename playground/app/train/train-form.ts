/**
 * The Train panel's settings: the form, its checks, and the URL that mirrors it. A value
 * that does not parse is marked in the form and explained in the panel's messages; it is
 * never used, and the URL keeps the last good value.
 */
import { BACKENDS, BACKEND_LABELS, isBackendName, type BackendName } from '../backends.ts';
import {
  CHOICES, checkOptions, findOptimizer, formatHyper, listOptimizers, parseHyper, type HyperValue, type Hyperparams, type OptimizerEntry,
} from '../optimizers.ts';
import { findScheduler, listSchedulers } from '../schedulers.ts';
import { byId, h } from '../ui/dom.ts';
import type { Messages } from '../ui/messages.ts';
import { clearParams, getParam, paramsWithPrefix, parseNumber, setParam } from '../url-state.ts';
import { isModelKind, MODELS } from './models.ts';
import type { TrainConfig } from './trainer.ts';

export interface FormEvents {
  lrChanged(lr: number): void;
  hyperChanged(key: string, value: HyperValue): void;
  backendChanged(name: BackendName): void;
}

interface IntField {
  id: string;
  key: string;
  label: string;
  min: number;
  max: number;
  fallback: number;
}

const INT_FIELDS: IntField[] = [
  { id: 'train-batch', key: 'batch', label: 'Batch size', min: 1, max: 4096, fallback: 64 },
  { id: 'train-epochs', key: 'epochs', label: 'Epochs', min: 1, max: 100, fallback: 1 },
  { id: 'train-steps', key: 'steps', label: 'Stop after steps', min: 0, max: 10_000_000, fallback: 0 },
  { id: 'train-seed', key: 'seed', label: 'Seed', min: 0, max: 2 ** 31 - 1, fallback: 0 },
];

const DEFAULT_OPTIMIZER = 'Adam';
const HYPER_PREFIX = 'h.';

export class TrainForm {
  private readonly model = byId<HTMLSelectElement>('train-model');
  private readonly backend = byId<HTMLSelectElement>('train-backend');
  private readonly optimizer = byId<HTMLSelectElement>('train-optimizer');
  private readonly lr = byId<HTMLInputElement>('train-lr');
  private readonly scheduler = byId<HTMLSelectElement>('train-scheduler');
  private readonly hyperBox = byId('train-hyper');
  /** The optimizer's hyperparameters as last parsed successfully. */
  private hyper: Hyperparams = {};

  constructor(private readonly messages: Messages, private readonly events: FormEvents) {
    for (const [kind, m] of Object.entries(MODELS)) this.model.append(h('option', { value: kind }, m.label));
    for (const b of BACKENDS) this.backend.append(h('option', { value: b }, BACKEND_LABELS[b]));
    for (const o of listOptimizers()) this.optimizer.append(h('option', { value: o.name }, o.name));
    this.scheduler.append(h('option', { value: 'none' }, 'none (constant)'));
    for (const s of listSchedulers()) this.scheduler.append(h('option', { value: s.name }, `${s.name}: ${s.label}`));

    this.selectFromUrl(this.model, 'model', 'mlp', isModelKind);
    this.selectFromUrl(this.backend, 'backend', 'cpu', isBackendName);
    this.selectFromUrl(this.optimizer, 'opt', findOptimizer(DEFAULT_OPTIMIZER) ? DEFAULT_OPTIMIZER : listOptimizers()[0]!.name, (v) => !!findOptimizer(v));
    this.selectFromUrl(this.scheduler, 'sched', 'none', (v) => v === 'none' || !!findScheduler(v));
    for (const f of INT_FIELDS) this.initInt(f);

    const lrFromUrl = getParam('lr');
    this.lr.value = lrFromUrl ?? String(this.defaultLr());
    if (lrFromUrl !== null) this.checkLr();
    this.lr.addEventListener('change', () => {
      const lr = this.checkLr();
      if (lr === null) return;
      setParam('lr', lr === this.defaultLr() ? null : this.lr.value.trim());
      this.events.lrChanged(lr);
    });

    this.model.addEventListener('change', () => setParam('model', this.model.value === 'mlp' ? null : this.model.value));
    this.backend.addEventListener('change', () => {
      setParam('backend', this.backend.value === 'cpu' ? null : this.backend.value);
      this.events.backendChanged(this.backend.value as BackendName);
    });
    this.scheduler.addEventListener('change', () => setParam('sched', this.scheduler.value === 'none' ? null : this.scheduler.value));
    this.optimizer.addEventListener('change', () => {
      setParam('opt', this.optimizer.value === DEFAULT_OPTIMIZER ? null : this.optimizer.value);
      clearParams(HYPER_PREFIX);
      // A new optimizer starts from its own default rate, where it has one.
      this.lr.value = String(this.defaultLr());
      this.messages.clear('lr');
      this.lr.removeAttribute('aria-invalid');
      setParam('lr', null);
      this.buildHyperFields();
    });
    this.buildHyperFields();
  }

  get backendName(): BackendName {
    return this.backend.value as BackendName;
  }

  setModelKind(kind: string): void {
    this.model.value = kind;
    setParam('model', kind === 'mlp' ? null : kind);
  }

  /** Every setting, checked; null (with messages shown) when any is bad. */
  read(): Omit<TrainConfig, 'backend'> & { backend: BackendName } | null {
    const ints = INT_FIELDS.map((f) => this.checkInt(f));
    const lr = this.checkLr();
    const hyperOk = this.hyperBox.querySelector('[aria-invalid="true"]') === null;
    if (ints.some((v) => v === null) || lr === null || !hyperOk) return null;
    const [batchSize, epochs, maxSteps, seed] = ints as number[];
    const optimizer = this.entry();
    return {
      model: isModelKind(this.model.value) ? this.model.value : 'mlp',
      optimizer,
      lr,
      hyper: { ...this.hyper },
      scheduler: findScheduler(this.scheduler.value) ?? null,
      batchSize: batchSize!,
      epochs: epochs!,
      maxSteps: maxSteps!,
      backend: this.backendName,
      seed: seed!,
    };
  }

  private entry(): OptimizerEntry {
    return findOptimizer(this.optimizer.value) ?? listOptimizers()[0]!;
  }

  private defaultLr(): number {
    return this.entry().defaultLr ?? 0.01;
  }

  private selectFromUrl(select: HTMLSelectElement, key: string, fallback: string, valid: (v: string) => boolean): void {
    const v = getParam(key);
    if (v !== null && !valid(v)) this.messages.error(key, `The link's ${key}=${v} is not one of the choices; using ${fallback}`);
    select.value = v !== null && valid(v) ? v : fallback;
  }

  private initInt(f: IntField): void {
    const input = byId<HTMLInputElement>(f.id);
    input.value = getParam(f.key) ?? String(f.fallback);
    if (getParam(f.key) !== null) this.checkInt(f);
    input.addEventListener('change', () => {
      const v = this.checkInt(f);
      if (v !== null) setParam(f.key, v === f.fallback ? null : String(v));
    });
  }

  private checkInt(f: IntField): number | null {
    const input = byId<HTMLInputElement>(f.id);
    const v = parseNumber(input.value);
    const ok = v !== null && Number.isInteger(v) && v >= f.min && v <= f.max;
    return this.mark(input, f.key, ok,
      `${f.label}: '${input.value.trim()}' is not a whole number from ${f.min} to ${f.max.toLocaleString('en-US')}`) ? v : null;
  }

  /** The learning rate, or null (with a message) when the field does not hold a usable one. */
  private checkLr(): number | null {
    const v = parseNumber(this.lr.value);
    const ok = v !== null && v > 0;
    return this.mark(this.lr, 'lr',
      ok, `Learning rate: '${this.lr.value.trim()}' is not a positive number (e.g. 0.001 or 1e-3); nothing was changed`) ? v : null;
  }

  private mark(input: HTMLInputElement, key: string, ok: boolean, message: string): boolean {
    if (ok) {
      input.removeAttribute('aria-invalid');
      this.messages.clear(key);
    } else {
      input.setAttribute('aria-invalid', 'true');
      this.messages.error(key, message);
    }
    return ok;
  }

  /** One field per hyperparameter of the chosen optimizer, filled from the URL or the defaults. */
  private buildHyperFields(): void {
    const entry = this.entry();
    this.hyperBox.replaceChildren();
    this.hyper = {};
    const fromUrl = new Map(paramsWithPrefix(HYPER_PREFIX));
    for (const [key, def] of Object.entries(entry.defaults)) {
      const id = `hyper-${key}`;
      const choices = CHOICES[key];
      let field: HTMLInputElement | HTMLSelectElement;
      if (typeof def === 'boolean') {
        field = h('input', { id, type: 'checkbox' });
      } else if (choices) {
        field = h('select', { id }, ...choices.map((c) => h('option', { value: c ?? '' }, c ?? 'none')));
      } else {
        field = h('input', { id, type: 'text', inputmode: typeof def === 'string' ? 'text' : 'decimal', autocomplete: 'off' });
      }
      const text = fromUrl.get(key) ?? formatHyper(def);
      if (field instanceof HTMLInputElement && field.type === 'checkbox') field.checked = text === 'true';
      else field.value = text;
      const read = (): HyperValue => (field instanceof HTMLInputElement && field.type === 'checkbox'
        ? field.checked
        : parseHyper(key, field.value, def));
      const apply = (fromUser: boolean): void => {
        try {
          const value = read();
          // The optimizer's own checks, so that a bad value is caught here and not at Train.
          checkOptions(entry, entry.defaultLr ?? 0.01, { ...this.hyper, [key]: value });
          this.hyper[key] = value;
          field.removeAttribute('aria-invalid');
          this.messages.clear(`h.${key}`);
          if (fromUser) {
            setParam(`${HYPER_PREFIX}${key}`, formatHyper(value) === formatHyper(def) ? null : formatHyper(value));
            this.events.hyperChanged(key, value);
          }
        } catch (err) {
          field.setAttribute('aria-invalid', 'true');
          this.messages.error(`h.${key}`, `${entry.name} ${key}`, err);
        }
      };
      apply(false);
      field.addEventListener('change', () => apply(true));
      const label = h('label', { for: id }, key, typeof def !== 'boolean' && Array.isArray(def) ? h('span', { class: 'hint' }, ' (comma-separated)') : null);
      this.hyperBox.append(typeof def === 'boolean' ? h('div', { class: 'check' }, field, label) : h('div', {}, label, field));
    }
    if (Object.keys(entry.defaults).length === 0) this.hyperBox.append(h('p', { class: 'hint' }, `${entry.name} has no hyperparameters besides the learning rate.`));
  }
}
