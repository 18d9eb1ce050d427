/**
 * Every src/ops/*.ts file works imported on its own. Each file is loaded into a fresh module
 * graph (vi.resetModules, then a dynamic import) holding only it and what it imports itself,
 * and its ops are run forward and backward (standalone-scenarios.ts). This proves no op
 * depends on ops/methods.ts (Tensor.prototype has no op methods in that graph), nor on
 * another import's side effect (no backend registered by hand: the registry makes its own).
 */
import { readdirSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { Tensor as MainTensor } from '../../src/tensor/tensor.ts';
import { SCENARIOS, type Env, type Module } from './standalone-scenarios.ts';

const OPS_DIR = new URL('../../src/ops/', import.meta.url);
const files = readdirSync(OPS_DIR).filter((f) => f.endsWith('.ts')).sort();
/** Files whose purpose is to attach the methods. */
const ATTACH_METHODS = new Set(['methods.ts', 'index.ts']);

/** The module's namespace, recording which exported functions a scenario touched. */
function tracked(mod: Module, used: Set<string>): Module {
  return new Proxy(mod, {
    get(target, key) {
      const v = target[key as string];
      if (typeof key === 'string' && typeof v === 'function') used.add(key);
      return v;
    },
  });
}

describe('every src/ops file imported alone runs forward and backward', () => {
  it('has a scenario for every file (a new op file needs one)', () => {
    expect(files.filter((f) => !SCENARIOS[f])).toEqual([]);
  });

  for (const file of files) {
    it(file, async () => {
      vi.resetModules();
      const mod = (await import(new URL(file, OPS_DIR).href)) as Module;
      // Set-up imports from the tensor layer only: they load no op and no backend.
      const { Tensor } = (await import('../../src/tensor/tensor.ts')) as { Tensor: typeof MainTensor };
      const { manualSeed } = await import('../../src/tensor/random.ts');
      expect(Tensor, 'a fresh module graph').not.toBe(MainTensor);
      const methodsAttached = 'add' in Tensor.prototype;
      expect(methodsAttached, 'Tensor methods attached').toBe(ATTACH_METHODS.has(file));
      const env: Env = {
        Tensor: Tensor as unknown as Env['Tensor'],
        manualSeed,
        t: (values, shape, opts = {}) => {
          const dtype = opts.dtype ?? 'float32';
          const data = dtype === 'int32' ? Int32Array.from(values) : dtype === 'bool' ? Uint8Array.from(values) : Float32Array.from(values);
          return new Tensor(data, shape ?? [values.length], { dtype, requiresGrad: opts.requiresGrad });
        },
        leaf: (values, shape) => new Tensor(Float32Array.from(values), shape ?? [values.length], { requiresGrad: true }),
        grads: (y, inputs, dy) => {
          y.backward(new Tensor(Float32Array.from(dy ?? new Array<number>(y.size).fill(1)), [...y.shape]));
          return inputs.map((x, i) => {
            expect(x.grad, `input ${i} got no gradient`).not.toBeNull();
            expect(x.grad!.shape).toEqual(x.shape);
            return Array.from(x.grad!.data);
          });
        },
      };
      const used = new Set<string>();
      SCENARIOS[file](tracked(mod, used), env);
      const exported = Object.keys(mod).filter((k) => typeof mod[k] === 'function');
      if (!ATTACH_METHODS.has(file)) expect(exported.filter((k) => !used.has(k)), `${file}: exported functions the scenario never ran`).toEqual([]);
    });
  }
});
