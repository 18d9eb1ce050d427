// Sums over the middle axis kept of x viewed as [outer, kept, inner], summing the other two:
// a conv bias gradient (dy [N, C, H·W] summed over N and H·W). Channels are shared among
// threads, so each sum is one thread's and no partial sums need adding up afterwards.
//
// Sums accumulate in float64, as the TypeScript reduction does (src/backend/cpu/reduce.ts),
// in eight lanes (four f64x2 accumulators) so that the adds do not wait on each other.

import { param } from './tasks.as.ts';

// Parameter block (i32 words); must match SUM_PARAMS in src/backend/cpu/reduce-wasm.ts.
const OUTER = 0, KEPT = 1, INNER = 2, X = 3, OUT = 4, PER_CHUNK = 5;

/** out[k] (float64) = Σ over o, i of x[o, k, i], for the channels k of chunk `index`. */
export function sumMiddleAxis(p: usize, index: i32): void {
  const outer = param(p, OUTER), kept = param(p, KEPT), inner = param(p, INNER);
  const per = param(p, PER_CHUNK);
  const x = <usize>param(p, X), out = <usize>param(p, OUT);
  const end = min(kept, (index + 1) * per);
  for (let k = index * per; k < end; k++) {
    let a0 = f64x2.splat(0), a1 = f64x2.splat(0), a2 = f64x2.splat(0), a3 = f64x2.splat(0);
    let rest: f64 = 0;
    for (let o = 0; o < outer; o++) {
      const row = x + <usize>((o * kept + k) * inner) * 4;
      let i = 0;
      for (; i + 8 <= inner; i += 8) {
        const v = v128.load(row + <usize>i * 4), w = v128.load(row + <usize>i * 4, 16);
        a0 = f64x2.add(a0, f64x2.promote_low_f32x4(v));
        a1 = f64x2.add(a1, f64x2.promote_low_f32x4(i64x2.shuffle(v, v, 1, 1)));
        a2 = f64x2.add(a2, f64x2.promote_low_f32x4(w));
        a3 = f64x2.add(a3, f64x2.promote_low_f32x4(i64x2.shuffle(w, w, 1, 1)));
      }
      for (; i < inner; i++) rest += <f64>load<f32>(row + <usize>i * 4);
    }
    const s = f64x2.add(f64x2.add(a0, a1), f64x2.add(a2, a3));
    store<f64>(out + <usize>k * 8, f64x2.extract_lane(s, 0) + f64x2.extract_lane(s, 1) + rest);
  }
}
