/**
 * What the Benchmark panel measures, on whichever backend it is given: matmul GFLOPS and
 * training throughput of the Train panel's two models. Each workload is one synchronous
 * repetition; `measure` runs repetitions for a while, handing the page back between them,
 * and counts only the time spent in them.
 */
import * as tg from 'tsgrad';
import { onBackend, type BackendName } from '../backends.ts';
import { MODELS, type ModelKind } from '../train/models.ts';
import { nextTask } from '../ui/yield.ts';

export interface Workload {
  id: string;
  label: string;
  unit: string;
  /** Builds the inputs, and returns one repetition and how much work it does (in `unit`s). */
  prepare(): { rep(): void; work: number; dispose(): void };
}

/** Where read-back values go, so that no optimizer can drop the read. */
let sink = 0;

export function matmulWorkload(n: number): Workload {
  return {
    id: `matmul-${n}`,
    label: `matmul ${n}×${n}`,
    unit: 'GFLOPS',
    prepare() {
      tg.manualSeed(1);
      const a = tg.keep(tg.randn([n, n]));
      const b = tg.keep(tg.randn([n, n]));
      return {
        // Reading one value back makes the gpu finish the product before the clock stops.
        rep: () => tg.tidy(() => { sink += a.matmul(b).data[0]!; }),
        work: (2 * n ** 3) / 1e9,
        dispose: () => { a.dispose(); b.dispose(); },
      };
    },
  };
}

const BATCH = 64;

export function trainingWorkload(kind: ModelKind): Workload {
  return {
    id: `train-${kind}`,
    label: `${kind.toUpperCase()} training, batch ${BATCH}, Adam`,
    unit: 'samples/s',
    prepare() {
      tg.manualSeed(2);
      const model = MODELS[kind].build();
      const opt = new tg.optim.Adam(model.parameters(), { lr: 1e-3 });
      const lossFn = new tg.nn.CrossEntropyLoss();
      const x = tg.keep(tg.rand([BATCH, 1, 28, 28]));
      const y = Int32Array.from({ length: BATCH }, (_, i) => i % 10);
      return {
        rep: () => tg.tidy(() => {
          opt.zeroGrad();
          const loss = lossFn.forward(model.forward(x), y);
          loss.backward();
          opt.step();
          sink += loss.item();
        }),
        work: BATCH,
        dispose: () => x.dispose(),
      };
    },
  };
}

/**
 * Work per second of `w` on `backend`: one untimed repetition first (kernels compile, the
 * JIT warms up), then repetitions until `seconds` of them have run (at least two).
 */
export async function measure(w: Workload, backend: BackendName, seconds: number): Promise<number> {
  const prepared = onBackend(backend, () => w.prepare());
  try {
    onBackend(backend, prepared.rep);
    let spent = 0;
    let reps = 0;
    while (spent < seconds * 1000 || reps < 2) {
      await nextTask();
      const t0 = performance.now();
      onBackend(backend, prepared.rep);
      spent += performance.now() - t0;
      reps++;
    }
    return (prepared.work * reps) / (spent / 1000);
  } finally {
    onBackend(backend, prepared.dispose);
  }
}
