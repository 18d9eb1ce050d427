// Interleaved A/B of the bench training step: this checkout (B) against another one (A, default
// /work/wt-base, the tag baseline-s2) in one process, alternating windows; medians and ranges.
//   npx tsx bench/ab.ts [mlp|cnn|mnist-cnn] [rounds=15] [windowSeconds=1] [otherRoot=/work/wt-base]
// Both sides run the same bench batches, Adam and loss. Reported: samples/s per window, the
// process's CPU seconds per wall second (worker threads included), CPU ms per step, and the
// quantiles of single steps (on a busy machine the lower quantiles are the steps the machine let
// run). The two sides share one heap, so garbage collection caused by one side is also paid by
// the other: for differences in GC, compare separate processes (bench/ab-optim.ts does).
// The other checkout's bench/training-step.ts must import its own sources ('../src/index.ts'),
// not 'tsgrad', which tsx resolves to this checkout's sources.
import { readFileSync } from 'node:fs';
import { trainingStep as stepB } from './training-step.ts';

const kind = (process.argv[2] ?? 'mlp') as 'mlp' | 'cnn';
const rounds = Number(process.argv[3] ?? 15);
const windowS = Number(process.argv[4] ?? 1);
const otherRoot = process.argv[5] ?? '/work/wt-base';
if (/from 'tsgrad'/.test(readFileSync(`${otherRoot}/bench/training-step.ts`, 'utf8'))) {
  throw new Error(`${otherRoot}/bench/training-step.ts imports 'tsgrad', which would be this checkout: make it import '../src/index.ts'`);
}
const { trainingStep: stepA } = await import(`${otherRoot}/bench/training-step.ts`);
const BATCH = 64;

function window(step: (i: number) => void, counter: { i: number; steps: number[] }): { sps: number; cpu: number; cpuMs: number } {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let n = 0;
  let t = t0;
  while (t - t0 < windowS * 1000) {
    step(counter.i++);
    n++;
    const now = performance.now();
    counter.steps.push(now - t);
    t = now;
  }
  const dt = (performance.now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  return { sps: (n * BATCH) / dt, cpu: (c.user + c.system) / 1e6 / dt, cpuMs: (c.user + c.system) / 1e3 / n };
}

const sides = [
  { name: `A ${otherRoot}`, step: stepA(kind) as (i: number) => void, c: { i: 0, steps: [] as number[] }, sps: [] as number[], cpu: [] as number[], cpuMs: [] as number[] },
  { name: 'B this worktree', step: stepB(kind), c: { i: 0, steps: [] as number[] }, sps: [] as number[], cpu: [] as number[], cpuMs: [] as number[] },
];
for (const s of sides) window(s.step, s.c); // warm-up
for (let r = 0; r < rounds; r++) {
  const order = r % 2 === 0 ? sides : [sides[1], sides[0]];
  for (const s of order) { const w = window(s.step, s.c); s.sps.push(w.sps); s.cpu.push(w.cpu); s.cpuMs.push(w.cpuMs); }
}
const med = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)]; };
const q = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor(p * s.length))]; };
for (const s of sides) {
  console.log(`${s.name}: ${kind} samples/s median ${med(s.sps).toFixed(0)} (p10 ${q(s.sps, 0.1).toFixed(0)} – p90 ${q(s.sps, 0.9).toFixed(0)}), cpuShare ${med(s.cpu).toFixed(2)}, CPU ms/step median ${med(s.cpuMs).toFixed(3)} (p10 ${q(s.cpuMs, 0.1).toFixed(3)} – p90 ${q(s.cpuMs, 0.9).toFixed(3)})`);
}
// Single steps: the lower quantiles are what a step costs when the machine lets it run.
for (const s of sides) {
  const xs = s.c.steps;
  console.log(`${s.name}: ${xs.length} steps, ms per step p10 ${q(xs, 0.1).toFixed(3)}, p25 ${q(xs, 0.25).toFixed(3)}, median ${med(xs).toFixed(3)}`);
}
console.log(`B/A ms per step: p10 ${(q(sides[1].c.steps, 0.1) / q(sides[0].c.steps, 0.1)).toFixed(3)}, p25 ${(q(sides[1].c.steps, 0.25) / q(sides[0].c.steps, 0.25)).toFixed(3)}, median ${(med(sides[1].c.steps) / med(sides[0].c.steps)).toFixed(3)}`);
const ratios = sides[1].sps.map((b, i) => b / sides[0].sps[i]);
const cpuRatios = sides[1].cpuMs.map((b, i) => b / sides[0].cpuMs[i]);
console.log(`B/A CPU ms per step per round: median ${med(cpuRatios).toFixed(3)} (p10 ${q(cpuRatios, 0.1).toFixed(3)} – p90 ${q(cpuRatios, 0.9).toFixed(3)})`);
console.log(`B/A samples/s per round: median ${med(ratios).toFixed(3)} (min ${Math.min(...ratios).toFixed(3)}, max ${Math.max(...ratios).toFixed(3)}); load ${(await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ')}`);
process.exit(0);
