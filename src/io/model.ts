/** Saving and loading a model's parameters as a safetensors file. */
import type { Module } from '../nn/module.ts';
import { StateDictError } from '../nn/module.ts';
import { loadTensors, saveTensors } from './safetensors.ts';

/** Options for `save`. */
export interface SaveOptions {
  /** Free-form strings stored in the file's "__metadata__". */
  metadata?: Record<string, string>;
}

/**
 * Writes the model's stateDict to `path` as safetensors (F32, names such as "0.weight"),
 * atomically: an existing file is replaced only once the new one is complete.
 */
export function save(model: Module, path: string, options: SaveOptions = {}): void {
  saveTensors(model.stateDict(), path, options.metadata);
}

/**
 * Loads parameters saved by `save` (or by PyTorch's safetensors, for F32 tensors whose names
 * and shapes match). The file is read and checked in full, then matched against the model,
 * before any parameter changes: on any error the model is left exactly as it was.
 * Returns the file's metadata.
 */
export function load(model: Module, path: string): Record<string, string> {
  const { tensors, metadata } = loadTensors(path);
  try {
    model.loadStateDict(tensors);
  } catch (err) {
    if (err instanceof StateDictError) throw new StateDictError(`io.load: ${path} does not fit the model: ${err.message}`);
    throw err;
  }
  return metadata;
}
