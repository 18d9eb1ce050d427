/** Models and tensors as safetensors: bytes everywhere (toBytes/fromBytes), files in Node (save/load). */
export { save, load, toBytes, fromBytes, type SaveOptions } from './model.ts';
export { saveTensors, loadTensors, encodeSafetensors, decodeSafetensors, type SafetensorsContents } from './safetensors.ts';
export { writeFileAtomic } from './atomic.ts';
export { SafetensorsError } from './errors.ts';
