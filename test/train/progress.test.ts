import { describe, expect, it, vi } from 'vitest';
import { ProgressBar, formatDuration, formatMetrics } from '../../src/train/progress.ts';
import { recorder } from './helpers.ts';

describe('progress line', () => {
  it('formats durations as m:ss or h:mm:ss', () => {
    expect(formatDuration(0)).toBe('0:00');
    expect(formatDuration(65)).toBe('1:05');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(NaN)).toBe('?');
  });

  it('formats loss and accuracy, leaving accuracy out when there is none', () => {
    expect(formatMetrics(0.12345, 0.98765)).toBe('loss 0.1235 acc 98.77%');
    expect(formatMetrics(0.5, NaN, 'val_')).toBe('val_loss 0.5000');
  });

  it('draws batch i/n, a bar, the stats and an ETA, within the terminal width', () => {
    const out = recorder(true);
    out.columns = 90;
    const bar = new ProgressBar(out, 'Epoch 1/3', 200);
    bar.update(50, { loss: 0.25, accuracy: 0.9, samplesPerSecond: 1234.4 });
    const line = out.text;
    expect(line.startsWith('\rEpoch 1/3  50/200 [')).toBe(true);
    expect(line).toMatch(/\] loss 0\.2500 acc 90\.00% 1234 samples\/s ETA \d+:\d\d\x1b\[K$/);
    expect(line.replace('\x1b[K', '').length - 1).toBeLessThan(90);
    // quarter done: a quarter of the bar cells filled
    const cells = /\[([=> ]+)\]/.exec(line)![1];
    expect(cells.replace(/ /g, '').length).toBe(Math.floor(cells.length / 4));
  });

  it('a terminal that reports no width (0 columns) gets a 100-column line, not an empty one', () => {
    const out = recorder(true);
    out.columns = 0;
    new ProgressBar(out, 'Epoch 1/1', 10).update(5, { loss: 1, accuracy: 0.5, samplesPerSecond: 10 });
    expect(out.text).toMatch(/^\rEpoch 1\/1  5\/10 \[=+> +\] loss 1\.0000 acc 50\.00% 10 samples\/s ETA \d+:\d\d\x1b\[K$/);
  });

  it('without a known total it shows the batch count and no bar', () => {
    const out = recorder(true);
    new ProgressBar(out, 'Epoch 1/1', undefined).update(7, { loss: 1, accuracy: 0.5, samplesPerSecond: 10 });
    expect(out.text).toMatch(/^\rEpoch 1\/1 7 loss/);
    expect(out.text).toContain('ETA ?');
  });

  it('redraws at most every 100 ms, except for the last batch', () => {
    let now = 0;
    const clock = vi.spyOn(performance, 'now').mockImplementation(() => now);
    try {
      const out = recorder(true);
      const bar = new ProgressBar(out, 'E', 1000);
      // one batch per millisecond: 1 s in all
      for (let i = 1; i <= 1000; i++) {
        now = i;
        bar.update(i, { loss: 1, accuracy: 0.5, samplesPerSecond: 10 });
      }
      const draws = out.text.split('\r').slice(1).map((l) => Number(/^E +(\d+)\//.exec(l)![1]));
      expect(draws).toEqual([1, 101, 201, 301, 401, 501, 601, 701, 801, 901, 1000]);
    } finally {
      clock.mockRestore();
    }
  });
});
