/** Activation layers: ReLU, Sigmoid, Tanh, Softmax. */
import type { Tensor } from '../../tensor/tensor.ts';
import { relu, sigmoid, tanh } from '../../ops/activation.ts';
import { softmax } from '../../ops/softmax.ts';
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
