import { files, gunzip } from '#platform';
import { DataFormatError } from './errors.ts';
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

/**
 * Decode an IDX byte buffer (already gunzipped). `source` names the file in errors.
 * The payload must match the header exactly: trailing bytes mean the header lies
 * as surely as missing ones do.
 */
export function decodeIdx(bytes: Uint8Array, source: string): IdxArray {
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
  const payload = bytes.length - headerLength;
  if (payload !== count) {
    throw new DataFormatError(
      source,
      `IDX payload size mismatch: dims [${dims.join(',')}] need ${count} bytes after the ${headerLength}-byte header, found ${payload}`,
    );
  }
  return { dims, data: bytes.subarray(headerLength) };
}

/** Largest IDX payload inflated from gzip; MNIST's biggest file is 47 MB. */
const MAX_INFLATED_BYTES = 1 << 30;

/**
 * An IDX array from bytes, plain or gzipped (detected by the magic bytes); `source` names
 * the file in errors. Gzipped bytes need Node: in a browser, decompress them first.
 */
export function parseIdx(bytes: Uint8Array, source = 'parseIdx'): IdxArray {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`parseIdx: expected the file's bytes as a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
  }
  if (isGzip(bytes)) {
    try {
      bytes = gunzip(bytes, MAX_INFLATED_BYTES, 'parseIdx (of gzipped bytes)');
    } catch (err) {
      if ((err as Error).name === 'NodeOnlyError') throw err;
      // zlib's own message ("unexpected end of file") would not say which file.
      throw new DataFormatError(source, `corrupt or truncated gzip stream: ${(err as Error).message}`);
    }
  }
  return decodeIdx(bytes, source);
}

/** Read an IDX file from disk, plain or gzipped (detected by its magic bytes, not its name). */
export function readIdxFile(path: string): IdxArray {
  const bytes = files('loadIdx', 'fetch the bytes and call tg.data.parseIdx(bytes)').readFile(path);
  return parseIdx(bytes, path);
}

/**
 * Read an IDX image file ([N, rows, cols]) and its IDX label file ([N]) into a
 * RawImageSet with shape [N, 1, rows, cols] and pixels scaled to [0, 1].
 */
export function loadIdxRaw(imagesPath: string, labelsPath: string): RawImageSet {
  return idxImageSet(readIdxFile(imagesPath), readIdxFile(labelsPath), 'loadIdx', imagesPath, labelsPath);
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
