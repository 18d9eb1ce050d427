/**
 * The safetensors format (https://github.com/huggingface/safetensors): F32, I32 and BOOL tensors.
 *
 * Layout: 8 bytes holding the header length n as a little-endian u64, then n bytes of JSON
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?: { key: string } }`,
 * then the tensor bytes; offsets count from the first byte after the header. The writer
 * pads the header with spaces so the data starts 8-byte aligned. The reader checks
 * everything the reference implementation checks — sizes, bounds, and that the tensors
 * tile the data section exactly, with no overlap, gap or trailing bytes — before it builds
 * a single tensor, so a bad file costs an error and nothing else.
 *
 * Hostile files are refused in bounded time and memory: the header's size, nesting (3) and
 * member count (from maxEntries) are checked in one pass over its raw bytes before it is
 * decoded or parsed (see SafetensorsLimits), and error messages quote header values in a
 * bounded form, never recursively.
 */
import { files } from '#platform';
import { Tensor } from '../tensor/tensor.ts';
import { newArray, type DType, type HostArray } from '../tensor/dtype.ts';
import { SafetensorsError } from './errors.ts';
import { writeFileAtomic } from './atomic.ts';
import { scanJson } from './json-scan.ts';

/** Tensors by name, plus the file's free-form string metadata. */
export interface SafetensorsContents {
  /** The stored tensors, by name. */
  tensors: Record<string, Tensor>;
  /** The header's `__metadata__` strings (empty when the file has none). */
  metadata: Record<string, string>;
}

/**
 * Bounds on what a file may ask of the reader. A hostile header can be small on disk and
 * still cost minutes and gigabytes to parse (millions of keys), so both are checked by a
 * single pass over the raw bytes before any JSON is parsed.
 */
export interface SafetensorsLimits {
  /** Largest header accepted, in bytes. Default 100,000,000 (the reference implementation's limit). */
  maxHeaderBytes?: number;
  /** Most tensors, and most metadata keys, one file may hold. Default 65,536. */
  maxEntries?: number;
}

/** The reference implementation's limit; anything larger is a corrupt length field. */
export const DEFAULT_MAX_HEADER_BYTES = 100_000_000;
/**
 * Sharded checkpoints of the largest public models hold a few thousand tensors per file;
 * 65,536 leaves room for more while keeping JSON.parse of a worst-case header under a second.
 */
export const DEFAULT_MAX_ENTRIES = 65_536;
/** Keeps 4·maxEntries + 1 an exact integer. */
const MAX_LIMIT = 2 ** 50;
const METADATA_KEY = '__metadata__';
const KNOWN_DTYPES = new Set(['BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64']);
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** { name: { shape: [...] } }: a valid header nests objects and arrays three deep, never more. */
const MAX_DEPTH = 3;

/** The safetensors dtype of each tensor dtype, and back. */
const FILE_DTYPE: Record<DType, string> = { float32: 'F32', int32: 'I32', bool: 'BOOL' };
const TENSOR_DTYPE: Record<string, DType> = { F32: 'float32', I32: 'int32', BOOL: 'bool' };
const ELEMENT_BYTES: Record<DType, number> = { float32: 4, int32: 4, bool: 1 };

/** One tensor's entry in the header, validated. */
interface Entry {
  name: string;
  dtype: DType;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Sets an own property even for the key "__proto__", which plain assignment would turn
 * into a prototype change: a tensor of that name would vanish instead of being kept.
 */
function setOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

/** A short rendering of a header value for messages: bounded in length, never recursive. */
function brief(v: unknown): string {
  if (Array.isArray(v)) {
    const items = v.slice(0, 8).map((x) => (Array.isArray(x) ? '[…]' : x !== null && typeof x === 'object' ? '{…}' : brief(x)));
    return `[${items.join(',')}${v.length > 8 ? `,… (${v.length} items)` : ''}]`;
  }
  if (v !== null && typeof v === 'object') {
    const name = (Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null)?.constructor?.name;
    return name && name !== 'Object' ? `a ${name}` : '{…}';
  }
  const s = typeof v === 'string' ? JSON.stringify(v) : typeof v === 'function' ? 'a function' : String(v);
  return s.length > 60 ? `${s.slice(0, 60)}…` : s;
}

function checkLimits(limits: SafetensorsLimits): Required<SafetensorsLimits> {
  if (limits === null || typeof limits !== 'object') throw new TypeError(`safetensors: limits must be an object, got ${brief(limits)}`);
  const out = { maxHeaderBytes: limits.maxHeaderBytes ?? DEFAULT_MAX_HEADER_BYTES, maxEntries: limits.maxEntries ?? DEFAULT_MAX_ENTRIES };
  for (const [k, v] of Object.entries(out)) {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1 || v > MAX_LIMIT) {
      throw new RangeError(`safetensors: ${k} must be an integer in [1, 2^50], got ${brief(v)}`);
    }
  }
  return out;
}

