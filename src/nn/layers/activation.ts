/** Activation layers: one Module per activation op, holding its hyperparameters. */
import type { Tensor } from '../../tensor/tensor.ts';
import { elu, gelu, leakyRelu, logSigmoid, relu, sigmoid, silu, softplus, tanh, type GeluOptions } from '../../ops/activation.ts';
import { logSoftmax, softmax } from '../../ops/softmax.ts';
import { checkNumber, checkOneOf, checkOptions } from '../../tensor/validate.ts';
import { Module } from '../module.ts';

/** max(0, x) elementwise. */
export class ReLU extends Module {
  /** Applies relu. */
  forward(x: Tensor): Tensor {
    return relu(x);
  }
}

/** 1 / (1 + e⁻ˣ) elementwise. */
export class Sigmoid extends Module {
  /** Applies the logistic sigmoid. */
  forward(x: Tensor): Tensor {
    return sigmoid(x);
  }
}

/** tanh(x) elementwise. */
export class Tanh extends Module {
  /** Applies tanh. */
  forward(x: Tensor): Tensor {
    return tanh(x);
  }
}

/** Softmax along an axis (default: the last). For training, prefer raw logits with CrossEntropyLoss. */
export class Softmax extends Module {
  /** A softmax over `axis`. */
  constructor(
    /** The axis the outputs sum to 1 along (negative counts from the end). */
    readonly axis = -1,
  ) {
    super();
  }

  /** Applies softmax along the axis. */
  forward(x: Tensor): Tensor {
    return softmax(x, this.axis);
  }

  override describe(): string {
    return `Softmax(axis=${this.axis})`;
  }
}

/** Log-softmax along an axis (default: the last): log-probabilities for NLLLoss. */
export class LogSoftmax extends Module {
  constructor(readonly axis = -1) {
    super();
  }

  forward(x: Tensor): Tensor {
    return logSoftmax(x, this.axis);
  }

  override describe(): string {
    return `LogSoftmax(axis=${this.axis})`;
  }
}

/** x for x > 0, negativeSlope·x otherwise (default slope 0.01, as PyTorch). */
export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
    checkNumber('LeakyReLU', 'negativeSlope', negativeSlope);
  }

  forward(x: Tensor): Tensor {
    return leakyRelu(x, this.negativeSlope);
  }

  override describe(): string {
    return `LeakyReLU(${this.negativeSlope})`;
  }
}

/** x for x > 0, α·(eˣ − 1) otherwise (default α = 1). */
export class ELU extends Module {
  constructor(readonly alpha = 1) {
    super();
    checkNumber('ELU', 'alpha', alpha);
  }

  forward(x: Tensor): Tensor {
    return elu(x, this.alpha);
  }

  override describe(): string {
    return `ELU(alpha=${this.alpha})`;
  }
}

/** x·Φ(x), Φ the normal CDF; `{ approximate: 'tanh' }` for the tanh form GPT-2 used. */
export class GELU extends Module {
  readonly approximate: 'none' | 'tanh';

  constructor(options: GeluOptions = {}) {
    super();
    checkOptions('GELU', options, ['approximate']);
    this.approximate = options.approximate ?? 'none';
    checkOneOf('GELU', 'approximate', this.approximate, ['none', 'tanh']);
  }

  forward(x: Tensor): Tensor {
    return gelu(x, { approximate: this.approximate });
  }

  override describe(): string {
    return this.approximate === 'none' ? 'GELU()' : `GELU(approximate=${this.approximate})`;
  }
}

/** x·σ(x) (also called swish). */
export class SiLU extends Module {
  forward(x: Tensor): Tensor {
    return silu(x);
  }
}

export interface SoftplusOptions {
  /** Sharpness: (1/β)·ln(1 + e^(βx)). Default 1. */
  beta?: number;
  /** Above βx > threshold the output is x itself. Default 20. */
  threshold?: number;
}

/** A smooth ReLU, (1/β)·ln(1 + e^(βx)). */
export class Softplus extends Module {
  readonly beta: number;
  readonly threshold: number;

  constructor(options: SoftplusOptions = {}) {
    super();
    checkOptions('Softplus', options, ['beta', 'threshold']);
    this.beta = checkNumber('Softplus', 'beta', options.beta ?? 1);
    this.threshold = checkNumber('Softplus', 'threshold', options.threshold ?? 20);
    if (!(this.beta > 0)) throw new RangeError(`Softplus: beta must be > 0, got ${this.beta}`);
  }

  forward(x: Tensor): Tensor {
    return softplus(x, this.beta, this.threshold);
  }

  override describe(): string {
    return `Softplus(beta=${this.beta}, threshold=${this.threshold})`;
  }
}

/** ln σ(x), finite for any x. */
export class LogSigmoid extends Module {
  forward(x: Tensor): Tensor {
    return logSigmoid(x);
  }
}
