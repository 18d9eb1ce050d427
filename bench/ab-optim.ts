// One optimizer over one 1M-parameter tensor, from the sources of a given checkout, in its own
// process (so each side pays only its own garbage collection): ms per step (wall p25 and median
// of 60 steps) and CPU ms per step. Alternate checkouts from the shell for an A/B, e.g.
//   for r in 1 2 3; do for root in /path/a /path/b; do npx tsx bench/ab-optim.ts $root adam; done; done
const root = process.argv[2] ?? '.'; const which = process.argv[3] ?? 'sgd';
const tg = await import(`${root.startsWith('/') ? root : `${process.cwd()}/${root}`}/src/index.ts`);
const N = 1_000_000;
const p = new tg.nn.Parameter(tg.rand([N])); p.grad = tg.rand([N]);
const opt = which === 'adam' ? new tg.optim.Adam([p], { lr: 1e-3 }) : which === 'momentum' ? new tg.optim.SGD([p], { lr: 0.01, momentum: 0.9 }) : new tg.optim.SGD([p], { lr: 0.01 });
for (let i = 0; i < 5; i++) opt.step();
const xs: number[] = []; const c0 = process.cpuUsage();
for (let i = 0; i < 60; i++) { const t = performance.now(); opt.step(); xs.push(performance.now() - t); }
const c = process.cpuUsage(c0); xs.sort((a, b) => a - b);
console.log(`${which} ${root}: wall p25 ${xs[15].toFixed(3)} median ${xs[30].toFixed(3)} ms, cpu ${((c.user + c.system) / 1000 / 60).toFixed(3)} ms/step`);
process.exit(0);
export {};
