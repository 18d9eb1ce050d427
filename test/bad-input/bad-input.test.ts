/**
 * The bad-input suite: every case of cases/*.ts whose fix has landed, run on fresh state.
 * A refusal must be clear (an Error subclass naming the function and the bad value) and
 * leave model, optimizer, loader, scheduler, RNG and files exactly as they were; a valid
 * input must be accepted with the right result. Cases marked `pending` wait for a fix on
 * another branch: scripts/audit-bad-input.ts runs and reports them (see harness.ts).
 */
import { describe, expect, it } from 'vitest';
import { classify, type Case } from './harness.ts';
import { allCases } from './cases/index.ts';

const live = allCases.filter((c) => !c.pending);
const areas = [...new Set(live.map((c) => c.area))];

describe('the table itself', () => {
  it('has no two cases with the same call', () => {
    const calls = allCases.map((c) => `${c.area}: ${c.call}`);
    expect(calls.filter((c, i) => calls.indexOf(c) !== i)).toEqual([]);
  });
});

for (const area of areas) {
  describe(`bad input: ${area}`, () => {
    for (const c of live.filter((x: Case) => x.area === area)) {
      const want = c.refuse ? (c.check ? ['clear', 'accepted'] : ['clear']) : ['accepted'];
      it(c.call, () => {
        const { verdict, detail } = classify(c);
        expect(want, `${c.call} → ${verdict}: ${detail}`).toContain(verdict);
      });
    }
  });
}
