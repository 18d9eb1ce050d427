/** Saving the model as a safetensors download, and loading one from a file the visitor picks. */
import * as tg from 'tsgrad';
import { onBackend, type BackendName } from '../backends.ts';
import type { ModelKind } from './models.ts';

/** Larger than any model here by far; a bigger file is refused before it is read. */
const MAX_FILE_BYTES = 64 * 1024 * 1024;

/** Starts a download of the model's weights (PyTorch loads them too: same names, F32). */
export function downloadModel(model: tg.nn.Module, kind: ModelKind, backend: BackendName, metadata: Record<string, string>): string {
  const bytes = onBackend(backend, () => tg.io.toBytes(model, { metadata: { ...metadata, model: kind } }));
  const name = `tsgrad-mnist-${kind}.safetensors`;
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}

export async function readFileBytes(file: File): Promise<Uint8Array> {
  if (file.size > MAX_FILE_BYTES) {
    throw new RangeError(`${file.name} is ${(file.size / 2 ** 20).toFixed(0)} MB; a model for this page is well under 1 MB`);
  }
  return new Uint8Array(await file.arrayBuffer());
}

/**
 * Loads weights into `model`. tg.io.fromBytes checks the whole file against the model
 * before it changes anything, so on any error the model is exactly as it was.
 */
export function loadWeights(model: tg.nn.Module, backend: BackendName, bytes: Uint8Array): Record<string, string> {
  return onBackend(backend, () => tg.io.fromBytes(model, bytes));
}
