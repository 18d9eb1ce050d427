/**
 * The safetensors format (https://github.com/huggingface/safetensors), F32 tensors only.
 *
 * Layout: 8 bytes holding the header length n as a little-endian u64, then n bytes of JSON
 * `{ name: { dtype, shape, data_offsets: [begin, end] }, "__metadata__"?: { key: string } }`,
 * then the tensor bytes; offsets count from the first byte after the header. The writer
 * pads the header with spaces so the data starts 8-byte aligned. The reader checks
 * everything the reference implementation checks — sizes, bounds, and that the tensors
 * tile the data section exactly, with no overlap, gap or trailing bytes — before it builds
 * a single tensor, so a bad file costs an error and nothing else.
 */
import { files } from '#platform';
import { Tensor } from '../tensor/tensor.ts';
import { fmtShape } from '../tensor/errors.ts';
import { sizeOf } from '../tensor/shape.ts';
import { SafetensorsError } from './errors.ts';
import { writeFileAtomic } from './atomic.ts';

/** Tensors by name, plus the file's free-form string metadata. */
export interface SafetensorsContents {
  /** The stored tensors, by name. */
  tensors: Record<string, Tensor>;
  /** The header's `__metadata__` strings (empty when the file has none). */
  metadata: Record<string, string>;
}

/** The reference implementation's limit; anything larger is a corrupt length field. */
const MAX_HEADER_BYTES = 100_000_000;
const METADATA_KEY = '__metadata__';
const KNOWN_DTYPES = new Set(['BOOL', 'U8', 'I8', 'F8_E5M2', 'F8_E4M3', 'I16', 'U16', 'F16', 'BF16', 'I32', 'U32', 'F32', 'F64', 'I64', 'U64']);
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** One tensor's entry in the header, validated. */
interface Entry {
  name: string;
  shape: number[];
  begin: number;
  end: number;
}

function checkMetadata(where: string, metadata: unknown): Record<string, string> {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new SafetensorsError(`${where}: "${METADATA_KEY}" must be an object of strings`);
  }
  for (const [k, v] of Object.entries(metadata)) {
    if (typeof v !== 'string') throw new SafetensorsError(`${where}: metadata value "${k}" must be a string, got ${typeof v}`);
  }
  return { ...(metadata as Record<string, string>) };
}

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

