// Host side of the WebAssembly GEMM kernel (wasm/gemm.as.ts): loads the module,
// owns its shared memory, copies operands in and the result out, and splits big
// products across threads (threads.ts).
//
// Memory map (bytes) of the one shared WebAssembly.Memory:
//
//   WAKE_ADDR            i32 the workers sleep on
//   JOB_ADDR             the job struct runJob() reads (fields mirror gemm.as.ts)
//   SCRATCH_BASE + t·S   packing scratch of thread t (t = 0 is the caller)
//   operandsBase         A, B, C of the current call, each 64-byte aligned
//
// The operands have to be copied: wasm can only address its own memory, and
// the caller's Float32Arrays live in ordinary JS heap. The copies are memcpy
// speed and linear in size, while the product is cubic, so they only matter
// for thin products. The memory grows to the largest call seen and stays there
// (wasm memory cannot shrink).

import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { GemmPool } from './threads.ts';

/** Where scripts/build-wasm.mjs writes the compiled kernel. */
export const WASM_URL = new URL('../../../build/wasm/gemm.wasm', import.meta.url);

const WAKE_ADDR = 64;
const JOB_ADDR = 128;
const SCRATCH_BASE = 256;
const PAGE = 65536;
// 4 GiB, the most wasm32 can address. Shared memory reserves its maximum as
// address space up front, which is cheap on 64-bit hosts.
const MAX_PAGES = 65536;

// Word indices of the job struct; must match the J_* constants in gemm.as.ts.
const J = {
  TICKET: 0, DONE: 1, M: 2, N: 3, K: 4, A: 5, LDA: 6, TRANS_A: 7,
  B: 8, LDB: 9, TRANS_B: 10, C: 11, LDC: 12, ACCUMULATE: 13, SPLIT_ROWS: 14, CHUNK: 15,
} as const;

// Threads pay only above this many multiply-adds (m·n·k): waking a worker and
// waiting for it costs tens of microseconds, and both threads repack part of
// the operands. Measured with bench/gemm.ts (crossover near 64×64×64).
const THREAD_MIN_MACS = 128 * 128 * 64;
// Each thread takes about this many chunks, so one that loses its core for a
// while (to another process) leaves work for the other to pick up; chunks stay
// at least MIN_CHUNK wide so repacking the shared operand stays cheap.
const CHUNKS_PER_THREAD = 4;
const MIN_CHUNK = 64;

interface KernelExports {
  scratchBytes(): number;
  gemm(m: number, n: number, k: number,
    a: number, lda: number, transA: number,
    b: number, ldb: number, transB: number,
    c: number, ldc: number, accumulate: number, scratch: number): void;
  runJob(job: number, scratch: number): number;
}

const align64 = (x: number): number => Math.ceil(x / 64) * 64;

// The slice of the WebAssembly JS API used here. The project compiles against
// lib ES2022 and @types/node 20, neither of which declares the WebAssembly
// global, so it is typed locally rather than pulling in the DOM lib.
/** A compiled WebAssembly module (can be posted to a worker). */
export type WasmModule = object;
/** A shared WebAssembly.Memory. */
export interface WasmMemory {
  readonly buffer: SharedArrayBuffer;
  grow(pages: number): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: object) => { exports: object };
  Memory: new (desc: { initial: number; maximum: number; shared: true }) => WasmMemory;
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The loaded kernel and its memory; one per JS thread that calls gemm. */
class WasmGemm {
  private readonly memory: WasmMemory;
  private readonly kernel: KernelExports;
  private readonly pool: GemmPool | null;
  private readonly operandsBase: number;
  private f32: Float32Array;
  private i32: Int32Array;
  private generation = 0;

  constructor(module: WasmModule, readonly threads: number) {
    this.memory = new wasmApi.Memory({ initial: 1, maximum: MAX_PAGES, shared: true });
    const instance = new wasmApi.Instance(module, { env: { memory: this.memory } });
    this.kernel = instance.exports as unknown as KernelExports;
    const scratch = align64(this.kernel.scratchBytes());
    this.operandsBase = SCRATCH_BASE + threads * scratch;
    this.grow(this.operandsBase);
    this.f32 = new Float32Array(this.memory.buffer);
    this.i32 = new Int32Array(this.memory.buffer);
    const workerScratch = Array.from({ length: threads - 1 }, (_, t) => SCRATCH_BASE + (t + 1) * scratch);
    this.pool = threads > 1
      ? new GemmPool(module, this.memory, { wakeAddr: WAKE_ADDR, jobAddr: JOB_ADDR, scratchAddrs: workerScratch })
      : null;
  }

