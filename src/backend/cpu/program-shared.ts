// Elementwise programs on resident arrays (resident.ts), shared among the GEMM's threads.
//
// runWasmProgram (program-wasm.ts) copies every operand into a memory of its own, chunk by
// chunk, and runs on the calling thread. Here the program runs on the GEMM's shared memory
// instead: an operand that is resident is used where it lies, the others are copied in whole,
// and the elements are cut into chunks that the caller and the GEMM workers claim like any
// other job of the module (program-chunk.ts runs a chunk on either side).
//
// An update in place (an optimizer's `p = …`, `m = …`) of an array that is not resident yet,
// and big enough to pay, moves it: the input is copied into a new resident array, updated
// there, and the resident array is returned as the output, which the optimizer stores as the
// tensor's new storage (Optimizer.applyProgram). From the next step on it is not copied again.
// A view of the old array made before that first step keeps the old values, as after any
// update that replaces a tensor's storage (the unfused optimizers do that on every step).
//
// Measured with `npx tsx bench/ab-optim.ts <checkout> adam|sgd` (1M parameters, median ms per
// step), against the copying path, on the 2-core AMD EPYC machine. On a quiet machine: Adam
// 2.95 → 1.20, SGD 0.76 → 0.45; in one Adam step the gradient's copy took 0.38 ms and the
// threaded update 0.61. Later, with the machine slower overall (the old code's Adam at
// 4.35): Adam 4.35 → 2.4–2.9, SGD 1.1–1.4 → 1.15–1.5, so SGD, bound by the gradient's copy,
// gains nothing when memory is contended.
import { TASK } from './wasm-tasks.ts';
import { PROGRAM_PARAMS } from './program-chunk.ts';
import { RESIDENT_MIN_ELEMENTS, residentArrays } from './resident.ts';
import { ThreadChoice } from './thread-choice.ts';
import type { RowPlan, WasmKernel } from './program-wasm.ts';

// Chunks are at least this many elements (a few microseconds of work each, against about a
// microsecond to claim one), and the job is shared among threads from THREAD_MIN_ELEMENTS on.
// Several chunks per thread let the workers start on the first copied chunk while the caller
// copies the rest.
const MIN_CHUNK = 16384;
const THREAD_MIN_ELEMENTS = 65536;
const CHUNKS_PER_THREAD = 4;

const choice = new ThreadChoice();

const roundUp = (x: number, to: number) => Math.ceil(x / to) * to;

/**
 * Runs `k` on the shared memory when one of its full-size inputs or outputs is resident, or an
 * output updates an input in place that should become resident; returns false (having done nothing)
 * otherwise, and where there is no shared memory. `outs[o]` may be replaced by a resident array.
 * A kernel with row inputs needs their tables (`rows`); its chunks are then whole rows.
 */
