import { files, gunzip } from '#platform';
import { DataFormatError, DatasetMissingError, describeValue } from './errors.ts';
import type { RawImageSet } from './types.ts';

/**
 * Reader for the IDX format used by MNIST (http://yann.lecun.com/exdb/mnist/):
 * a 4-byte magic `00 00 TYPE NDIMS`, NDIMS big-endian uint32 sizes, then the
 * elements in row-major order. Files may be gzipped, as the mirrors ship them.
 */

/** A decoded IDX array of unsigned bytes. */
export interface IdxArray {
  /** Sizes of each dimension, outermost first. */
  dims: number[];
  /** The elements, row-major; length is the product of `dims`. */
  data: Uint8Array;
}

/** Element type codes from the IDX spec, for naming the unsupported ones in errors. */
const IDX_TYPES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'int16',
  0x0c: 'int32',
  0x0d: 'float32',
  0x0e: 'float64',
};

const UBYTE = 0x08;

/** True when `bytes` starts with the gzip magic number 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

const hex = (n: number): string => `0x${n.toString(16).padStart(2, '0')}`;

/** Options for reading IDX files. */
export interface IdxReadOptions {
  /**
   * Largest IDX file accepted, in bytes after gunzip (header plus payload). Checked against
   * the header's dims before the payload is inflated, so a small gzip bomb costs no more
   * than its header admits. Default {@link DEFAULT_MAX_IDX_BYTES}.
   */
  maxBytes?: number;
}

/** 1 GiB: the largest public IDX file (EMNIST byclass training images) is 0.55 GB. */
export const DEFAULT_MAX_IDX_BYTES = 2 ** 30;

/**
 * Compressed bytes inflated to read the header: enough for a gzip header with a file name
 * and a 255-dimension IDX header even when stored uncompressed, and at deflate's maximum
 * ratio (1032:1) no more than 4.3 MB out.
 */
const HEAD_PREFIX = 4096;

/** A checked IDX header: the dims and what the whole file must then measure. */
interface IdxHeader {
  dims: number[];
  headerLength: number;
  /** Header plus payload, in bytes; may exceed 2^53 for absurd dims (then only "too big" matters). */
  totalBytes: number;
}

function checkMaxBytes(options: IdxReadOptions): number {
  if (options === null || typeof options !== 'object') throw new TypeError(`readIdx: options must be an object, got ${options === null ? 'null' : typeof options}`);
  const max = options.maxBytes ?? DEFAULT_MAX_IDX_BYTES;
  if (typeof max !== 'number' || !Number.isSafeInteger(max) || max < 4) {
    throw new RangeError(`readIdx: maxBytes must be an integer of at least 4, got ${String(max)}`);
  }
  return max;
}

/** Reads the magic number and dims; throws naming `source` unless they are a ubyte IDX header. */
function readIdxHeader(bytes: Uint8Array, source: string): IdxHeader {
  if (bytes.length < 4) {
    throw new DataFormatError(source, `IDX file too short: expected at least a 4-byte magic number, found ${bytes.length} bytes`);
  }
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    const found = Array.from(bytes.subarray(0, 4), hex).join(' ');
    throw new DataFormatError(source, `not an IDX file: expected magic 0x00 0x00 <type> <ndims>, found ${found}`);
  }
  const type = bytes[2]!;
  const ndims = bytes[3]!;
  if (type !== UBYTE) {
    const name = IDX_TYPES[type] ?? 'unknown';
    throw new DataFormatError(source, `unsupported IDX element type ${hex(type)} (${name}): expected 0x08 (unsigned byte)`);
  }
  if (ndims === 0) {
    throw new DataFormatError(source, 'IDX header declares 0 dimensions: expected at least 1');
  }
  const headerLength = 4 + 4 * ndims;
  if (bytes.length < headerLength) {
    throw new DataFormatError(
      source,
      `truncated IDX header: expected ${headerLength} bytes for ${ndims} dimensions, found ${bytes.length}`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < ndims; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    count *= d;
  }
  return { dims, headerLength, totalBytes: headerLength + count };
}

function refuseTooLarge(source: string, h: IdxHeader, maxBytes: number): void {
  if (h.totalBytes > maxBytes) {
    throw new DataFormatError(
      source,
      `IDX header declares dims [${h.dims.join(',')}], ${h.totalBytes} bytes, more than the maxBytes limit of ${maxBytes} (pass { maxBytes } to read a larger trusted file)`,
    );
  }
}

/**
 * Decode an IDX byte buffer (already gunzipped). `source` names the file in errors.
 * The payload must match the header exactly: trailing bytes mean the header lies
 * as surely as missing ones do.
 */
export function decodeIdx(bytes: Uint8Array, source: string, options: IdxReadOptions = {}): IdxArray {
  const maxBytes = checkMaxBytes(options);
  const h = readIdxHeader(bytes, source);
  refuseTooLarge(source, h, maxBytes);
  const payload = bytes.length - h.headerLength;
  const count = h.totalBytes - h.headerLength;
  if (payload !== count) {
    throw new DataFormatError(
      source,
      `IDX payload size mismatch: dims [${h.dims.join(',')}] need ${count} bytes after the ${h.headerLength}-byte header, found ${payload}`,
    );
  }
  return { dims: h.dims, data: bytes.subarray(h.headerLength) };
}

