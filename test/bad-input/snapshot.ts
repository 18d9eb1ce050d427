/**
 * State snapshots for "a failed call changes nothing" checks: a hash per part of a
 * training setup — parameters (bit patterns, so NaN payloads and -0 count), optimizer
 * stateDict, loader positions, scheduler, callbacks, the global RNG, and files (bytes,
 * plus every name in their folder, so leftover temporary files count too). Comparing two
 * snapshots with toEqual names the part that changed.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Tensor } from '../../src/tensor/tensor.ts';
import { getRngState } from '../../src/tensor/random.ts';

/** Anything with a state to capture; every field is optional. */
export interface World {
  model?: { parameters(): Tensor[]; stateDict?(): Record<string, Tensor> };
  optimizer?: { stateDict(): unknown };
  loaders?: ({ stateDict?(): unknown } | undefined)[];
  scheduler?: { stateDict?(): unknown };
  callbacks?: { stateDict?(): unknown }[];
  /** Files whose bytes, and whose folders' listings, must not change. */
  files?: string[];
  /** Extra values the caller wants compared (e.g. a tensor passed in). */
  values?: Record<string, unknown>;
}

/** A hash per part: equal snapshots mean nothing observable changed. */
export type Snapshot = Record<string, string>;

/** Writes a canonical, type-tagged text of `v` into the hash (objects by sorted key; floats by bits). */
function feed(h: ReturnType<typeof createHash>, v: unknown, seen = new Set<unknown>()): void {
  if (v instanceof Tensor) {
    h.update(`T[${v.shape.join(',')}]${v.requiresGrad ? 'g' : ''}:`);
    const data = v.data;
    h.update(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return;
  }
  if (ArrayBuffer.isView(v)) {
    h.update(`${v.constructor.name}:`);
    h.update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength));
    return;
  }
  if (typeof v === 'number') {
    const b = new Float64Array([v]);
    h.update(`n${Buffer.from(b.buffer).toString('hex')};`);
    return;
  }
  if (v === null || typeof v !== 'object') {
    h.update(`${typeof v}:${String(v)};`);
    return;
  }
  if (seen.has(v)) {
    h.update('cycle;');
    return;
  }
  seen.add(v);
  if (Array.isArray(v)) {
    h.update(`[${v.length}:`);
    for (const x of v) feed(h, x, seen);
    h.update(']');
    return;
  }
  h.update('{');
  for (const k of Object.keys(v).sort()) {
    h.update(`${JSON.stringify(k)}=`);
    feed(h, (v as Record<string, unknown>)[k], seen);
  }
  h.update('}');
}

function hash(v: unknown): string {
  const h = createHash('sha256');
  feed(h, v);
  return h.digest('hex').slice(0, 16);
}

function fileState(path: string): unknown {
  const folder = dirname(path);
  const listing = existsSync(folder) ? readdirSync(folder).sort() : 'no folder';
  if (!existsSync(path)) return { listing, file: 'absent' };
  if (statSync(path).isDirectory()) return { listing, file: 'folder' };
  return { listing, file: readFileSync(path) };
}

/** Hashes every part of `w` present, plus the global RNG state. */
export function snapshot(w: World): Snapshot {
  const out: Snapshot = { rng: hash(getRngState()) };
  if (w.model) {
    out.parameters = hash(w.model.parameters());
    if (w.model.stateDict) out.modelState = hash(w.model.stateDict());
  }
  if (w.optimizer) out.optimizer = hash(w.optimizer.stateDict());
  w.loaders?.forEach((l, i) => {
    if (l?.stateDict) out[`loader${i}`] = hash(l.stateDict());
  });
  if (w.scheduler?.stateDict) out.scheduler = hash(w.scheduler.stateDict());
  w.callbacks?.forEach((cb, i) => {
    if (cb.stateDict) out[`callback${i}`] = hash(cb.stateDict());
  });
  for (const f of w.files ?? []) out[`file ${f}`] = hash(fileState(f));
  for (const [k, v] of Object.entries(w.values ?? {})) out[`value ${k}`] = hash(v);
  return out;
}

/** Paths in `folder` (recursively) — for checks that a failed write left nothing behind. */
export function listing(folder: string): string[] {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { recursive: true }).map(String).sort().map((p) => join(folder, p));
}
