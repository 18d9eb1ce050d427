import { describe, expect, it } from 'vitest';
import { ShapeError, Tensor, memory, optim, tensor, tidy } from '../../src/index.ts';

/**
 * f(x) = ½(x − c)ᵀA(x − c) with A symmetric positive definite: its minimum is c, and its
 * minimum value 0, so float32 resolves f finely near the optimum (a line search compares
 * values of f; with a minimum value far from 0 they would be lost in rounding).
 */
const A = [
  [12, 2, -1, 0, 3],
  [2, 9, 1, -2, 0],
  [-1, 1, 15, 2, -1],
  [0, -2, 2, 6, 1],
  [3, 0, -1, 1, 20],
];
const c = [1, -2, 0.5, 3, -1.25];
const x0 = [0.3, -0.4, 0.2, 1, -0.7];

const quadGrad = (x: number[]): number[] => A.map((row) => row.reduce((s, aij, j) => s + aij * (x[j] - c[j]), 0));
const distance = (x: ArrayLike<number>, y: number[]): number => Math.hypot(...y.map((v, i) => x[i] - v));

/** uᵀMv for vectors u [m], v [n] and a matrix M [m, n], with tensor ops. */
const form = (u: Tensor, M: Tensor, v: Tensor): Tensor => u.reshape([1, u.size]).matmul(M).reshape([v.size]).mul(v).sum();

/** The quadratic written with tensor ops, differentiated by autograd, as a user would. */
function quadClosure(x: Tensor, opt: optim.LBFGS, calls = { n: 0 }): () => Tensor {
  const At = tensor(A);
  const ct = tensor(c);
  return () => {
    calls.n++;
    opt.zeroGrad();
    const delta = x.sub(ct);
    const f = form(delta, At, delta).mul(0.5);
    f.backward();
    return f;
  };
}

/** Rosenbrock's (1 − x)² + 100(y − x²)² with tensor ops and autograd. */
function rosenbrockClosure(p: Tensor, opt: optim.LBFGS): () => Tensor {
  const ex = tensor([1, 0]);
  const ey = tensor([0, 1]);
  return () => {
    opt.zeroGrad();
    const x = p.mul(ex).sum();
    const y = p.mul(ey).sum();
    const f = x.neg().add(1).pow(2).add(y.sub(x.mul(x)).pow(2).mul(100));
    f.backward();
    return f;
  };
}

// Near the optimum a float32 gradient is only known to ~1e-7, so PyTorch's default tolerances
// (1e-7 on the gradient, 1e-9 on changes) stop a few ulps short of 1e-6; these let it finish.
const tight = { toleranceGrad: 1e-12, toleranceChange: 1e-14 };

