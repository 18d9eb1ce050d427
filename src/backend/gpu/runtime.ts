/**
 * The gpu backend's runtime: compiles gpu.js kernels from generated source, caches them,
 * and moves data between the host and the device.
 *
 * Every kernel writes a 1-D output of `size` elements. gpu.js packs a 1-D output into the
 * most nearly square texture that holds it, so any size up to maxTextureSize² fits without
 * the kernel knowing about texture rows; each kernel recovers its N-D position from the
 * flat index itself (see codegen.ts). Shapes are baked into the generated source as
 * literals, so loops have constant bounds (GLSL ES 1.0 needs them) and each distinct shape
 * compiles once; the scalars that change from call to call (a learning rate, a bias
 * correction) are passed as uniforms instead, so they never trigger a recompile.
 */
import { toHost, type DeviceData, type Storage } from '../../tensor/storage.ts';
import { TextureReclaimer } from './memory.ts';

/** A gpu.js pipeline texture: what GL modes hand back from a kernel with `pipeline: true`. */
export interface GpuJsTexture {
  toArray(): Float32Array;
  delete(): void;
}

/** What a kernel returns and reads: a texture in GL modes, a Float32Array in gpu.js's cpu/webasm modes. */
export type DeviceValue = GpuJsTexture | Float32Array;

/** A compiled gpu.js kernel. */
export interface GpuJsKernel {
  (...args: unknown[]): unknown;
  precision?: string;
}

/** The parts of a gpu.js `GPU` instance the runtime uses. */
export interface GpuJsInstance {
  createKernel(source: string, settings: Record<string, unknown>): GpuJsKernel;
  createKernelMap(subKernels: Record<string, unknown>, source: string, settings: Record<string, unknown>): GpuJsKernel;
  destroy(): unknown;
}

/** Kernel arguments: tensors' storages, or numbers passed as float uniforms. */
export type KernelArg = Storage | number;

/** A helper function a kernel's source calls, in the JS subset gpu.js translates; every argument is a float. */
export interface HelperFunction {
  source: string;
  arity: number;
}

function helperSettings(helpers: readonly HelperFunction[]): Record<string, unknown> {
  if (helpers.length === 0) return {};
  return {
    functions: helpers.map((h) => ({
      source: h.source,
      settings: { argumentTypes: new Array(h.arity).fill('Number'), returnType: 'Number' },
    })),
  };
}

/**
 * Float index arithmetic in GLSL is exact only below 2²⁴: gpu.js turns `this.thread.x` and
 * every index expression into floats, so larger tensors would read the wrong elements.
 */
export const MAX_GL_ELEMENTS = 2 ** 24;

/** Numbers held by the gpu backend: a texture (or, in gpu.js's cpu modes, an array). */
export class GpuData implements DeviceData {
  /** Always 'gpu'. */
  readonly backend = 'gpu';
  private disposed = false;

  /** Wraps a kernel's output; `owner` is the runtime that made it. */
  constructor(readonly value: DeviceValue, readonly length: number, readonly owner: GpuRuntime) {
    // Intermediate tensors are dropped by the thousand in training: free each texture when
    // its wrapper goes (a float32 RGBA texel per element: 16 bytes).
    if (!(value instanceof Float32Array)) owner.reclaimer.track(this, value, 16 * length);
  }

  /** Copies the values to a new host array. */
  download(): Float32Array {
    if (this.disposed) throw new Error('gpu backend: this tensor\'s device memory was disposed');
    return this.owner.download(this.value, this.length);
  }

  /** Frees the texture now instead of waiting for the garbage collector. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (!(this.value instanceof Float32Array)) {
      this.owner.reclaimer.untrack(this);
      this.value.delete();
    }
  }
}

/** Compiles, caches and runs generated kernels for one gpu.js instance in one mode. */
export class GpuRuntime {
  private readonly kernels = new Map<string, GpuJsKernel>();
  private uploader: GpuJsKernel | null = null;
  private placeholder: GpuData | null = null;
  /** True in GL modes, where values live in textures. */
  readonly usesTextures: boolean;
  /** Frees the textures of collected tensors. */
  readonly reclaimer = new TextureReclaimer();

  /** `mode` is the gpu.js mode the instance was created with ('headlessgl', 'cpu', …). */
  constructor(readonly gpu: GpuJsInstance, readonly mode: string) {
    this.usesTextures = mode !== 'cpu' && mode !== 'webasm';
  }

  /** Settings shared by every kernel: float32 textures, highp math, fresh output per call. */
  private settings(size: number): Record<string, unknown> {
    return {
      output: [size],
      pipeline: true,
      // Without immutable, a kernel overwrites its previous output texture on every call,
      // which would silently change tensors that still hold that texture.
      immutable: true,
      precision: 'single',
      tactic: 'precision',
      // Index math uses floor(i / d); this makes exact integer quotients exact on every GPU.
      fixIntegerDivisionAccuracy: true,
    };
  }

