/** Saving and loading a model's parameters as safetensors: as bytes anywhere, as files in Node. */
import { files } from '#platform';
import type { Module } from '../nn/module.ts';
import { StateDictError } from '../nn/module.ts';
import { decodeSafetensors, encodeSafetensors, loadTensors } from './safetensors.ts';
import type { Tensor } from '../tensor/tensor.ts';
import { writeFileAtomic } from './atomic.ts';

/** Options for `save` and `toBytes`. */
export interface SaveOptions {
  /** Free-form strings stored in the file's "__metadata__". */
  metadata?: Record<string, string>;
}

const IN_A_BROWSER =
  'use tg.io.toBytes(model) and tg.io.fromBytes(model, bytes), and keep the bytes where the page can ' +
  '(IndexedDB, a download link, a fetch to your server)';

/** The model's stateDict as safetensors bytes (F32, names such as "0.weight"); works everywhere. */
export function toBytes(model: Module, options: SaveOptions = {}): Uint8Array {
  checkModel('io.toBytes', model);
  return encodeSafetensors(model.stateDict(), options.metadata);
}

/**
 * Loads parameters from safetensors bytes (from `toBytes`, `save`, or PyTorch's safetensors,
 * for F32 tensors whose names and shapes match); works everywhere. The bytes are checked in
 * full, then matched against the model, before any parameter changes: on any error the
 * model is left exactly as it was. Returns the file's metadata.
 */
export function fromBytes(model: Module, bytes: Uint8Array): Record<string, string> {
  checkModel('io.fromBytes', model);
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`io.fromBytes: expected the safetensors bytes as a Uint8Array, got ${bytes === null ? 'null' : typeof bytes}`);
  }
  return loadInto(model, bytes, 'io.fromBytes', 'safetensors bytes');
}

/**
 * Writes the model's stateDict to `path` as safetensors, atomically: an existing file is
 * replaced only once the new one is complete. Node only (in a browser, use `toBytes`).
 */
export function save(model: Module, path: string, options: SaveOptions = {}): void {
  files('io.save', IN_A_BROWSER);
  checkModel('io.save', model);
  writeFileAtomic(path, encodeSafetensors(model.stateDict(), options.metadata), 'io.save');
}

/**
 * Loads parameters saved by `save` (see `fromBytes` for what is accepted and the guarantee
 * that a failed load changes nothing). Node only (in a browser, use `fromBytes`). Returns
 * the file's metadata.
 */
export function load(model: Module, path: string): Record<string, string> {
  files('io.load', IN_A_BROWSER);
  checkModel('io.load', model);
  // loadTensors checks the path and names the file in every error it raises.
  const { tensors, metadata } = loadTensors(path);
  fitInto(model, tensors, 'io.load', path);
  return metadata;
}

function loadInto(model: Module, bytes: Uint8Array, caller: string, source: string): Record<string, string> {
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  fitInto(model, tensors, caller, source);
  return metadata;
}

function fitInto(model: Module, tensors: Record<string, Tensor>, caller: string, source: string): void {
  try {
    model.loadStateDict(tensors);
  } catch (err) {
    if (err instanceof StateDictError) throw new StateDictError(`${caller}: ${source} does not fit the model: ${err.message}`);
    throw err;
  }
}

function checkModel(caller: string, model: Module): void {
  if (model === null || typeof model !== 'object' || typeof (model as Partial<Module>).stateDict !== 'function') {
    throw new TypeError(`${caller}: expected a model (a tg.nn.Module), got ${model === null ? 'null' : typeof model}`);
  }
}
