// Host side of the WebAssembly GEMM kernel (wasm/gemm.as.ts): loads the module,
// owns its shared memory, copies operands in and the result out, and splits big
// products across threads (threads.ts).
//
// Memory map (bytes) of the one shared WebAssembly.Memory:
//
//   WAKE_ADDR            i32 the workers sleep on
//   FAIL_ADDR            i32 a worker sets if it fails mid-job
//   SLEEPERS_ADDR        i32 count of workers asleep on WAKE_ADDR (threads.ts)
//   JOB_ADDR             the job struct runJob() reads (fields mirror gemm.as.ts)
//   SCRATCH_BASE + t·S   packing scratch of thread t (t = 0 is the caller)
//   (resident arrays)    blocks handed out by reserve() (resident.ts), for good
//   operandsBase         A, B, C of the current call, each 64-byte aligned
//
// The operands have to be copied: wasm can only address its own memory, and
// the caller's Float32Arrays live in ordinary JS heap. The copies are memcpy
// speed and linear in size, while the product is cubic, so they only matter
// for thin products. The memory grows to the largest call seen and stays there
// (wasm memory cannot shrink).

import { canBlock, env, hardwareThreads, workersShareMemory } from '#platform';
import { gemm as gemmBinaries } from '../../../build/wasm/kernels.js';
import { GemmPool, SPIN_MS } from './threads.ts';
import { ThreadChoice } from './thread-choice.ts';
import { makeProgramChunk } from './program-chunk.ts';
import { compileKernel, wasmApi, type WasmMemory, type WasmModule } from './wasm-module.ts';

export type { WasmMemory, WasmModule } from './wasm-module.ts';

const WAKE_ADDR = 64;
const FAIL_ADDR = 68;
const SLEEPERS_ADDR = 72;
const JOB_ADDR = 128;
const SCRATCH_BASE = 256;
const PAGE = 65536;
// 4 GiB, the most wasm32 can address. Shared memory reserves its maximum as
// address space up front, which is cheap on 64-bit hosts.
const MAX_PAGES = 65536;

// Word indices of the job struct; must match the J_* constants in gemm.as.ts.
const J_TICKET = 0, J_DONE = 1, J_M = 2, J_N = 3, J_K = 4, J_A = 5, J_LDA = 6, J_TRANS_A = 7;
const J_B = 8, J_LDB = 9, J_TRANS_B = 10, J_C = 11, J_LDC = 12, J_ACCUMULATE = 13;
const J_SPLIT_ROWS = 14, J_CHUNK = 15;
// A job of another kernel of the module (wasm/tasks.as.ts): its kind, and the byte address of
// its parameter block. GEMM jobs are kind 0.
const J_KIND = 16, J_PARAMS = 17;

// Threads pay only above this many multiply-adds (m·n·k): waking a worker and
// waiting for its last chunk costs tens of microseconds, and each chunk repacks
// the operand it shares with the others. Measured (`bench/gemm.ts --threads`,
// best of many runs): at 96³ and 128×128×64 two threads tie with one, at 128³
// they are 1.25× faster, at 160³ 1.4×, at 256³ 1.5×. (On a busy machine they
// may not pay at all; see thread-choice.ts.)
const THREAD_MIN_MACS = 128 * 128 * 128;
// Each thread takes about this many chunks, so one that loses its core for a
// while leaves work for the other to pick up, rather than making it wait. More
// chunks balance better but repack more: measured in CPU time at 512³ and 1024³,
// 2 threads cost 4% more than 1 with one chunk each, 7% with two, 11% with four.
// Chunks stay at least MIN_CHUNK rows (or columns) for the same reason.
// (Packing op(B) once for all the chunks of a row-split product instead, as a first set of
// chunks of the same job, and cutting it into four chunks a thread, made no difference on
// 2026-12-02: 1024³ on two threads 72–75 GFLOPS, 39–40 per CPU-second, either way.)
const CHUNKS_PER_THREAD = 2;
const MIN_CHUNK = 64;

interface KernelExports {
  scratchBytes(): number;
  gemm(m: number, n: number, k: number,
    a: number, lda: number, transA: number,
    b: number, ldb: number, transB: number,
    c: number, ldc: number, accumulate: number, scratch: number): void;
  runJob(job: number, scratch: number): number;
  zeroBytes(dst: number, bytes: number): void;
}

const align64 = (x: number): number => Math.ceil(x / 64) * 64;

