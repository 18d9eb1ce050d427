/**
 * The converter table, keyed by tsgrad op name. An op that is missing here, or whose
 * converter returns undefined, is exported through the ops it is composed of (the trace's
 * `children`): losses, attention, LSTM/GRU cells and any user composition need no entry.
 */
import type { Converter } from '../context.ts';
import { activations } from './activation.ts';
import { elementwise } from './elementwise.ts';
import { layerOps } from './layers.ts';
import { normOps } from './norm.ts';
import { reductions } from './reduce.ts';
import { shapeOps } from './shape.ts';

export const CONVERTERS: Readonly<Record<string, Converter>> = Object.freeze({
  ...elementwise,
  ...activations,
  ...reductions,
  ...shapeOps,
  ...layerOps,
  ...normOps,
});
