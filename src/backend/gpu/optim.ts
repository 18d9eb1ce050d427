/**
 * GPU optimizer updates: one kernel map per parameter tensor reads the parameter, its
 * gradient and its state once and writes the new parameter and every new state buffer in
 * the same pass. Per-step numbers (learning rate, bias corrections) are uniforms, so a
 * changing schedule never recompiles; per-run choices (momentum on or off, centered,
 * AMSGrad) select the source. Results are new textures: the optimizer stores what comes back.
 */
import type {
  AdagradStepOptions, AdagradStepResult, AdamStepOptions, AdamStepResult, OptimKernels,
  RmspropStepOptions, RmspropStepResult, SgdStepOptions, SgdStepResult,
} from '../optim-kernels.ts';
import type { Storage } from '../../tensor/storage.ts';
import type { GpuRuntime } from './runtime.ts';

function required(kernel: string, name: string, s: Storage | null): Storage {
  if (s === null) throw new Error(`${kernel}: the '${name}' buffer is required with these options`);
  return s;
}

/** The optimizer kernels of the gpu backend. */
export function optimKernels(rt: GpuRuntime): OptimKernels {
  return {
    sgdStep(param: Storage, grad: Storage, momentumBuffer: Storage | null, o: SgdStepOptions): SgdStepResult {
      const n = param.length;
      if (o.momentum === 0) {
        const src = 'function (p, g, lr, wd) { const i = this.thread.x; const pi = p[i]; return pi - lr * (g[i] + wd * pi); }';
        return { param: rt.run(src, n, [param, grad, o.lr, o.weightDecay]), momentumBuffer };
      }
      const b = required('sgdStep', 'momentumBuffer', momentumBuffer);
      // b ← keep·b + inject·g covers both b ← g (first step) and b ← μb + (1 − τ)g;
      // d ← cb·b + cg·g covers both d = b and Nesterov's d = μb + (1 − τ)g.
      const inject = o.firstStep ? 1 : 1 - o.dampening;
      const keep = o.firstStep ? 0 : o.momentum;
      const cb = o.nesterov ? o.momentum : 1;
      const cg = o.nesterov ? 1 - o.dampening : 0;
      const src =
        'function (p, g, b, lr, wd, keep, inject, cb, cg) { const i = this.thread.x; const pi = p[i];\n' +
        'const gi = g[i] + wd * pi; const bi = keep * b[i] + inject * gi;\n' +
        'save_buf(bi);\nreturn pi - lr * (cb * bi + cg * gi); }';
      const out = rt.runMap(src, ['buf'], n, [param, grad, b, o.lr, o.weightDecay, keep, inject, cb, cg]);
      return { param: out.result, momentumBuffer: out.buf };
    },

    adagradStep(param: Storage, grad: Storage, sum: Storage, o: AdagradStepOptions): AdagradStepResult {
      const src =
        'function (p, g, s, lr, wd, eps) { const i = this.thread.x; const pi = p[i];\n' +
        'const gi = g[i] + wd * pi; const si = s[i] + gi * gi;\n' +
        'save_sum(si);\nreturn pi - (lr * gi) / (Math.sqrt(si) + eps); }';
      const out = rt.runMap(src, ['sum'], param.length, [param, grad, sum, o.lr, o.weightDecay, o.eps]);
      return { param: out.result, sum: out.sum };
    },

    rmspropStep(
      param: Storage, grad: Storage, squareAvg: Storage, gradAvg: Storage | null, momentumBuffer: Storage | null,
      o: RmspropStepOptions,
    ): RmspropStepResult {
      const centered = o.centered;
      const useMomentum = o.momentum > 0;
      const args: (Storage | number)[] = [param, grad, squareAvg];
      const names = ['p', 'g', 'v'];
      const outputs = ['sq'];
      if (centered) { args.push(required('rmspropStep', 'gradAvg', gradAvg)); names.push('ga'); outputs.push('ga'); }
      if (useMomentum) { args.push(required('rmspropStep', 'momentumBuffer', momentumBuffer)); names.push('b'); outputs.push('buf'); }
      args.push(o.lr, o.alpha, o.eps, o.weightDecay, o.momentum);
      names.push('lr', 'alpha', 'eps', 'wd', 'mu');
      const src =
        `function (${names.join(', ')}) { const i = this.thread.x; const pi = p[i];\n` +
        'const gi = g[i] + wd * pi; const vi = alpha * v[i] + (1 - alpha) * gi * gi; save_sq(vi);\n' +
        'let variance = vi;\n' +
        // v ≥ ḡ² holds exactly, but rounding can push the difference a hair below zero.
        (centered ? 'const ai = alpha * ga[i] + (1 - alpha) * gi; save_ga(ai); variance = Math.max(vi - ai * ai, 0);\n' : '') +
        'const d = gi / (Math.sqrt(variance) + eps);\n' +
        (useMomentum ? 'const bi = mu * b[i] + d; save_buf(bi);\nreturn pi - lr * bi; }' : 'return pi - lr * d; }');
      const out = rt.runMap(src, outputs, param.length, args);
      return {
        param: out.result,
        squareAvg: out.sq,
        gradAvg: centered ? out.ga : gradAvg,
        momentumBuffer: useMomentum ? out.buf : momentumBuffer,
      };
    },

    adamStep(
      param: Storage, grad: Storage, expAvg: Storage, expAvgSq: Storage, maxExpAvgSq: Storage | null,
      o: AdamStepOptions,
    ): AdamStepResult {
      const args: (Storage | number)[] = [param, grad, expAvg, expAvgSq];
      const names = ['p', 'g', 'm', 'v'];
      const outputs = ['m', 'v'];
      if (o.amsgrad) { args.push(required('adamStep', 'maxExpAvgSq', maxExpAvgSq)); names.push('vmax'); outputs.push('vmax'); }
      // L2 decay enters the gradient; decoupled (AdamW) decay shrinks the parameter instead.
      const l2 = o.decoupled ? 0 : o.weightDecay;
      const shrink = o.decoupled ? 1 - o.lr * o.weightDecay : 1;
      args.push(o.beta1, o.beta2, o.eps, l2, shrink, o.lr / o.biasCorrection1, 1 / Math.sqrt(o.biasCorrection2));
      names.push('beta1', 'beta2', 'eps', 'l2', 'shrink', 'stepSize', 'invBc2Sqrt');
      const src =
        `function (${names.join(', ')}) { const i = this.thread.x; const pi = p[i];\n` +
        'const gi = g[i] + l2 * pi;\n' +
        'const mi = beta1 * m[i] + (1 - beta1) * gi; const vi = beta2 * v[i] + (1 - beta2) * gi * gi;\n' +
        'save_m(mi); save_v(vi);\n' +
        (o.amsgrad ? 'const vm = Math.max(vmax[i], vi); save_vmax(vm);\n' : 'const vm = vi;\n') +
        'return pi * shrink - (stepSize * mi) / (Math.sqrt(vm) * invBc2Sqrt + eps); }';
      const out = rt.runMap(src, outputs, param.length, args);
      return { param: out.result, expAvg: out.m, expAvgSq: out.v, maxExpAvgSq: o.amsgrad ? out.vmax : maxExpAvgSq };
    },
  };
}
