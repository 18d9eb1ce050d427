// How bench/run.ts pools a framework's rounds on one workload into one line, and the ratios it
// reports between two such lines. Pure functions, tested in test/scripts/bench-rounds.test.ts.
import { median } from './peers/common.mjs';

/** A runner's result on one workload (its JSON line), or why there is none. */
export type Line = {
  framework?: string; workload: string; median?: number; reps?: number[]; unit?: string; peakRssMB?: number;
  cpuShare?: number; skipped?: string; error?: string; label: string; rounds?: number[];
};

/** Whether a run was skipped, failed, or gave no figure (then its framework is not asked again). */
export function hasNoResult(line: Line): boolean {
  return line.skipped !== undefined || line.error !== undefined || line.median === undefined;
}

/**
 * A framework's rounds on one workload as one line: `median` over every repetition of every
 * round, `rounds` each round's median, `cpuShare` their mean, `peakRssMB` their maximum. A round
 * that was skipped or failed stands for the whole line.
 */
export function poolRounds(runs: Line[]): Line {
  const failed = runs.find(hasNoResult);
  if (failed) return failed;
  const reps = runs.flatMap((l) => l.reps ?? [l.median!]);
  const shares = runs.map((l) => l.cpuShare).filter((x): x is number => typeof x === 'number');
  const rss = runs.map((l) => l.peakRssMB).filter((x): x is number => typeof x === 'number');
  return {
    ...runs[0],
    median: Number(median(reps).toPrecision(4)),
    reps,
    rounds: runs.map((l) => l.median!),
    ...(shares.length ? { cpuShare: Math.round((shares.reduce((a, b) => a + b, 0) / shares.length) * 100) / 100 } : {}),
    ...(rss.length ? { peakRssMB: Math.max(...rss) } : {}),
  };
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

/** a's median ÷ b's, to two decimals; null when either has none. */
export function ratioOf(a: Line | undefined, b: Line | undefined): number | null {
  return a?.median !== undefined && b?.median !== undefined ? round2(a.median / b.median) : null;
}

/** The lowest and highest of the per-round ratios (round i of a ÷ round i of b); null without rounds. */
export function ratioRangeOf(a: Line | undefined, b: Line | undefined): [number, number] | null {
  const x = a?.rounds, y = b?.rounds;
  if (!x || !y || x.length !== y.length || x.length === 0) return null;
  const each = x.map((v, i) => round2(v / y[i]));
  return [Math.min(...each), Math.max(...each)];
}