/** The loaded kernel and its memory; one per JS thread that calls gemm. */
export class WasmGemm {
  private readonly memory: WasmMemory;
  private readonly kernel: KernelExports;
  private readonly pool: GemmPool | null;
  private operandsBase: number;
  private readonly scratchBytes: number;
  private f32: Float32Array;
  private i32: Int32Array;
  private generation = 0;
  /** Buffer objects of this memory handed out by `buffer` (see there). */
  private readonly buffers = new WeakSet<ArrayBufferLike>();
  private readonly canBlock = canBlock();
  // Per product shape: whether threads are measured to pay (thread-choice.ts).
  private readonly choice = new ThreadChoice();
  /** Threaded jobs run, chunks in them, and how many of those the calling thread did itself. */
  readonly stats = { jobs: 0, chunks: 0, callerChunks: 0 };

  /** `module` must be a shared-memory build when `threads` > 1. */
  constructor(
    module: WasmModule,
    readonly threads: number,
    readonly relaxed: boolean,
    private readonly minThreadedMacs = THREAD_MIN_MACS,
    private readonly adaptive = true,
  ) {
    this.memory = new wasmApi.Memory({ initial: 1, maximum: MAX_PAGES, shared: threads > 1 });
    const instance = new wasmApi.Instance(module, { env: { memory: this.memory, programChunk: makeProgramChunk(this.memory) } });
    this.kernel = instance.exports as unknown as KernelExports;
    const scratch = align64(this.kernel.scratchBytes());
    this.scratchBytes = scratch;
    this.operandsBase = SCRATCH_BASE + threads * scratch;
    if (!this.grow(this.operandsBase)) throw new Error('gemm: cannot allocate WebAssembly memory');
    this.f32 = new Float32Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
    const workerScratch = Array.from({ length: threads - 1 }, (_, t) => SCRATCH_BASE + (t + 1) * scratch);
    this.pool = threads > 1
      ? new GemmPool(module, this.memory, {
        wakeAddr: WAKE_ADDR, jobAddr: JOB_ADDR, doneAddr: JOB_ADDR + 4 * J_DONE, failAddr: FAIL_ADDR,
        sleepersAddr: SLEEPERS_ADDR, scratchAddrs: workerScratch,
      })
      : null;
  }

  /** Runs the product; false if it does not fit in wasm memory. */
  run(
    a: Float32Array, b: Float32Array, c: Float32Array,
    m: number, n: number, k: number,
    transA: boolean, transB: boolean, accumulate: boolean,
  ): boolean {
    // An operand that is a view of this memory (a resident array, resident.ts) is used where
    // it lies; the others get a region each from operandsBase on, and are copied in.
    const inA = this.holds(a), inB = this.holds(b), inC = this.holds(c);
    let top = this.operandsBase;
    const region = (inside: boolean, array: Float32Array, floats: number) => {
      if (inside) return array.byteOffset;
      const at = top;
      top = align64(top + floats * 4);
      return at;
    };
    const pa = region(inA, a, m * k), pb = region(inB, b, k * n), pc = region(inC, c, m * n);
    if (!this.grow(top)) return false;
    if (this.f32.buffer.byteLength !== this.memory.buffer.byteLength) {
      this.f32 = new Float32Array(this.memory.buffer);
      this.i32 = new Int32Array(this.memory.buffer);
    }
    const f32 = this.f32;
    if (!inA) f32.set(a.subarray(0, m * k), pa / 4);
    if (!inB) f32.set(b.subarray(0, k * n), pb / 4);
    if (accumulate && !inC) f32.set(c.subarray(0, m * n), pc / 4);

    const lda = transA ? m : k, ldb = transB ? k : n;
    const splitRows = m >= n;
    const dim = splitRows ? m : n;
    const chunks = this.chunkCount(m * n * k, dim);
    const shape = chunks < 2 ? null : `${m}x${n}x${k}`;
    const threaded = shape === null ? false : !this.adaptive || this.choice.choose(shape);
    const start = performance.now();
    if (!threaded) {
      this.kernel.gemm(m, n, k, pa, lda, +transA, pb, ldb, +transB, pc, n, +accumulate, SCRATCH_BASE);
    } else {
      const w = this.i32, job = JOB_ADDR >> 2;
      w[job + J_M] = m; w[job + J_N] = n; w[job + J_K] = k;
      w[job + J_A] = pa; w[job + J_LDA] = lda; w[job + J_TRANS_A] = +transA;
      w[job + J_B] = pb; w[job + J_LDB] = ldb; w[job + J_TRANS_B] = +transB;
      w[job + J_C] = pc; w[job + J_LDC] = n; w[job + J_ACCUMULATE] = +accumulate;
      // Multiples of 8 keep every chunk but the last free of ragged tiles.
      const chunk = Math.ceil(dim / chunks / 8) * 8;
      w[job + J_SPLIT_ROWS] = +splitRows; w[job + J_CHUNK] = chunk;
      w[job + J_KIND] = 0;
      this.runThreaded(Math.ceil(dim / chunk));
    }
    if (shape !== null) this.choice.record(shape, threaded, performance.now() - start);
    if (!inC) c.set(f32.subarray(pc / 4, pc / 4 + m * n));
    return true;
  }

