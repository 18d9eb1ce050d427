/** Sequential: layers applied one after another. */
import type { Tensor } from '../tensor/tensor.ts';
import { Module } from './module.ts';
import type { Parameter } from './parameter.ts';
import { callForward } from './call-stack.ts';
import { isTracing } from '../ops/trace.ts';

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

  /**
   * The output of the last layer (the input itself when there are none). A layer with a fused
   * form with the next one (Module.fusedWith: a Conv2D and the ReLU after it) runs both as one
   * op, with the same result; not while `trace` records, where each layer's own ops are what
   * an exporter reads.
   */
  forward(x: Tensor): Tensor {
    const layers = this.layers;
    const fuse = !isTracing();
    for (let i = 0; i < layers.length; i++) {
      const fused = fuse && i + 1 < layers.length ? layers[i].fusedWith(layers[i + 1]) : null;
      if (fused === null) {
        x = layers[i].forward(x);
      } else {
        // As the first layer's forward, so that an error names that layer.
        x = callForward(layers[i], fused as (...args: unknown[]) => unknown, [x]) as Tensor;
        i++;
      }
    }
    return x;
  }
}
