/** Sequential: layers applied one after another. */
import type { Tensor } from '../tensor/tensor.ts';
import { Module } from './module.ts';
import type { Parameter } from './parameter.ts';

/** Feeds the input through each layer in turn; children are named "0", "1", … as in PyTorch. */
export class Sequential extends Module {
  /** The layers, in order. */
  readonly layers: Module[];

  /** A model made of these layers. */
  constructor(...layers: Module[]) {
    super();
    layers.forEach((l, i) => {
      if (!(l instanceof Module)) throw new TypeError(`Sequential: layer ${i} is not a Module`);
    });
    this.layers = layers;
  }

  protected override members(): [string, Parameter | Module][] {
    return this.layers.map((l, i) => [String(i), l]);
  }

  /** Adds a layer at the end; returns this. */
  append(layer: Module): this {
    if (!(layer instanceof Module)) throw new TypeError('Sequential.append: expected a Module');
    this.layers.push(layer);
    return this;
  }

  /** The output of the last layer (the input itself when there are none). */
  forward(x: Tensor): Tensor {
    for (const layer of this.layers) x = layer.forward(x);
    return x;
  }
}
