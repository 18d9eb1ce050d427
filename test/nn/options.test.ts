/**
 * Options from plain JavaScript: every layer, loss and functional form refuses a key it does
 * not know (a misspelt `{ bais: false }` or `{ causal: true }` would otherwise be ignored, and
 * the model silently not the one asked for), and a boolean option must be a boolean. Errors
 * from a layer name it once, by path when it sits inside a model.
 */
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';

const { nn } = tg;
const F = nn.functional;
const bool = (a: boolean[], shape: number[]) => tg.tensor(a.map(Number), { shape, dtype: 'bool' });

describe('layer constructors refuse unknown options, naming the layer, the key and the known ones', () => {
  // [what, construct with an extra key, the known keys the message must list]
  const cases: [string, (extra: object) => unknown, string[]][] = [
    ['Dense', (o) => new nn.Dense(4, 3, o), ['bias']],
    ['Conv2D', (o) => new nn.Conv2D(3, 4, 3, o), ['stride', 'padding', 'bias']],
    ['Conv1D', (o) => new nn.Conv1D(3, 4, 3, o), ['stride', 'padding', 'bias']],
    ['ConvTranspose2D', (o) => new nn.ConvTranspose2D(3, 4, 3, o), ['stride', 'padding', 'outputPadding', 'bias']],
    ['BatchNorm1D', (o) => new nn.BatchNorm1D(4, o), ['eps', 'momentum', 'affine', 'trackRunningStats']],
    ['BatchNorm2D', (o) => new nn.BatchNorm2D(4, o), ['eps', 'momentum', 'affine', 'trackRunningStats']],
    ['LayerNorm', (o) => new nn.LayerNorm(4, o), ['eps', 'elementwiseAffine', 'bias']],
    ['GroupNorm', (o) => new nn.GroupNorm(2, 4, o), ['eps', 'affine']],
    ['Embedding', (o) => new nn.Embedding(5, 3, o), ['paddingIdx']],
    ['Upsample', (o) => new nn.Upsample((Array.isArray(o) ? o : { scaleFactor: 2, ...o }) as tg.nn.UpsampleOptions), ['scaleFactor', 'size', 'mode', 'alignCorners']],
    ['LSTM', (o) => new nn.LSTM(3, 4, o), ['numLayers', 'batchFirst', 'bias', 'dropout']],
    ['GRU', (o) => new nn.GRU(3, 4, o), ['numLayers', 'batchFirst', 'bias', 'dropout']],
    ['MultiheadAttention', (o) => new nn.MultiheadAttention(8, 2, o), ['batchFirst', 'dropout', 'bias']],
    ['TransformerEncoderLayer', (o) => new nn.TransformerEncoderLayer(8, 2, 16, o), ['dropout', 'activation', 'layerNormEps', 'batchFirst', 'normFirst']],
    ['GELU', (o) => new nn.GELU(o), ['approximate']],
    ['Softplus', (o) => new nn.Softplus(o), ['beta', 'threshold']],
    ['MSELoss', (o) => new nn.MSELoss(o), ['reduction']],
    ['L1Loss', (o) => new nn.L1Loss(o), ['reduction']],
    ['SmoothL1Loss', (o) => new nn.SmoothL1Loss(o), ['reduction', 'beta']],
    ['HuberLoss', (o) => new nn.HuberLoss(o), ['reduction', 'delta']],
    ['BCELoss', (o) => new nn.BCELoss(o), ['reduction', 'weight']],
    ['BCEWithLogitsLoss', (o) => new nn.BCEWithLogitsLoss(o), ['reduction', 'weight', 'posWeight']],
    ['NLLLoss', (o) => new nn.NLLLoss(o), ['reduction', 'weight', 'ignoreIndex']],
    ['CrossEntropyLoss', (o) => new nn.CrossEntropyLoss(o), ['reduction', 'weight', 'ignoreIndex', 'labelSmoothing']],
  ];
  for (const [name, make, known] of cases) {
    it(name, () => {
      expect(() => make({})).not.toThrow();
      let err: unknown;
      try {
        make({ bais: false });
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RangeError);
      const message = (err as Error).message;
      expect(message).toContain(`${name}: unknown option 'bais'`);
      for (const k of known) expect(message).toContain(k);
      expect(() => make([] as unknown as object)).toThrow(new RegExp(`${name}: options must be an object`));
    });
  }

  it("PyTorch's snake_case names are refused too, not silently dropped", () => {
    expect(() => new nn.LSTM(3, 4, { batch_first: true } as object)).toThrow(/LSTM: unknown option 'batch_first' \(options are numLayers, batchFirst/);
    expect(() => new nn.CrossEntropyLoss({ label_smoothing: 0.1 } as object)).toThrow(/CrossEntropyLoss: unknown option 'label_smoothing'/);
    expect(() => new nn.Embedding(5, 3, { padding_idx: 0 } as object)).toThrow(/Embedding: unknown option 'padding_idx'/);
  });

  it('bidirectional: false is accepted, true says what to do instead', () => {
    expect(() => new nn.GRU(3, 4, { bidirectional: false } as object)).not.toThrow();
    expect(() => new nn.GRU(3, 4, { bidirectional: true } as object)).toThrow(/GRU: bidirectional layers are not supported/);
  });
});

describe('boolean and numeric options are checked where the layer is built', () => {
  it('bias must be true or false on Dense and the convolutions (a string is not taken as true)', () => {
    for (const make of [
      (b: unknown) => new nn.Dense(4, 3, { bias: b as boolean }),
      (b: unknown) => new nn.Conv2D(3, 4, 3, { bias: b as boolean }),
      (b: unknown) => new nn.Conv1D(3, 4, 3, { bias: b as boolean }),
      (b: unknown) => new nn.ConvTranspose2D(3, 4, 3, { bias: b as boolean }),
    ]) {
      expect(() => make('no')).toThrow(/: bias must be true or false, got 'no'/);
      expect(make(false)).toMatchObject({ bias: null });
    }
    expect(new nn.Dense(4, 3, { bias: false }).parameters()).toHaveLength(1);
  });

  it('Upsample refuses a scale factor or size of 0, NaN or a fraction of a pixel before any forward', () => {
    expect(() => new nn.Upsample({ scaleFactor: 0 })).toThrow(/Upsample: scaleFactor must be a finite number > 0 or an array of them, got 0/);
    expect(() => new nn.Upsample({ scaleFactor: [2, NaN] })).toThrow(/Upsample: scaleFactor .* got \[2, NaN\]/);
    expect(() => new nn.Upsample({ size: 2.5 })).toThrow(/Upsample: size must be an integer ≥ 1 or an array of them, got 2.5/);
    expect(() => new nn.Upsample({ size: [] })).toThrow(/Upsample: size must be/);
    expect(() => new nn.Upsample({ scaleFactor: 2, alignCorners: 'yes' as unknown as boolean })).toThrow(/Upsample: alignCorners must be true or false/);
    // valid forms still work: a factor per axis, a size per axis
    expect(new nn.Upsample({ scaleFactor: [2, 3] }).forward(tg.zeros([1, 1, 2, 2])).shape).toEqual([1, 1, 4, 6]);
    expect(new nn.Upsample({ size: [3, 5], mode: 'bilinear' }).forward(tg.zeros([1, 1, 2, 2])).shape).toEqual([1, 1, 3, 5]);
  });
});

describe('forward options and functional forms refuse unknown keys', () => {
  it('MultiheadAttention.forward: { causal: true } is not a mask (the output would be unmasked)', () => {
    const mha = new nn.MultiheadAttention(8, 2);
    const x = tg.randn([5, 2, 8]);
    expect(() => mha.forward(x, x, x, { causal: true } as object)).toThrow(/MultiheadAttention\.forward: unknown option 'causal' \(options are attnMask, keyPaddingMask, needWeights, averageAttnWeights\)/);
    // the masks it does know still work: a causal bool mask makes position 0 see only itself
    const [, w] = mha.forward(x, x, x, { attnMask: F.causalMask(5) });
    expect(Array.from(w!.data.subarray(0, 5))).toEqual([1, 0, 0, 0, 0]);
  });

  it('TransformerEncoderLayer.forward takes srcMask and srcKeyPaddingMask only', () => {
    const layer = new nn.TransformerEncoderLayer(8, 2, 16, { dropout: 0 });
    const x = tg.randn([4, 2, 8]);
    expect(() => layer.forward(x, { mask: F.causalMask(4) } as object)).toThrow(/TransformerEncoderLayer\.forward: unknown option 'mask'/);
    const pad = bool([false, false, false, true, false, false, false, false], [2, 4]);
    expect(layer.forward(x, { srcMask: F.causalMask(4), srcKeyPaddingMask: pad }).shape).toEqual([4, 2, 8]);
  });

  it('functional losses: nllLoss has no labelSmoothing; a typo in crossEntropy is refused', () => {
    const logits = tg.randn([3, 4]);
    const y = tg.tensor([0, 1, 3], { dtype: 'int32' });
    expect(() => F.nllLoss(F.logSoftmax(logits, 1), y, { labelSmoothing: 0.1 } as object)).toThrow(/nllLoss: unknown option 'labelSmoothing' \(options are reduction, weight, ignoreIndex\)/);
    expect(() => F.crossEntropy(logits, y, { ignore_index: 1 } as object)).toThrow(/crossEntropy: unknown option 'ignore_index'/);
    expect(() => F.mseLoss(logits, logits, { delta: 1 } as object)).toThrow(/mseLoss: unknown option 'delta' \(options are reduction\)/);
    expect(() => F.huberLoss(logits, logits, { beta: 1 } as object)).toThrow(/huberLoss: unknown option 'beta' \(options are reduction, delta\)/);
    expect(() => F.smoothL1Loss(logits, logits, { delta: 1 } as object)).toThrow(/smoothL1Loss: unknown option 'delta' \(options are reduction, beta\)/);
    expect(F.crossEntropy(logits, y, { ignoreIndex: 1, labelSmoothing: 0.1, reduction: 'sum' }).shape).toEqual([]);
  });

  it('functional layers: conv1d, convTranspose2d, interpolate, norms, embedding, attention', () => {
    const checks: [() => unknown, RegExp][] = [
      [() => F.conv1d(tg.zeros([1, 2, 5]), tg.zeros([3, 2, 3]), null, { dilation: 2 } as object), /conv1d: unknown option 'dilation'/],
      [() => F.convTranspose2d(tg.zeros([1, 2, 3, 3]), tg.zeros([2, 3, 3, 3]), null, { groups: 2 } as object), /convTranspose2d: unknown option 'groups'/],
      [() => F.interpolate(tg.zeros([1, 1, 2, 2]), { scaleFactor: 2, align_corners: true } as object), /interpolate: unknown option 'align_corners'/],
      [() => F.layerNorm(tg.zeros([2, 4]), 4, null, null, { epsilon: 1e-3 } as object), /layerNorm: unknown option 'epsilon' \(options are eps\)/],
      [() => F.groupNorm(tg.zeros([2, 4, 3]), 2, null, null, { affine: false } as object), /groupNorm: unknown option 'affine'/],
      [() => F.batchNorm(tg.zeros([2, 4]), null, null, null, null, { train: true } as object), /batchNorm: unknown option 'train' \(options are eps, training, momentum\)/],
      [() => F.embedding(tg.tensor([0], { dtype: 'int32' }), tg.zeros([3, 2]), { maxNorm: 1 } as object), /embedding: unknown option 'maxNorm'/],
      [() => F.attention(tg.zeros([1, 2, 4]), tg.zeros([1, 2, 4]), tg.zeros([1, 2, 4]), { isCausal: true } as object), /attention: unknown option 'isCausal'/],
    ];
    for (const [call, message] of checks) expect(call).toThrow(message);
  });
});

describe('an error from a layer names it once', () => {
  it('alone: the layer\'s own message, without its name repeated in front', () => {
    const messageOf = (f: () => unknown) => { try { f(); } catch (e) { return (e as Error).message; } return 'no error'; };
    expect(messageOf(() => new nn.LSTM(3, 4).forward(tg.zeros([5, 2, 2])))).toBe('LSTM: input [5,2,2] must end in 3 features (inputSize)');
    expect(messageOf(() => new nn.BatchNorm1D(4).forward(tg.zeros([2, 3])))).toMatch(/^BatchNorm1D\(4\): input \[2,3\] has 3 channels, expected 4$/);
    // an op's message still gets the layer in front
    expect(messageOf(() => new nn.Dense(4, 3).forward(tg.zeros([2, 5])))).toMatch(/^Dense: linear: input \[2,5\] must end in 4 features/);
  });

  it('inside a model: the path and class in place of the name', () => {
    const model = new nn.Sequential(new nn.Dense(8, 8), new nn.TransformerEncoderLayer(8, 2, 16));
    let message = '';
    try {
      model.forward(tg.zeros([3, 2, 6]));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe('model.0 (Dense): linear: input [3,2,6] must end in 8 features to match weight [8,8]');
    const encoder = new nn.Sequential(new nn.TransformerEncoderLayer(8, 2, 16));
    try {
      encoder.forward(tg.zeros([3, 2, 6]));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toBe('model.0.self_attn (MultiheadAttention): query [3,2,6] must end in embedDim 8');
  });
});
