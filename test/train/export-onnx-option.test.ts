import { describe, expect, it } from 'vitest';
import { helpText, parseTrainArgs } from '../../scripts/train-options.ts';

describe('train CLI: --export-onnx', () => {
  it('takes a file path, and is off unless given', () => {
    expect(parseTrainArgs(['--export-onnx', 'out/model.onnx'])!.exportOnnx).toBe('out/model.onnx');
    expect(parseTrainArgs([])!.exportOnnx).toBeUndefined();
    expect(() => parseTrainArgs(['--export-onnx'])).toThrow(/export-onnx/);
  });

  it('is documented in --help', () => {
    expect(helpText()).toMatch(/--export-onnx FILE\s+also write the trained model as ONNX/);
  });
});
