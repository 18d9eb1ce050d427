/**
 * The lab's shared hyperparameters: sliders for lr, γ, β₁, β₂ and ε, mirrored in the URL.
 * Each optimizer takes the ones it has (see `optionsFor`); lr on a log scale, since useful
 * rates span four decades.
 */
import type { Hyperparams, OptimizerEntry } from '../optimizers.ts';
import { h } from '../ui/dom.ts';
import { getParam, parseNumber, setParam } from '../url-state.ts';

export interface SliderValues {
  lr: number;
  momentum: number;
  beta1: number;
  beta2: number;
  /** null: every optimizer keeps its own default ε. */
  eps: number | null;
}

interface SliderSpec {
  key: keyof SliderValues;
  label: string;
  min: number;
  max: number;
  step: number;
  /** The slider moves over log10 of the value. */
  log?: boolean;
  /** Shown only with a tick box, unset by default. */
  optional?: boolean;
  fallback: number;
  help: string;
}

const SPECS: SliderSpec[] = [
  { key: 'lr', label: 'learning rate', min: -4, max: 0, step: 0.05, log: true, fallback: 0.01, help: 'every optimizer, unless it has an lr of its own in the table' },
  { key: 'momentum', label: 'momentum γ', min: 0, max: 0.99, step: 0.01, fallback: 0.9, help: 'optimizers built on momentum (SGD and RMSprop keep theirs at 0, so the race shows what momentum adds)' },
  { key: 'beta1', label: 'β₁', min: 0, max: 0.999, step: 0.001, fallback: 0.9, help: 'optimizers with betas (Adam and its family)' },
  { key: 'beta2', label: 'β₂', min: 0.9, max: 0.9999, step: 0.0001, fallback: 0.999, help: 'optimizers with betas' },
  { key: 'eps', label: 'ε', min: -10, max: -1, step: 0.5, log: true, optional: true, fallback: 1e-8, help: 'every optimizer with an eps; unticked, each keeps its own default' },
];

/**
 * What one optimizer takes from the sliders: only options it has. γ goes to optimizers
 * whose default momentum is not zero (those built on it), so SGD stays plain gradient
 * descent and RMSprop stays RMSprop.
 */
export function optionsFor(entry: OptimizerEntry, v: SliderValues): Hyperparams {
  const d = entry.defaults;
  const out: Hyperparams = {};
  if (takesIterations(entry)) {
    // One iteration (one gradient) per race step, like everyone else, not PyTorch's 20; on a
    // 2-D surface ten remembered pairs say all there is about the 2×2 curvature, at a
    // tenth of the two-loop's work.
    out.maxIter = 1;
    if (typeof d.historySize === 'number') out.historySize = Math.min(d.historySize, 10);
  }
  if (typeof d.momentum === 'number' && d.momentum > 0) out.momentum = v.momentum;
  if (Array.isArray(d.betas) && d.betas.length === 2) out.betas = [v.beta1, v.beta2];
  if (v.eps !== null && typeof d.eps === 'number') out.eps = v.eps;
  return out;
}

/**
 * Optimizers whose `step(closure)` runs iterations of their own (L-BFGS): their lr scales a
 * quasi-Newton step, not the gradient, so the shared rate (a gradient step size) does not
 * apply and they race at their own default rate unless the table gives one.
 */
export function takesIterations(entry: OptimizerEntry): boolean {
  return typeof entry.defaults.maxIter === 'number';
}

/** The rate an optimizer races at: its row's, else its own default (see takesIterations), else the shared one. */
export function raceLr(entry: OptimizerEntry, own: number | null, shared: number): number {
  if (own !== null && own > 0) return own;
  return takesIterations(entry) && entry.defaultLr !== null ? entry.defaultLr : shared;
}

export class Sliders {
  private readonly inputs = new Map<keyof SliderValues, { range: HTMLInputElement; out: HTMLOutputElement; on?: HTMLInputElement }>();

  constructor(container: HTMLElement, private readonly changed: () => void) {
    for (const s of SPECS) {
      const id = `lab-${s.key}`;
      const range = h('input', { id, type: 'range', min: s.min, max: s.max, step: s.step, 'aria-describedby': `${id}-help` });
      const out = h('output', { for: id });
      const on = s.optional ? h('input', { type: 'checkbox', id: `${id}-on`, 'aria-label': `set ${s.label} for all` }) : undefined;
      this.inputs.set(s.key, { range, out, on });
      const row = h('div', { class: 'slider' },
        h('label', { for: id }, s.label), on ?? null, range, out,
        h('p', { class: 'hint', id: `${id}-help` }, s.help));
      container.append(row);
      range.addEventListener('input', () => this.show(s));
      range.addEventListener('change', () => this.commit(s));
      on?.addEventListener('change', () => this.commit(s));
    }
  }

  /** Sets the sliders from the URL, or from `defaults` for the settings the URL does not hold. */
  load(defaults: Partial<SliderValues>): void {
    for (const s of SPECS) {
      const { range, on } = this.inputs.get(s.key)!;
      const fromUrl = parseNumber(getParam(`lab.${s.key}`));
      const hasUrl = fromUrl !== null && (!s.log || fromUrl > 0);
      const value = (hasUrl ? fromUrl : defaults[s.key]) ?? s.fallback;
      if (on) on.checked = hasUrl;
      range.value = String(s.log ? Math.log10(value) : value);
      this.show(s);
    }
  }

  values(): SliderValues {
    const get = (key: keyof SliderValues): number => {
      const s = SPECS.find((x) => x.key === key)!;
      const raw = Number(this.inputs.get(key)!.range.value);
      return s.log ? Number((10 ** raw).toPrecision(3)) : raw;
    };
    const epsOn = this.inputs.get('eps')!.on!.checked;
    return { lr: get('lr'), momentum: get('momentum'), beta1: get('beta1'), beta2: get('beta2'), eps: epsOn ? get('eps') : null };
  }

  private show(s: SliderSpec): void {
    const { out, on, range } = this.inputs.get(s.key)!;
    const v = this.values()[s.key];
    out.value = on && !on.checked ? 'defaults' : String(v ?? '');
    range.disabled = on ? !on.checked : false;
  }

  /** A moved slider goes into the URL (as a number, so a link holds exact values) and restarts the race. */
  private commit(s: SliderSpec): void {
    this.show(s);
    const { on } = this.inputs.get(s.key)!;
    const v = this.values()[s.key];
    setParam(`lab.${s.key}`, on && !on.checked ? null : String(v));
    this.changed();
  }
}