describe('LBFGS converges to the optimum', () => {
  for (const lineSearchFn of [null, 'strong_wolfe'] as const) {
    const how = lineSearchFn ? 'with the strong-Wolfe line search' : 'with fixed steps';

    it(`Rosenbrock from (−1.2, 1), ${how}: within 1e-6 of (1, 1)`, () => {
      const p = tensor([-1.2, 1], { requiresGrad: true });
      // Without a line search a unit step overshoots the curved valley; lr 0.5 is stable.
      const opt = new optim.LBFGS([p], { lr: lineSearchFn ? 1 : 0.5, maxIter: 100, lineSearchFn, ...tight });
      const closure = rosenbrockClosure(p, opt);
      for (let i = 0; i < 20; i++) opt.step(closure);
      expect(distance(p.data, [1, 1])).toBeLessThan(1e-6);
    });

    it(`a 5-dimensional quadratic, ${how}: within 1e-6 of its minimum`, () => {
      const p = tensor(x0, { requiresGrad: true });
      const opt = new optim.LBFGS([p], { lineSearchFn, ...tight });
      const closure = quadClosure(p, opt);
      for (let i = 0; i < 10; i++) opt.step(closure);
      expect(distance(p.data, c)).toBeLessThan(1e-6);
    });
  }

  it('with the line search, the quadratic is solved in one step of at most 20 iterations (n = 5 would do in exact arithmetic)', () => {
    const p = tensor(x0, { requiresGrad: true });
    const opt = new optim.LBFGS([p], { lineSearchFn: 'strong_wolfe', ...tight });
    opt.step(quadClosure(p, opt));
    expect(distance(p.data, c)).toBeLessThan(1e-6);
  });

  it('parameters split over several tensors are one vector: same result as a single tensor', () => {
    const whole = tensor(x0, { requiresGrad: true });
    const o1 = new optim.LBFGS([whole], { maxIter: 6 });
    o1.step(quadClosure(whole, o1));
    const head = tensor(x0.slice(0, 2), { requiresGrad: true });
    const tail = tensor(x0.slice(2), { requiresGrad: true });
    const o2 = new optim.LBFGS([head, tail], { maxIter: 6 });
    // The same f in blocks: ½(hᵀA₁₁h + 2hᵀA₁₂t + tᵀA₂₂t) with h, t the two pieces of x − c.
    const block = (rows: number[], cols: number[]) => tensor(rows.map((i) => cols.map((j) => A[i][j])));
    const [A11, A12, A22] = [block([0, 1], [0, 1]), block([0, 1], [2, 3, 4]), block([2, 3, 4], [2, 3, 4])];
    o2.step(() => {
      o2.zeroGrad();
      const h = head.sub(tensor(c.slice(0, 2)));
      const t = tail.sub(tensor(c.slice(2)));
      const f = form(h, A11, h).add(form(h, A12, t).mul(2)).add(form(t, A22, t)).mul(0.5);
      f.backward();
      return f;
    });
    const split = [...head.data, ...tail.data];
    split.forEach((v, i) => expect(v).toBeCloseTo(whole.data[i], 5));
  });
});

/**
 * L-BFGS without a line search as PyTorch documents it (two-loop recursion, history of
 * `historySize` pairs kept when yᵀs > 1e-10, H₀ = yᵀs/yᵀy, first step lr·min(1, 1/‖g‖₁)),
 * in float64 with the analytic gradient of the quadratic. Returns x after each step().
 */
function lbfgsReference(o: { lr: number; maxIter: number; historySize: number; steps: number }): number[][] {
  let x = [...x0];
  let g = quadGrad(x);
  const S: number[][] = [], Y: number[][] = [], rho: number[] = [];
  let d: number[] = [], t = 0, hDiag = 1, prevG: number[] = [], nIter = 0;
  const dot = (u: number[], v: number[]): number => u.reduce((s, ui, i) => s + ui * v[i], 0);
  const out: number[][] = [];
  for (let step = 0; step < o.steps; step++) {
    g = quadGrad(x);
    for (let n = 1; n <= o.maxIter; n++) {
      nIter++;
      if (nIter === 1) {
        d = g.map((v) => -v);
      } else {
        const y = g.map((v, i) => v - prevG[i]);
        const s = d.map((v) => v * t);
        const ys = dot(y, s);
        if (ys > 1e-10) {
          if (S.length === o.historySize) { S.shift(); Y.shift(); rho.shift(); }
          S.push(s); Y.push(y); rho.push(1 / ys);
          hDiag = ys / dot(y, y);
        }
        const alpha: number[] = [];
        let q = g.map((v) => -v);
        for (let i = S.length - 1; i >= 0; i--) {
          alpha[i] = rho[i] * dot(S[i], q);
          q = q.map((v, k) => v - alpha[i] * Y[i][k]);
        }
        let r = q.map((v) => v * hDiag);
        for (let i = 0; i < S.length; i++) {
          const beta = rho[i] * dot(Y[i], r);
          r = r.map((v, k) => v + (alpha[i] - beta) * S[i][k]);
        }
        d = r;
      }
      prevG = g;
      t = nIter === 1 ? Math.min(1, 1 / g.reduce((s, v) => s + Math.abs(v), 0)) * o.lr : o.lr;
      x = x.map((v, i) => v + t * d[i]);
      if (n === o.maxIter) break;
      g = quadGrad(x);
    }
    out.push([...x]);
  }
  return out;
}

