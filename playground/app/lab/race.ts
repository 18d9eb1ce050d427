/**
 * A race of optimizers down one surface: each has its own 2-element parameter tensor θ,
 * starting at the same point, and takes real tsgrad steps — the surface's tensor ops,
 * `backward()`, then the optimizer's `step()` — on the cpu backend. The race advances a
 * few steps at a time so that the panel can animate it.
 */
import * as tg from 'tsgrad';
import { onBackend } from '../backends.ts';
import { stepOptimizer, type Hyperparams, type OptimizerEntry, type OptimizerLike } from '../optimizers.ts';
import type { Surface } from './surfaces.ts';

export interface RacerConfig {
  entry: OptimizerEntry;
  lr: number;
  options: Hyperparams;
  color: string;
}

export type RacerStatus = 'running' | 'done' | 'diverged' | 'failed';

export class Racer {
  readonly xs: number[];
  readonly ys: number[];
  /** f(θ) − min f after each step (index 0: at the start). */
  readonly gaps: number[];
  status: RacerStatus = 'running';
  message = '';
  readonly theta: tg.Tensor;
  readonly optimizer: OptimizerLike | null = null;

  constructor(readonly config: RacerConfig, surface: Surface, start: [number, number]) {
    this.xs = [start[0]];
    this.ys = [start[1]];
    this.theta = tg.tensor(start, { requiresGrad: true });
    this.gaps = [valueAt(surface, this.theta) - surface.minValue];
    try {
      this.optimizer = config.entry.create([this.theta], config.lr, config.options);
    } catch (err) {
      this.fail(err);
    }
  }

  fail(err: unknown): void {
    this.status = 'failed';
    this.message = err instanceof Error ? err.message : String(err);
  }
}

/** f at θ's current value, without recording a graph. */
function valueAt(surface: Surface, theta: tg.Tensor): number {
  return tg.noGrad(() => tg.tidy(() => surface.f(theta.select(0, 0), theta.select(0, 1)).item()));
}

/** Far enough outside the view that the path will not come back: called diverged. */
const ESCAPE = 50;

export class Race {
  readonly racers: Racer[];
  step = 0;
  private readonly noise: Float64Array;

  constructor(readonly surface: Surface, readonly start: [number, number], configs: RacerConfig[], readonly steps: number) {
    this.racers = onBackend('cpu', () => configs.map((c) => new Racer(c, surface, start)));
    // One noise sequence shared by every racer, so they face the same gradients' errors.
    this.noise = new Float64Array(2 * steps);
    if (surface.noise) {
      let seed = 12345;
      const uniform = (): number => {
        seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
        return (seed + 0.5) / 2 ** 32;
      };
      for (let i = 0; i < this.noise.length; i++) {
        this.noise[i] = Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
      }
    }
  }

  get finished(): boolean {
    return this.step >= this.steps || this.racers.every((r) => r.status !== 'running');
  }

  /** Takes up to `count` more steps for every racer still running. */
  advance(count: number): void {
    onBackend('cpu', () => {
      for (let k = 0; k < count && this.step < this.steps; k++) {
        for (const r of this.racers) if (r.status === 'running') this.stepRacer(r);
        this.step++;
      }
      if (this.step >= this.steps) for (const r of this.racers) if (r.status === 'running') r.status = 'done';
    });
  }

  private stepRacer(r: Racer): void {
    const { surface } = this;
    const sigma = surface.noise ?? 0;
    const xi1 = this.noise[2 * this.step]!;
    const xi2 = this.noise[2 * this.step + 1]!;
    const opt = r.optimizer!;
    try {
      tg.tidy(() => {
        stepOptimizer(opt, () => {
          opt.zeroGrad();
          const x = r.theta.select(0, 0);
          const y = r.theta.select(0, 1);
          let loss = surface.f(x, y);
          if (sigma) loss = loss.add(x.mul(sigma * xi1).add(y.mul(sigma * xi2)));
          loss.backward();
          return loss;
        });
      });
    } catch (err) {
      r.fail(err);
      return;
    }
    const [x, y] = r.theta.data as Float32Array;
    const gap = valueAt(surface, r.theta) - surface.minValue;
    const { view } = surface;
    const span = Math.max(view.x[1] - view.x[0], view.y[1] - view.y[0]);
    if (![x!, y!, gap].every(Number.isFinite) || Math.abs(x!) > ESCAPE * span || Math.abs(y!) > ESCAPE * span) {
      r.status = 'diverged';
      r.message = `diverged at step ${this.step + 1}`;
      return;
    }
    r.xs.push(x!);
    r.ys.push(y!);
    r.gaps.push(gap);
  }
}
