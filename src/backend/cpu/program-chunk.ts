// Running a chunk of an elementwise program job on any thread (see program-shared.ts).
//
// A program's module is compiled at run time on the thread that first needs it; the GEMM
// workers never see that thread's objects, only the shared memory. So the job's parameter
// block carries the module's bytes, and each thread compiles them once (a few hundred bytes:
// tens of microseconds) and caches the instance by the program's id. This works the same in
// Node and in browsers, where a worker blocked in Atomics.wait cannot receive messages.
//
// The runner is source text, evaluated once on the calling thread (makeProgramChunk) and once
// in each worker (threads.ts), so that both run the very same code. The word offsets in it
// are PROGRAM_PARAMS's, written in when the text is made.
//
// Parameter block, i32 words from `params` (byte address):
//   0 id   1 module bytes' address   2 their length   3 n (elements)   4 elements per chunk
//   5 A: address parameters (inputs, then outputs)   6 F: float parameters
//   7 ready: chunks whose inputs are in place, counted from the last chunk down
//   8 L: elements per row, for a program with row inputs (program-wasm.ts); 0 for a flat one
//   9 T: row tables (one float per row each)
//   10 … 10+A−1: byte addresses, each at element 0   then T table addresses, each at row 0
//   then the F floats (as float32)
// The module's `run(bytes, addresses…, floats…)` processes `bytes` bytes from each address;
// with rows, `run(bytes, rowBytes, addresses…, tables…, floats…)`, and chunks are whole rows.
//
// Why `ready`: the caller copies the inputs that are not resident while the workers already
// compute (program-shared.ts). Chunks are claimed from the last one down (gemm.as.ts), so it
// copies from the last chunk down too, counting each one ready; a worker that claims a chunk
// before its inputs are copied spins until they are (a fraction of one chunk's copy).

import type { WasmMemory } from './wasm-module.ts';

export const PROGRAM_PARAMS = {
  id: 0, bytesAt: 1, bytesLength: 2, n: 3, perChunk: 4, addresses: 5, floats: 6, ready: 7, rowLength: 8, tables: 9, first: 10,
} as const;

/** `function programChunkFor(memory)` returning `(params, index) => void`, as source text. */
const q = PROGRAM_PARAMS;
export const PROGRAM_CHUNK_SOURCE = `
function programChunkFor(memory) {
  const runs = new Map();
  let words = new Int32Array(memory.buffer), floats = new Float32Array(memory.buffer);
  return function programChunk(params, index) {
    if (words.length * 4 < memory.buffer.byteLength) {
      words = new Int32Array(memory.buffer);
      floats = new Float32Array(memory.buffer);
    }
    const p = params >> 2;
    const id = words[p + ${q.id}];
    let run = runs.get(id);
    if (run === undefined) {
      const bytes = new Uint8Array(words[p + ${q.bytesLength}]);
      bytes.set(new Uint8Array(memory.buffer, words[p + ${q.bytesAt}], bytes.length));
      run = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports.run;
      runs.set(id, run);
    }
    const n = words[p + ${q.n}], per = words[p + ${q.perChunk}], addresses = words[p + ${q.addresses}], count = words[p + ${q.floats}];
    const rowLength = words[p + ${q.rowLength}], tables = words[p + ${q.tables}];
    const fromEnd = Math.ceil(n / per) - index;
    while (Atomics.load(words, p + ${q.ready}) < fromEnd) {}
    const start = index * per, len = Math.min(per, n - start);
    const args = rowLength ? [Math.ceil(len / 4) * 16, rowLength * 4] : [Math.ceil(len / 4) * 16];
    for (let a = 0; a < addresses; a++) args.push(words[p + ${q.first} + a] + start * 4);
    for (let t = 0; t < tables; t++) args.push(words[p + ${q.first} + addresses + t] + (start / rowLength) * 4);
    for (let f = 0; f < count; f++) args.push(floats[p + ${q.first} + addresses + tables + f]);
    run(...args);
  };
}
`;

/** The runner for the calling thread. */
export function makeProgramChunk(memory: WasmMemory): (params: number, index: number) => void {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function(`${PROGRAM_CHUNK_SOURCE}\nreturn programChunkFor;`)()(memory) as (params: number, index: number) => void;
}
