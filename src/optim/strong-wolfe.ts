/**
 * The strong-Wolfe line search of LBFGS (Nocedal & Wright, Numerical Optimization, 2nd ed.,
 * algorithms 3.5 and 3.6, with the cubic interpolation of eq. 3.59), as PyTorch's LBFGS runs
 * it: c₁ = 1e-4, c₂ = 0.9, at most 25 evaluations. Along a direction d it looks for a step t with
 *
 *   f(x + t·d) ≤ f(x) + c₁·t·∇f(x)ᵀd            (sufficient decrease)
 *   |∇f(x + t·d)ᵀd| ≤ c₂·|∇f(x)ᵀd|              (the slope has flattened enough)
 *
 * It sees the problem only through `at(t)`, so it is plain scalar logic over numbers; the
 * gradient rides along (type G) so the caller gets the one at the chosen step back.
 */

/** f, its gradient and its slope along d at x + t·d. */
export interface Sample<G> {
  /** The step length. */
  t: number;
  /** The loss there. */
  f: number;
  /** The gradient there. */
  g: G;
  /** The directional derivative gᵀd. */
  gtd: number;
}

/**
 * The minimizer of the cubic through (x1, f1) and (x2, f2) with slopes g1 and g2, kept within
 * `bounds`; the middle of the bounds when the cubic has no minimum (Nocedal & Wright, eq. 3.59).
 */
export function cubicMinimizer(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: [number, number]): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const disc = d1 * d1 - g1 * g2;
  if (!(disc >= 0)) return (lo + hi) / 2;
  const d2 = Math.sqrt(disc);
  // Written from whichever end is further right, so the formula's division is well conditioned.
  const x = x1 <= x2
    ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
  return Math.min(Math.max(x, lo), hi);
}

const C1 = 1e-4; // sufficient decrease (Armijo)
const C2 = 0.9; // curvature: how much the slope must flatten
const MAX_LINE_SEARCH = 25;

/**
 * A step length along d satisfying the strong Wolfe conditions: first widen [0, t] until it
 * brackets one (a step that fails sufficient decrease, stops decreasing, or turns uphill),
 * then shrink the bracket by cubic interpolation. `at(t)` evaluates f and its gradient at
 * x + t·d; dNorm = max|d| turns a bracket's width into a change of x, for toleranceChange.
 */
export function strongWolfe<G>(at: (t: number) => Sample<G>, t: number, dNorm: number, start: Sample<G>, toleranceChange: number): { best: Sample<G>; evals: number } {
  const { f: f0, gtd: gtd0 } = start;
  const armijo = (s: Sample<G>): boolean => s.f <= f0 + C1 * s.t * gtd0;
  const curvature = (s: Sample<G>): boolean => Math.abs(s.gtd) <= -C2 * gtd0;

  let cur = at(t);
  let evals = 1;
  let prev = start;
  let bracket: Sample<G>[] | null = null;
  let done = false;
  let iter = 0;
  while (iter < MAX_LINE_SEARCH) {
    if (!armijo(cur) || (iter > 1 && cur.f >= prev.f)) {
      bracket = [prev, cur];
      break;
    }
    if (curvature(cur)) {
      bracket = [cur];
      done = true;
      break;
    }
    if (cur.gtd >= 0) {
      bracket = [prev, cur];
      break;
    }
    // Still going downhill: extrapolate, at least a little and at most 10× further.
    const next = cubicMinimizer(prev.t, prev.f, prev.gtd, cur.t, cur.f, cur.gtd, [cur.t + 0.01 * (cur.t - prev.t), cur.t * 10]);
    prev = cur;
    cur = at(next);
    evals++;
    iter++;
  }
  if (bracket === null) bracket = [start, cur];

  // Zoom: keep [low, high] with f(low) ≤ f(high) around a Wolfe point.
  let low = bracket.length === 1 || bracket[0].f <= bracket[1].f ? 0 : 1;
  let stalled = false;
  while (!done && iter < MAX_LINE_SEARCH) {
    const [a, b] = bracket;
    if (Math.abs(b.t - a.t) * dNorm < toleranceChange) break;
    let trial = cubicMinimizer(a.t, a.f, a.gtd, b.t, b.f, b.gtd);
    const lo = Math.min(a.t, b.t), hi = Math.max(a.t, b.t);
    const margin = 0.1 * (hi - lo);
    // A trial hugging an end of the bracket shrinks it too little; after two such in a row
    // (or one outside it), move the trial a tenth of the bracket inside.
    if (Math.min(hi - trial, trial - lo) < margin) {
      if (stalled || trial >= hi || trial <= lo) {
        trial = Math.abs(trial - hi) < Math.abs(trial - lo) ? hi - margin : lo + margin;
        stalled = false;
      } else {
        stalled = true;
      }
    } else {
      stalled = false;
    }
    const s = at(trial);
    evals++;
    iter++;
    const high = 1 - low;
    if (!armijo(s) || s.f >= bracket[low].f) {
      bracket[high] = s;
      low = bracket[0].f <= bracket[1].f ? 0 : 1;
    } else {
      if (curvature(s)) done = true;
      else if (s.gtd * (bracket[high].t - bracket[low].t) >= 0) bracket[high] = bracket[low];
      bracket[low] = s;
    }
  }
  return { best: bracket[low], evals };
}
