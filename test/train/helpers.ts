/** Shared fixtures for the training tests: a small separable data set and float64 references. */
import { Tensor } from '../../src/tensor/tensor.ts';
import { manualSeed, randomNormal } from '../../src/tensor/random.ts';
import type { Dataset } from '../../src/data/dataset.ts';

/** n points in `dim` dimensions, 3 classes around three well-separated centres. */
export function blobs(n: number, dim = 4, seed = 0): Dataset {
  manualSeed(seed);
  const x = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    labels[i] = c;
    for (let d = 0; d < dim; d++) x[i * dim + d] = (d % 3 === c ? 2 : 0) + 0.7 * randomNormal();
  }
  return { images: new Tensor(x, [n, dim]), labels };
}

/** Mean cross-entropy and accuracy of a linear classifier W x + b over a data set, in float64. */
export function linearReference(w: Float32Array, b: Float32Array, ds: Dataset): { loss: number; accuracy: number } {
  const [n, dim] = ds.images.shape;
  const classes = b.length;
  const x = ds.images.data;
  let loss = 0, correct = 0;
  for (let i = 0; i < n; i++) {
    const z: number[] = [];
    for (let c = 0; c < classes; c++) {
      let s = b[c];
      for (let d = 0; d < dim; d++) s += w[c * dim + d] * x[i * dim + d];
      z.push(s);
    }
    const m = Math.max(...z);
    const lse = m + Math.log(z.reduce((a, v) => a + Math.exp(v - m), 0));
    loss += lse - z[ds.labels[i]];
    const arg = z.indexOf(m);
    if (arg === ds.labels[i]) correct++;
  }
  return { loss: loss / n, accuracy: correct / n };
}

/** A writable that records what is written, posing as a terminal or not. */
export function recorder(isTTY: boolean): { write(s: string): boolean; isTTY: boolean; columns: number; text: string } {
  return {
    isTTY,
    columns: 120,
    text: '',
    write(s: string) {
      this.text += s;
      return true;
    },
  };
}
