#!/usr/bin/env node
// `npm run build` (also run by `npm pack`): the wasm kernels (build/wasm/kernels.js), then a
// clean dist/ of ESM JavaScript and .d.ts files from src/, compiled by tsc with
// tsconfig.build.json. The `.ts` extensions of relative imports become `.js`
// (rewriteRelativeImportExtensions does the JavaScript; the declaration files are done
// here, since tsc leaves them as written and TypeScript before 5.0 cannot read them);
// `#platform` stays as it is, for package.json's "imports" to resolve per platform.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

// `from './x.ts'`, `import('../y.ts')`, `declare module './z.ts'`: relative specifiers only.
const TS_SPECIFIER = /((?:from|import|declare module)\s*\(?\s*)(['"])(\.\.?\/[^'"]*?)\.ts\2/g;
let rewritten = 0;
for (const entry of readdirSync(join(root, 'dist'), { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.d.ts')) continue;
  const path = join(entry.parentPath, entry.name);
  const text = readFileSync(path, 'utf8');
  const fixed = text.replace(TS_SPECIFIER, (_, head, quote, spec) => `${head}${quote}${spec}.js${quote}`);
  if (fixed !== text) {
    writeFileSync(path, fixed);
    rewritten++;
  }
}
console.log(`build: wrote dist/ (${rewritten} declaration files with .ts specifiers rewritten to .js)`);
