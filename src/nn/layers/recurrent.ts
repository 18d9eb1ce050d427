/**
 * What LSTM and GRU share: the stacked layers, the weights under PyTorch's names
 * (`weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`, then `_l1` …), the input
 * layouts (time-major, batch-first, unbatched), and the loop over time. Each subclass
 * supplies one step of its cell, written with ops, so autograd differentiates through time
 * and no layer needs a backward of its own.
 */
import type { Tensor } from '../../tensor/tensor.ts';
import { ShapeError, fmtShape } from '../../tensor/errors.ts';
import { zeros } from '../../tensor/creation.ts';
import { checkBoolean, checkInteger, checkOptions, checkTensor, show } from '../../tensor/validate.ts';
import { linear } from '../../ops/linear.ts';
import { dropout, checkDropoutP } from '../../ops/dropout.ts';
import { stack } from '../../ops/join.ts';
import { select } from '../../ops/indexing.ts';
import { unbind } from '../../ops/unbind.ts';
import { reshape, transpose, unsqueeze } from '../../ops/view.ts';
import { Module, type Member } from '../module.ts';
import { Parameter } from '../parameter.ts';
import { uniform } from '../init.ts';

export interface RecurrentOptions {
  /** Layers stacked, each reading the hidden states of the one below. Default 1. */
  numLayers?: number;
  /** Input and output as [N, T, features] instead of [T, N, features]. Default false. */
  batchFirst?: boolean;
  /** Learn the two bias vectors of each layer. Default true. */
  bias?: boolean;
  /** Dropout on the outputs of every layer but the last, in training. Default 0. */
  dropout?: number;
}

/** One layer's weights: input-to-hidden [G·H, in], hidden-to-hidden [G·H, H], biases [G·H]. */
interface LayerWeights {
  ih: Parameter;
  hh: Parameter;
  bih: Parameter | null;
  bhh: Parameter | null;
}

export abstract class Recurrent extends Module {
  /** Layers stacked. */
  readonly numLayers: number;
  /** Inputs and outputs as [N, T, features]. */
  readonly batchFirst: boolean;
  /** Dropout between layers, in training. */
  readonly dropout: number;
  /** Per layer; listed by `members()` under PyTorch's names. */
  protected readonly cells: LayerWeights[];

  /** `gates` stacked blocks of hiddenSize rows per weight: 4 for an LSTM (i, f, g, o), 3 for a GRU (r, z, n). */
  constructor(readonly inputSize: number, readonly hiddenSize: number, gates: number, options: RecurrentOptions) {
    super();
    const name = this.constructor.name;
    checkInteger(name, 'inputSize', inputSize, 1);
    checkInteger(name, 'hiddenSize', hiddenSize, 1);
    checkOptions(name, options, ['numLayers', 'batchFirst', 'bias', 'dropout', 'bidirectional']);
    if ('bidirectional' in options && (options as { bidirectional?: unknown }).bidirectional) {
      throw new RangeError(`${name}: bidirectional layers are not supported; run a second ${name} over the reversed sequence`);
    }
    this.numLayers = checkInteger(name, 'numLayers', options.numLayers ?? 1, 1);
    this.batchFirst = options.batchFirst ?? false;
    checkBoolean(name, 'batchFirst', this.batchFirst);
    const bias = options.bias ?? true;
    checkBoolean(name, 'bias', bias);
    this.dropout = checkDropoutP(name, options.dropout ?? 0);
    // PyTorch: every weight and bias from U(±1/√hiddenSize).
    const bound = 1 / Math.sqrt(hiddenSize);
    const init = (shape: number[]) => new Parameter(uniform(zeros(shape), -bound, bound));
    this.cells = [];
    for (let l = 0; l < this.numLayers; l++) {
      const rows = gates * hiddenSize;
      this.cells.push({
        ih: init([rows, l === 0 ? inputSize : hiddenSize]),
        hh: init([rows, hiddenSize]),
        bih: bias ? init([rows]) : null,
        bhh: bias ? init([rows]) : null,
      });
    }
  }

