// Runs every peer runner on every workload (or those named), one process each, in sequence.
// Usage: node bench/peers/run-all.mjs [workload ...]
// stdout: the runners' JSON lines; stderr: a summary table when done.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WORKLOADS } from './common.mjs';

export const RUNNERS = [
  { label: 'tfjs/wasm', args: ['tfjs.mjs', 'wasm'] },
  { label: 'tfjs/cpu', args: ['tfjs.mjs', 'cpu'] },
  { label: 'convnetjs', args: ['convnetjs.mjs'] },
  { label: 'js-pytorch', args: ['jspytorch.mjs'] },
];

const here = fileURLToPath(new URL('.', import.meta.url));
const workloads = process.argv.length > 2 ? process.argv.slice(2) : WORKLOADS;
const rows = [];
for (const workload of workloads) {
  for (const { label, args } of RUNNERS) {
    const p = spawnSync(process.execPath, [...args, workload], { cwd: here, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const line = p.stdout.trim().split('\n').pop() ?? '';
    let r;
    try {
      r = JSON.parse(line);
    } catch {
      r = { workload, error: `exit ${p.status}, no JSON line` };
    }
    process.stdout.write(JSON.stringify(r) + '\n');
    const cell = r.skipped ? `skipped` : r.error ? `error` : `${r.median} ${r.unit}${r.peakRssMB ? ` (${r.peakRssMB} MB)` : ''}`;
    rows.push([label, workload, cell]);
  }
}
const width = [0, 1].map((i) => Math.max(...rows.map((r) => r[i].length)));
for (const [a, b, c] of rows) console.error(`${a.padEnd(width[0])}  ${b.padEnd(width[1])}  ${c}`);
