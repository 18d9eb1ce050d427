// npm run bench [-- --quick] [-- --only mlp,cnn] [-- --gpu] [-- --threads 2] [-- --rounds 2]
// Measures tsgrad and the peer frameworks on the same workloads, each run in its own process
// one after another (so they never compete for the two cores), prints a table and writes
// bench/results.json with the raw lines and tsgrad ÷ peer ratios (higher is better).
//
// --rounds R: each workload runs R rounds of every framework, in turn (default 2, 1 with
// --quick), the order reversed every other round, max(2, ⌈6/R⌉) repetitions a round (BENCH_REPS
// sets its own).
// The machines here change speed by up to 2× within minutes (another tenant's load): one
// framework's repetitions back to back and then the other's could land on either side of such
// a change, and their ratio with them. Interleaved, both frameworks sample the same minutes; a
// line's median is over all its repetitions, and results.json keeps each round's median and
// the range of the per-round ratios (ratioRanges) beside the ratio of the medians.
//
// --threads N: threads for tsgrad (TSGRAD_THREADS) and PyTorch (torch.set_num_threads), the
// two multi-threaded frameworks; default min(2, cores), tsgrad's own default. The JavaScript
// peers are single-threaded. Every line records cpuShare (CPU time ÷ wall time over the timed
// repetitions): up to N for tsgrad and PyTorch, 1 for the others, less when other processes
// took the cores.
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WORKLOADS } from './peers/common.mjs';
import { hasNoResult, poolRounds, ratioOf, ratioRangeOf, type Line } from './rounds.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const peersDir = fileURLToPath(new URL('./peers/', import.meta.url));
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    gpu: { type: 'boolean', default: false },
    threads: { type: 'string' },
    rounds: { type: 'string' },
  },
});
const threads = values.threads === undefined ? Math.min(2, availableParallelism()) : Number(values.threads);
if (!Number.isInteger(threads) || threads < 1) throw new Error(`bench: --threads must be an integer >= 1, got ${values.threads}`);

if (!existsSync(`${peersDir}node_modules`)) {
  console.error('bench: installing the peer frameworks into bench/peers (first run only)…');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: peersDir, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('bench: npm ci in bench/peers failed');
}

const rounds = values.rounds === undefined ? (values.quick ? 1 : 2) : Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`bench: --rounds must be an integer >= 1, got ${values.rounds}`);
const env: NodeJS.ProcessEnv = {
  ...process.env,
  ...(values.quick ? { BENCH_REPS: '3', BENCH_REP_S: '1', BENCH_WARMUP_S: '0.5' } : {}),
  ...(process.env.BENCH_REPS === undefined && !values.quick ? { BENCH_REPS: String(Math.max(2, Math.ceil(6 / rounds))) } : {}),
};
const workloads = values.only ? values.only.split(',') : WORKLOADS;
const tsx = `${root}node_modules/.bin/tsx`;
// PyTorch is Debian's python3-torch, run by the system interpreter (a pyenv or venv python
// first on PATH usually lacks it). The OpenBLAS tuning variables some machines set globally
// mis-tune Debian's OpenBLAS, so they are removed for PyTorch alone.
const python = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
const pythonEnv = Object.fromEntries(Object.entries(env).filter(([k]) => k !== 'OPENBLAS_CORETYPE' && k !== 'OPENBLAS_L2_SIZE'));
installTorch();
const runners: { label: string; cmd: string; args: string[]; suffix: string[]; env?: NodeJS.ProcessEnv }[] = [
  { label: 'tsgrad', cmd: tsx, args: ['bench/tsgrad.ts'], suffix: ['cpu'], env: { ...env, TSGRAD_THREADS: String(threads) } },
  ...(values.gpu ? [{ label: 'tsgrad/gpu', cmd: 'xvfb-run', args: ['-a', tsx, 'bench/tsgrad.ts'], suffix: ['gpu'] }] : []),
  { label: 'pytorch', cmd: python, args: ['bench/peers/pytorch.py'], suffix: [String(threads)], env: pythonEnv },
  { label: 'tfjs/wasm', cmd: process.execPath, args: ['bench/peers/tfjs.mjs', 'wasm'], suffix: [] },
  { label: 'tfjs/cpu', cmd: process.execPath, args: ['bench/peers/tfjs.mjs', 'cpu'], suffix: [] },
  { label: 'convnetjs', cmd: process.execPath, args: ['bench/peers/convnetjs.mjs'], suffix: [] },
  { label: 'js-pytorch', cmd: process.execPath, args: ['bench/peers/jspytorch.mjs'], suffix: [] },
];