  /** Whether `a` is a view of this memory (a resident array), which kernels use where it lies. */
  holds(a: Float32Array): boolean {
    return this.buffers.has(a.buffer);
  }

  /** Zeroes `bytes` bytes of this memory from byte address `at` (natively: fill() on a shared buffer is slow). */
  zero(at: number, bytes: number): void {
    this.kernel.zeroBytes(at, bytes);
  }

  /** Chunks to split a product of `macs` multiply-adds into, along a dimension of `dim`. */
  private chunkCount(macs: number, dim: number): number {
    if (this.pool === null || macs < this.minThreadedMacs) return 1;
    return Math.min(this.threads * CHUNKS_PER_THREAD, Math.floor(dim / MIN_CHUNK));
  }

  /**
   * Runs `chunks` chunks of one of the module's other kernels (wasm/tasks.as.ts), described
   * by the parameter block at byte address `params`; the workers join in when `threaded`.
   * `whilePublished` runs after the job is published and the workers are woken, before this
   * thread claims chunks (program-shared.ts copies inputs then).
   */
  runTask(kind: number, params: number, chunks: number, threaded: boolean, whilePublished?: () => void): void {
    const w = this.i32, job = JOB_ADDR >> 2;
    w[job + J_KIND] = kind;
    w[job + J_PARAMS] = params;
    this.runThreaded(chunks, threaded && this.pool !== null, whilePublished);
  }

  /**
   * Memory for other kernels of the module: `bytes` from `base` on, past every area the
   * GEMM uses, and each thread's packing scratch (`scratchBase + t·scratchBytes`, t = 0 for
   * the caller). `f32` views the whole memory; null if the memory cannot grow that far. The
   * contents are the caller's until its next call into this object.
   */
  workspace(bytes: number): { f32: Float32Array; base: number; scratchBase: number; scratchBytes: number } | null {
    const base = this.operandsBase;
    if (!this.grow(base + bytes)) return null;
    if (this.f32.buffer.byteLength !== this.memory.buffer.byteLength) {
      this.f32 = new Float32Array(this.memory.buffer);
      this.i32 = new Int32Array(this.memory.buffer);
    }
    return { f32: this.f32, base, scratchBase: SCRATCH_BASE, scratchBytes: this.scratchBytes };
  }

  /**
   * Takes `bytes` (a multiple of 64) of memory for good, below every call's operands and
   * workspace, which move up past it; the byte address, or null if the memory cannot grow.
   * Only a shared memory is never moved by growing, so only there do views of it stay valid.
   */
  reserve(bytes: number): number | null {
    if (!this.shared) return null;
    const at = this.operandsBase;
    if (!this.grow(at + bytes)) return null;
    this.operandsBase = at + bytes;
    return at;
  }

  /** Whether the memory is a SharedArrayBuffer, which growing never detaches. */
  get shared(): boolean {
    return this.threads > 1;
  }

  /** The memory's current buffer (its views are valid for good when `shared`). */
  get buffer(): ArrayBuffer | SharedArrayBuffer {
    const buffer = this.memory.buffer;
    // Growing a shared memory gives it a new buffer object over the same bytes; views made on
    // an older one are still views of this memory, so every object handed out is remembered.
    this.buffers.add(buffer);
    return buffer;
  }

