// npm run bench [-- --quick] [-- --only mlp,cnn] [-- --gpu]
// Measures tsgrad and the peer frameworks on the same workloads, each run in its own process
// one after another (so they never compete for the two cores), prints a table and writes
// bench/results.json with the raw lines and tsgrad ÷ peer ratios (higher is better).
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WORKLOADS } from './peers/common.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const peersDir = fileURLToPath(new URL('./peers/', import.meta.url));
const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    gpu: { type: 'boolean', default: false },
  },
});

if (!existsSync(`${peersDir}node_modules`)) {
  console.error('bench: installing the peer frameworks into bench/peers (first run only)…');
  const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: peersDir, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('bench: npm ci in bench/peers failed');
}

const env = { ...process.env, ...(values.quick ? { BENCH_REPS: '3', BENCH_REP_S: '1', BENCH_WARMUP_S: '0.5' } : {}) };
const workloads = values.only ? values.only.split(',') : WORKLOADS;
const tsx = `${root}node_modules/.bin/tsx`;
const runners = [
  { label: 'tsgrad', cmd: tsx, args: ['bench/tsgrad.ts'], suffix: ['cpu'] },
  ...(values.gpu ? [{ label: 'tsgrad/gpu', cmd: 'xvfb-run', args: ['-a', tsx, 'bench/tsgrad.ts'], suffix: ['gpu'] }] : []),
  { label: 'tfjs/wasm', cmd: process.execPath, args: ['bench/peers/tfjs.mjs', 'wasm'], suffix: [] },
  { label: 'tfjs/cpu', cmd: process.execPath, args: ['bench/peers/tfjs.mjs', 'cpu'], suffix: [] },
  { label: 'convnetjs', cmd: process.execPath, args: ['bench/peers/convnetjs.mjs'], suffix: [] },
  { label: 'js-pytorch', cmd: process.execPath, args: ['bench/peers/jspytorch.mjs'], suffix: [] },
];

type Line = { framework?: string; workload: string; median?: number; unit?: string; peakRssMB?: number; cpuShare?: number; skipped?: string; error?: string; label: string };
const lines: Line[] = [];
for (const workload of workloads) {
  for (const r of runners) {
    process.stderr.write(`bench: ${r.label} ${workload} … `);
    const p = spawnSync(r.cmd, [...r.args, workload, ...r.suffix], { cwd: root, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    let line: Line;
    try {
      line = { ...JSON.parse(p.stdout.trim().split('\n').pop() ?? ''), label: r.label };
    } catch {
      line = { workload, label: r.label, error: `exit ${p.status}: ${(p.stderr ?? '').trim().split('\n').slice(-3).join(' | ')}` };
    }
    process.stderr.write(line.skipped ? 'skipped\n' : line.error ? `error\n` : `${line.median} ${line.unit}\n`);
    lines.push(line);
  }
}

process.stderr.write('bench: CNN memory over 300 batches … ');
const mem = spawnSync(tsx, ['bench/memory.ts', '300'], { cwd: root, env, encoding: 'utf8' });
const memory = (() => { try { return JSON.parse(mem.stdout.trim().split('\n').pop() ?? ''); } catch { return { error: mem.stderr }; } })();
process.stderr.write(`${JSON.stringify(memory.rssMB ?? memory)}\n`);

const get = (label: string, workload: string) => lines.find((l) => l.label === label && l.workload === workload && l.median !== undefined)?.median;
const ratio = (workload: string, peer: string) => {
  const a = get('tsgrad', workload), b = get(peer, workload);
  return a !== undefined && b !== undefined ? Math.round((a / b) * 100) / 100 : null;
};
const ratios: Record<string, number | null> = {
  matmul1024_vs_tfjs_wasm: ratio('matmul1024', 'tfjs/wasm'),
  mlp_train_vs_tfjs_wasm: ratio('mlp', 'tfjs/wasm'),
  cnn_train_vs_convnetjs: ratio('cnn', 'convnetjs'),
  cnn_train_vs_tfjs_cpu: ratio('cnn', 'tfjs/cpu'),
  mlp_train_vs_convnetjs: ratio('mlp', 'convnetjs'),
  conv_vs_convnetjs: ratio('conv', 'convnetjs'),
  optim_adam_vs_tfjs_wasm: ratio('optim-adam', 'tfjs/wasm'),
};

// The table: one row per workload, one column per framework.
const labels = runners.map((r) => r.label);
const cell = (l?: Line) => !l ? '' : l.skipped ? 'skipped' : l.error ? 'error' : `${l.median}${l.peakRssMB && (l.workload === 'mlp' || l.workload === 'cnn') ? ` (${Math.round(l.peakRssMB)} MB)` : ''}`;
const rows = workloads.map((w) => {
  const unit = lines.find((l) => l.workload === w && l.unit)?.unit ?? '';
  return [`${w} (${unit})`, ...labels.map((lab) => cell(lines.find((l) => l.workload === w && l.label === lab)))];
});
const header = ['workload', ...labels];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const fmt = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
console.log(fmt(header));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(fmt(r));
console.log('\nratios (tsgrad ÷ peer):');
for (const [k, v] of Object.entries(ratios)) console.log(`  ${k}: ${v ?? 'n/a'}`);
console.log(`\nCNN memory: ${JSON.stringify(memory)}`);

writeFileSync(`${root}bench/results.json`, JSON.stringify({
  date: new Date().toISOString(), node: process.version, quick: values.quick, lines, memory, ratios,
}, null, 2) + '\n');
console.log('\nwrote bench/results.json');
