/** The picture of one or more learning-rate range tests: smoothed loss against lr (log), each suggestion marked. */
import { lineChart, PALETTE } from '../examples/lib/svg-plot.ts';
import type { FindLrResult } from '../src/optim/find-lr.ts';

export function lrFinderChart(runs: { name: string; result: FindLrResult }[], title: string): string {
  // The diverging tail would squash the interesting part: show losses up to 1.5× the first one.
  const ceiling = Math.max(...runs.map((r) => 1.5 * (r.result.losses[0] ?? 1)));
  return lineChart({
    series: runs.map((r, i) => ({ name: r.name, xs: r.result.lrs, ys: r.result.losses.map((l) => Math.min(l, ceiling)), color: PALETTE[i % PALETTE.length] })),
    marks: runs.filter((r) => Number.isFinite(r.result.suggestion)).map((r) => ({
      x: r.result.suggestion,
      label: `${runs.length > 1 ? `${r.name}: ` : 'suggestion '}${r.result.suggestion.toPrecision(2)}`,
      color: runs.length > 1 ? PALETTE[runs.indexOf(r) % PALETTE.length] : PALETTE[1],
    })),
    title,
    xLabel: 'learning rate',
    yLabel: 'training loss (smoothed)',
    logX: true,
  });
}