/** zlib's own message ("unexpected end of file") would not say which file. */
const corruptGzip = (path: string, err: unknown) => new DataFormatError(path, `corrupt or truncated gzip stream: ${(err as Error).message}`);

/**
 * Gunzips an IDX file without trusting it: inflates the first few KB to read the header,
 * refuses dims larger than `maxBytes`, then inflates the whole stream with the header's
 * size as a hard cap, so zlib stops as soon as the output outgrows what the header declares.
 */
function inflateIdx(gz: Uint8Array, path: string, maxBytes: number): Uint8Array {
  let head: Uint8Array;
  try {
    head = gunzip(gz.subarray(0, HEAD_PREFIX), Infinity, 'parseIdx (of gzipped bytes)', { partial: true });
  } catch (err) {
    if ((err as Error).name === 'NodeOnlyError') throw err;
    throw corruptGzip(path, err);
  }
  // Inflating a prefix of a longer stream yet falling short of the IDX header means
  // the gzip header's own fields (name, comment, extra) fill the prefix.
  const headComplete = head.length >= 4 && head.length >= 4 + 4 * head[3]!;
  if (!headComplete && gz.length > HEAD_PREFIX) {
    throw new DataFormatError(path, `gzip stream: the IDX header is not within the first ${HEAD_PREFIX} compressed bytes (oversized gzip header fields?)`);
  }
  const h = readIdxHeader(head, path);
  refuseTooLarge(path, h, maxBytes);
  try {
    return gunzip(gz, h.totalBytes, 'parseIdx');
  } catch (err) {
    if (err instanceof RangeError) {
      throw new DataFormatError(path, `gzip stream inflates to more than the ${h.totalBytes} bytes its IDX header declares (dims [${h.dims.join(',')}]); refused after inflating ${h.totalBytes} bytes`);
    }
    throw corruptGzip(path, err);
  }
}

/**
 * An IDX array from bytes, plain or gzipped (detected by the magic bytes); `source` names
 * the file in errors. Memory is bounded by the input plus `options.maxBytes` (default 1 GiB).
 * Gzipped bytes need Node: in a browser, decompress them first.
 */
export function parseIdx(bytes: Uint8Array, source = 'parseIdx', options: IdxReadOptions = {}): IdxArray {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`parseIdx: expected the file's bytes as a Uint8Array, got ${describeValue(bytes)}`);
  }
  const maxBytes = checkMaxBytes(options);
  return decodeIdx(isGzip(bytes) ? inflateIdx(bytes, source, maxBytes) : bytes, source, { maxBytes });
}

/**
 * Read an IDX file from disk, plain or gzipped (detected by its magic bytes, not its name).
 * Memory is bounded by the file's size plus `options.maxBytes` (default 1 GiB).
 */
export function readIdxFile(path: string, options: IdxReadOptions = {}): IdxArray {
  checkMaxBytes(options);
  if (typeof path !== 'string' || path === '') throw new TypeError(`loadIdx: path must be a file path, got ${describeValue(path)}`);
  const fs = files('loadIdx', 'fetch the bytes and call tg.data.parseIdx(bytes)');
  let bytes: Uint8Array;
  try {
    bytes = fs.readFile(path);
  } catch (err) {
    const e = err as Error & { code?: string };
    if (e.code === 'ENOENT') throw new DatasetMissingError([path], `loadIdx: no IDX file at ${path}`);
    throw Object.assign(new DataFormatError(path, `loadIdx: cannot read the file: ${e.message}`), { code: e.code });
  }
  return parseIdx(bytes, path, options);
}

/**
 * Read an IDX image file ([N, rows, cols]) and its IDX label file ([N]) into a
 * RawImageSet with shape [N, 1, rows, cols] and pixels scaled to [0, 1].
 */
export function loadIdxRaw(imagesPath: string, labelsPath: string, options: IdxReadOptions = {}): RawImageSet {
  return idxImageSet(readIdxFile(imagesPath, options), readIdxFile(labelsPath, options), 'loadIdx', imagesPath, labelsPath);
}

/**
 * An IDX image array ([N, rows, cols]) and its label array ([N]) as a RawImageSet with shape
 * [N, 1, rows, cols] and pixels scaled to [0, 1]. Errors name `caller` and the sources.
 */
export function idxImageSet(
  img: IdxArray, lab: IdxArray, caller: string, imagesPath = 'images', labelsPath = 'labels',
): RawImageSet {
  if (img.dims.length !== 3) {
    throw new DataFormatError(
      imagesPath,
      `${caller}: images must be 3-D [N, rows, cols], found ${img.dims.length}-D [${img.dims.join(',')}]`,
    );
  }
  if (lab.dims.length !== 1) {
    throw new DataFormatError(labelsPath, `${caller}: labels must be 1-D [N], found ${lab.dims.length}-D [${lab.dims.join(',')}]`);
  }
  const [n, rows, cols] = img.dims as [number, number, number];
  if (lab.dims[0] !== n) {
    throw new DataFormatError(
      labelsPath,
      `${caller}: label count ${lab.dims[0]} does not match image count ${n} in ${imagesPath}`,
    );
  }
  const images = new Float32Array(img.data.length);
  // Divide rather than multiply by 1/255 so every pixel is the correctly rounded
  // float32 of k/255, the same value PyTorch's ToTensor produces.
  for (let i = 0; i < images.length; i++) images[i] = img.data[i]! / 255;
  return { images, shape: [n, 1, rows, cols], labels: Int32Array.from(lab.data) };
}
