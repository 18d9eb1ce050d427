import { describe, expect, it } from 'vitest';
import { cubicMinimizer, strongWolfe, type Sample } from '../../src/optim/strong-wolfe.ts';

/** φ(t) = f(x + t·d) of a 1-D function along d = 1, as the line search sees it. */
function line(f: (x: number) => number, df: (x: number) => number, x0: number) {
  let calls = 0;
  const at = (t: number): Sample<null> => {
    calls++;
    return { t, f: f(x0 + t), g: null, gtd: df(x0 + t) };
  };
  return { at, start: { t: 0, f: f(x0), g: null, gtd: df(x0) }, calls: () => calls };
}

const wolfe = (s: Sample<null>, start: Sample<null>): boolean =>
  s.f <= start.f + 1e-4 * s.t * start.gtd && Math.abs(s.gtd) <= 0.9 * Math.abs(start.gtd);

describe('strong-Wolfe line search', () => {
  it('the cubic through two points with their slopes has its minimum where the cubic does', () => {
    // f(x) = x³ − 3x has its local minimum at 1: through (0, 0, −3) and (2, 2, 9).
    expect(cubicMinimizer(0, 0, -3, 2, 2, 9)).toBeCloseTo(1, 12);
    expect(cubicMinimizer(2, 2, 9, 0, 0, -3)).toBeCloseTo(1, 12);
    expect(cubicMinimizer(0, 0, -3, 2, 2, 9, [1.5, 3])).toBe(1.5); // clamped to the bounds
  });

  it('accepts a first step that already satisfies both conditions, after one evaluation', () => {
    const l = line((x) => (x - 2) ** 2, (x) => 2 * (x - 2), 0);
    const { best, evals } = strongWolfe(l.at, 2, 1, l.start, 1e-9);
    expect([best.t, evals, l.calls()]).toEqual([2, 1, 1]);
  });

  it('a first step far too long is zoomed in on; one far too short is extrapolated', () => {
    for (const t0 of [1000, 1e-4]) {
      const l = line((x) => (x - 2) ** 2 + Math.sin(3 * x), (x) => 2 * (x - 2) + 3 * Math.cos(3 * x), 0);
      const { best, evals } = strongWolfe(l.at, t0, 1, l.start, 1e-12);
      expect(wolfe(best, l.start)).toBe(true);
      expect(evals).toBe(l.calls());
      expect(evals).toBeLessThanOrEqual(25);
    }
  });
});
