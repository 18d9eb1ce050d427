/**
 * The op trace that `exportModel` records with: the core's `trace` (src/ops/trace.ts),
 * found through the ops index so that this file compiles and says what is missing in a
 * build whose core does not record traces yet.
 */
import * as ops from '../ops/index.ts';
import { OnnxExportError } from './errors.ts';
import type { TraceFn } from './trace-event.ts';

export function coreTrace(): TraceFn {
  const trace = (ops as Record<string, unknown>).trace;
  if (typeof trace !== 'function') {
    throw new OnnxExportError('exportModel: this build of tsgrad has no op trace (tg.ops.trace), which the exporter records the forward pass with');
  }
  return trace as TraceFn;
}