describe('LBFGS against a float64 re-implementation (no line search)', () => {
  for (const [name, o] of [
    ['defaults, 4 iterations per step', { lr: 1, maxIter: 4, historySize: 100 }],
    ['historySize 2: only the last two pairs shape the direction', { lr: 1, maxIter: 4, historySize: 2 }],
    ['lr 0.3, one iteration per step (the memory carries over between steps)', { lr: 0.3, maxIter: 1, historySize: 3 }],
  ] as const) {
    it(name, () => {
      const steps = name.startsWith('lr') ? 12 : 3;
      const expected = lbfgsReference({ ...o, steps });
      const p = tensor(x0, { requiresGrad: true });
      // Tolerances 0 so only maxIter ends a step, as in the reference.
      const opt = new optim.LBFGS([p], { ...o, toleranceGrad: 0, toleranceChange: 0 });
      const closure = quadClosure(p, opt);
      expected.forEach((x, s) => {
        opt.step(closure);
        x.forEach((v, i) => {
          if (!(Math.abs(p.data[i] - v) <= 1e-4 * Math.max(1, Math.abs(v)))) throw new Error(`step ${s + 1}, x[${i}]: got ${p.data[i]}, reference ${v}`);
        });
      });
    });
  }
});

describe('LBFGS evaluation budget and stopping rules', () => {
  it('without a line search, a step evaluates the closure once per iteration (the last needs none)', () => {
    const p = tensor(x0, { requiresGrad: true });
    const calls = { n: 0 };
    const opt = new optim.LBFGS([p], { maxIter: 7, toleranceGrad: 0, toleranceChange: 0 });
    opt.step(quadClosure(p, opt, calls));
    expect(calls.n).toBe(7);
  });

  it('maxEval caps the evaluations of one step', () => {
    const p = tensor(x0, { requiresGrad: true });
    const calls = { n: 0 };
    const opt = new optim.LBFGS([p], { maxIter: 50, maxEval: 5, toleranceGrad: 0, toleranceChange: 0 });
    opt.step(quadClosure(p, opt, calls));
    expect(calls.n).toBe(5);
    expect(opt.paramGroups[0].maxEval).toBe(5);
    expect(new optim.LBFGS([p], { maxIter: 9 }).paramGroups[0].maxEval).toBe(11); // ⌊9·5/4⌋, as PyTorch
  });

  it('at a point whose gradient is within toleranceGrad, a step evaluates once and moves nothing', () => {
    const p = tensor(c, { requiresGrad: true });
    const calls = { n: 0 };
    const opt = new optim.LBFGS([p]);
    const loss = opt.step(quadClosure(p, opt, calls));
    expect(calls.n).toBe(1);
    expect(Array.from(p.data)).toEqual(c);
    expect(loss).toBeInstanceOf(Tensor);
    expect((loss as Tensor).item()).toBe(0);
  });

  it('toleranceChange: a direction whose slope gᵀd is above −toleranceChange ends the step before any move', () => {
    const p = tensor([3], { requiresGrad: true });
    let calls = 0;
    const closure = () => {
      calls++;
      p.grad = tensor([2 * p.data[0]]);
      return p.data[0] ** 2;
    };
    new optim.LBFGS([p], { toleranceChange: 37 }).step(closure); // gᵀd = −g² = −36 > −37
    expect([calls, p.data[0]]).toEqual([1, 3]);
    new optim.LBFGS([p], { toleranceChange: 35, maxIter: 1 }).step(closure); // −36 < −35: it moves
    expect(p.data[0]).not.toBe(3);
  });

  it('returns the loss of the first evaluation, a number if the closure returns numbers', () => {
    const p = tensor([3], { requiresGrad: true });
    const opt = new optim.LBFGS([p]);
    const loss = opt.step(() => {
      const v = p.data[0];
      p.grad = tensor([2 * v]);
      return v * v;
    });
    expect(loss).toBe(9);
    expect(Math.abs(p.data[0])).toBeLessThan(1e-3);
  });
});

