/**
 * Bad input is refused before anything runs, with messages that name the op and the axes,
 * dtypes, shapes or values at fault — the same on every backend.
 */
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { forEachBackend } from '../helpers/backends.ts';

const { ops } = tg;
const int = (v: number[]) => tg.tensor(v, { dtype: 'int32' });
/** Plain JS values where a tensor or number belongs, as an untyped caller would pass them. */
const js = (v: unknown) => v as tg.Tensor;

forEachBackend('errors.test.ts', () => {
  describe('axes', () => {
    it('out-of-range axes name the op, the axis and the number of dimensions', () => {
      const x = tg.ones([2, 3]);
      expect(() => x.sum(2)).toThrow('sum: axis 2 is out of range for a tensor with 2 dimension(s)');
      expect(() => x.mean(-3)).toThrow(/mean: axis -3 is out of range/);
      expect(() => x.softmax(-3)).toThrow(tg.AxisError);
      expect(() => x.max(5)).toThrow(/max: axis 5/);
      expect(() => x.argmax(2)).toThrow(/argmax: axis 2/);
      expect(() => x.transpose(0, 3)).toThrow(/transpose: axis 3/);
      expect(() => x.squeeze(2)).toThrow(/squeeze: axis 2/);
      expect(() => x.unsqueeze(3)).toThrow(/unsqueeze: axis 3 is out of range for a tensor with 3 dimension/);
      expect(() => tg.cat([x, x], 2)).toThrow(/cat: axis 2/);
      expect(() => tg.stack([x, x], -4)).toThrow(/stack: axis -4/);
      expect(() => x.narrow(2, 0, 1)).toThrow(/narrow: axis 2/);
      expect(() => x.split(1, 5)).toThrow(/split: axis 5/);
      expect(() => x.logsumexp(1.5)).toThrow(/logsumexp: axis 1.5/);
    });

    it('repeated axes, non-integer axis lists, and bad permutations', () => {
      const x = tg.ones([2, 3, 4]);
      expect(() => x.sum([1, 1])).toThrow('sum: repeated axis in [1,1]');
      expect(() => x.var([0, -3])).toThrow(/var: repeated axis/);
      expect(() => x.sum(js('1') as unknown as number)).toThrow(/sum: axis must be a number or an array of numbers, got '1'/);
      expect(() => x.max(js([0, 1]) as unknown as number)).toThrow(/max: axis must be a single integer/);
      expect(() => x.permute(0, 1)).toThrow('permute: [0,1] is not a permutation of the 3 dimensions of [2,3,4]');
      expect(() => x.permute(0, 1, 1)).toThrow(/is not a permutation/);
      expect(() => x.flatten(2, 1)).toThrow(/flatten: startDim 2 comes after endDim 1/);
    });
  });

  describe('dtypes', () => {
    it('float-only ops refuse int32 and bool tensors and say how to convert', () => {
      expect(() => int([1, 2]).matmul(int([3, 4]))).toThrow("matmul: a must be float32, got int32 (convert with .cast('float32'))");
      expect(() => tg.ones([2]).matmul(int([3, 4]))).toThrow(/matmul: b must be float32, got int32/);
      expect(() => int([1]).softmax()).toThrow(/softmax: x must be float32, got int32/);
      expect(() => int([1]).mean()).toThrow(/mean: expects a float32 tensor, got int32/);
      expect(() => tg.tensor([true]).var()).toThrow(/var: expects a float32 tensor, got bool/);
      expect(() => ops.linear(int([1, 2]), tg.ones([3, 2]))).toThrow(/linear: x must be float32/);
      expect(() => ops.conv2d(tg.zeros([1, 1, 3, 3], { dtype: 'int32' }), tg.ones([1, 1, 2, 2]))).toThrow(/conv2d: x must be float32/);
      expect(() => ops.mseLoss(int([1]), tg.ones([1]))).toThrow(/mseLoss: prediction must be float32/);
      expect(() => tg.tensor([true]).neg()).toThrow(/neg: negating a bool tensor is not defined/);
      expect(() => int([2]).pow(-1)).toThrow('pow: integer tensors cannot be raised to the negative power -1 (cast to float32 first)');
    });

    it('gradients only for float32; conditions and masks must be bool; indices int32', () => {
      expect(() => tg.tensor([1], { dtype: 'int32', requiresGrad: true })).toThrow('requiresGrad: only float32 tensors can require gradients, this one is int32');
      expect(() => { int([1]).requiresGrad = true; }).toThrow(tg.DTypeError);
      const x = tg.ones([2]);
      expect(() => tg.where(tg.ones([2]), x, x)).toThrow('where: cond must be a bool tensor (e.g. from x.gt(0)), got float32');
      expect(() => tg.where(int([1, 0]), x, x)).toThrow(/where: cond must be a bool tensor/);
      expect(() => x.maskedFill(tg.ones([2]), 0)).toThrow(/maskedFill: mask must be a bool tensor/);
      expect(() => x.gather(0, tg.tensor([0, 1]))).toThrow('gather: index must be an int32 tensor, got float32');
      expect(() => x.indexSelect(0, tg.tensor([true]))).toThrow(/indexSelect: indices must be an int32 tensor, got bool/);
      expect(() => ops.crossEntropy(tg.ones([2, 3]), tg.tensor([0, 1]))).toThrow(/crossEntropy: labels must be an int32 tensor, got float32/);
      expect(() => x.cast(js('float64') as unknown as 'float32')).toThrow(/cast: dtype must be one of float32, int32, bool, got float64/);
      expect(() => tg.ones([1], { requiresGrad: true }).mul(2).backward(int([1]))).toThrow('backward: gradOutput must be float32, got int32');
    });
  });

  describe('shapes', () => {
    it('broadcast mismatches name both shapes', () => {
      expect(() => tg.ones([2, 3]).add(tg.ones([4]))).toThrow('add: shapes [2,3] and [4] cannot be broadcast together');
      expect(() => tg.ones([2, 3]).mul(tg.ones([3, 2]))).toThrow('mul: shapes [2,3] and [3,2] cannot be broadcast together');
      expect(() => tg.maximum(tg.ones([2]), tg.ones([3]))).toThrow(/maximum: shapes \[2\] and \[3\]/);
      expect(() => tg.where(tg.tensor([true, false]), tg.ones([3]), 0)).toThrow(/where: shapes \[2\] and \[3\]/);
      expect(() => tg.ones([2, 3]).eq(tg.ones([2]))).toThrow(/eq: shapes \[2,3\] and \[2\]/);
      expect(() => tg.ones([3]).maskedFill(tg.tensor([[true], [false]]), 0)).toThrow('maskedFill: mask [2,1] must broadcast to x [3] without growing it');
    });

    it('matmul, reshape, expand, cat, stack, gather, split and the layers name the shapes at fault', () => {
      expect(() => tg.ones([2, 3]).matmul(tg.ones([4, 5]))).toThrow('matmul: inner dimensions differ: [2,3] @ [4,5]');
      expect(() => tg.ones([3]).matmul(tg.ones([4]))).toThrow('matmul: inner dimensions differ: [3] @ [4]');
      expect(() => tg.ones([2, 3, 4]).matmul(tg.ones([3, 4, 5]))).toThrow('matmul: batch sizes differ and do not broadcast: [2,3,4] @ [3,4,5]');
      expect(() => tg.ones([]).matmul(tg.ones([2]))).toThrow(/matmul: operands need at least one dimension/);
      expect(() => tg.ones([2, 3]).reshape([4, 2])).toThrow('reshape: cannot reshape [2,3] (6 elements) to [4,2]');
      expect(() => tg.ones([2, 3]).reshape([-1, -1])).toThrow(/only one dimension can be -1/);
      expect(() => tg.zeros([2, 0]).reshape([0, -1])).toThrow(/reshape: cannot reshape \[2,0\]/);
      expect(() => tg.ones([3, 2]).expand([3, 4])).toThrow('expand: cannot expand [3,2] to [3,4] (only length-1 dimensions stretch)');
      expect(() => tg.ones([2, 3]).expand([3])).toThrow(/expand: cannot expand \[2,3\] to \[3\]/);
      expect(() => tg.cat([tg.ones([2, 3]), tg.ones([2, 4])], 0)).toThrow('cat: shapes [2,3], [2,4] differ outside dimension 0');
      expect(() => tg.stack([tg.ones([2]), tg.ones([3])])).toThrow('stack: all tensors must have one shape, got [2], [3]');
      expect(() => tg.ones([2, 3]).gather(1, tg.zeros([3, 1], { dtype: 'int32' }))).toThrow(/gather: index \[3,1\] must have the 2 dimensions of x \[2,3\]/);
      expect(() => tg.ones([2, 3]).indexSelect(0, tg.zeros([1, 1], { dtype: 'int32' }))).toThrow('indexSelect: indices must be 1-D, got [1,1]');
      expect(() => tg.ones([5]).split([2, 2])).toThrow('split: sizes [2,2] must be non-negative integers adding up to 5, dimension 0 of [5]');
      expect(() => tg.ones([5]).split(0)).toThrow(/split: size must be a positive integer, got 0/);
      expect(() => tg.ones([5]).chunk(0)).toThrow(/chunk: chunks must be a positive integer/);
      expect(() => tg.ones([2]).repeat(2, -1)).toThrow(/repeat: needs one non-negative count per dimension/);
      expect(() => tg.ones([2, 3]).repeat(2)).toThrow(/repeat: needs one non-negative count per dimension of \[2,3\]/);
      expect(() => ops.linear(tg.ones([2, 3]), tg.ones([4, 5]))).toThrow('linear: input [2,3] must end in 5 features to match weight [4,5]');
      expect(() => ops.conv2d(tg.ones([1, 2, 5, 5]), tg.ones([3, 4, 3, 3]))).toThrow('conv2d: input has 2 channels but weight [3,4,3,3] expects 4: input [1,2,5,5]');
      expect(() => ops.maxPool2d(tg.ones([1, 1, 2, 2]), 3)).toThrow(/maxPool2d: kernel 3 is larger than the input plane 2x2/);
      expect(() => ops.mseLoss(tg.ones([3, 1]), tg.ones([3]))).toThrow('mseLoss: prediction [3,1] and target [3] must have the same shape');
      expect(() => ops.crossEntropy(tg.ones([2, 3]), [0, 1, 2])).toThrow(/crossEntropy: got 3 labels \[3\] for a batch of 2/);
      expect(() => tg.ones([2, 3]).item()).toThrow('item: only a one-element tensor converts to a number, got shape [2,3]');
    });
  });

  describe('out-of-range indices and values', () => {
    it('indices outside a dimension are refused, never read', () => {
      const x = tg.ones([2, 3]);
      expect(() => x.indexSelect(1, int([0, 3]))).toThrow('indexSelect: index 3 is out of range for dimension 1 of [2,3] of size 3');
      expect(() => x.indexSelect(0, int([-1]))).toThrow(/indexSelect: index -1 is out of range/);
      expect(() => x.gather(0, tg.tensor([[2, 0, 0]], { dtype: 'int32' }))).toThrow(/gather: index 2 is out of range for dimension 0 of \[2,3\] of size 2/);
      expect(() => x.select(1, 3)).toThrow('select: index 3 is out of range for dimension 1 of [2,3]');
      expect(() => x.select(0, -3)).toThrow(/select: index -3 is out of range/);
      expect(() => x.narrow(1, 2, 2)).toThrow('narrow: start 2 and length 2 do not fit dimension 1 of [2,3]');
      expect(() => x.narrow(1, -4, 1)).toThrow(/narrow: start -4/);
      expect(() => ops.crossEntropy(x, [0, 3])).toThrow('crossEntropy: label 1 is 3, outside the 3 classes [0, 2]');
      expect(() => ops.nllLoss(x, [0, 1.5])).toThrow(/nllLoss: label 1 is 1.5, not a whole number/);
    });

    it('bad option values', () => {
      const x = tg.ones([2, 3]);
      expect(() => x.clamp()).toThrow('clamp: give at least one of min and max');
      expect(() => ops.dropout(x, 1.5)).toThrow(/dropout: p must be a probability in \[0, 1\], got 1.5/);
      expect(() => ops.crossEntropy(x, [0, 1], { labelSmoothing: 2 })).toThrow(/labelSmoothing must be in \[0, 1\], got 2/);
      expect(() => ops.mseLoss(x, x, { reduction: js('avg') as unknown as 'mean' })).toThrow(/mseLoss: reduction must be one of 'mean', 'sum', 'none', got 'avg'/);
      expect(() => x.gelu({ approximate: js('fast') as unknown as 'tanh' })).toThrow(/gelu: approximate must be one of 'none', 'tanh'/);
      expect(() => ops.binaryCrossEntropy(tg.tensor([0.5, 1.5]), tg.tensor([0, 1]))).toThrow(/binaryCrossEntropy: prediction 1 is 1.5; probabilities and targets must lie in \[0, 1\]/);
      expect(() => ops.conv2d(tg.ones([1, 1, 3, 3]), tg.ones([1, 1, 2, 2]), null, { stride: 0 })).toThrow(/conv2d: stride must be an integer ≥ 1, got 0/);
      expect(() => tg.arange(0, 5, 0)).toThrow(/arange: step must be a finite non-zero number/);
    });
  });

  describe('plain-JS mistakes', () => {
    it('a string or an array where a tensor or number belongs', () => {
      const x = tg.ones([2]);
      expect(() => x.add(js('x'))).toThrow("add: expected a Tensor or a number, got the string 'x'");
      expect(() => x.mul(js([1, 2]))).toThrow('mul: expected a Tensor or a number, got an array (wrap it with tg.tensor())');
      expect(() => ops.sub(js('1'), js(2))).toThrow(/sub: the first operand must be a Tensor, got '1'/);
      expect(() => x.matmul(js([[1], [2]]))).toThrow('matmul: b must be a Tensor, got [[1], [2]] (wrap arrays with tg.tensor())');
      expect(() => ops.relu(js([1, -1]))).toThrow('relu: x must be a Tensor, got [1, -1] (wrap arrays with tg.tensor())');
      expect(() => tg.cat(js([[1, 2], [3]]) as unknown as tg.Tensor[])).toThrow(/cat: tensors\[0\] must be a Tensor, got \[1, 2\]/);
      expect(() => tg.cat(js(x) as unknown as tg.Tensor[])).toThrow(/cat: expected a non-empty array of Tensors, got a Tensor \[2\]/);
      expect(() => tg.where(js([true, false]), x, x)).toThrow(/where: cond must be a Tensor, got \[true, false\]/);
      expect(() => tg.maximum(x, js('1'))).toThrow(/maximum: b must be a number, got '1'/);
      expect(() => x.lt(js('1'))).toThrow(/lt: b must be a number, got '1'/);
      expect(() => x.clamp(js('0') as unknown as number)).toThrow(/clamp: min must be a number, got '0'/);
      expect(() => x.maskedFill(tg.tensor([true, false]), js('1') as unknown as number)).toThrow(/maskedFill: value must be a number/);
      expect(() => x.gather(0, js([0, 1]))).toThrow(/gather: index must be a Tensor, got \[0, 1\]/);
      expect(() => x.reshape(js(2) as unknown as number[])).toThrow(/reshape: expected an array of integers, got 2/);
      expect(() => x.narrow(0, 0.5, 1)).toThrow(/narrow: start must be an integer, got 0.5/);
      expect(() => ops.crossEntropy(tg.ones([2, 2]), js('01') as unknown as number[])).toThrow(/crossEntropy: labels must be an int32 Tensor, an Int32Array or an array of integers, got '01'/);
    });
  });
});
