// Fused update programs against their tensor-op references: one optimizer step over 1M
// parameters, per optimizer, in one process.
//
//   npx tsx bench/optim-fused.ts [cpu|gpu] [--rounds N] [--steps N] [--only adam,lion]
//
// The two forms take turns (fused first in even rounds, the reference first in odd ones), so
// a machine that gets busier or quieter during the run affects both alike. Prints, per
// optimizer, the median and the range over rounds of the milliseconds per step, and the
// speed-up of the median. A gpu step ends by reading the parameter back, as a training loop
// that logs would.
import * as tg from 'tsgrad';
import { OPTIM, seededArray } from './peers/common.mjs';

type Make = (ps: tg.Tensor[], fused: boolean) => { step(): unknown };

const OPTIMIZERS: [string, Make][] = [
  ['sgd+momentum', (ps, fused) => new tg.optim.SGD(ps, { lr: 0.01, momentum: 0.9, fused })],
  ['adam', (ps, fused) => new tg.optim.Adam(ps, { fused })],
  ['adadelta', (ps, fused) => new tg.optim.Adadelta(ps, { fused })],
  ['adamax', (ps, fused) => new tg.optim.Adamax(ps, { fused })],
  ['nadam', (ps, fused) => new tg.optim.NAdam(ps, { fused })],
  ['radam', (ps, fused) => new tg.optim.RAdam(ps, { fused })],
  ['rprop', (ps, fused) => new tg.optim.Rprop(ps, { fused })],
  ['lion', (ps, fused) => new tg.optim.Lion(ps, { fused })],
];

const args = process.argv.slice(2);
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const backend = args[0] === 'gpu' ? 'gpu' : 'cpu';
const rounds = Number(option('rounds', '7'));
const steps = Number(option('steps', '10'));
const only = option('only', '').split(',').filter(Boolean);
tg.setBackend(backend);

/** An optimizer over one 1M-element parameter with a fixed gradient. */
function setup(make: Make, fused: boolean): { p: tg.Tensor; opt: { step(): unknown } } {
  const p = new tg.nn.Parameter(tg.tensor(seededArray(OPTIM.size, 5)));
  p.grad = tg.tensor(seededArray(OPTIM.size, 6));
  return { p, opt: make([p], fused) };
}

/** Milliseconds per step over `steps` steps. */
function time({ p, opt }: { p: tg.Tensor; opt: { step(): unknown } }): number {
  const start = performance.now();
  for (let i = 0; i < steps; i++) opt.step();
  void p.data;
  return (performance.now() - start) / steps;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (xs: number[]): string => `${median(xs).toFixed(2)} (${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)})`;

console.log(`backend ${tg.getBackend()}, ${OPTIM.size} parameters, ${rounds} rounds of ${steps} steps; ms per step: median (range)`);
console.log('| optimizer | fused | reference (fused: false) | speed-up |');
console.log('|---|---|---|---|');
for (const [name, make] of OPTIMIZERS) {
  if (only.length && !only.includes(name)) continue;
  const fused = setup(make, true);
  const reference = setup(make, false);
  // Warm-up: compiles the programs, allocates the state, lets the JIT settle.
  for (let i = 0; i < 3; i++) { fused.opt.step(); reference.opt.step(); }
  const tf: number[] = [];
  const tr: number[] = [];
  for (let r = 0; r < rounds; r++) {
    if (r % 2 === 0) { tf.push(time(fused)); tr.push(time(reference)); }
    else { tr.push(time(reference)); tf.push(time(fused)); }
  }
  console.log(`| ${name} | ${fmt(tf)} | ${fmt(tr)} | ${(median(tr) / median(tf)).toFixed(1)}× |`);
}