describe('LBFGS: errors, atomic steps, state', () => {
  it('needs a closure, a scalar loss and one parameter group; bad options are refused', () => {
    const p = tensor([1, 2], { requiresGrad: true });
    const opt = new optim.LBFGS([p]);
    expect(() => opt.step()).toThrow(/LBFGS.step: needs a closure/);
    expect(() => opt.step(() => p.mul(2))).toThrow(/one-element tensor, got a tensor of shape \[2\]/);
    expect(Array.from(p.data)).toEqual([1, 2]);
    const q = tensor([1], { requiresGrad: true });
    expect(() => new optim.LBFGS([{ params: [p] }, { params: [q] }])).toThrow(/single parameter group/);
    expect(() => new optim.LBFGS([p], { lineSearchFn: 'backtracking' as never })).toThrow(/lineSearchFn must be 'strong_wolfe' or null, got 'backtracking'/);
    expect(() => new optim.LBFGS([p], { historySize: 0 })).toThrow(/historySize must be an integer ≥ 1, got 0/);
    expect(() => new optim.LBFGS([p], { maxIter: 2.5 })).toThrow(/maxIter/);
    expect(() => new optim.LBFGS([p], { toleranceGrad: -1 })).toThrow(/toleranceGrad/);
  });

  it('a closure that throws part-way leaves the parameters and the memory as they were', () => {
    for (const lineSearchFn of [null, 'strong_wolfe'] as const) {
      const make = (): [Tensor, optim.LBFGS] => {
        const p = tensor(x0, { requiresGrad: true });
        return [p, new optim.LBFGS([p], { maxIter: 5, lineSearchFn })];
      };
      const [p, opt] = make();
      const good = quadClosure(p, opt);
      opt.step(good);
      const after1 = Array.from(p.data);
      let calls = 0;
      expect(() => opt.step(() => {
        if (++calls === 3) throw new Error('out of memory, say');
        return good();
      })).toThrow('out of memory, say');
      expect(Array.from(p.data)).toEqual(after1);
      opt.step(good); // continues as if the failed step never happened
      const [q, fresh] = make();
      const goodQ = quadClosure(q, fresh);
      fresh.step(goodQ);
      fresh.step(goodQ);
      expect(Array.from(p.data)).toEqual(Array.from(q.data));
    }
  });

  it('stateDict / loadStateDict: a resumed run continues bit for bit', () => {
    for (const lineSearchFn of [null, 'strong_wolfe'] as const) {
      const p = tensor(x0, { requiresGrad: true });
      const opt = new optim.LBFGS([p], { maxIter: 3, historySize: 4, lineSearchFn, ...tight });
      const closure = quadClosure(p, opt);
      opt.step(closure);
      opt.step(closure);
      const saved = opt.stateDict();
      const savedParams = Array.from(p.data);
      // maxEval ⌊3·5/4⌋ = 3 evaluations end each step after 2 iterations (PyTorch's rule).
      expect(saved.state[0].step).toBe(4);
      expect(saved.state[0].buffers.oldSteps.shape).toEqual([3, 5]); // the first iteration makes no pair
      opt.step(closure);
      opt.step(closure);

      const q = tensor(savedParams, { requiresGrad: true });
      const resumed = new optim.LBFGS([q], { maxIter: 3, historySize: 4, lineSearchFn, ...tight });
      // Through plain data, as a checkpoint file would carry it.
      const plain = JSON.parse(JSON.stringify(saved, (k, v) => (v instanceof Tensor ? { shape: v.shape, data: Array.from(v.data) } : v)));
      for (const [name, t] of Object.entries(plain.state[0].buffers as Record<string, { shape: number[]; data: number[] }>)) {
        plain.state[0].buffers[name] = tensor(new Float32Array(t.data), { shape: t.shape });
      }
      resumed.loadStateDict(plain);
      const closureQ = quadClosure(q, resumed);
      resumed.step(closureQ);
      resumed.step(closureQ);
      expect(Array.from(q.data)).toEqual(Array.from(p.data));
    }
  });

  it('loadStateDict refuses states that do not fit and changes nothing', () => {
    const p = tensor(x0, { requiresGrad: true });
    const opt = new optim.LBFGS([p], { maxIter: 4, maxEval: 10 });
    opt.step(quadClosure(p, opt));
    const good = opt.stateDict();
    expect(good.state[0].buffers.oldSteps.shape[0]).toBe(3);
    const other = new optim.LBFGS([tensor(x0, { requiresGrad: true })], { maxIter: 4, maxEval: 10 });
    const before = JSON.stringify(other.stateDict());
    const withBuffer = (name: string, t: Tensor) => ({ ...good, state: { 0: { ...good.state[0], buffers: { ...good.state[0].buffers, [name]: t } } } });
    const nanD = good.state[0].buffers.d.data.slice();
    nanD[2] = NaN;
    expect(() => other.loadStateDict(withBuffer('d', tensor(nanD)))).toThrow(/buffer 'd' holds NaN at index 2/);
    expect(() => other.loadStateDict(withBuffer('d', tensor([1, 2])))).toThrow(ShapeError);
    expect(() => other.loadStateDict({ ...good, state: { 0: { ...good.state[0], scalars: { ...good.state[0].scalars, hDiag: -1 } } } })).toThrow(/hDiag/);
    expect(() => other.loadStateDict({ ...good, paramGroups: [{ ...good.paramGroups[0], historySize: 2 }] })).toThrow(/oldSteps/);
    expect(() => other.loadStateDict(new optim.Adam([tensor([1])]).stateDict() as never)).toThrow(/lacks option/);
    expect(JSON.stringify(other.stateDict())).toBe(before);
  });
});

