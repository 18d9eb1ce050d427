/** TransformerEncoderLayer: self-attention and a feed-forward block, each with a residual and LayerNorm. */
import type { Tensor } from '../../tensor/tensor.ts';
import { checkBoolean, checkInteger, checkOneOf, checkOptions, checkPositive } from '../../tensor/validate.ts';
import { add } from '../../ops/arithmetic.ts';
import { gelu, relu } from '../../ops/activation.ts';
import { checkDropoutP } from '../../ops/dropout.ts';
import { Module } from '../module.ts';
import { Dense } from './dense.ts';
import { Dropout } from './dropout.ts';
import { LayerNorm } from './layer-norm.ts';
import { MultiheadAttention } from './multihead-attention.ts';

export interface TransformerEncoderLayerOptions {
  /** Dropout after attention, inside the feed-forward block and after it. Default 0.1 (PyTorch's). */
  dropout?: number;
  /** The feed-forward block's activation. Default 'relu'. */
  activation?: 'relu' | 'gelu';
  /** Default 1e-5. */
  layerNormEps?: number;
  /** [N, L, E] instead of [L, N, E]. Default false. */
  batchFirst?: boolean;
  /** LayerNorm before each block (pre-norm, as GPT-2) instead of after the residual (post-norm, the 2017 paper's). Default false. */
  normFirst?: boolean;
}

export interface EncoderForwardOptions {
  /** Attention mask [L, L] or [N·heads, L, L]: bool (true = masked) or float (added). */
  srcMask?: Tensor | null;
  /** Shape [N, L], bool (true = padding) or float (added). */
  srcKeyPaddingMask?: Tensor | null;
}

/**
 * PyTorch's encoder layer with its defaults and its attribute names (so the stateDict keys
 * are `self_attn.in_proj_weight`, `linear1.weight`, `norm1.weight`, …):
 *   post-norm:  x = norm1(x + dropout1(selfAttn(x)));   x = norm2(x + dropout2(ff(x)))
 *   pre-norm:   x = x + dropout1(selfAttn(norm1(x)));   x = x + dropout2(ff(norm2(x)))
 * with ff(x) = linear2(dropout(activation(linear1(x)))).
 */
export class TransformerEncoderLayer extends Module {
  readonly self_attn: MultiheadAttention;
  readonly linear1: Dense;
  readonly dropout: Dropout;
  readonly linear2: Dense;
  readonly norm1: LayerNorm;
  readonly norm2: LayerNorm;
  readonly dropout1: Dropout;
  readonly dropout2: Dropout;
  readonly activation: 'relu' | 'gelu';
  readonly normFirst: boolean;

  constructor(readonly dModel: number, readonly nhead: number, readonly dimFeedforward: number, options: TransformerEncoderLayerOptions = {}) {
    super();
    checkInteger('TransformerEncoderLayer', 'dModel', dModel, 1);
    checkInteger('TransformerEncoderLayer', 'nhead', nhead, 1);
    checkInteger('TransformerEncoderLayer', 'dimFeedforward', dimFeedforward, 1);
    checkOptions('TransformerEncoderLayer', options, ['dropout', 'activation', 'layerNormEps', 'batchFirst', 'normFirst']);
    if (dModel % nhead !== 0) throw new RangeError(`TransformerEncoderLayer: dModel ${dModel} must be divisible by nhead ${nhead}`);
    const p = checkDropoutP('TransformerEncoderLayer', options.dropout ?? 0.1);
    this.activation = options.activation ?? 'relu';
    checkOneOf('TransformerEncoderLayer', 'activation', this.activation, ['relu', 'gelu']);
    const eps = options.layerNormEps ?? 1e-5;
    checkPositive('TransformerEncoderLayer', 'layerNormEps', eps);
    const batchFirst = options.batchFirst ?? false;
    checkBoolean('TransformerEncoderLayer', 'batchFirst', batchFirst);
    this.normFirst = options.normFirst ?? false;
    checkBoolean('TransformerEncoderLayer', 'normFirst', this.normFirst);
    this.self_attn = new MultiheadAttention(dModel, nhead, { dropout: p, batchFirst });
    this.linear1 = new Dense(dModel, dimFeedforward);
    this.dropout = new Dropout(p);
    this.linear2 = new Dense(dimFeedforward, dModel);
    this.norm1 = new LayerNorm(dModel, { eps });
    this.norm2 = new LayerNorm(dModel, { eps });
    this.dropout1 = new Dropout(p);
    this.dropout2 = new Dropout(p);
  }

  forward(src: Tensor, options: EncoderForwardOptions = {}): Tensor {
    checkOptions('TransformerEncoderLayer.forward', options, ['srcMask', 'srcKeyPaddingMask']);
    const attend = (x: Tensor) => {
      const [out] = this.self_attn.forward(x, x, x, { attnMask: options.srcMask, keyPaddingMask: options.srcKeyPaddingMask, needWeights: false });
      return this.dropout1.forward(out);
    };
    const feedForward = (x: Tensor) => {
      const hidden = this.linear1.forward(x);
      const act = this.activation === 'gelu' ? gelu(hidden) : relu(hidden);
      return this.dropout2.forward(this.linear2.forward(this.dropout.forward(act)));
    };
    if (this.normFirst) {
      const x = add(src, attend(this.norm1.forward(src)));
      return add(x, feedForward(this.norm2.forward(x)));
    }
    const x = this.norm1.forward(add(src, attend(src)));
    return this.norm2.forward(add(x, feedForward(x)));
  }

  override describe(): string {
    return `TransformerEncoderLayer(${this.dModel}, nhead=${this.nhead}, dimFeedforward=${this.dimFeedforward}, activation=${this.activation}${this.normFirst ? ', normFirst=true' : ''})`;
  }
}
