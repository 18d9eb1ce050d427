/** MultiheadAttention: attention run in parallel over several learned projections. */
import { Tensor } from '../../tensor/tensor.ts';
import { DTypeError, ShapeError, fmtShape } from '../../tensor/errors.ts';
import { zeros } from '../../tensor/creation.ts';
import { checkBoolean, checkInteger, checkOptions, checkTensor } from '../../tensor/validate.ts';
import { add } from '../../ops/arithmetic.ts';
import { maskedFill } from '../../ops/compare.ts';
import { checkDropoutP } from '../../ops/dropout.ts';
import { linear } from '../../ops/linear.ts';
import { chunk } from '../../ops/join.ts';
import { narrow } from '../../ops/indexing.ts';
import { mean } from '../../ops/reduce.ts';
import { attention } from '../../ops/attention.ts';
import { permute, reshape, transpose, unsqueeze } from '../../ops/view.ts';
import { Module } from '../module.ts';
import { Parameter } from '../parameter.ts';
import { Dense } from './dense.ts';
import { xavierUniform } from '../init.ts';

export interface MultiheadAttentionOptions {
  /** Inputs and output as [N, L, E] instead of [L, N, E]. Default false. */
  batchFirst?: boolean;
  /** Dropout on the attention weights, in training. Default 0. */
  dropout?: number;
  /** Learn the projections' biases. Default true. */
  bias?: boolean;
}

export interface AttentionForwardOptions {
  /**
   * [L, S], or [N·heads, L, S] per batch entry and head: bool (true = may NOT attend, e.g.
   * tg.nn.functional.causalMask(L)) or float (added to the scores, −∞ to mask).
   */
  attnMask?: Tensor | null;
  /** Shape [N, S], bool (true = a padding key, ignored) or float (added to the scores). */
  keyPaddingMask?: Tensor | null;
  /** Return the attention weights (default true); false returns null in their place. */
  needWeights?: boolean;
  /** Average the weights over heads → [N, L, S] (default true); false → [N, heads, L, S]. */
  averageAttnWeights?: boolean;
}

/** A bool mask as scores to add (0 or −∞); a float mask as it is. */
function additive(mask: Tensor): Tensor {
  return mask.dtype === 'bool' ? maskedFill(zeros(mask.shape), mask, -Infinity) : mask;
}

/**
 * Attention with `numHeads` heads of embedDim/numHeads each. The query, key and value
 * projections are packed in one weight, as PyTorch packs them: in_proj_weight [3E, E] (rows
 * q, k, v) and in_proj_bias [3E]; the heads' outputs are joined by out_proj (a Dense E → E).
 * forward(query, key, value, options?) → [output, weights]: query [L, N, E], key and value
 * [S, N, E] (batch first with `batchFirst`, or unbatched [L, E]); output like query,
 * weights [N, L, S] averaged over heads.
 */
export class MultiheadAttention extends Module {
  /** Shape [3E, E]: the query, key and value projections stacked in that order. */
  readonly in_proj_weight: Parameter;
  /** [3E], from 0. */
  readonly in_proj_bias: Parameter | null;
  /** Joins the heads' outputs: E → E. */
  readonly out_proj: Dense;
  /** embedDim / numHeads. */
  readonly headDim: number;
  readonly batchFirst: boolean;
  readonly dropout: number;

  constructor(readonly embedDim: number, readonly numHeads: number, options: MultiheadAttentionOptions = {}) {
    super();
    checkInteger('MultiheadAttention', 'embedDim', embedDim, 1);
    checkInteger('MultiheadAttention', 'numHeads', numHeads, 1);
    if (embedDim % numHeads !== 0) throw new RangeError(`MultiheadAttention: embedDim ${embedDim} must be divisible by numHeads ${numHeads}`);
    checkOptions('MultiheadAttention', options, ['batchFirst', 'dropout', 'bias']);
    this.headDim = embedDim / numHeads;
    this.batchFirst = options.batchFirst ?? false;
    checkBoolean('MultiheadAttention', 'batchFirst', this.batchFirst);
    this.dropout = checkDropoutP('MultiheadAttention', options.dropout ?? 0);
    const bias = options.bias ?? true;
    checkBoolean('MultiheadAttention', 'bias', bias);
    // PyTorch: Xavier-uniform packed projection, zero biases; out_proj keeps Linear's weight init.
    this.in_proj_weight = new Parameter(xavierUniform(zeros([3 * embedDim, embedDim]), embedDim, 3 * embedDim));
    this.in_proj_bias = bias ? new Parameter(zeros([3 * embedDim])) : null;
    this.out_proj = new Dense(embedDim, embedDim, { bias });
    if (this.out_proj.bias) this.out_proj.bias.data.fill(0);
  }