  /** Copies host data to the device (an empty array stays on the host: there is nothing to hold). */
  upload(data: Float32Array): Storage {
    this.checkSize('upload', data.length);
    if (data.length === 0) return new Float32Array(0);
    if (!this.uploader) {
      // One kernel for every length: it only ever sees host arrays, so gpu.js never has to
      // switch it between argument types, and dynamic sizes cost no recompiles.
      this.uploader = this.gpu.createKernel('function (a) { return a[this.thread.x]; }', {
        ...this.settings(1),
        dynamicOutput: true,
        dynamicArguments: true,
      });
    }
    const k = this.uploader as GpuJsKernel & { setOutput(o: number[]): void };
    k.setOutput([data.length]);
    return new GpuData(k(data) as DeviceValue, data.length, this);
  }

  /** Our device data for any non-empty storage: ours as is, host arrays uploaded, other backends' data downloaded first. */
  private toDevice(s: Storage): GpuData {
    if (s instanceof GpuData && s.owner === this) return s;
    return this.upload(toHost(s)) as GpuData;
  }

  /** Copies a device value of `length` elements back to a new host array. */
  download(value: DeviceValue, length: number): Float32Array {
    if (length === 0) return new Float32Array(0);
    // In cpu modes the array is the device value itself: hand out a copy, never the original.
    if (value instanceof Float32Array) return value.slice(0, length);
    const arr = value.toArray();
    return arr.length === length ? arr : arr.slice(0, length);
  }

  /**
   * Runs generated kernel `source` (a JS function text gpu.js transpiles) over `size`
   * outputs. Storages are made device values; numbers become float uniforms.
   */
  run(source: string, size: number, args: readonly KernelArg[], helpers: readonly HelperFunction[] = []): Storage {
    if (size === 0) return new Float32Array(0);
    const { values, key, inputs, uploads } = this.prepare(source, size, args);
    let kernel = this.kernels.get(key);
    if (!kernel) {
      kernel = this.gpu.createKernel(source, { ...this.settings(size), ...helperSettings(helpers) });
      this.kernels.set(key, kernel);
    }
    const out = kernel(...values) as DeviceValue;
    release(inputs, uploads);
    return new GpuData(out, size, this);
  }

  /**
   * Runs a kernel map: `source` returns the main output and calls each named sub-kernel
   * `save_<name>(v)` once to emit another output of the same size, all in one pass.
   */
  runMap(source: string, outputs: readonly string[], size: number, args: readonly KernelArg[], helpers: readonly HelperFunction[] = []): Record<string, Storage> {
    if (size === 0) {
      const empty: Record<string, Storage> = { result: new Float32Array(0) };
      for (const name of outputs) empty[name] = new Float32Array(0);
      return empty;
    }
    const { values, key, inputs, uploads } = this.prepare(source, size, args);
    const mapKey = `${key}|map:${outputs.join(',')}`;
    let kernel = this.kernels.get(mapKey);
    if (!kernel) {
      const subKernels: Record<string, unknown> = {};
      // gpu.js reads sub-kernels from their source text, so they are built from strings too.
      for (const name of outputs) subKernels[name] = new Function(`return function save_${name}(v) { return v; }`)();
      kernel = this.gpu.createKernelMap(subKernels, source, { ...this.settings(size), ...helperSettings(helpers) });
      this.kernels.set(mapKey, kernel);
    }
    const raw = kernel(...values) as Record<string, DeviceValue>;
    release(inputs, uploads);
    const out: Record<string, Storage> = {};
    for (const name of ['result', ...outputs]) out[name] = new GpuData(raw[name], size, this);
    return out;
  }

  /**
   * The kernel's argument values and cache key. `inputs` holds the wrappers of the textures
   * passed, uploads made for this call included: the caller keeps it until the kernel has
   * run, so a memory sweep triggered by a later upload cannot free an earlier one.
   */
  private prepare(source: string, size: number, args: readonly KernelArg[]): { values: unknown[]; key: string; inputs: GpuData[]; uploads: GpuData[] } {
    this.checkSize('kernel output', size);
    const values: unknown[] = [];
    const inputs: GpuData[] = [];
    const uploads: GpuData[] = [];
    // gpu.js bakes each input's texture size into the shader, so input lengths are part of the key.
    let key = `${source}|${size}`;
    for (const a of args) {
      if (typeof a === 'number') {
        values.push(a);
        key += '|f';
        continue;
      }
      this.checkSize('kernel input', a.length);
      const d = a.length === 0 ? this.placeholderData() : this.toDevice(a);
      if (d !== a && a.length !== 0) uploads.push(d);
      inputs.push(d);
      values.push(d.value);
      key += `|${a.length}`;
    }
    return { values, key, inputs, uploads };
  }

  /** Stands in for empty inputs, which no kernel reads but gpu.js cannot upload. */
  private placeholderData(): GpuData {
    this.placeholder ??= this.upload(new Float32Array(1)) as GpuData;
    return this.placeholder;
  }

  private checkSize(what: string, n: number): void {
    if (this.usesTextures && n > MAX_GL_ELEMENTS) {
      throw new RangeError(
        `gpu backend (${this.mode}): ${what} of ${n} elements exceeds ${MAX_GL_ELEMENTS} (2^24), ` +
        'the largest tensor GLSL float index arithmetic addresses exactly',
      );
    }
  }
}

/**
 * After the call: the input wrappers were kept alive until the kernel ran; the textures
 * uploaded just for this call (host data) are freed now rather than left to the collector,
 * which a browser's synchronous training loop never gives a chance to run.
 */
function release(inputs: GpuData[], uploads: GpuData[]): void {
  inputs.length = 0;
  for (const u of uploads) u.dispose();
}
