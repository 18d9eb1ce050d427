// Whether sharing a job among threads pays, decided by measurement per job shape: the rule
// the GEMM uses (see threadsPay() in gemm-wasm.ts), for the other kernels of the module.
//
// Why measure: the images of a convolution are independent, so on an idle machine two threads
// approach twice the speed of one. On a busy one a worker that has claimed an image can lose
// its core for a whole time slice while the caller waits for that image: under a load of ten
// on two cores, the MNIST CNN's convolutions (batch 64) took 0.9–3.2× as long on two threads
// as on one (medians of 9 runs per kernel). Training repeats the same few shapes, so each
// shape keeps a moving average of its time alone and shared, uses the cheaper, and tries the
// other every EXPLORE_EVERY-th run to notice when the machine changes. Threads are assumed to
// pay until measured.

const EXPLORE_EVERY = 16;
const MAX_SHAPES = 256;
// Weight of the newest run in the moving averages.
const SMOOTHING = 0.25;

interface ShapeTimings {
  count: number;
  /** Moving averages of the run time in ms, 0 until measured. */
  solo: number;
  threaded: number;
}

/** Per job shape: run it shared among threads, or alone? */
export class ThreadChoice {
  private readonly shapes = new Map<string, ShapeTimings>();

  /** Runs `job` (threaded or not, as chosen for `shape`) and records how long it took. */
  run(shape: string, job: (threaded: boolean) => void): void {
    const t = this.timings(shape);
    t.count++;
    const threadsWin = t.threaded === 0 || t.solo === 0 || t.threaded <= t.solo;
    const threaded = threadsWin !== (t.count % EXPLORE_EVERY === 0);
    const start = performance.now();
    job(threaded);
    const ms = performance.now() - start;
    const old = threaded ? t.threaded : t.solo;
    const avg = old === 0 ? ms : old + SMOOTHING * (ms - old);
    if (threaded) t.threaded = avg;
    else t.solo = avg;
  }

  private timings(shape: string): ShapeTimings {
    let t = this.shapes.get(shape);
    if (t === undefined) {
      if (this.shapes.size >= MAX_SHAPES) this.shapes.clear();
      t = { count: 0, solo: 0, threaded: 0 };
      this.shapes.set(shape, t);
    }
    return t;
  }
}
