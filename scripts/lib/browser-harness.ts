/**
 * What the package tests (test/package/) and `npm run bench:browser` need around tsgrad:
 * the tarball exactly as `npm pack` makes it, a fresh project that installed it, an
 * esbuild bundle of a page, a local web server (optionally cross-origin isolated), and
 * Debian's chromium driven by playwright-core (playwright's own browser download cannot
 * work here).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { chromium, type Browser } from 'playwright-core';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');

/** What `npm pack --json` reports about the tarball. */
export interface PackReport {
  filename: string;
  size: number;
  unpackedSize: number;
  files: { path: string; size: number }[];
}

function run(what: string, cmd: string, args: string[], cwd: string): string {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** Builds dist/ and packs the tarball into `dest`; returns the tarball's path and npm's report. */
export function packTarball(dest: string): { tarball: string; report: PackReport } {
  run('npm run build', process.execPath, [join(ROOT, 'scripts/build.mjs')], ROOT);
  // Scripts were run just above; skipping them here keeps npm's JSON free of their output.
  const out = run('npm pack', 'npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dest], ROOT);
  const report = (JSON.parse(out) as PackReport[])[0]!;
  return { tarball: join(dest, report.filename), report };
}

/**
 * A fresh project in `dir` with the tarball installed as a user installs it, with its one
 * runtime dependency, @bufbuild/protobuf, resolved by npm from the package's semver range
 * (gpu.js is an optional peer that npm leaves out). --prefer-offline: npm takes
 * @bufbuild/protobuf from its cache when it has it (installing this repository puts it
 * there) and asks the registry otherwise, so the install needs the network only on a
 * machine whose npm cache has never seen it.
 */
export function makeProject(dir: string, tarball: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  run('npm install of the tarball', 'npm', ['install', tarball, '--prefer-offline', '--no-audit', '--no-fund'], dir);
}

/**
 * For bundles built inside this repository (bench:browser, the playground): 'tsgrad' is the
 * sources with their browser platform, as a bundler gets dist/ from the installed package.
 */
export const tsgradFromSources: Plugin = {
  name: 'tsgrad-sources',
  setup(b) {
    b.onResolve({ filter: /^tsgrad$/ }, () => ({ path: join(ROOT, 'src/index.ts') }));
    b.onResolve({ filter: /^#platform$/ }, () => ({ path: join(ROOT, 'src/platform/browser/index.ts') }));
  },
};

/** Bundles `entry` for browsers with esbuild, resolving packages from where `entry` lies. */
export async function bundle(entry: string, plugins: Plugin[] = []): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    plugins,
  });
  return result.outputFiles[0]!.text;
}

/**
 * Node built-ins that the published code still imports from src/backend/gpu/memory.ts,
 * which the core rewrite (issue 11) moves to `syncCollector()` from #platform. Until then a
 * browser bundle needs them stubbed; the stubs throw, and memory.ts falls back to a plain
 * FinalizationRegistry as it does on any engine without them. package.test.ts has a check
 * that fails as soon as the stubs are no longer needed: then empty this list.
 */
export const PENDING_NODE_IMPORTS: string[] = [];

/** The stub module: every function memory.ts imports from them, throwing. */
export const PENDING_STUB_SOURCE = ['setFlagsFromString', 'createContext', 'runInContext']
  .map((name) => `export function ${name}() { throw new Error('${name}: not in a browser'); }`).join('\n');

export const stubPendingNodeImports: Plugin = {
  name: 'stub-pending-node-imports',
  setup(b) {
    const filter = new RegExp(`^(${PENDING_NODE_IMPORTS.join('|')})$`);
    b.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'pending-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'pending-stub' }, () => ({ contents: PENDING_STUB_SOURCE, loader: 'js' }));
  },
};

/** The same stubs for a page without a bundler: import-map entries to add to "imports". */
export const pendingImportMapEntries = (): Record<string, string> => Object.fromEntries(
  PENDING_NODE_IMPORTS.map((name) => [name, `data:text/javascript,${encodeURIComponent(PENDING_STUB_SOURCE)}`]),
);

/** A served file: its body and content type. */
export interface Served {
  body: string | Uint8Array;
  type: string;
}

/**
 * Serves `files` (by URL path) on 127.0.0.1. Under `/coi/` the same files come with the
 * headers that make a page cross-origin isolated (worker threads with shared memory).
 */
export async function serve(files: Record<string, Served>): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const isolated = path.startsWith('/coi/');
    const file = files[isolated ? path.slice(4) : path];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': file.type,
      'cache-control': 'no-store',
      ...(isolated ? { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' } : {}),
    });
    res.end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** The page that runs a bundle served at /app.js. */
export const PAGE = '<!doctype html><meta charset="utf-8"><title>tsgrad</title><script type="module" src="app.js"></script>';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or null when they can. */
export function browserUnavailable(): string | null {
  return existsSync(CHROMIUM) ? null : `no chromium at ${CHROMIUM} (apt-get install -y chromium, or set CHROMIUM_PATH)`;
}

/**
 * Headless chromium with a fresh profile. WebGL runs on SwiftShader, Chromium's software
 * GPU, asked for explicitly so that the gpu backend behaves the same with or without a
 * GPU; background services that would reach the network are off.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run',
    ],
  });
}
