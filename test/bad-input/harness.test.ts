/** The audit's classifier, held to hand-made cases with a known verdict each. */
import { describe, expect, it } from 'vitest';
import * as tg from '../../src/index.ts';
import { classify, type Case, type Verdict } from './harness.ts';

const area = 'tensor' as const;
const known: [Verdict, Case][] = [
  ['clear', { area, call: 'a TypeError naming the function and value', act: () => { throw new TypeError('frob: x must be a number, got "a"'); }, refuse: { fn: 'frob', shows: ['"a"'] } }],
  ['unclear', { area, call: 'a message without the function', act: () => { throw new TypeError('x must be a number, got "a"'); }, refuse: { fn: 'frob', shows: ['"a"'] } }],
  ['unclear', { area, call: 'a message without the value', act: () => { throw new TypeError('frob: bad x'); }, refuse: { fn: 'frob', shows: ['"a"'] } }],
  ['unclear', { area, call: 'a bare Error', act: () => { throw new Error('frob: x must be a number, got "a"'); }, refuse: { fn: 'frob', shows: ['"a"'] } }],
  ['unclear', { area, call: 'a thrown string', act: () => { throw 'frob: "a"'; }, refuse: { fn: 'frob' } }],
  ['unclear', { area, call: 'the wrong class', act: () => { throw new TypeError('frob: "a"'); }, refuse: { fn: 'frob', type: tg.ShapeError } }],
  ['garbage', { area, call: 'returns on bad input', act: () => 3, refuse: { fn: 'frob' } }],
  ['garbage', { area, call: 'a wrong result for a valid input', act: () => 3, check: (r) => { if (r !== 4) throw new Error('want 4'); } }],
  ['accepted', { area, call: 'a right result', act: () => 4, check: (r) => { if (r !== 4) throw new Error('want 4'); } }],
  ['refused-valid', { area, call: 'throws on valid input', act: () => { throw new TypeError('frob: no'); } }],
  ['corrupted', { area, call: 'changes a weight, then throws clearly', act: (s) => { s.model.parameters()[0]!.data[0] += 1; throw new TypeError('frob: "a"'); }, refuse: { fn: 'frob', shows: ['"a"'] } }],
  ['corrupted', { area, call: 'moves the loader, then throws', act: (s) => { [...s.loader]; throw new TypeError('frob: "a"'); }, refuse: { fn: 'frob' } }],
  ['corrupted', { area, call: 'draws from the RNG, then throws', act: () => { tg.rand([1]); throw new TypeError('frob: "a"'); }, refuse: { fn: 'frob' } }],
  ['corrupted', { area, call: 'steps the optimizer, then throws', act: (s) => { s.optimizer.step(); throw new TypeError('frob'); }, refuse: { fn: 'frob' } }],
  ['corrupted', { area, call: 'rewrites the model file, then throws', act: (s) => { tg.io.saveTensors({ a: tg.zeros([1]) }, s.file); throw new TypeError('frob'); }, refuse: { fn: 'frob' } }],
  ['clear', { area, call: 'operands built in input() may draw from the RNG', input: () => tg.rand([1]), act: () => { throw new TypeError('frob: "a"'); }, refuse: { fn: 'frob' } }],
];

describe('classify', () => {
  for (const [verdict, c] of known) {
    it(`${c.call} → ${verdict}`, () => {
      expect(classify(c).verdict).toBe(verdict);
    });
  }
});
