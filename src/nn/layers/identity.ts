/** Identity: returns its input; a placeholder where a layer is optional (a ResNet shortcut). */
import type { Tensor } from '../../tensor/tensor.ts';
import { Module } from '../module.ts';

export class Identity extends Module {
  forward(x: Tensor): Tensor {
    return x;
  }
}