/**
 * Refuses, before the header is decoded or parsed, nesting deeper than a valid header has
 * and more members than `maxEntries` allows: a tensor entry is 4 members (its name, dtype,
 * shape, data_offsets) and a metadata key 1, so a valid file never has more than
 * 4·maxEntries + 1, nor more than maxEntries + 1 in one object.
 */
function scanHeader(bytes: Uint8Array, start: number, end: number, source: string, maxEntries: number): void {
  const bounds = { maxDepth: MAX_DEPTH, maxObjectMembers: maxEntries + 1, maxMembers: 4 * maxEntries + 1 };
  const v = scanJson(end - start, (i) => bytes[start + i], bounds);
  if (v === null) return;
  const at = `(stopped at header byte ${v.at})`;
  if (v.bound === 'maxDepth') throw new SafetensorsError(`${source}: header nests deeper than ${MAX_DEPTH} levels ${at}; a valid header is { name: { shape: [...] } }`);
  throw new SafetensorsError(`${source}: header holds more than ${maxEntries} tensors or metadata keys ${at}; raise maxEntries if the file is trusted`);
}

function checkMetadata(where: string, metadata: unknown, maxEntries = Infinity): Record<string, string> {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new SafetensorsError(`${where}: "${METADATA_KEY}" must be an object of strings, got ${brief(metadata)}`);
  }
  const out: Record<string, string> = {};
  const keys = Object.keys(metadata);
  if (keys.length > maxEntries) throw new SafetensorsError(`${where}: "${METADATA_KEY}" holds ${keys.length} keys, more than the ${maxEntries} allowed`);
  for (const k of keys) {
    const v = (metadata as Record<string, unknown>)[k];
    if (typeof v !== 'string') throw new SafetensorsError(`${where}: metadata value ${brief(k)} must be a string, got ${typeof v}`);
    setOwn(out, k, v);
  }
  return out;
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function checkEntry(where: string, name: string, info: unknown, dataBytes: number): Entry {
  const bad = (why: string) => new SafetensorsError(`${where}: tensor ${brief(name)}: ${why}`);
  if (info === null || typeof info !== 'object' || Array.isArray(info)) throw bad('entry must be an object with dtype, shape and data_offsets');
  const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
  if (typeof dtype !== 'string') throw bad('dtype is missing or not a string');
  if (!KNOWN_DTYPES.has(dtype)) throw bad(`unknown dtype ${brief(dtype)}`);
  const tensorDtype = TENSOR_DTYPE[dtype];
  if (!tensorDtype) throw bad(`dtype ${dtype} is not supported (tsgrad reads F32, I32 and BOOL)`);
  if (!Array.isArray(shape) || !shape.every(isCount)) throw bad(`shape must be an array of non-negative integers, got ${brief(shape)}`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    throw bad(`data_offsets must be [begin, end] with non-negative integers, got ${brief(offsets)}`);
  }
  const [begin, end] = offsets as number[];
  if (begin > end) throw bad(`data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataBytes) throw bad(`data_offsets [${begin}, ${end}] run past the end of the data (${dataBytes} bytes)`);
  // A zero anywhere makes the tensor empty, however large the other dimensions; otherwise
  // multiply step by step so a huge shape cannot overflow into a plausible number.
  let bytes = shape.includes(0) ? 0 : ELEMENT_BYTES[tensorDtype];
  for (const d of shape as number[]) {
    bytes *= d;
    if (bytes > dataBytes) throw bad(`shape ${brief(shape)} needs more bytes than the file holds`);
  }
  if (bytes !== end - begin) throw bad(`shape ${brief(shape)} needs ${bytes} bytes but data_offsets span ${end - begin}`);
  return { name, dtype: tensorDtype, shape: shape as number[], begin, end };
}

/** Reads little-endian values from an unaligned byte range, copying into fresh aligned memory. */
function readValues(dtype: DType, bytes: Uint8Array, start: number, end: number): HostArray {
  const out = newArray(dtype, (end - start) / ELEMENT_BYTES[dtype]);
  if (dtype === 'bool') {
    for (let i = 0; i < out.length; i++) out[i] = bytes[start + i] ? 1 : 0;
    return out;
  }
  if (LITTLE_ENDIAN_HOST) {
    // Not bytes.slice(): on a Node Buffer that is a view, not a copy.
    new Uint8Array(out.buffer).set(bytes.subarray(start, end));
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, end - start);
  for (let i = 0; i < out.length; i++) out[i] = dtype === 'float32' ? view.getFloat32(i * 4, true) : view.getInt32(i * 4, true);
  return out;
}

/** A header that passed every check, with where the data starts. */
interface ParsedHeader {
  entries: Entry[];
  metadata: Record<string, string>;
  dataStart: number;
}

/** Every check the format allows, without copying any tensor data. */
function parseHeader(bytes: Uint8Array, source: string, limits: SafetensorsLimits): ParsedHeader {
  const { maxHeaderBytes, maxEntries } = checkLimits(limits);
  if (bytes.length < 8) throw new SafetensorsError(`${source}: file is ${bytes.length} bytes, too short for the 8-byte header length`);
  const headerLen = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLen > BigInt(maxHeaderBytes)) {
    throw new SafetensorsError(`${source}: header length ${headerLen} exceeds the ${maxHeaderBytes}-byte limit (corrupt file?)`);
  }
  const n = Number(headerLen);
  if (8 + n > bytes.length) {
    throw new SafetensorsError(`${source}: header length ${n} runs past the end of the file (${bytes.length} bytes): truncated?`);
  }
  scanHeader(bytes, 8, 8 + n, source, maxEntries);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
  } catch {
    throw new SafetensorsError(`${source}: header is not valid UTF-8`);
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (err) {
    throw new SafetensorsError(`${source}: header is not valid JSON (${(err as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) {
    throw new SafetensorsError(`${source}: header must be a JSON object`);
  }
  const dataStart = 8 + n;
  const dataBytes = bytes.length - dataStart;
  let metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  // JSON.parse makes "__proto__" an own key like any other, so Object.keys sees it.
  for (const name of Object.keys(header)) {
    const info = (header as Record<string, unknown>)[name];
    if (name === METADATA_KEY) metadata = checkMetadata(source, info, maxEntries);
    else entries.push(checkEntry(source, name, info, dataBytes));
  }
  // The tensors must tile the data section: sorted by offset, each begins where the last ended.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of sorted) {
    if (e.begin < expected) throw new SafetensorsError(`${source}: tensor ${brief(e.name)} at [${e.begin}, ${e.end}] overlaps another tensor`);
    if (e.begin > expected) throw new SafetensorsError(`${source}: gap in the data before tensor ${brief(e.name)} (bytes ${expected}–${e.begin} belong to no tensor)`);
    expected = e.end;
  }
  if (expected !== dataBytes) {
    throw new SafetensorsError(`${source}: ${dataBytes - expected} trailing bytes after the last tensor (data section is ${dataBytes} bytes, tensors cover ${expected})`);
  }
  return { entries, metadata, dataStart };
}

/**
 * Parses and fully validates safetensors bytes; `source` names the file in error messages.
 * Cost is bounded by `limits`: one pass over the header bytes, JSON.parse of at most
 * 4·maxEntries + 1 members, then one copy of the tensor data.
 */
export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors', limits: SafetensorsLimits = {}): SafetensorsContents {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`decodeSafetensors: expected the file's bytes as a Uint8Array, got ${brief(bytes)}`);
  const { entries, metadata, dataStart } = parseHeader(bytes, source, limits);
  const tensors: Record<string, Tensor> = {};
  for (const e of entries) setOwn(tensors, e.name, new Tensor(readValues(e.dtype, bytes, dataStart + e.begin, dataStart + e.end), e.shape, { dtype: e.dtype }));
  return { tensors, metadata };
}

/** Serialises tensors (F32, I32, BOOL) and optional string metadata into safetensors bytes. */
export function encodeSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  // `{ __proto__: t }` written as a literal sets the prototype instead of adding a key.
  if (tensors !== null && typeof tensors === 'object' && Object.getPrototypeOf(tensors) instanceof Tensor) {
    throw new TypeError('saveTensors: the tensors object has a Tensor as its prototype (a literal { __proto__: t }?); define the key with Object.defineProperty or use another name');
  }
  if (tensors === null || typeof tensors !== 'object' || Array.isArray(tensors) || tensors instanceof Tensor) {
    throw new TypeError(`saveTensors: tensors must be an object of Tensors keyed by name, got ${tensors instanceof Tensor ? 'a Tensor' : brief(tensors)}`);
  }
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) setOwn(header, METADATA_KEY, checkMetadata('saveTensors', metadata));
  let offset = 0;
  const parts: [number, HostArray][] = [];
  for (const name of Object.keys(tensors)) {
    const t = tensors[name];
    if (name === METADATA_KEY) throw new SafetensorsError(`saveTensors: "${METADATA_KEY}" is reserved and cannot name a tensor`);
    if (!(t instanceof Tensor)) throw new TypeError(`saveTensors: ${brief(name)} is not a Tensor (got ${t === null ? 'null' : typeof t})`);
    const bytes = t.size * ELEMENT_BYTES[t.dtype];
    setOwn(header, name, { dtype: FILE_DTYPE[t.dtype], shape: [...t.shape], data_offsets: [offset, offset + bytes] });
    parts.push([offset, t.data]);
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLen = Math.ceil((8 + json.length) / 8) * 8 - 8; // pad so the data is 8-byte aligned
  let out: Uint8Array;
  try {
    out = new Uint8Array(8 + headerLen + offset);
  } catch {
    throw new SafetensorsError(`saveTensors: ${8 + headerLen + offset} bytes of tensors and header are more than one buffer can hold`);
  }
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLen), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen);
  const dataStart = 8 + headerLen;
  for (const [at, values] of parts) {
    if (LITTLE_ENDIAN_HOST) out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), dataStart + at);
    else if (values instanceof Float32Array) for (let i = 0; i < values.length; i++) view.setFloat32(dataStart + at + i * 4, values[i], true);
    else if (values instanceof Int32Array) for (let i = 0; i < values.length; i++) view.setInt32(dataStart + at + i * 4, values[i], true);
    else out.set(values, dataStart + at);
  }
  return out;
}

/**
 * Writes tensors to a safetensors file atomically (temporary file + rename). The bytes are
 * checked with the reader's own header validation first, so a file that could not be read
 * back never replaces a good one.
 */
export function saveTensors(tensors: Record<string, Tensor>, path: string, metadata?: Record<string, string>): void {
  if (typeof path !== 'string' || path === '') throw new TypeError(`saveTensors: path must be a file path, got ${brief(path)}`);
  const bytes = encodeSafetensors(tensors, metadata);
  parseHeader(bytes, `saveTensors: the encoding of ${path}`, { maxEntries: MAX_LIMIT });
  writeFileAtomic(path, bytes);
}

/** Reads and validates a whole safetensors file; throws SafetensorsError naming the fault. */
export function loadTensors(path: string, limits: SafetensorsLimits = {}): SafetensorsContents {
  if (typeof path !== 'string' || path === '') throw new TypeError(`loadTensors: path must be a file path, got ${brief(path)}`);
  checkLimits(limits);
  const fs = files('loadTensors', 'fetch the bytes and call tg.io.decodeSafetensors(bytes)');
  let bytes: Uint8Array;
  try {
    bytes = fs.readFile(path);
  } catch (err) {
    if ((err as Error).name === 'NodeOnlyError') throw err;
    // Node's message ("ENOENT: no such file or directory, open …") names the path but not
    // the call; keep its code so callers can still test for ENOENT.
    const e = err as Error & { code?: string };
    throw Object.assign(new SafetensorsError(`loadTensors: cannot read ${path}: ${e.message}`, { cause: err }), { code: e.code });
  }
  return decodeSafetensors(bytes, `safetensors file ${path}`, limits);
}
