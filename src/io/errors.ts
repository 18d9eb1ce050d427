/** The error thrown for files that are not valid safetensors or do not fit the model. */

/** A malformed, truncated or unsupported safetensors file; the message names the file and the fault. */
export class SafetensorsError extends Error {
  /** Always 'SafetensorsError'. */
  override name = 'SafetensorsError';
}