// Tensor counts are exact: memory() changes only when tensors are made or disposed.
describe('LBFGS: tensor lifetimes', () => {
  it('its memory outlives the caller\'s tidy, and what it forgets is disposed: the live count stays flat over steps', () => {
    for (const lineSearchFn of [null, 'strong_wolfe'] as const) {
      const p = tensor([-1.2, 1], { requiresGrad: true });
      const opt = new optim.LBFGS([p], { maxIter: 4, historySize: 2, lineSearchFn });
      const closure = rosenbrockClosure(p, opt);
      const counts: number[] = [];
      for (let i = 0; i < 8; i++) {
        // Each step in a tidy, as fit() runs a batch: a memory the tidy freed would make the
        // next step throw a DisposedError.
        tidy(() => { opt.step(closure); });
        counts.push(memory().tensors);
      }
      // From the first step on the history is full (historySize 2, 4 iterations a step).
      expect(counts, `lineSearchFn ${lineSearchFn}`).toEqual(counts.map(() => counts[0]));
      expect(distance(p.data, [1, 1])).toBeLessThan(distance([-1.2, 1], [1, 1]));
    }
  });

  it('within one long step, vectors it stops using are freed as it goes, not at the end', () => {
    for (const lineSearchFn of [null, 'strong_wolfe'] as const) {
      const p = tensor([-1.2, 1], { requiresGrad: true });
      const opt = new optim.LBFGS([p], { maxIter: 40, maxEval: 100, historySize: 2, lineSearchFn });
      const inner = rosenbrockClosure(p, opt);
      const seen: number[] = [];
      let evaluations = 0;
      tidy(() => {
        opt.step(() => {
          evaluations++;
          seen.push(memory().tensors);
          return tidy(() => inner().item());
        });
      });
      expect(evaluations).toBeGreaterThan(25);
      // Live at most: d, g, g_prev, 2 pairs (s, y), a new pair, line-search samples and the
      // closure's own tensors — a bounded set. Keeping every vector until the end would add
      // at least three per iteration.
      expect(Math.max(...seen.slice(5)) - Math.min(...seen.slice(5)), `lineSearchFn ${lineSearchFn}: ${seen.join(' ')}`).toBeLessThanOrEqual(8);
    }
  });
});
