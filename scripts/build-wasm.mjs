#!/usr/bin/env node
// `npm run build:wasm` (also run by `prepare`, i.e. on every `npm install` /
// `npm ci` at the repo root): compiles the AssemblyScript GEMM kernel in
// src/backend/cpu/wasm/ to build/wasm/. The binaries are build outputs, never
// committed; without them gemm() warns once and uses a pure-TS fallback.
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const entry = join(root, 'src/backend/cpu/wasm/gemm.as.ts');
const outDir = join(root, 'build/wasm');

let asc;
try {
  asc = (await import('assemblyscript/asc')).default;
} catch {
  // A production install (--omit=dev) has no compiler; that is not an error.
  console.warn('build-wasm: assemblyscript is not installed; skipping (gemm will use its TypeScript fallback)');
  process.exit(0);
}

const common = [
  '-O3', '--noAssert',
  // No GC and no allocator: the kernel only ever touches memory at addresses
  // the host gives it, so it carries no runtime, data segment or stack.
  '--runtime', 'stub', '--use', 'abort=',
  // The host creates the memory (shared, so worker threads can use it too).
  '--importMemory', '--sharedMemory', '--initialMemory', '1', '--maximumMemory', '65536',
];

mkdirSync(outDir, { recursive: true });
// Two builds of one source: SIMD + threads (for the atomics), and the same
// plus relaxed SIMD for its fused multiply-add (kernel.as.ts switches on
// ASC_FEATURE_RELAXED_SIMD). gemm-wasm.ts loads the best one the runtime runs.
await build('gemm.wasm', 'simd,threads');
await build('gemm-relaxed.wasm', 'simd,threads,relaxed-simd');

async function build(name, features) {
  const out = join(outDir, name);
  // Written under a temporary name and renamed, so a test run started
  // meanwhile never loads half a file.
  const tmp = `${out}.${process.pid}.tmp`;
  const { error, stderr } = await asc.main([entry, '--outFile', tmp, '--enable', features, ...common]);
  if (error) {
    rmSync(tmp, { force: true });
    console.error(stderr.toString());
    console.error(`build-wasm: ${error.message}`);
    process.exit(1);
  }
  renameSync(tmp, out);
  console.log(`build-wasm: wrote ${out.slice(root.length + 1)}`);
}
