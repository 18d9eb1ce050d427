/**
 * `npm run bench:browser`: MNIST-MLP training samples/s in headless Chromium and in Node,
 * in the same run, round-robin so that a busy machine slows all of them alike. Chromium
 * runs a page bundled from the sources with esbuild, once plain (one thread: no shared
 * memory for workers) and once cross-origin isolated (Web Workers, as many threads as
 * Node uses); Node runs with its default threads and with TSGRAD_THREADS=1.
 *
 *   npm run bench:browser [-- --rounds 3 --reps 3 --rep-seconds 2]
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Plugin } from 'esbuild';
import type { Page } from 'playwright-core';
import {
  PAGE, ROOT, browserUnavailable, bundle, launchChromium, serve, stubPendingNodeImports,
} from '../../scripts/lib/browser-harness.ts';
import type { TimingOptions } from './workload.ts';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '3' }, reps: { type: 'string', default: '3' }, 'rep-seconds': { type: 'string', default: '2' } },
});
const rounds = Number(values.rounds);
const timing: TimingOptions = { warmupSeconds: 1, reps: Number(values.reps), repSeconds: Number(values['rep-seconds']) };

const missing = browserUnavailable();
if (missing) {
  console.error(`bench:browser: ${missing}`);
  process.exit(1);
}

// The page gets the sources with the browser platform, as a bundler gets dist/ from the package.
const fromSources: Plugin = {
  name: 'tsgrad-sources',
  setup(b) {
    b.onResolve({ filter: /^tsgrad$/ }, () => ({ path: join(ROOT, 'src/index.ts') }));
    b.onResolve({ filter: /^#platform$/ }, () => ({ path: join(ROOT, 'src/platform/browser/index.ts') }));
  },
};

interface Run {
  info: { mode: string; threads: number };
  rates: number[];
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function inNode(threads?: number): Run {
  const env = { ...process.env, ...(threads === undefined ? {} : { TSGRAD_THREADS: String(threads) }) };
  const out = execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/browser/node.ts'), JSON.stringify(timing)], { cwd: ROOT, env, encoding: 'utf8' });
  return JSON.parse(out) as Run;
}

async function inPage(page: Page): Promise<Run> {
  return page.evaluate((t) => (globalThis as unknown as { bench: { run(o: unknown): Run } }).bench.run(t), timing);
}

const app = await bundle(join(ROOT, 'bench/browser/page.ts'), [fromSources, stubPendingNodeImports]);
const server = await serve({ '/index.html': { body: PAGE, type: 'text/html' }, '/app.js': { body: app, type: 'text/javascript' } });
const browser = await launchChromium();
const open = async (path: string): Promise<Page> => {
  const page = await browser.newPage();
  await page.goto(`${server.url}${path}`);
  await page.waitForFunction(() => 'bench' in globalThis);
  return page;
};
const plain = await open('/index.html');
const isolated = await open('/coi/index.html');

const configs: [string, () => Run | Promise<Run>][] = [
  ['Node', () => inNode()],
  ['Node, TSGRAD_THREADS=1', () => inNode(1)],
  ['Chromium, cross-origin isolated', () => inPage(isolated)],
  ['Chromium, plain page', () => inPage(plain)],
];
const results = new Map<string, { info: Run['info']; medians: number[] }>();
for (let r = 1; r <= rounds; r++) {
  for (const [name, measure] of configs) {
    const run = await measure();
    const entry = results.get(name) ?? { info: run.info, medians: [] };
    entry.medians.push(median(run.rates));
    results.set(name, entry);
    console.error(`round ${r}/${rounds}: ${name}: ${Math.round(median(run.rates))} samples/s (${run.info.mode}, ${run.info.threads} thread(s))`);
  }
}
await browser.close();
await server.close();

const nodeBy = (threads: number) => [...results.entries()].find(([n, e]) => n.startsWith('Node') && e.info.threads === threads)?.[1];
console.log(`\nMNIST MLP 784-128-10 training, batch 64, Adam; samples/s, median of ${rounds} rounds (range), each round the median of ${timing.reps}×${timing.repSeconds} s`);
console.log('| where | kernel | threads | samples/s | ÷ Node, same threads |');
console.log('|---|---|---|---|---|');
for (const [name, { info, medians }] of results) {
  const node = nodeBy(info.threads);
  const ratio = node ? (median(medians) / median(node.medians)).toFixed(2) : '—';
  const range = `${Math.round(Math.min(...medians))}–${Math.round(Math.max(...medians))}`;
  console.log(`| ${name} | ${info.mode} | ${info.threads} | ${Math.round(median(medians))} (${range}) | ${ratio} |`);
}
