/**
 * The bad-input audit: runs every case of test/bad-input/cases (pending ones too), each in
 * a worker thread that is stopped if it runs past the time budget (a hang), and prints how
 * many inputs ended in each verdict, by area and by the branch that owns a missing fix,
 * then every case that is not yet right, with its repro line.
 *
 *   npx tsx scripts/audit-bad-input.ts [--budget-s 30] [--json out.json]
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface Result {
  index: number;
  area: string;
  call: string;
  owner: string;
  item: string;
  verdict: string;
  detail: string;
}

async function worker(): Promise<void> {
  const { classify } = await import('../test/bad-input/harness.ts');
  const { allCases } = await import('../test/bad-input/cases/index.ts');
  parentPort!.on('message', (index: number) => {
    const c = allCases[index]!;
    let outcome;
    try {
      outcome = classify(c);
    } catch (err) {
      outcome = { verdict: 'unclear', detail: `the case's own setup failed: ${(err as Error).message}` };
    }
    parentPort!.postMessage({ index, ...outcome });
  });
  parentPort!.postMessage({ ready: allCases.length, meta: allCases.map((c) => ({ area: c.area, call: c.call, owner: c.pending?.owner ?? '', item: c.pending?.item ?? '' })) });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const budgetMs = 1000 * Number(args[args.indexOf('--budget-s') + 1] ?? 30) || 30_000;
  const jsonOut = args.includes('--json') ? args[args.indexOf('--json') + 1] : undefined;
  const self = fileURLToPath(import.meta.url);
  let meta: { area: string; call: string; owner: string; item: string }[] = [];
  const results: Result[] = [];
  let next = 0;

  const start = (): Promise<boolean> => new Promise((resolve) => {
    // A worker does not inherit tsx's module hooks: it registers them, then loads this file.
    const boot = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(pathToFileURL(self).href)}); });`;
    const w = new Worker(boot, { eval: true, workerData: 'audit-worker' });
    let timer: NodeJS.Timeout | null = null;
    const send = () => {
      if (next >= meta.length && meta.length > 0) { void w.terminate(); resolve(false); return; }
      w.postMessage(next);
      timer = setTimeout(() => {
        const m = meta[next]!;
        results.push({ index: next, ...m, verdict: 'hang', detail: `no answer within ${budgetMs / 1000} s` });
        next++;
        void w.terminate();
        resolve(next < meta.length);
      }, budgetMs);
    };
    w.on('message', (msg: { ready?: number; meta?: typeof meta; index?: number; verdict?: string; detail?: string }) => {
      if (msg.ready !== undefined) { meta = msg.meta!; send(); return; }
      if (timer) clearTimeout(timer);
      const m = meta[msg.index!]!;
      results.push({ index: msg.index!, ...m, verdict: msg.verdict!, detail: msg.detail! });
      next = msg.index! + 1;
      send();
    });
    w.on('error', (err) => {
      if (timer) clearTimeout(timer);
      const m = meta[next];
      if (m) results.push({ index: next, ...m, verdict: 'unclear', detail: `crashed the worker: ${err.message}` });
      else console.error('audit: the worker failed before running any case:', err);
      next++;
      resolve(next < meta.length);
    });
  });
  while (await start());

  const good = (r: Result) => r.verdict === 'clear' || r.verdict === 'accepted';
  const count = (rs: Result[]) => {
    const c: Record<string, number> = {};
    for (const r of rs) c[r.verdict] = (c[r.verdict] ?? 0) + 1;
    return c;
  };
  console.log(`inputs: ${results.length}`);
  console.log('verdicts:', count(results));
  for (const area of [...new Set(results.map((r) => r.area))]) console.log(`  ${area.padEnd(7)}`, count(results.filter((r) => r.area === area)));
  const wrong = results.filter((r) => !good(r));
  console.log(`\nnot yet right: ${wrong.length}`);
  for (const owner of [...new Set(wrong.map((r) => r.owner || 'unowned'))]) {
    console.log(`\n[${owner}]`);
    for (const r of wrong.filter((x) => (x.owner || 'unowned') === owner)) console.log(`  ${r.verdict.padEnd(13)} ${r.call}\n${' '.repeat(16)}${r.item ? `(${r.item}) ` : ''}${r.detail}`);
  }
  const fixed = results.filter((r) => r.owner && good(r));
  if (fixed.length) {
    console.log(`\npending cases that now pass (drop their 'pending'): ${fixed.length}`);
    for (const r of fixed) console.log(`  ${r.call}`);
  }
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify(results, null, 1));
}

if (isMainThread) await main();
else if (workerData === 'audit-worker') await worker();
