// The bench training step of one checkout in its own process (so it pays only its own garbage
// collection, which bench/ab.ts's shared heap hides): after 100 warm-up steps, the quantiles of
// single steps, their mean, and the process's CPU ms per step (worker threads included).
// Alternate checkouts from the shell for an A/B, e.g.
//   for r in 1 2 3; do for root in /work/wt-base $PWD; do npx tsx bench/ab-step.ts $root mlp 1500 [tidy]; done; done
// Another checkout's bench/training-step.ts must import its own sources (see bench/ab.ts).
const root = process.argv[2] ?? process.cwd(); const kind = process.argv[3] ?? 'mlp'; const n = Number(process.argv[4] ?? 1500);
const { trainingStep } = await import(`${root}/bench/training-step.ts`);
// 'tidy' runs each step inside tg.tidy, as fit() does.
const inTidy = process.argv[5] === 'tidy';
const tg = await import(`${root}/src/index.ts`);
const rawStep = trainingStep(kind);
const step = inTidy ? (i: number) => tg.tidy(() => rawStep(i)) : rawStep;
for (let i = 0; i < 100; i++) step(i);
const xs: number[] = []; const c0 = process.cpuUsage(); const t0 = performance.now();
for (let i = 0; i < n; i++) { const t = performance.now(); step(i); xs.push(performance.now() - t); }
const wall = (performance.now() - t0) / n; const c = process.cpuUsage(c0); xs.sort((a, b) => a - b);
console.log(`${root.padEnd(16)} ${kind}${inTidy ? ' in tidy' : ''}: per step p10 ${xs[Math.floor(n * 0.1)].toFixed(3)} p25 ${xs[Math.floor(n * 0.25)].toFixed(3)} median ${xs[n >> 1].toFixed(3)} mean ${wall.toFixed(3)} ms; CPU ${((c.user + c.system) / 1000 / n).toFixed(3)} ms/step`);
process.exit(0);
export {};
