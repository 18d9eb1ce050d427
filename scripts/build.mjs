#!/usr/bin/env node
// `npm run build` (also run by `npm pack`): the wasm kernels (build/wasm/kernels.js), then a
// clean dist/ of ESM JavaScript and .d.ts files from src/, compiled by tsc with
// tsconfig.build.json. The `.ts` extensions of relative imports become `.js`
// (rewriteRelativeImportExtensions); `#platform` stays as it is, for package.json's
// "imports" to resolve per platform.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function run(what, cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`build: ${what} failed (exit ${r.status ?? r.signal})`);
    process.exit(1);
  }
}

run('the wasm kernels', process.execPath, [join(root, 'scripts/build-wasm.mjs')]);
// Files of modules that were renamed or removed must not linger in the package.
rmSync(join(root, 'dist'), { recursive: true, force: true });
run('tsc', process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json']);
console.log('build: wrote dist/');