  protected override members(): Member[] {
    const out: Member[] = [];
    this.cells.forEach((c, l) => {
      out.push([`weight_ih_l${l}`, c.ih], [`weight_hh_l${l}`, c.hh]);
      if (c.bih) out.push([`bias_ih_l${l}`, c.bih]);
      if (c.bhh) out.push([`bias_hh_l${l}`, c.bhh]);
    });
    return out;
  }

  /** The cell's next states (the hidden state first) from the input's projection x·W_ihᵀ + b_ih at this step. */
  protected abstract step(layer: number, projected: Tensor, state: readonly Tensor[]): Tensor[];

  /** h·W_hhᵀ + b_hh for a layer: the cell's recurrent term. */
  protected recurrent(layer: number, h: Tensor): Tensor {
    const c = this.cells[layer];
    return linear(h, c.hh, c.bhh);
  }

  /**
   * Runs every layer over the sequence. `initial` holds, per kind of state, [numLayers, N, H]
   * tensors ([numLayers, H] unbatched), or null for zeros. Returns the last layer's outputs
   * and each kind of final state, [numLayers, N, H].
   */
  protected run(x: Tensor, initial: readonly (Tensor | null)[], stateNames: readonly string[]): [Tensor, Tensor[]] {
    const name = this.constructor.name;
    checkTensor(name, 'input', x);
    const layout = this.batchFirst ? '[N, T, features]' : '[T, N, features]';
    if (x.ndim !== 2 && x.ndim !== 3) throw new ShapeError(`${name}: input must be ${layout} or unbatched [T, features], got ${fmtShape(x.shape)}`);
    if (x.shape[x.ndim - 1] !== this.inputSize) {
      throw new ShapeError(`${name}: input ${fmtShape(x.shape)} must end in ${this.inputSize} features (inputSize)`);
    }
    const batched = x.ndim === 3;
    const timeMajor = !batched ? unsqueeze(x, 1) : this.batchFirst ? transpose(x, 0, 1) : x;
    const [steps, n] = timeMajor.shape;
    if (steps === 0) throw new ShapeError(`${name}: input ${fmtShape(x.shape)} has no time steps`);
    const expected = batched ? [this.numLayers, n, this.hiddenSize] : [this.numLayers, this.hiddenSize];
    const states = initial.map((s, k) => {
      if (s === null || s === undefined) return zeros([this.numLayers, n, this.hiddenSize]);
      checkTensor(name, stateNames[k], s);
      if (s.ndim !== expected.length || s.shape.some((d, i) => d !== expected[i])) {
        throw new ShapeError(`${name}: ${stateNames[k]} must be ${fmtShape(expected)} (numLayers, ${batched ? 'batch, ' : ''}hiddenSize), got ${fmtShape(s.shape)}`);
      }
      return batched ? s : unsqueeze(s, 1);
    });

    // Layer 0 projects the whole sequence in one product; later layers read the steps below one by one.
    const c0 = this.cells[0];
    let projected = unbind(linear(timeMajor, c0.ih, c0.bih), 0);
    let outputs: Tensor[] = [];
    const finals: Tensor[][] = initial.map(() => []);
    for (let l = 0; l < this.numLayers; l++) {
      if (l > 0) {
        const below = this.training && this.dropout > 0 ? outputs.map((h) => dropout(h, this.dropout, true)) : outputs;
        projected = below.map((h) => linear(h, this.cells[l].ih, this.cells[l].bih));
      }
      let state = states.map((s) => select(s, 0, l));
      outputs = [];
      for (let t = 0; t < steps; t++) {
        state = this.step(l, projected[t], state);
        outputs.push(state[0]);
      }
      state.forEach((s, k) => finals[k].push(s));
    }
    let output = stack(outputs, batched && this.batchFirst ? 1 : 0);
    if (!batched) output = reshape(output, [steps, this.hiddenSize]);
    return [output, finals.map((f) => (batched ? stack(f, 0) : reshape(stack(f, 0), [this.numLayers, this.hiddenSize])))];
  }

  override describe(): string {
    return `${this.constructor.name}(${this.inputSize}, ${this.hiddenSize}, numLayers=${this.numLayers}${this.batchFirst ? ', batchFirst=true' : ''}` +
      `${this.cells[0].bih ? '' : ', bias=false'}${this.dropout ? `, dropout=${this.dropout}` : ''})`;
  }
}

