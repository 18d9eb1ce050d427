/**
 * `npm run build:playground`: the playground as a static site in playground/dist/, which any
 * static file server can host. esbuild bundles the page's TypeScript into app.js and app.css,
 * with 'tsgrad' being the package build: src/ compiled by tsc with tsconfig.build.json (what
 * `npm run build` puts in dist/), staged with the package's own package.json under
 * playground/.package/, and resolved through that package.json's "exports" and "imports"
 * with the browser condition, as a user's bundler resolves the installed package. (Staged
 * rather than read from dist/: `npm run build` empties dist/ first, and the package tests
 * may be running it at the same moment.) gpu.js becomes a chunk of its own that the page
 * fetches only when the gpu backend is chosen; the MNIST files are packed into data/
 * (mnist-pack.ts).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, context, type BuildOptions, type Plugin } from 'esbuild';
import { ROOT } from '../../scripts/lib/browser-harness.ts';
import { packMnist } from './mnist-pack.ts';

export const PLAYGROUND = join(ROOT, 'playground');
export const DIST = join(PLAYGROUND, 'dist');
/** Where the package build is staged: a directory holding node_modules/tsgrad/. */
const STAGE = join(PLAYGROUND, '.package');
const PACKAGE = join(STAGE, 'node_modules/tsgrad');

function run(what: string, args: string[]): void {
  const r = spawnSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`build:playground: ${what} failed (exit ${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
}

/**
 * build/wasm/kernels.js is a build output that `npm ci` makes once (prepare); after a pull
 * or merge that changed the AssemblyScript kernels it is out of date, and a bundle of it
 * would run the old kernels against the new TypeScript that calls them.
 */
function kernelsStale(): boolean {
  const out = join(ROOT, 'build/wasm/kernels.js');
  if (!existsSync(out)) return true;
  const built = statSync(out).mtimeMs;
  const dir = join(ROOT, 'src/backend/cpu/wasm');
  return [...readdirSync(dir).map((f) => join(dir, f)), join(ROOT, 'scripts/build-wasm.mjs')].some((f) => statSync(f).mtimeMs > built);
}

/**
 * The package as `npm pack` would ship it, minus the declaration files a bundle does not
 * read: package.json, dist/ and the wasm kernels. Built beside the stage, then swapped in.
 */
export function buildPackage(): void {
  if (kernelsStale()) run('the wasm kernels', [join(ROOT, 'scripts/build-wasm.mjs')]);
  const next = `${PACKAGE}.next`;
  rmSync(next, { recursive: true, force: true });
  run('tsc (tsconfig.build.json)', [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'),
    '--outDir', join(next, 'dist'), '--declaration', 'false']);
  mkdirSync(join(next, 'build/wasm'), { recursive: true });
  copyFileSync(join(ROOT, 'build/wasm/kernels.js'), join(next, 'build/wasm/kernels.js'));
  copyFileSync(join(ROOT, 'package.json'), join(next, 'package.json'));
  rmSync(PACKAGE, { recursive: true, force: true });
  renameSync(next, PACKAGE);
  // The stage's own package scope, so that resolving from it cannot find the repository's
  // package.json (named tsgrad too) and take its dist/ by self-reference.
  writeFileSync(join(STAGE, 'package.json'), JSON.stringify({ name: 'playground-stage', private: true, type: 'module' }));
}

/** 'tsgrad' → the staged package, found by esbuild's own resolver (exports, then imports for #platform). */
const tsgradPackage: Plugin = {
  name: 'tsgrad-package',
  setup(b) {
    b.onResolve({ filter: /^tsgrad$/ }, async (args) => {
      if (args.pluginData === 'staged') return undefined;
      const r = await b.resolve('tsgrad', { kind: args.kind, resolveDir: STAGE, pluginData: 'staged' });
      return r.errors.length > 0 ? { errors: r.errors } : { path: r.path };
    });
  },
};

/** index.html goes next to the bundle after every build (also every rebuild while watching). */
const copyPage: Plugin = {
  name: 'copy-page',
  setup(b) {
    b.onEnd((result) => {
      if (result.errors.length === 0) copyFileSync(join(PLAYGROUND, 'index.html'), join(DIST, 'index.html'));
    });
  },
};

function options(): BuildOptions {
  return {
    entryPoints: { app: join(PLAYGROUND, 'app/main.ts') },
    outdir: DIST,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: true,
    // tsgrad's error messages name classes (a scheduler given the wrong object, say).
    keepNames: true,
    sourcemap: true,
    chunkNames: 'chunks/[name]-[hash]',
    logLevel: 'warning',
    // The repository's tsconfig files map 'tsgrad' and '#platform' to the sources (for tsc,
    // tsx and vitest); esbuild would apply those paths too. The page's code needs none of them.
    tsconfigRaw: { compilerOptions: { target: 'ES2022', useDefineForClassFields: true, strict: true } },
    metafile: true,
    plugins: [tsgradPackage, copyPage],
  };
}

/** Old bundles out, data kept (packing it again costs seconds). */
function clean(): void {
  mkdirSync(DIST, { recursive: true });
  for (const name of readdirSync(DIST)) if (name !== 'data') rmSync(join(DIST, name), { recursive: true, force: true });
}

export async function buildPlayground(): Promise<void> {
  clean();
  packMnist(join(DIST, 'data'));
  buildPackage();
  const result = await build(options());
  // The bundle must hold the package build and nothing of the sources.
  const inputs = Object.keys(result.metafile!.inputs);
  const fromSources = inputs.filter((f) => /(^|\/)src\//.test(f) && !f.includes('.package/'));
  if (fromSources.length > 0 || !inputs.some((f) => f.includes('.package/node_modules/tsgrad/dist/platform/browser/'))) {
    throw new Error(`build:playground: the bundle must take tsgrad from the package build; it has ${fromSources.slice(0, 3).join(', ') || 'no browser platform'}`);
  }
}

/**
 * Builds, then rebuilds whenever the page's sources change, until the process ends (npm run
 * playground). A change under src/ needs a restart: the page uses the package build.
 */
export async function watchPlayground(): Promise<void> {
  clean();
  packMnist(join(DIST, 'data'));
  buildPackage();
  const ctx = await context(options());
  await ctx.rebuild();
  await ctx.watch();
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const t0 = performance.now();
  await buildPlayground();
  for (const file of listFiles(DIST).filter((f) => !f.endsWith('.map'))) {
    console.log(`${relative(ROOT, file).padEnd(56)} ${(statSync(file).size / 1024).toFixed(0).padStart(7)} KB`);
  }
  console.log(`build:playground: ${relative(process.cwd(), DIST) || '.'} in ${((performance.now() - t0) / 1000).toFixed(1)} s; serve it with any static server (npm run playground serves it with cross-origin isolation)`);
}
