/** The picture of one or more learning-rate range tests: smoothed loss against lr (log), each suggestion marked. */
import { lineChart, PALETTE } from '../examples/lib/svg-plot.ts';
import type { FindLrResult } from '../src/optim/find-lr.ts';

export function lrFinderChart(runs: { name: string; result: FindLrResult }[], title: string): string {
  // The diverging tail would squash the interesting part: show losses up to 1.5× the first one.
  const ceiling = Math.max(...runs.map((r) => 1.5 * (r.result.losses[0] ?? 1)));
  const many = runs.length > 1;
  // Past the palette's colours, lines repeat a colour dashed; with several runs each
  // suggestion goes into its run's name and its mark is drawn in the run's colour.
  const color = (i: number): string => PALETTE[i % PALETTE.length];
  const suggestion = (r: FindLrResult): string => (Number.isFinite(r.suggestion) ? r.suggestion.toPrecision(2) : 'none');
  return lineChart({
    series: runs.map((r, i) => ({
      name: many ? `${r.name}: ${suggestion(r.result)}` : r.name,
      xs: r.result.lrs,
      ys: r.result.losses.map((l) => Math.min(l, ceiling)),
      color: color(i),
      dashed: i >= PALETTE.length,
    })),
    marks: runs.flatMap((r, i) => (Number.isFinite(r.result.suggestion)
      ? [{ x: r.result.suggestion, label: many ? '' : `suggestion ${suggestion(r.result)}`, color: many ? color(i) : PALETTE[1] }]
      : [])),
    title,
    xLabel: 'learning rate',
    yLabel: 'training loss (smoothed)',
    logX: true,
  });
}