export function runSharedProgram(k: WasmKernel, outs: Float32Array[], ins: Float32Array[], scalars: number[], n: number,
  rows: RowPlan | null = null): boolean {
  const resident = residentArrays();
  if (resident === null) return false;
  const inputs = k.fullInputs.map((t) => ins[t]);
  // Outputs that update a full-size input in place, by output index: the input's region.
  const inPlace = k.outputRegions.map((r, o) => (r < inputs.length && outs[o] === inputs[r] ? r : -1));
  const anyResident = inputs.some((a) => resident.has(a)) || outs.some((a) => resident.has(a));
  const migrate = n >= RESIDENT_MIN_ELEMENTS && inPlace.some((r) => r >= 0 && !resident.has(inputs[r]));
  if (!anyResident && !migrate) return false;

  // Move the arrays updated in place first: reserving memory moves the workspace up.
  if (migrate) {
    for (let o = 0; o < outs.length; o++) {
      const r = inPlace[o];
      if (r < 0 || resident.has(inputs[r])) continue;
      const moved = resident.allocate(n);
      if (moved === null) continue;  // no room: this one is copied in and out as usual
      moved.set(inputs[r]);
      for (let j = 0; j < inputs.length; j++) if (j !== r && inputs[j] === inputs[r]) inputs[j] = moved;
      inputs[r] = moved;
      outs[o] = moved;
    }
  }

  const kernel = resident.kernel;
  const addresses = k.fullInputs.length + outs.length;
  const floatCount = k.oneInputs.length + scalars.length;
  const regionBytes = roundUp(n, 16) * 4;
  const copiedIn = inputs.map((a) => !resident.has(a));
  // A resident output (an update in place of a resident input, or a new array from the host
  // pool inside tidy) is written where it lies; every other output to a region of its own.
  const ownOutput = inPlace.map((r, o) => !resident.has(r < 0 ? outs[o] : inputs[r]));
  const tables = rows ? rows.tables.length : 0;
  const tableBytes = rows ? roundUp((n / rows.length) * 4, 64) : 0;
  const paramBytes = roundUp((PROGRAM_PARAMS.first + addresses + tables + floatCount) * 4, 64);
  const moduleBytes = roundUp(k.sharedBytes.length, 64);
  const regions = copiedIn.filter(Boolean).length + ownOutput.filter(Boolean).length;
  const ws = kernel.workspace(paramBytes + moduleBytes + regions * regionBytes + tables * tableBytes);
  // Still correct after a move above: runWasmProgram reads `ins` and writes the moved `outs`.
  if (ws === null) return false;
  const { f32, base } = ws;
  const words = new Int32Array(f32.buffer, base, paramBytes / 4);
  const floats = new Float32Array(f32.buffer, base, paramBytes / 4);
  new Uint8Array(f32.buffer, base + paramBytes, k.sharedBytes.length).set(k.sharedBytes);

  let next = base + paramBytes + moduleBytes;
  const inputAt = inputs.map((a, r) => {
    if (!copiedIn[r]) return a.byteOffset;
    const at = next;
    next += regionBytes;
    return at;
  });
  const outputAt = outs.map((a, o) => {
    if (!ownOutput[o]) return inPlace[o] < 0 ? a.byteOffset : inputAt[inPlace[o]];
    const at = next;
    next += regionBytes;
    return at;
  });
  const tableAt = (rows?.tables ?? []).map((table) => {
    const at = next;
    f32.set(table, at / 4);
    next += tableBytes;
    return at;
  });

  const q = PROGRAM_PARAMS;
  const threads = kernel.threads;
  const threadable = n >= THREAD_MIN_ELEMENTS && threads > 1;
  // Whole vectors a chunk, or whole rows.
  const perChunk = roundUp(Math.max(MIN_CHUNK, Math.ceil(n / (threadable ? threads * CHUNKS_PER_THREAD : 1))), rows ? rows.length : 16);
  const chunks = Math.ceil(n / perChunk);
  words[q.id] = k.id; words[q.bytesAt] = base + paramBytes; words[q.bytesLength] = k.sharedBytes.length;
  words[q.n] = n; words[q.perChunk] = perChunk; words[q.addresses] = addresses; words[q.floats] = floatCount;
  words[q.rowLength] = rows ? rows.length : 0; words[q.tables] = tables;
  [...inputAt, ...outputAt, ...tableAt].forEach((at, a) => { words[q.first + a] = at; });
  [...k.oneInputs.map((t) => ins[t][0]), ...scalars].forEach((v, f) => { floats[q.first + addresses + tables + f] = v; });

  // Copies the inputs that are not resident, the last chunk first, counting each one ready.
  const copyIn = () => {
    try {
      for (let c = chunks - 1; c >= 0; c--) {
        const start = c * perChunk, end = Math.min(n, start + perChunk);
        for (let r = 0; r < inputs.length; r++) {
          if (copiedIn[r]) f32.set(inputs[r].subarray(start, end), inputAt[r] / 4 + start);
        }
        Atomics.store(words, q.ready, chunks - c);
      }
    } finally {
      Atomics.store(words, q.ready, chunks);
    }
  };
  // Alone, the inputs are copied before the job is published (a worker still finishing the
  // previous job may claim a chunk of it, see gemm.as.ts); threaded, while the workers start.
  const run = (threaded: boolean) => {
    if (threaded) {
      Atomics.store(words, q.ready, 0);
      kernel.runTask(TASK.program, base, chunks, true, copyIn);
    } else {
      copyIn();
      kernel.runTask(TASK.program, base, chunks, false);
    }
  };
  if (!threadable || chunks < 2) run(false);
  else choice.run(`${k.id}:${n}`, run);

  for (let o = 0; o < outs.length; o++) {
    if (ownOutput[o]) outs[o].set(f32.subarray(outputAt[o] / 4, outputAt[o] / 4 + n));
  }
  return true;
}
