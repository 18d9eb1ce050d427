// bench/rounds.ts: how npm run bench pools a framework's rounds on one workload, and the ratios
// it reports, against values worked out by hand.
import { describe, expect, it } from 'vitest';
import { poolRounds, ratioOf, ratioRangeOf, type Line } from '../../bench/rounds.ts';

const line = (label: string, reps: number[], extra: Partial<Line> = {}): Line => {
  const sorted = [...reps].sort((a, b) => a - b);
  return { label, workload: 'cnn', unit: 'samples/s', median: sorted[sorted.length >> 1], reps, ...extra };
};

describe('bench rounds', () => {
  it('pool every repetition: the median of all, each round\'s median, mean CPU share, largest RSS', () => {
    const pooled = poolRounds([
      line('tsgrad', [10, 30, 20], { cpuShare: 1.8, peakRssMB: 200 }),
      line('tsgrad', [50, 40, 60], { cpuShare: 1.9, peakRssMB: 230 }),
    ]);
    // All six: 10 20 30 40 50 60, median (30 + 40) / 2.
    expect(pooled.median).toBe(35);
    expect(pooled.reps).toEqual([10, 30, 20, 50, 40, 60]);
    expect(pooled.rounds).toEqual([20, 50]);
    expect(pooled.cpuShare).toBe(1.85);
    expect(pooled.peakRssMB).toBe(230);
    expect(pooled.label).toBe('tsgrad');
  });

  it('keep one round as it was', () => {
    const one = line('pytorch', [3, 1, 2], { cpuShare: 1.99 });
    expect(poolRounds([one])).toEqual({ ...one, rounds: [2] });
  });

  it('let a skipped or failed round stand for the line', () => {
    const skipped: Line = { label: 'tfjs/wasm', workload: 'cnn', skipped: 'no conv kernel' };
    expect(poolRounds([skipped])).toBe(skipped);
    const failed: Line = { label: 'tsgrad', workload: 'cnn', error: 'exit 1: boom' };
    expect(poolRounds([line('tsgrad', [1, 2, 3]), failed])).toBe(failed);
  });

  it('give the ratio of the medians and the range of the per-round ratios', () => {
    const a = poolRounds([line('tsgrad', [9, 10, 11]), line('tsgrad', [19, 20, 21])]);
    const b = poolRounds([line('pytorch', [7, 8, 9]), line('pytorch', [9, 10, 11])]);
    // Medians 15 (of 9 10 11 19 20 21) and 9 (of 7 8 9 9 10 11); rounds 10/8 and 20/10.
    expect(ratioOf(a, b)).toBe(1.67);
    expect(ratioRangeOf(a, b)).toEqual([1.25, 2]);
    expect(ratioOf(a, undefined)).toBeNull();
    expect(ratioRangeOf(a, { label: 'x', workload: 'cnn', skipped: 'no' })).toBeNull();
  });
});
