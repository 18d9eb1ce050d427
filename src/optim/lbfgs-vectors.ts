/**
 * LBFGS's vector arithmetic: a vector over all parameters is one tensor per parameter, and
 * these are the few operations the algorithm does on such vectors (dot products, norms,
 * a + α·b, and the two-loop recursion built from them), plus the pool that owns the
 * vectors made during a step. Kept apart from lbfgs.ts so that file holds the algorithm's
 * control flow, not the arithmetic and bookkeeping.
 */
import type { Tensor } from '../tensor/tensor.ts';
import { keep, tidy } from '../tensor/lifetimes.ts';
import { add, mul } from '../ops/arithmetic.ts';
import { abs } from '../ops/math.ts';
import { max, sum } from '../ops/reduce.ts';

/** A vector over all parameters: one tensor per parameter, in group order. */
export type Vec = Tensor[];

// Each helper frees its temporaries at once (tidy), which matters on the gpu, where a step
// of 20 iterations would otherwise leave hundreds of textures to the garbage collector.
export const dot = (a: Vec, b: Vec): number => tidy(() => a.reduce((s, x, i) => s + sum(mul(x, b[i])).item(), 0));
export const maxAbs = (a: Vec): number => tidy(() => a.reduce((m, x) => Math.max(m, x.size ? max(abs(x)).item() : 0), 0));
export const sumAbs = (a: Vec): number => tidy(() => a.reduce((s, x) => s + sum(abs(x)).item(), 0));
/** a + α·b */
export const axpy = (a: Vec, alpha: number, b: Vec): Vec => tidy(() => a.map((x, i) => add(x, mul(b[i], alpha))));
export const scale = (a: Vec, alpha: number): Vec => tidy(() => a.map((x) => mul(x, alpha)));

/** d = −H·g by the two-loop recursion over the remembered pairs. */
export function twoLoop(g: Vec, steps: Vec[], dirs: Vec[], ro: number[], hDiag: number): Vec {
  return tidy(() => {
    const alpha = new Array<number>(steps.length);
    let q = scale(g, -1);
    for (let i = steps.length - 1; i >= 0; i--) {
      alpha[i] = dot(steps[i], q) * ro[i];
      q = axpy(q, -alpha[i], dirs[i]);
    }
    let r = scale(q, hDiag);
    for (let i = 0; i < steps.length; i++) {
      const beta = dot(dirs[i], r) * ro[i];
      r = axpy(r, alpha[i] - beta, steps[i]);
    }
    return r;
  });
}

/**
 * The vectors made during one `step()`: each is kept (so no `tidy` of the caller's frees it
 * while LBFGS still needs it) and recorded, so the step can free the ones it stops using —
 * and, if it fails, all of them.
 */
export class VectorPool {
  private readonly made = new Set<Tensor>();

  own(v: Vec): Vec {
    for (const x of v) this.made.add(keep(x));
    return v;
  }

  /** Disposes every vector made here that is not among `live`. */
  release(live: Iterable<Vec>): void {
    const alive = new Set<Tensor>();
    for (const v of live) for (const x of v) alive.add(x);
    for (const x of this.made) {
      if (alive.has(x)) continue;
      x.dispose();
      this.made.delete(x);
    }
  }
}