function checkEntry(where: string, name: string, info: unknown, dataBytes: number): Entry {
  const bad = (why: string) => new SafetensorsError(`${where}: tensor "${name}": ${why}`);
  if (info === null || typeof info !== 'object' || Array.isArray(info)) throw bad('entry must be an object with dtype, shape and data_offsets');
  const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
  if (typeof dtype !== 'string') throw bad('dtype is missing or not a string');
  if (!KNOWN_DTYPES.has(dtype)) throw bad(`unknown dtype ${JSON.stringify(dtype)}`);
  if (dtype !== 'F32') throw bad(`dtype ${dtype} is not supported (tsgrad reads F32 only)`);
  if (!Array.isArray(shape) || !shape.every(isCount)) throw bad(`shape must be an array of non-negative integers, got ${JSON.stringify(shape)}`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    throw bad(`data_offsets must be [begin, end] with non-negative integers, got ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as number[];
  if (begin > end) throw bad(`data_offsets [${begin}, ${end}] end before they begin`);
  if (end > dataBytes) throw bad(`data_offsets [${begin}, ${end}] run past the end of the data (${dataBytes} bytes)`);
  // Multiply step by step so a huge shape cannot overflow into a plausible number.
  let bytes = 4;
  for (const d of shape as number[]) {
    bytes *= d;
    if (bytes > dataBytes) throw bad(`shape ${fmtShape(shape as number[])} needs more bytes than the file holds`);
  }
  if (bytes !== end - begin) throw bad(`shape ${fmtShape(shape as number[])} needs ${bytes} bytes but data_offsets span ${end - begin}`);
  return { name, shape: shape as number[], begin, end };
}

/** Reads F32 values from an unaligned byte range, copying into fresh aligned memory. */
function readF32(bytes: Uint8Array, start: number, end: number): Float32Array {
  if (LITTLE_ENDIAN_HOST) {
    // Not bytes.slice(): on a Node Buffer that is a view, not a copy.
    const copy = new Uint8Array(end - start);
    copy.set(bytes.subarray(start, end));
    return new Float32Array(copy.buffer);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + start, end - start);
  const out = new Float32Array((end - start) / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** Parses and fully validates safetensors bytes; `source` names the file in error messages. */
export function decodeSafetensors(bytes: Uint8Array, source = 'safetensors'): SafetensorsContents {
  if (bytes.length < 8) throw new SafetensorsError(`${source}: file is ${bytes.length} bytes, too short for the 8-byte header length`);
  const headerLen = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLen > BigInt(MAX_HEADER_BYTES)) {
    throw new SafetensorsError(`${source}: header length ${headerLen} exceeds the ${MAX_HEADER_BYTES}-byte limit (corrupt file?)`);
  }
  const n = Number(headerLen);
  if (8 + n > bytes.length) {
    throw new SafetensorsError(`${source}: header length ${n} runs past the end of the file (${bytes.length} bytes): truncated?`);
  }
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
  for (const [name, info] of Object.entries(header)) {
    if (name === METADATA_KEY) metadata = checkMetadata(source, info);
    else entries.push(checkEntry(source, name, info, dataBytes));
  }
  // The tensors must tile the data section: sorted by offset, each begins where the last ended.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expected = 0;
  for (const e of sorted) {
    if (e.begin < expected) throw new SafetensorsError(`${source}: tensor "${e.name}" at [${e.begin}, ${e.end}] overlaps another tensor`);
    if (e.begin > expected) throw new SafetensorsError(`${source}: gap in the data before tensor "${e.name}" (bytes ${expected}–${e.begin} belong to no tensor)`);
    expected = e.end;
  }
  if (expected !== dataBytes) {
    throw new SafetensorsError(`${source}: ${dataBytes - expected} trailing bytes after the last tensor (data section is ${dataBytes} bytes, tensors cover ${expected})`);
  }
  const tensors: Record<string, Tensor> = {};
  for (const e of entries) tensors[e.name] = new Tensor(readF32(bytes, dataStart + e.begin, dataStart + e.end), e.shape);
  return { tensors, metadata };
}

/** Serialises tensors (F32) and optional string metadata into safetensors bytes. */
export function encodeSafetensors(tensors: Record<string, Tensor>, metadata?: Record<string, string>): Uint8Array {
  const header: Record<string, unknown> = {};
  if (metadata !== undefined) header[METADATA_KEY] = checkMetadata('saveTensors', metadata);
  let offset = 0;
  const parts: [number, Float32Array][] = [];
  for (const [name, t] of Object.entries(tensors)) {
    if (name === METADATA_KEY) throw new SafetensorsError(`saveTensors: "${METADATA_KEY}" is reserved and cannot name a tensor`);
    if (!(t instanceof Tensor)) throw new TypeError(`saveTensors: "${name}" is not a Tensor`);
    const bytes = t.size * 4;
    header[name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + bytes] };
    parts.push([offset, t.data]);
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLen = Math.ceil((8 + json.length) / 8) * 8 - 8; // pad so the data is 8-byte aligned
  const out = new Uint8Array(8 + headerLen + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerLen), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerLen);
  const dataStart = 8 + headerLen;
  for (const [at, values] of parts) {
    if (LITTLE_ENDIAN_HOST) out.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), dataStart + at);
    else for (let i = 0; i < values.length; i++) view.setFloat32(dataStart + at + i * 4, values[i], true);
  }
  return out;
}

/** Writes tensors to a safetensors file atomically (temporary file + rename). */
export function saveTensors(tensors: Record<string, Tensor>, path: string, metadata?: Record<string, string>): void {
  writeFileAtomic(path, encodeSafetensors(tensors, metadata));
}

/** Reads and validates a whole safetensors file; throws SafetensorsError naming the fault. */
export function loadTensors(path: string): SafetensorsContents {
  const bytes = files('loadTensors', 'fetch the bytes and call tg.io.decodeSafetensors(bytes)').readFile(path);
  return decodeSafetensors(bytes, `safetensors file ${path}`);
}
