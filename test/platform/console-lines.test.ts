import { describe, expect, it } from 'vitest';
import { consoleLines } from '../../src/platform/browser/console-lines.ts';

describe("the browser's progress output", () => {
  it('logs each finished line once, keeping only what follows the last carriage return', () => {
    const logged: string[] = [];
    const out = consoleLines((line) => logged.push(line));
    out.write('Epoch 1/2 ');
    out.write('loss 0.5');
    expect(logged).toEqual([]);
    out.write('\n\rlive bar\rEpoch 2/2 done\nnext');
    expect(logged).toEqual(['Epoch 1/2 loss 0.5', 'Epoch 2/2 done']);
    expect(out.isTTY).toBe(false);
  });
});
