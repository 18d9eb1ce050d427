// Max pooling (no padding) over NCHW planes, and its gradient, planes shared among threads.
//
// Semantics are those of the TypeScript kernel (src/backend/cpu/pool.ts), which is the
// reference the tests compare against: windows are scanned row by row, the first maximum
// wins a tie, a NaN wins over any number (so it propagates, as in PyTorch), and argmax is the
// winner's offset h·W + w inside its plane, stored as float32.
//
// 2×2 windows with stride 2 (nearly every CNN's pooling) take a SIMD path: four outputs at
// once, from two 8-float loads of each of the window's two input rows.

import { param } from './tasks.as.ts';

// Parameter block (i32 words); must match POOL_PARAMS in src/backend/cpu/pool-wasm.ts.
const PLANES = 0, H = 1, W = 2, K = 3, S = 4, OH = 5, OW = 6;
const X = 7, VALUES = 8, ARGMAX = 9, PER_CHUNK = 10, DY = 11, DX = 12;

/** Values and argmax of the planes of chunk `index`. */
export function maxPoolForward(p: usize, index: i32): void {
  const h = param(p, H), w = param(p, W), oh = param(p, OH), ow = param(p, OW);
  const per = param(p, PER_CHUNK);
  const end = min(param(p, PLANES), (index + 1) * per);
  const square2 = param(p, K) == 2 && param(p, S) == 2;
  for (let pl = index * per; pl < end; pl++) {
    const x = <usize>param(p, X) + <usize>(pl * h * w) * 4;
    const out = <usize>(pl * oh * ow) * 4;
    const values = <usize>param(p, VALUES) + out, argmax = <usize>param(p, ARGMAX) + out;
    if (square2) pool2x2(x, w, oh, ow, values, argmax);
    else poolGeneric(x, w, param(p, K), param(p, S), oh, ow, values, argmax);
  }
}

/** True in each lane where `cand` replaces `best`: it is larger, or a NaN replacing a number. */
// @ts-ignore: decorator
@inline function wins(cand: v128, best: v128): v128 {
  return v128.or(f32x4.gt(cand, best), v128.and(f32x4.ne(cand, cand), f32x4.eq(best, best)));
}

function pool2x2(x: usize, w: i32, oh: i32, ow: i32, values: usize, argmax: usize): void {
  const lanes = i32x4(0, 2, 4, 6);
  for (let oy = 0; oy < oh; oy++) {
    const top = oy * 2 * w;
    const r0 = x + <usize>top * 4, r1 = r0 + <usize>w * 4;
    const vOut = values + <usize>(oy * ow) * 4, aOut = argmax + <usize>(oy * ow) * 4;
    let ox = 0;
    for (; ox + 4 <= ow; ox += 4) {
      const o = <usize>(ox * 2) * 4;
      const a0 = v128.load(r0 + o), a1 = v128.load(r0 + o, 16);
      const b0 = v128.load(r1 + o), b1 = v128.load(r1 + o, 16);
      // The window's four candidates for four outputs: even and odd columns of both rows.
      const c00 = f32x4.shuffle(a0, a1, 0, 2, 4, 6), c01 = f32x4.shuffle(a0, a1, 1, 3, 5, 7);
      const c10 = f32x4.shuffle(b0, b1, 0, 2, 4, 6), c11 = f32x4.shuffle(b0, b1, 1, 3, 5, 7);
      const at00 = i32x4.add(i32x4.splat(top + ox * 2), lanes);
      let best = c00, at = at00;
      let t = wins(c01, best);
      best = v128.bitselect(c01, best, t);
      at = v128.bitselect(i32x4.add(at00, i32x4.splat(1)), at, t);
      t = wins(c10, best);
      best = v128.bitselect(c10, best, t);
      at = v128.bitselect(i32x4.add(at00, i32x4.splat(w)), at, t);
      t = wins(c11, best);
      best = v128.bitselect(c11, best, t);
      at = v128.bitselect(i32x4.add(at00, i32x4.splat(w + 1)), at, t);
      v128.store(vOut + <usize>ox * 4, best);
      v128.store(aOut + <usize>ox * 4, f32x4.convert_i32x4_s(at));
    }
    for (; ox < ow; ox++) window(x, w, 2, top + ox * 2, vOut + <usize>ox * 4, aOut + <usize>ox * 4);
  }
}

function poolGeneric(x: usize, w: i32, k: i32, s: i32, oh: i32, ow: i32, values: usize, argmax: usize): void {
  let out: usize = 0;
  for (let oy = 0; oy < oh; oy++) {
    for (let ox = 0; ox < ow; ox++, out += 4) window(x, w, k, oy * s * w + ox * s, values + out, argmax + out);
  }
}

/** One k×k window starting at plane offset `start`: its max and where it is. */
// @ts-ignore: decorator
@inline function window(x: usize, w: i32, k: i32, start: i32, value: usize, argmax: usize): void {
  let best = load<f32>(x + <usize>start * 4);
  let bestAt = start;
  for (let i = 0; i < k; i++) {
    const rowAt = start + i * w;
    for (let j = 0; j < k; j++) {
      const v = load<f32>(x + <usize>(rowAt + j) * 4);
      if (v > best || (v != v && best == best)) {
        best = v;
        bestAt = rowAt + j;
      }
    }
  }
  store<f32>(value, best);
  store<f32>(argmax, <f32>bestAt);
}

/**
 * dx of the planes of chunk `index`: each plane zeroed, then every dy added at its window's
 * argmax (overlapping windows add). A plane is written by one thread only, so no two threads
 * ever add to the same element.
 */
export function maxPoolBackward(p: usize, index: i32): void {
  const plane = param(p, H) * param(p, W), outPlane = param(p, OH) * param(p, OW);
  const per = param(p, PER_CHUNK);
  const first = index * per, end = min(param(p, PLANES), (index + 1) * per);
  if (first >= end) return;
  const dx = <usize>param(p, DX);
  memory.fill(dx + <usize>(first * plane) * 4, 0, <usize>((end - first) * plane) * 4);
  for (let pl = first; pl < end; pl++) {
    const planeAt = dx + <usize>(pl * plane) * 4;
    const dy = <usize>param(p, DY) + <usize>(pl * outPlane) * 4;
    const argmax = <usize>param(p, ARGMAX) + <usize>(pl * outPlane) * 4;
    for (let q = 0; q < outPlane; q++) {
      const at = planeAt + <usize>(<i32>load<f32>(argmax + <usize>q * 4)) * 4;
      store<f32>(at, load<f32>(at) + load<f32>(dy + <usize>q * 4));
    }
  }
}
