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
  /** Byte address of each worker's packing scratch area, one per worker. */
  scratchAddrs: number[];
}

// The platform calls main(data) in the worker. The worker reads the wake word
// before its first runJob(), so a job published while it was starting is either
// worked on now or seen as a change and worked on next. Should the kernel ever
// trap, the caller must not wait forever for the chunk that was in hand: it is
// counted as done and the failure flagged, and the caller throws.
const WORKER_SOURCE = `${PROGRAM_CHUNK_SOURCE}
function main({ module, memory, wakeAddr, jobAddr, doneAddr, failAddr, scratchAddr }) {
  const programChunk = programChunkFor(memory);
  const { runJob } = new WebAssembly.Instance(module, { env: { memory, programChunk } }).exports;
  const words = new Int32Array(memory.buffer);
  const wake = wakeAddr >> 2, done = doneAddr >> 2, fail = failAddr >> 2;
  for (;;) {
    const seen = Atomics.load(words, wake);
    try {
      runJob(jobAddr, scratchAddr);
    } catch (err) {
      Atomics.store(words, fail, 1);
      Atomics.add(words, done, 1);
      Atomics.notify(words, done);
      throw err;
    }
    Atomics.wait(words, wake, seen);
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
    // The wake word sits at a low address; a view made now stays valid after
    // the memory grows, since a shared buffer is never moved.
    this.wake = new Int32Array(memory.buffer, 0, (layout.wakeAddr >> 2) + 1);
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
    Atomics.notify(this.wake, w);
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
