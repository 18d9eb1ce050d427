import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contourPlot, lineChart, niceTicks } from '../../examples/lib/svg-plot.ts';
import { marchingSquares } from '../../examples/lib/marching-squares.ts';

describe('examples/lib/svg-plot', () => {
  it('marching squares traces a circle: every point lies on it, and the line closes', () => {
    // f = x² + y² on [−1, 1]², grid 41 × 41; the level 0.5 is the circle of radius √0.5.
    const n = 41;
    const coord = (k: number): number => -1 + (2 * k) / (n - 1);
    const values = new Float64Array(n * n);
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) values[j * n + i] = coord(i) ** 2 + coord(j) ** 2;
    const lines = marchingSquares(values, n, n, 0.5);
    expect(lines).toHaveLength(1);
    const line = lines[0];
    expect(line[0]).toEqual(line[line.length - 1]);
    const step = 2 / (n - 1);
    for (const [gi, gj] of line) {
      // Linear interpolation of a quadratic is off by at most (step/2)²-ish.
      expect(Math.abs(Math.hypot(coord(0) + gi * step, coord(0) + gj * step) - Math.sqrt(0.5))).toBeLessThan(step * step);
    }
    expect(line.length).toBeGreaterThan(40);
  });

  it('marching squares resolves a saddle cell into two separate segments', () => {
    // Corners (0,0)=1, (1,0)=0, (1,1)=1, (0,1)=0; centre 0.5 > 0.4, so the high corners join.
    const lines = marchingSquares(new Float64Array([1, 0, 0, 1]), 2, 2, 0.4);
    expect(lines).toHaveLength(2);
    const ends = lines.map((l) => l.map(([x, y]) => [Number(x.toFixed(3)), Number(y.toFixed(3))]));
    expect(ends).toContainEqual([[0.6, 0], [1, 0.4]]);
    expect(ends).toContainEqual([[0.4, 1], [0, 0.6]]);
  });

  it('niceTicks picks steps of 1, 2 or 5 times a power of ten', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(-1.5, 1.5)).toEqual([-1.5, -1, -0.5, 0, 0.5, 1, 1.5]);
    expect(niceTicks(0, 6000)).toEqual([0, 1000, 2000, 3000, 4000, 5000, 6000]);
  });

  it('lineChart and contourPlot return SVG documents naming every series', () => {
    const chart = lineChart({ series: [{ name: 'a & b', xs: [0, 1, 2], ys: [1, 0.1, 0.01] }], title: 'T', logY: true });
    expect(chart.startsWith('<svg')).toBe(true);
    expect(chart.trimEnd().endsWith('</svg>')).toBe(true);
    expect(chart).toContain('a &amp; b');
    expect(chart).toContain('1e-2');
    const contour = contourPlot({ f: (x, y) => x * x + y * y, xRange: [-1, 1], yRange: [-1, 1], levels: [0.25], paths: [{ name: 'p', xs: [1, 0], ys: [1, 0] }] });
    expect(contour.match(/<path /g)).toHaveLength(1);
    expect(contour).toContain('<polyline');
  });
});

describe('examples/optimizers.ts --quick', () => {
  const out = mkdtempSync(join(tmpdir(), 'tsgrad-optimizers-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('runs, prints the comparison table and writes the pictures', () => {
    const tsx = join('node_modules', '.bin', 'tsx');
    const run = spawnSync(tsx, ['examples/optimizers.ts', '--quick', '--out', out], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    for (const name of ['SGD', 'Momentum', 'AdaGrad', 'RMSprop', 'Adam', 'AdamW']) expect(run.stdout).toContain(`${name} lr`);
    expect(run.stdout).toContain('steps to within');
    expect(run.stdout).toContain('test accuracy');
    for (const file of ['quadratic-trajectories', 'quadratic-panels', 'quadratic-loss', 'rosenbrock-trajectories', 'rosenbrock-panels', 'rosenbrock-loss', 'mnist-loss']) {
      const svg = readFileSync(join(out, `${file}.svg`), 'utf8');
      expect(svg.startsWith('<svg')).toBe(true);
      expect(svg.match(/<polyline/g)?.length).toBe(6);
    }
    expect(readFileSync(join(out, 'summary.txt'), 'utf8')).toContain('MNIST');
  });
});
