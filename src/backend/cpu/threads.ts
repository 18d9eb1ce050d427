// Worker threads that help the calling thread run the WebAssembly GEMM kernel.
//
// Every worker instantiates the same compiled module on the same shared
// WebAssembly.Memory, then sleeps in Atomics.wait on a "wake" word. To run a job
// the caller writes it into shared memory, bumps the wake word, notifies, and
// works on the job itself; the kernel's runJob() hands out chunks with a
// compare-and-swap (gemm.as.ts), so a worker that is slow to wake, still
// starting up, or starved of a core simply claims fewer chunks. That is also
// why the API can stay synchronous: the caller never waits for a worker to
// start, only for chunks a worker has already claimed (Node allows Atomics.wait
// on the main thread; a browser's main thread spins for them instead).
//
// A worker does not go back to sleep at once: it first spins on the wake word
// for SPIN_MS, and counts itself in a "sleepers" word only when it does sleep.
// The caller notifies only when that count is not zero. A training step runs
// dozens of short kernels a few tens of microseconds apart; waking a sleeping
// thread cost a futex call on the caller's side each time (0.5 ms of a 6 ms
// bench CNN step, in notify alone) and put the worker's wake-up latency in front
// of its first chunk, so the caller did most of every short job itself. The
// spin is the price: a worker burns up to SPIN_MS of its core after each job,
// as OpenMP runtimes do by default.
//
// The caller always works too, so min(2, cores) threads means one worker on a
// two-core machine: a worker per core would leave the caller idle in
// Atomics.wait and put a thread wake-up on the critical path of every call.
//
// The platform starts the workers (worker_threads in Node, where an idle worker
// does not keep the process alive; Web Workers in a cross-origin isolated page),
// from source text rather than a file, so they start the same way under tsx,
// vitest, from dist/ or from inside a bundle.

import { startWorker } from '#platform';
import type { WorkerHandle } from '../../platform/platform.ts';
import type { WasmMemory, WasmModule } from './wasm-module.ts';
import { PROGRAM_CHUNK_SOURCE } from './program-chunk.ts';

/** How long a worker spins for the next job before it sleeps (see the header). */
export const SPIN_MS = 0.2;

/** The word addresses and per-worker scratch the pool needs to run jobs. */
export interface PoolLayout {
  /** Byte address of the i32 that is incremented to wake the workers. */
  wakeAddr: number;
  /** Byte address of the job struct passed to runJob(). */
  jobAddr: number;
  /** Byte address of the job's count of finished chunks (see gemm.as.ts). */
  doneAddr: number;
  /** Byte address of an i32 a worker sets to 1 if it fails mid-job. */
  failAddr: number;
  /** Byte address of the i32 count of workers asleep in Atomics.wait (or about to be). */
  sleepersAddr: number;
  /** Byte address of each worker's packing scratch area, one per worker. */
  scratchAddrs: number[];
}

// The platform calls main(data) in the worker. The worker reads the wake word
// before its first runJob(), so a job published while it was starting is either
// worked on now or seen as a change and worked on next (a job already finished
// gives it no chunk: runJob() returns at once). Should the kernel ever
// trap, the caller must not wait forever for the chunk that was in hand: it is
// counted as done and the failure flagged, and the caller throws.
// Between jobs it spins for SPIN_MS; to sleep, it first counts itself among the sleepers and
// then checks the wake word once more. The caller bumps the wake word and then reads the count,
// so (all of them sequentially consistent operations) either the worker sees the new job or the
// caller sees the sleeper and notifies: no wake-up is lost.
const WORKER_SOURCE = `${PROGRAM_CHUNK_SOURCE}
const SPIN_MS = ${SPIN_MS};
function main({ module, memory, wakeAddr, jobAddr, doneAddr, failAddr, sleepersAddr, scratchAddr }) {
  const programChunk = programChunkFor(memory);
  const { runJob } = new WebAssembly.Instance(module, { env: { memory, programChunk } }).exports;
  const words = new Int32Array(memory.buffer);
  const wake = wakeAddr >> 2, done = doneAddr >> 2, fail = failAddr >> 2, sleepers = sleepersAddr >> 2;
  let seen = Atomics.load(words, wake);
  for (;;) {
    try {
      runJob(jobAddr, scratchAddr);
    } catch (err) {
      Atomics.store(words, fail, 1);
      Atomics.add(words, done, 1);
      Atomics.notify(words, done);
      throw err;
    }
    const until = performance.now() + SPIN_MS;
    while (Atomics.load(words, wake) === seen && performance.now() < until);
    if (Atomics.load(words, wake) === seen) {
      Atomics.add(words, sleepers, 1);
      Atomics.wait(words, wake, seen);
      Atomics.sub(words, sleepers, 1);
    }
    seen = Atomics.load(words, wake);
  }
}
`;

/** A lazily started set of GEMM worker threads sharing one wasm memory. */
export class GemmPool {
  private workers: WorkerHandle[] = [];
  private readonly wake: Int32Array;

  constructor(
    private readonly module: WasmModule,
    private readonly memory: WasmMemory,
    private readonly layout: PoolLayout,
  ) {
    // The wake and sleepers words sit at low addresses; a view made now stays valid after
    // the memory grows, since a shared buffer is never moved.
    this.wake = new Int32Array(memory.buffer, 0, (Math.max(layout.wakeAddr, layout.sleepersAddr) >> 2) + 1);
  }

  /** Number of worker threads (not counting the caller). */
  get size(): number {
    return this.layout.scratchAddrs.length;
  }

  /**
   * Wakes the workers to join the job just published in shared memory,
   * starting them first if this is the first job.
   */
  notify(): void {
    if (this.workers.length < this.size) this.start();
    const w = this.layout.wakeAddr >> 2;
    Atomics.add(this.wake, w, 1);
    if (Atomics.load(this.wake, this.layout.sleepersAddr >> 2) !== 0) Atomics.notify(this.wake, w);
  }

  private start(): void {
    for (let i = this.workers.length; i < this.size; i++) {
      const data = {
        module: this.module,
        memory: this.memory,
        wakeAddr: this.layout.wakeAddr,
        jobAddr: this.layout.jobAddr,
        doneAddr: this.layout.doneAddr,
        failAddr: this.layout.failAddr,
        sleepersAddr: this.layout.sleepersAddr,
        scratchAddr: this.layout.scratchAddrs[i],
      };
      this.workers.push(startWorker(WORKER_SOURCE, data, {
        // The kernel allocates nothing on the JS heap.
        heapMb: 32,
        // A worker that fails claims no more chunks, so the caller just does the
        // work alone from then on; report the failure rather than crash.
        onError: (message) => {
          console.warn(`tsgrad: gemm worker ${i} failed, continuing with fewer threads: ${message}`);
        },
      }));
    }
  }
}