  /** Runs the product; false if it does not fit in wasm memory. */
  run(
    a: Float32Array, b: Float32Array, c: Float32Array,
    m: number, n: number, k: number,
    transA: boolean, transB: boolean, accumulate: boolean,
  ): boolean {
    const pa = this.operandsBase;
    const pb = align64(pa + m * k * 4);
    const pc = align64(pb + k * n * 4);
    if (!this.grow(pc + m * n * 4)) return false;
    if (this.f32.buffer.byteLength !== this.memory.buffer.byteLength) {
      this.f32 = new Float32Array(this.memory.buffer);
      this.i32 = new Int32Array(this.memory.buffer);
    }
    const f32 = this.f32;
    f32.set(a.subarray(0, m * k), pa >> 2);
    f32.set(b.subarray(0, k * n), pb >> 2);
    if (accumulate) f32.set(c.subarray(0, m * n), pc >> 2);

    const lda = transA ? m : k, ldb = transB ? k : n;
    const splitRows = m >= n;
    const chunks = this.chunkCount(m, n, k, splitRows ? m : n);
    if (chunks < 2 || this.pool === null) {
      this.kernel.gemm(m, n, k, pa, lda, +transA, pb, ldb, +transB, pc, n, +accumulate, SCRATCH_BASE);
    } else {
      const dim = splitRows ? m : n;
      // Multiples of 8 keep every chunk but the last free of ragged tiles.
      const chunk = Math.ceil(dim / chunks / 8) * 8;
      this.runThreaded([m, n, k, pa, lda, +transA, pb, ldb, +transB, pc, n, +accumulate,
        +splitRows, chunk], Math.ceil(dim / chunk));
    }
    c.set(f32.subarray(pc >> 2, (pc >> 2) + m * n));
    return true;
  }

  private chunkCount(m: number, n: number, k: number, dim: number): number {
    if (this.pool === null || m * n * k < THREAD_MIN_MACS) return 1;
    return Math.min(this.threads * CHUNKS_PER_THREAD, Math.floor(dim / MIN_CHUNK));
  }

  /** Publishes a job, works on it alongside the workers, waits for the rest. */
  private runThreaded(fields: number[], chunks: number): void {
    const i32 = this.i32, job = JOB_ADDR >> 2;
    for (let f = 0; f < fields.length; f++) i32[job + J.M + f] = fields[f];
    Atomics.store(i32, job + J.DONE, 0);
    // Publishing the ticket (a sequentially consistent store) makes the fields
    // above visible to any thread that then reads the ticket.
    this.generation = (this.generation + 1) & 0x7fff;
    Atomics.store(i32, job + J.TICKET, (this.generation << 16) | chunks);
    this.pool!.notify();
    this.kernel.runJob(JOB_ADDR, SCRATCH_BASE);
    for (;;) {
      const done = Atomics.load(i32, job + J.DONE);
      if (done >= chunks) break;
      Atomics.wait(i32, job + J.DONE, done);
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

let loaded: WasmGemm | null | undefined;

/** Total threads to use: the TSGRAD_THREADS env var, else min(2, cores). */
function threadCount(): number {
  const fromEnv = Number.parseInt(process.env.TSGRAD_THREADS ?? '', 10);
  if (fromEnv >= 1) return fromEnv;
  return Math.max(1, Math.min(2, availableParallelism()));
}

/**
 * The WebAssembly GEMM for this thread, loaded on first use, or null (after a
 * one-time warning) when the kernel is not built or cannot run here.
 */
export function wasmGemm(): WasmGemm | null {
  if (loaded !== undefined) return loaded;
  try {
    const module = new wasmApi.Module(readFileSync(WASM_URL));
    loaded = new WasmGemm(module, threadCount());
  } catch (err) {
    loaded = null;
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT'
      ? `${WASM_URL.pathname} is missing; run \`npm run build:wasm\` (npm install does it)`
      : String(err);
    console.warn(`tsgrad: WebAssembly matmul unavailable (${why}); using the much slower pure-TypeScript fallback.`);
  }
  return loaded;
}
