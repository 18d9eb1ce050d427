/**
 * The seeded random number generator behind every random draw in tsgrad (rand, randn,
 * weight init, dropout masks, shuffling). `manualSeed` makes a whole run reproducible.
 *
 * xoshiro128** (Blackman & Vigna): 128 bits of state, fast with 32-bit integer math in JS,
 * and its state is four numbers, so a checkpoint can save and restore it exactly.
 */

let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
/** The second normal of a Box–Muller pair, kept so no draw is wasted. */
let spareNormal: number | null = null;

/** A short, safe rendering of a value for error messages (no huge or cyclic dumps). */
function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  return typeof v === 'object' ? 'an object' : typeof v;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Next raw 32-bit draw as an unsigned integer. */
function nextUint32(): number {
  const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = rotl(s3, 11);
  return result;
}

/** Seeds the global generator; the same seed gives the same draws everywhere. */
export function manualSeed(seed: number): void {
  if (typeof seed !== 'number' || !Number.isFinite(seed)) throw new RangeError(`manualSeed: seed must be a finite number, got ${show(seed)}`);
  // splitmix32 spreads a small integer seed over all 128 state bits, so seeds 0 and 1
  // do not start from nearly identical states.
  let x = Math.floor(seed) >>> 0;
  const next = () => {
    x = (x + 0x9e3779b9) | 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) | 0;
  };
  s0 = next(); s1 = next(); s2 = next(); s3 = next();
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
  spareNormal = null;
}

/** A uniform draw in [0, 1) with 24 bits of precision (exactly representable in float32). */
export function randomUniform(): number {
  return (nextUint32() >>> 8) / 16777216;
}

/** A standard normal draw (Box–Muller). */
export function randomNormal(): number {
  if (spareNormal !== null) {
    const z = spareNormal;
    spareNormal = null;
    return z;
  }
  // log(0) would be -Infinity. Instead of redrawing (a loop that never ends if the
  // generator is broken), a 0 becomes half the grid step: once in 2^24 draws, |z| ≤ √(50 ln 2) ≈ 5.9.
  const u = randomUniform() || 2 ** -25;
  const v = randomUniform();
  const r = Math.sqrt(-2 * Math.log(u));
  spareNormal = r * Math.sin(2 * Math.PI * v);
  return r * Math.cos(2 * Math.PI * v);
}

/** A uniform integer in [0, n). */
export function randomInt(n: number): number {
  return Math.floor(randomUniform() * n);
}

/** Shuffles `arr` in place (Fisher–Yates) with the global generator. */
export function shuffleInPlace<T extends { length: number; [i: number]: unknown }>(arr: T): T {
  for (let i = arr.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    const t = arr[i];
    arr[i] = arr[j];
    arr[j] = t;
  }
  return arr;
}

/** The generator's full state, for checkpoints. */
export interface RngState {
  /** The four 32-bit words of the xoshiro128** state. */
  state: [number, number, number, number];
  /** The second value of the last Box–Muller pair, not yet handed out (null: none). */
  spareNormal: number | null;
}

/** Captures the generator's state so a resumed run draws exactly what the original would have. */
export function getRngState(): RngState {
  return { state: [s0, s1, s2, s3], spareNormal };
}

/**
 * Throws unless `st` is a state `setRngState` can use: four 32-bit integers (signed or
 * unsigned form), not all zero — xoshiro's one fixed point, from which it only ever draws
 * zeros — and `spareNormal` null or a finite number. Changes nothing, so callers that
 * restore several things at once (checkpoints) can check before they commit.
 */
export function checkRngState(st: unknown, where = 'setRngState'): asserts st is RngState {
  if (st === null || typeof st !== 'object') throw new TypeError(`${where}: expected { state: [4 integers], spareNormal }, got ${show(st)}`);
  const { state, spareNormal: spare } = st as Record<string, unknown>;
  if (!Array.isArray(state) || state.length !== 4) throw new TypeError(`${where}: state must be an array of 4 integers, got ${show(state)}`);
  state.forEach((w, i) => {
    if (typeof w !== 'number' || !Number.isInteger(w) || w < -(2 ** 31) || w >= 2 ** 32) {
      throw new RangeError(`${where}: state[${i}] must be a 32-bit integer, got ${show(w)}`);
    }
  });
  if (state.every((w) => (w | 0) === 0)) {
    throw new RangeError(`${where}: state is all zeros, which xoshiro128** never leaves (every draw would be 0); use manualSeed or a state from getRngState`);
  }
  if (spare !== null && spare !== undefined && !(typeof spare === 'number' && Number.isFinite(spare))) {
    throw new RangeError(`${where}: spareNormal must be null or a finite number, got ${show(spare)}`);
  }
}

/** Restores a state captured by `getRngState`; an invalid one is refused and changes nothing. */
export function setRngState(st: RngState): void {
  checkRngState(st);
  [s0, s1, s2, s3] = st.state.map((v) => v | 0) as [number, number, number, number];
  spareNormal = st.spareNormal ?? null;
}

manualSeed(Date.now());
