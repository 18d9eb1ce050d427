// Whether sharing a job among threads pays, decided by measurement per job shape, for the GEMM
// (gemm-wasm.ts) and the other kernels of the module (wasm-tasks.ts).
//
// Why measure: the images of a convolution, or the row slabs of a product, are independent, so
// on an idle machine two threads approach twice the speed of one. On a busy one a worker that
// has claimed a chunk can lose its core for a whole time slice while the caller waits for it:
// under a load of ten on two cores, the MNIST CNN's convolutions (batch 64) took 0.9–3.2× as
// long on two threads as on one (medians of 9 runs per kernel), and under a load of four a
// 512³ product ran 10% slower threaded. Training repeats the same few shapes, so each shape
// keeps its recent run times alone and shared, uses the cheaper, and tries the other every
// EXPLORE_EVERY-th run to notice when the machine changes. Threads are assumed to pay until
// measured.
//
// Why the median of the last three runs, not a moving average: the mode not in use is only
// sampled every 16th run, so one slow sample of it (a collection, a time slice lost to another
// process) used to decide the next 16 × several runs. With a moving average, matmul 1024²
// through the tensor API fell from 28 ms to 51 ms per product for rounds of 30 products at a
// time, stuck on one thread after one slow threaded run (load 0.9, nothing else running). A
// median needs two slow runs out of three to switch.
//
// Why explore less when one mode is far ahead: each exploration runs the slower mode once. For
// matmul 1024² on two idle cores that is 45 ms alone against 25 ms shared, so exploring every
// 16th product cost 5 % of the time. When the mode not in use measured FAR_AHEAD× slower or
// worse, it is tried every EXPLORE_EVERY × FAR_SLOWDOWN-th run instead (1.3 % there); the
// machine has to change a lot before it wins, and the mode in use is measured on every run.

const EXPLORE_EVERY = 16;
const FAR_AHEAD = 1.5;
const FAR_SLOWDOWN = 4;
const MAX_SHAPES = 256;
/** Run times kept per mode. */
const WINDOW = 3;

interface ShapeTimings {
  /** Runs since the mode not in use was last tried. */
  sinceExplored: number;
  /** The last WINDOW run times in ms of each mode, oldest first. */
  solo: number[];
  threaded: number[];
}

/** Median of the recent times; +∞ until measured. */
function estimate(times: number[]): number {
  if (times.length === 0) return Infinity;
  if (times.length < 3) return Math.min(...times);
  const [a, b, c] = times;
  return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
}

/** Per job shape: run it shared among threads, or alone? */
export class ThreadChoice {
  private readonly shapes = new Map<string, ShapeTimings>();

  /** Whether to run the next job of `shape` threaded; report its time with `record`. */
  choose(shape: string): boolean {
    const t = this.timings(shape);
    // Unmeasured threads count as paying; an unmeasured solo mode is tried at the first exploration.
    const measured = t.threaded.length > 0 && t.solo.length > 0;
    const shared = estimate(t.threaded), solo = estimate(t.solo);
    const threadsWin = !measured || shared <= solo;
    // The idle mode's latest time counts too: once one try of it came out fast, it is tried
    // again at the usual pace (the median needs a second fast run to switch).
    const idle = threadsWin ? t.solo : t.threaded;
    const idleBest = Math.min(threadsWin ? solo : shared, idle[idle.length - 1] ?? Infinity);
    const far = measured && idleBest >= FAR_AHEAD * Math.min(shared, solo);
    if (++t.sinceExplored < (far ? EXPLORE_EVERY * FAR_SLOWDOWN : EXPLORE_EVERY)) return threadsWin;
    t.sinceExplored = 0;
    return !threadsWin;
  }

  /** Records how long a job of `shape` took, run threaded or not. */
  record(shape: string, threaded: boolean, ms: number): void {
    const t = this.timings(shape);
    const times = threaded ? t.threaded : t.solo;
    times.push(ms);
    if (times.length > WINDOW) times.shift();
  }

  /** Runs `job` (threaded or not, as chosen for `shape`) and records how long it took. */
  run(shape: string, job: (threaded: boolean) => void): void {
    const threaded = this.choose(shape);
    const start = performance.now();
    job(threaded);
    this.record(shape, threaded, performance.now() - start);
  }

  private timings(shape: string): ShapeTimings {
    let t = this.shapes.get(shape);
    if (t === undefined) {
      if (this.shapes.size >= MAX_SHAPES) this.shapes.clear();
      t = { sinceExplored: 0, solo: [], threaded: [] };
      this.shapes.set(shape, t);
    }
    return t;
  }
}
