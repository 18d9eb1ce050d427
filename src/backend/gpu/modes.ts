/**
 * Finding a gpu.js mode that really works here. gpu.js is an optional peer dependency,
 * loaded only when the gpu backend is first selected, so `import 'tsgrad'` costs nothing
 * and never fails on a machine without it or without headless-gl. It comes from, in order:
 * the `gpujs` option of `setBackend('gpu', …)` (what a bundled browser app passes), the
 * page's global `GPU` (gpu.js's browser build in a script tag), or, in Node, the installed
 * package. Each candidate mode is proven by running a tiny kernel and checking
 * its float32 result, since gpu.js can report a mode as supported and still fail to compile
 * shaders. Every kernel asks for precision 'single' (float32 textures); where the context
 * cannot read float textures gpu.js throws instead, so such a mode fails the probe too.
 *
 * WebGPU is never picked: gpu.js's webgpu kernels return Promises (WebGPU reads back
 * asynchronously), while every tsgrad kernel is synchronous. gpu.js itself never imports
 * the `webgpu` package (whose native binary needs a newer libstdc++ than some Linux
 * distributions ship), and neither does this file.
 */
import { env, platformName, requireOptional } from '#platform';
import { toHost } from '../../tensor/storage.ts';
import { GpuRuntime, type GpuJsInstance } from './runtime.ts';

/** The gpu.js modes `setBackend('gpu', { mode })` accepts. */
export const GPU_MODES = ['headlessgl', 'webgl2', 'webgl', 'webasm', 'cpu'] as const;

/** One of `GPU_MODES`. */
export type GpuMode = (typeof GPU_MODES)[number];

/** Modes tried, in order, when none is asked for: the real GPU ones only. */
const AUTO_MODES: readonly GpuMode[] = ['headlessgl', 'webgl2', 'webgl'];

/** Thrown by `setBackend('gpu')` when no gpu.js GPU mode works on this machine. */
export class GpuUnavailableError extends Error {
  /** Always 'GpuUnavailableError'. */
  override name = 'GpuUnavailableError';
}

/** What to do to get headless-gl working, for error messages and skipped-test notices. */
export const HEADLESS_GL_HELP =
  "install libxi-dev libx11-dev libxext-dev libgl1-mesa-dev pkg-config (e.g. `bash .ci/gpu-deps.sh`), " +
  'then `npm ci` (or `npm rebuild gl`) so the optional gl package builds, and run under `xvfb-run -a` where there is no display';

/** What tsgrad uses of gpu.js: its `GPU` class and the static support flags on it. */
export interface GpuJsModule {
  GPU: (new (settings: Record<string, unknown>) => GpuJsInstance) & Record<string, unknown>;
}

/** What to do when gpu.js cannot be found, per platform. */
const GPUJS_MISSING = platformName === 'node'
  ? 'the optional peer dependency gpu.js is not installed: run `npm install gpu.js`'
  : 'gpu.js is not loaded: either `import { GPU } from \'gpu.js\'` and call ' +
    "`setBackend('gpu', { gpujs: GPU })`, or load gpu.js's browser build " +
    '(gpu.js/dist/gpu-browser.min.js) with a <script> tag before your module, which defines the global GPU';

let installed: GpuJsModule | null = null;

/**
 * `provided` as gpu.js (its GPU class or its module object), or null when it is neither.
 * A class counts only if it can create kernels: browsers with WebGPU have a global `GPU`
 * of their own (the WebGPU interface), which is not gpu.js.
 */
function asGpuJs(provided: unknown): GpuJsModule | null {
  const isGpuJsClass = (c: unknown): c is GpuJsModule['GPU'] =>
    typeof c === 'function' && typeof (c as { prototype?: { createKernel?: unknown } }).prototype?.createKernel === 'function';
  if (isGpuJsClass(provided)) return { GPU: provided };
  const inner = (provided as { GPU?: unknown } | null | undefined)?.GPU;
  return isGpuJsClass(inner) ? { GPU: inner } : null;
}

/** gpu.js: the one passed in, else a page's global `GPU`, else the installed package. */
function loadGpuJs(provided?: unknown): GpuJsModule {
  if (provided !== undefined) {
    const given = asGpuJs(provided);
    if (given === null) {
      throw new TypeError(`setBackend('gpu'): the gpujs option must be gpu.js's GPU class or module, got ${describe(provided)}`);
    }
    return given;
  }
  if (installed) return installed;
  const fromPage = asGpuJs((globalThis as { GPU?: unknown }).GPU);
  let found = fromPage;
  if (found === null) {
    try {
      found = asGpuJs(requireOptional('gpu.js'));
    } catch (e) {
      throw new GpuUnavailableError(`setBackend('gpu'): gpu.js is installed but failed to load (${firstLine(e)}); reinstall it with \`npm install gpu.js\``);
    }
  }
  if (found === null) throw new GpuUnavailableError(`setBackend('gpu'): ${GPUJS_MISSING}`);
  installed = found;
  return found;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return `an object with keys [${Object.keys(v).slice(0, 5).join(', ')}]`;
  return `${typeof v} ${String(v).slice(0, 40)}`;
}

/**
 * Whether headless-gl can open a context here, and if not, why. Checks the `gl` package
 * directly so the reason is specific (not built vs. no display).
 */