  /** Publishes the job written at JOB_ADDR, works on it alongside the workers, waits for the rest. */
  private runThreaded(chunks: number, wakeWorkers = true, whilePublished?: () => void): void {
    const w = this.i32, job = JOB_ADDR >> 2;
    Atomics.store(w, job + J_DONE, 0);
    // Publishing the ticket (a sequentially consistent store) makes the fields
    // written before it visible to any thread that then reads the ticket.
    this.generation = (this.generation + 1) & 0x7fff;
    Atomics.store(w, job + J_TICKET, (this.generation << 16) | chunks);
    if (wakeWorkers) this.pool!.notify();
    whilePublished?.();
    const mine = this.kernel.runJob(JOB_ADDR, SCRATCH_BASE);
    this.stats.jobs++;
    this.stats.chunks += chunks;
    this.stats.callerChunks += mine;
    // Whatever is left was claimed by a worker and is being computed: spin for
    // it a while (the last chunk of a short job is usually done within
    // microseconds, and waking from Atomics.wait takes tens of them), then sleep
    // until the last one reports (each finished chunk notifies). A browser's
    // main thread may not sleep: it spins throughout, for at most the one chunk
    // each worker holds.
    const sleepsAfter = this.canBlock ? performance.now() + SPIN_MS : Infinity;
    for (;;) {
      const done = Atomics.load(w, job + J_DONE);
      if (done >= chunks) break;
      if (performance.now() > sleepsAfter) Atomics.wait(w, job + J_DONE, done);
    }
    if (Atomics.exchange(w, FAIL_ADDR >> 2, 0) !== 0) {
      throw new Error('gemm: a worker thread failed during the product (its error is reported separately)');
    }
  }

  private grow(bytes: number): boolean {
    const have = this.memory.buffer.byteLength;
    if (bytes <= have) return true;
    const pages = Math.ceil((bytes - have) / PAGE);
    if (have / PAGE + pages > MAX_PAGES) return false;
    try {
      this.memory.grow(pages);
      return true;
    } catch {
      return false;  // out of memory: the caller falls back to plain JS
    }
  }
}

/** Options for createWasmGemm(); the defaults come from the environment. */
export interface WasmGemmOptions {
  /**
   * Total threads, the caller included (default: TSGRAD_THREADS, else min(2, cores); 1 where
   * workers cannot share memory, as on a browser page that is not cross-origin isolated).
   */
  threads?: number;
  /** Use the fused multiply-add build if the runtime can (default: unless TSGRAD_RELAXED_SIMD=0). */
  relaxed?: boolean;
  /** Smallest product (m·n·k) split across threads; for tests and benchmarks. */
  minThreadedMacs?: number;
  /** Choose between one thread and several by measured speed (default true). */
  adaptive?: boolean;
}

/** Loads the kernel into a fresh memory (with its own workers); throws if it cannot. */
export function createWasmGemm(options: WasmGemmOptions = {}): WasmGemm {
  const threads = options.threads ?? defaultThreads();
  if (!Number.isInteger(threads) || threads < 1) {
    throw new RangeError(`createWasmGemm: threads must be a positive integer, got ${threads}`);
  }
  if (threads > 1 && !workersShareMemory()) {
    throw new RangeError(
      `createWasmGemm: ${threads} threads need workers that share memory, which this page does not allow; ` +
        'serve it cross-origin isolated (COOP: same-origin, COEP: require-corp) or use 1 thread',
    );
  }
  const relaxed = options.relaxed ?? env('TSGRAD_RELAXED_SIMD') !== '0';
  const kernel = compileKernel(gemmBinaries, { relaxed, shared: threads > 1 });
  return new WasmGemm(kernel.module, threads, kernel.relaxed, options.minThreadedMacs, options.adaptive);
}

/** Total threads to use: TSGRAD_THREADS, else min(2, cores); 1 without shared-memory workers. */
function defaultThreads(): number {
  if (!workersShareMemory()) return 1;
  const fromEnv = Number.parseInt(env('TSGRAD_THREADS') ?? '', 10);
  if (fromEnv >= 1) return fromEnv;
  return Math.max(1, Math.min(2, hardwareThreads()));
}

let loaded: WasmGemm | null | undefined;

/**
 * The WebAssembly GEMM for this thread, loaded on first use, or null (after a one-time
 * warning) when it cannot run here (an engine without WebAssembly SIMD).
 */
export function wasmGemm(): WasmGemm | null {
  if (loaded !== undefined) return loaded;
  try {
    loaded = createWasmGemm();
  } catch (err) {
    loaded = null;
    console.warn(`tsgrad: WebAssembly matmul unavailable (${String(err)}); using the much slower pure-TypeScript fallback.`);
  }
  return loaded;
}
