/** Embedding: lookup values, scatter-added gradients, paddingIdx, and index errors. */
import { beforeEach, describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { gradcheck } from '../helpers/gradcheck.ts';

const { nn } = tg;
const F = nn.functional;
beforeEach(() => tg.manualSeed(2));

const ids = (v: number[][] | number[]) => tg.tensor(v, { dtype: 'int32' });

describe('Embedding', () => {
  it('row i of the weight for each index, any index shape', () => {
    const e = new nn.Embedding(4, 3);
    e.weight.data.set([0, 1, 2, 10, 11, 12, 20, 21, 22, 30, 31, 32]);
    expect(e.forward(ids([[3, 0], [1, 1]])).toArray()).toEqual([[[30, 31, 32], [0, 1, 2]], [[10, 11, 12], [10, 11, 12]]]);
    expect(e.forward(ids([2])).toArray()).toEqual([[20, 21, 22]]);
    expect(e.forward(tg.tensor(1, { dtype: 'int32' })).shape).toEqual([3]);
  });

  it('gradient: each row gets the sum of the output gradients of the positions that read it (hand-computed)', () => {
    const e = new nn.Embedding(5, 2);
    const out = e.forward(ids([[1, 3, 1], [1, 0, 3]]));
    // Output gradient: position (i, j) carries [i·3 + j, 1].
    const dy = tg.tensor([[[0, 1], [1, 1], [2, 1]], [[3, 1], [4, 1], [5, 1]]]);
    out.backward(dy);
    // Row 1 read at (0,0), (0,2), (1,0): 0 + 2 + 3 = 5; row 3 at (0,1), (1,2): 1 + 5 = 6; row 0 at (1,1): 4.
    expect(e.weight.grad!.toArray()).toEqual([[4, 1], [5, 3], [0, 0], [6, 2], [0, 0]]);
  });

  it('gradient of the weight matches central differences (repeated indices, a row never read)', () => {
    // No paddingIdx here: its zero gradient is PyTorch's convention, not the derivative.
    const indices = ids([[0, 3, 3], [2, 0, 3]]);
    gradcheck((w) => F.embedding(indices, w), [tg.randn([4, 3])]);
  });

  it('paddingIdx: the row starts at zero, is returned as stored, and gets no gradient', () => {
    const e = new nn.Embedding(4, 2, { paddingIdx: 2 });
    expect(Array.from(e.weight.data.subarray(4, 6))).toEqual([0, 0]);
    e.weight.data.set([7, 8], 4); // PyTorch returns whatever the row holds
    const out = e.forward(ids([2, 1, 2]));
    expect(out.toArray()).toEqual([[7, 8], Array.from(e.weight.data.subarray(2, 4)), [7, 8]]);
    out.sum().backward();
    expect(e.weight.grad!.toArray()).toEqual([[0, 0], [1, 1], [0, 0], [0, 0]]);
    expect(new nn.Embedding(4, 2, { paddingIdx: -1 }).paddingIdx).toBe(3);
  });

  it('out-of-range and non-integer indices are refused, naming the index and the table size', () => {
    const e = new nn.Embedding(5, 2);
    expect(() => e.forward(ids([1, 5]))).toThrow(/embedding: index 5 is out of range for 5 embeddings \(valid: 0 to 4\)/);
    expect(() => e.forward(ids([-1, 2]))).toThrow(/index -1 is out of range/);
    expect(() => e.forward(tg.tensor([1, 2]))).toThrow(/embedding: indices must be an int32 tensor, got float32/);
    expect(() => new nn.Embedding(5, 2, { paddingIdx: 5 })).toThrow(/paddingIdx must be an integer in \[-5, 4\]/);
    expect(() => new nn.Embedding(0, 2)).toThrow(/numEmbeddings must be an integer ≥ 1/);
    expect(() => F.embedding(ids([0]), tg.zeros([3]))).toThrow(/weight must be 2-D/);
  });

  it('is initialised from N(0, 1), as PyTorch', () => {
    const w = new nn.Embedding(1000, 20).weight.data;
    let s = 0, q = 0;
    for (const v of w) { s += v; q += v * v; }
    const mean = s / w.length, variance = q / w.length - mean * mean;
    expect(Math.abs(mean)).toBeLessThan(0.03); // 4σ of the mean of 20 000 draws is 0.028
    expect(Math.abs(variance - 1)).toBeLessThan(0.04);
  });
});