  forward(query: Tensor, key: Tensor, value: Tensor, options: AttentionForwardOptions = {}): [Tensor, Tensor | null] {
    checkOptions('MultiheadAttention.forward', options, ['attnMask', 'keyPaddingMask', 'needWeights', 'averageAttnWeights']);
    for (const [name, t] of [['query', query], ['key', key], ['value', value]] as const) checkTensor('MultiheadAttention', name, t);
    const e = this.embedDim;
    const batched = query.ndim === 3;
    if ((query.ndim !== 2 && query.ndim !== 3) || key.ndim !== query.ndim || value.ndim !== query.ndim) {
      throw new ShapeError(`MultiheadAttention: query, key and value must all be ${this.batchFirst ? '[N, L, E]' : '[L, N, E]'} or unbatched [L, E], got ${fmtShape(query.shape)}, ${fmtShape(key.shape)}, ${fmtShape(value.shape)}`);
    }
    for (const [name, t] of [['query', query], ['key', key], ['value', value]] as const) {
      if (t.shape[t.ndim - 1] !== e) throw new ShapeError(`MultiheadAttention: ${name} ${fmtShape(t.shape)} must end in embedDim ${e}`);
    }
    // Work batch-first: [N, L, E].
    const toBatch = (t: Tensor) => (!batched ? unsqueeze(t, 0) : this.batchFirst ? t : transpose(t, 0, 1));
    const q0 = toBatch(query), k0 = key === query ? q0 : toBatch(key), v0 = value === key ? k0 : toBatch(value);
    const [n, l] = q0.shape;
    const s = k0.shape[1];
    if (k0.shape[0] !== n || v0.shape[0] !== n || v0.shape[1] !== s) {
      throw new ShapeError(`MultiheadAttention: query ${fmtShape(query.shape)}, key ${fmtShape(key.shape)} and value ${fmtShape(value.shape)} disagree on the batch or on the key/value length`);
    }
    const mask = this.combinedMask(options, n, l, s, batched);

    const w = this.in_proj_weight, b = this.in_proj_bias;
    let q: Tensor, k: Tensor, v: Tensor;
    if (query === key && key === value) {
      // Self-attention: one product with the packed weight.
      [q, k, v] = chunk(linear(q0, w, b), 3, -1);
    } else {
      const part = (t: Tensor, i: number) => linear(t, narrow(w, 0, i * e, e), b ? narrow(b, 0, i * e, e) : null);
      [q, k, v] = [part(q0, 0), part(k0, 1), part(v0, 2)];
    }
    const heads = (t: Tensor, len: number) => permute(reshape(t, [n, len, this.numHeads, this.headDim]), 0, 2, 1, 3);
    const [out, weights] = attention(heads(q, l), heads(k, s), heads(v, s), {
      attnMask: mask, dropoutP: this.dropout, training: this.training,
    });
    const joined = this.out_proj.forward(reshape(permute(out, 0, 2, 1, 3), [n, l, e]));
    const output = !batched ? reshape(joined, [l, e]) : this.batchFirst ? joined : transpose(joined, 0, 1);
    if (options.needWeights === false) return [output, null];
    let shown = options.averageAttnWeights === false ? weights : mean(weights, 1);
    if (!batched) shown = reshape(shown, shown.shape.slice(1));
    return [output, shown];
  }

  /** attnMask and keyPaddingMask as one additive mask broadcasting to the scores [N, heads, L, S], or null. */
  private combinedMask(options: AttentionForwardOptions, n: number, l: number, s: number, batched: boolean): Tensor | null {
    const { attnMask, keyPaddingMask } = options;
    const checkMask = (name: string, m: Tensor) => {
      checkTensor('MultiheadAttention', name, m);
      if (m.dtype === 'int32') throw new DTypeError(`MultiheadAttention: ${name} must be bool (true = masked) or float32, got int32`);
    };
    let attn: Tensor | null = null;
    if (attnMask !== null && attnMask !== undefined) {
      checkMask('attnMask', attnMask);
      if (attnMask.ndim === 2 && attnMask.shape[0] === l && attnMask.shape[1] === s) attn = attnMask;
      else if (attnMask.ndim === 3 && attnMask.shape[0] === n * this.numHeads && attnMask.shape[1] === l && attnMask.shape[2] === s) {
        attn = reshape(attnMask, [n, this.numHeads, l, s]);
      } else {
        throw new ShapeError(`MultiheadAttention: attnMask must be [${l}, ${s}] or [${n * this.numHeads}, ${l}, ${s}] (batch·heads, queries, keys), got ${fmtShape(attnMask.shape)}`);
      }
    }
    let padding: Tensor | null = null;
    if (keyPaddingMask !== null && keyPaddingMask !== undefined) {
      checkMask('keyPaddingMask', keyPaddingMask);
      const want = batched ? [n, s] : [s];
      if (keyPaddingMask.ndim !== want.length || keyPaddingMask.shape.some((d, i) => d !== want[i])) {
        throw new ShapeError(`MultiheadAttention: keyPaddingMask must be ${fmtShape(want)} (batch, keys), got ${fmtShape(keyPaddingMask.shape)}`);
      }
      padding = reshape(keyPaddingMask, [n, 1, 1, s]);
    }
    if (attn && padding) return add(additive(attn), additive(padding));
    return attn ?? padding;
  }

  override describe(): string {
    return `MultiheadAttention(${this.embedDim}, heads=${this.numHeads}${this.batchFirst ? ', batchFirst=true' : ''}${this.dropout ? `, dropout=${this.dropout}` : ''})`;
  }
}