/** One process of runner `r` on `workload`: its JSON line, or why there is none. */
function runOnce(r: typeof runners[number], workload: string): Line {
  const p = spawnSync(r.cmd, [...r.args, workload, ...r.suffix], { cwd: root, env: r.env ?? env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    return { ...JSON.parse(p.stdout.trim().split('\n').pop() ?? ''), label: r.label };
  } catch {
    return p.error
      ? { workload, label: r.label, skipped: `cannot run ${r.cmd}: ${p.error.message}` }
      : { workload, label: r.label, error: `exit ${p.status}: ${(p.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}` };
  }
}

const lines: Line[] = [];
for (const workload of workloads) {
  const runs = new Map<string, Line[]>(runners.map((r) => [r.label, []]));
  for (let round = 0; round < rounds; round++) {
    for (const r of round % 2 === 0 ? runners : [...runners].reverse()) {
      // A framework that cannot run this workload says so at once; no need to ask again.
      const earlier = runs.get(r.label)!;
      if (earlier.some(hasNoResult)) continue;
      process.stderr.write(`bench: ${r.label} ${workload}${rounds > 1 ? ` (round ${round + 1}/${rounds})` : ''} … `);
      const line = runOnce(r, workload);
      process.stderr.write(line.skipped ? 'skipped\n' : line.error ? `error\n` : `${line.median} ${line.unit}\n`);
      earlier.push(line);
    }
  }
  for (const r of runners) lines.push(poolRounds(runs.get(r.label)!));
}

const memory: Record<string, { rssMB?: unknown; error?: string }> = {};
for (const model of ['cnn', 'mnist-cnn']) {
  if (!workloads.includes(model)) continue;
  process.stderr.write(`bench: ${model} memory over 300 batches … `);
  const mem = spawnSync(tsx, ['bench/memory.ts', '300', model], { cwd: root, env: { ...env, TSGRAD_THREADS: String(threads) }, encoding: 'utf8' });
  memory[model] = (() => { try { return JSON.parse(mem.stdout.trim().split('\n').pop() ?? ''); } catch { return { error: mem.stderr }; } })();
  process.stderr.write(`${JSON.stringify(memory[model].rssMB ?? memory[model])}\n`);
}

const find = (label: string, workload: string) => lines.find((l) => l.label === label && l.workload === workload && l.median !== undefined);
const pairs: Record<string, [string, string]> = {
  matmul1024_vs_tfjs_wasm: ['matmul1024', 'tfjs/wasm'],
  mlp_train_vs_tfjs_wasm: ['mlp', 'tfjs/wasm'],
  cnn_train_vs_convnetjs: ['cnn', 'convnetjs'],
  cnn_train_vs_tfjs_cpu: ['cnn', 'tfjs/cpu'],
  mlp_train_vs_convnetjs: ['mlp', 'convnetjs'],
  conv_vs_convnetjs: ['conv', 'convnetjs'],
  optim_adam_vs_tfjs_wasm: ['optim-adam', 'tfjs/wasm'],
  ...Object.fromEntries(workloads.map((w) => [`${w.replace(/-/g, '_')}_vs_pytorch`, [w, 'pytorch'] as [string, string]])),
};
const ratios: Record<string, number | null> = {};
const ratioRanges: Record<string, [number, number] | null> = {};
for (const [key, [workload, peer]] of Object.entries(pairs)) {
  const ours = find('tsgrad', workload), theirs = find(peer, workload);
  ratios[key] = ratioOf(ours, theirs);
  ratioRanges[key] = ratioRangeOf(ours, theirs);
}

// The table: one row per workload, one column per framework.
const labels = runners.map((r) => r.label);
const training = new Set(['mlp', 'cnn', 'mnist-cnn', 'resnet']);
const cell = (l?: Line) => !l ? '' : l.skipped ? 'skipped' : l.error ? 'error' : `${l.median}${l.peakRssMB && training.has(l.workload) ? ` (${Math.round(l.peakRssMB)} MB)` : ''}`;
const share = (l?: Line) => (l?.cpuShare === undefined || l.cpuShare === null ? '' : String(l.cpuShare));
function table(title: string, f: (l?: Line) => string, withUnit: boolean): void {
  const rows = workloads.map((w) => {
    const unit = lines.find((l) => l.workload === w && l.unit)?.unit ?? '';
    return [withUnit ? `${w} (${unit})` : w, ...labels.map((lab) => f(lines.find((l) => l.workload === w && l.label === lab)))];
  });
  const header = [title, ...labels];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  console.log(fmt(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(fmt(r));
}
table('workload', cell, true);
console.log(`\ncpuShare (CPU time ÷ wall time; tsgrad and PyTorch ran ${threads} thread${threads > 1 ? 's' : ''}):`);
table('workload', share, false);
console.log('\nratios (tsgrad ÷ peer):');
for (const [k, v] of Object.entries(ratios)) {
  const range = ratioRanges[k];
  console.log(`  ${k}: ${v ?? 'n/a'}${range && rounds > 1 ? ` (rounds: ${range[0]}–${range[1]})` : ''}`);
}
console.log(`\nCNN memory: ${JSON.stringify(memory)}`);

writeFileSync(`${root}bench/results.json`, JSON.stringify({
  date: new Date().toISOString(), node: process.version, quick: values.quick, threads, rounds, lines, memory, ratios, ratioRanges,
}, null, 2) + '\n');
console.log('\nwrote bench/results.json');

/**
 * Installs Debian's python3-torch when the interpreter cannot import torch and the machine
 * allows it (root, apt-get present, BENCH_NO_INSTALL unset), as the JavaScript peers install on
 * first use. If it cannot, PyTorch's lines say `skipped` and why (bench/peers/pytorch.py).
 */
function installTorch(): void {
  const importsTorch = () => spawnSync(python, ['-c', 'import torch'], { env: pythonEnv, stdio: 'ignore' }).status === 0;
  if (process.env.BENCH_NO_INSTALL || importsTorch()) return;
  if (process.getuid?.() !== 0 || spawnSync('apt-get', ['--version'], { stdio: 'ignore' }).status !== 0) {
    console.error(`bench: ${python} cannot import torch, and this machine cannot install python3-torch here (not root, or no apt-get); PyTorch is skipped`);
    return;
  }
  console.error('bench: installing Debian\'s python3-torch for the PyTorch peer (first run only)…');
  const apt = (...args: string[]) => spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } }).status === 0;
  if (!apt('install', '-y', '-q', 'python3-torch')) apt('update', '-q') && apt('install', '-y', '-q', 'python3-torch');
  if (!importsTorch()) console.error('bench: python3-torch could not be installed; PyTorch is skipped');
}
