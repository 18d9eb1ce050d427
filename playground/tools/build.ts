/**
 * `npm run build:playground`: the playground as a static site in playground/dist/, which any
 * static file server can host. esbuild bundles the page's TypeScript (with 'tsgrad' taken
 * from the sources, as a bundler takes it from the package) into app.js and app.css; gpu.js
 * becomes a chunk of its own that the page fetches only when the gpu backend is chosen; the
 * MNIST files are packed into data/ (mnist-pack.ts).
 */
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, context, type BuildOptions, type Plugin } from 'esbuild';
import { ROOT, tsgradFromSources } from '../../scripts/lib/browser-harness.ts';
import { packMnist } from './mnist-pack.ts';

export const PLAYGROUND = join(ROOT, 'playground');
export const DIST = join(PLAYGROUND, 'dist');

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
    plugins: [tsgradFromSources, copyPage],
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
  await build(options());
}

/** Builds, then rebuilds whenever a source changes, until the process ends (npm run playground). */
export async function watchPlayground(): Promise<void> {
  clean();
  packMnist(join(DIST, 'data'));
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