export function headlessGlStatus(): { ok: boolean; reason: string; fix: string } {
  let createContext: (w: number, h: number, o?: object) => unknown;
  try {
    // Resolved from gpu.js's own folder, exactly as gpu.js resolves its optional dependency.
    const gl = requireOptional('gl', 'gpu.js') as typeof createContext | null;
    if (gl === null) throw new Error('not installed');
    createContext = gl;
  } catch (e) {
    return { ok: false, reason: `the optional 'gl' package (headless-gl) is not built or not installed (${firstLine(e)})`, fix: HEADLESS_GL_HELP };
  }
  let ctx: unknown = null;
  try {
    ctx = createContext(1, 1);
  } catch (e) {
    return { ok: false, reason: `headless-gl failed to create a context (${firstLine(e)})`, fix: HEADLESS_GL_HELP };
  }
  if (!ctx) {
    const display = env('DISPLAY') ? `DISPLAY=${env('DISPLAY')} gave no GL context` : 'there is no X display (DISPLAY is unset)';
    return { ok: false, reason: `headless-gl is built but ${display}`, fix: 'run under `xvfb-run -a` (package xvfb)' };
  }
  (ctx as { getExtension(n: string): { destroy(): void } | null }).getExtension('STACKGL_destroy_context')?.destroy();
  return { ok: true, reason: 'headless-gl works', fix: '' };
}

function firstLine(e: unknown): string {
  return String((e as Error)?.message ?? e).split('\n')[0];
}

/** Why `mode` cannot run here before trying it, or null when gpu.js says it is supported. */
function unsupportedReason(GPU: GpuJsModule['GPU'], mode: GpuMode): string | null {
  switch (mode) {
    case 'headlessgl': {
      if (GPU.isHeadlessGLSupported) return null;
      const status = headlessGlStatus();
      return `${status.reason} (${status.fix})`;
    }
    case 'webgl2': return GPU.isWebGL2Supported ? null : 'WebGL2 is not available (not in a browser with WebGL2)';
    case 'webgl': return GPU.isWebGLSupported ? null : 'WebGL is not available (not in a browser with WebGL)';
    case 'webasm': return GPU.isWebAssemblySupported ? null : 'WebAssembly is not available';
    case 'cpu': return null;
  }
}

/** Runs x/3 + 0.25 over a few values, catching broken compilers and non-float32 textures. */
function verify(rt: GpuRuntime): string | null {
  const input = new Float32Array([1, -2.5, 1e-3, 12345.678, 0]);
  const out = rt.run('function (a, s) { return a[this.thread.x] / 3 + s; }', input.length, [input, 0.25]);
  const got = toHost(out);
  for (let i = 0; i < input.length; i++) {
    const want = Math.fround(Math.fround(input[i] / 3) + 0.25);
    if (!(Math.abs(got[i] - want) <= 1e-6 * Math.max(1, Math.abs(want)))) {
      return `a test kernel computed ${got[i]} instead of ${want} (no float32 precision?)`;
    }
  }
  return null;
}

/** Opens gpu.js in one mode and proves it works, returning the runtime or why it failed. */
function tryMode(GPU: GpuJsModule['GPU'], mode: GpuMode): GpuRuntime | string {
  const reason = unsupportedReason(GPU, mode);
  if (reason) return reason;
  let gpu: GpuJsInstance | null = null;
  try {
    gpu = new GPU({ mode });
    const rt = new GpuRuntime(gpu, mode);
    const failure = verify(rt);
    if (failure === null) return rt;
    gpu.destroy();
    return failure;
  } catch (e) {
    try { gpu?.destroy(); } catch { /* already broken */ }
    return `failed: ${firstLine(e)}`;
  }
}

/**
 * The runtime for `requested` (a gpu.js mode), or for the best GPU mode that works here;
 * `gpujs` is gpu.js itself when the caller hands it over (setBackend's `gpujs` option).
 * Throws a `GpuUnavailableError` listing why each mode failed and what to install.
 */
export function openRuntime(requested?: unknown, gpujs?: unknown): GpuRuntime {
  if (requested === 'webgpu') {
    throw new GpuUnavailableError(
      "setBackend('gpu'): gpu.js's webgpu mode is not supported: its kernels return Promises " +
      '(WebGPU reads results back asynchronously) and tsgrad\'s kernels are synchronous; use headlessgl, webgl2 or webgl',
    );
  }
  if (requested !== undefined && !(GPU_MODES as readonly unknown[]).includes(requested)) {
    throw new RangeError(`setBackend('gpu'): mode must be one of ${GPU_MODES.join(', ')}, got ${String(requested)}`);
  }
  const { GPU } = loadGpuJs(gpujs);
  const candidates = requested === undefined ? AUTO_MODES : [requested as GpuMode];
  const failures: string[] = [];
  for (const mode of candidates) {
    const rt = tryMode(GPU, mode);
    if (typeof rt !== 'string') return rt;
    failures.push(`${mode}: ${rt}`);
  }
  const help = requested === undefined
    ? `.${platformName === 'node' ? ` In Node, ${HEADLESS_GL_HELP}.` : ' In a browser, WebGL2 or WebGL must be enabled.'} WebGPU is not used (gpu.js's webgpu kernels are asynchronous). ` +
      "To run the gpu kernels anyway on the CPU, ask for gpu.js's cpu mode: setBackend('gpu', { mode: 'cpu' })"
    : '';
  throw new GpuUnavailableError(`setBackend('gpu'): no working gpu.js mode — ${failures.join('; ')}${help}`);
}
