/** Files: safetensors save/load for models, and the lower-level tensor-record functions. */
export { save, load, type SaveOptions } from './model.ts';
export { saveTensors, loadTensors, encodeSafetensors, decodeSafetensors, type SafetensorsContents } from './safetensors.ts';
export { writeFileAtomic } from './atomic.ts';
export { SafetensorsError } from './errors.ts';
