/**
 * ThreadChoice (src/backend/cpu/thread-choice.ts) on made-up run times: which mode it picks,
 * how often it tries the other, and how it follows a machine that changes.
 */
import { describe, expect, it } from 'vitest';
import { ThreadChoice } from '../../src/backend/cpu/thread-choice.ts';

/** Runs `runs` jobs of one shape whose time in each mode is given; returns the modes chosen. */
function drive(choice: ThreadChoice, runs: number, times: { threaded: number; solo: number }): boolean[] {
  const picks: boolean[] = [];
  for (let i = 0; i < runs; i++) {
    const threaded = choice.choose('s');
    picks.push(threaded);
    choice.record('s', threaded, threaded ? times.threaded : times.solo);
  }
  return picks;
}

const soloRuns = (picks: boolean[]): number[] => picks.flatMap((t, i) => (t ? [] : [i + 1]));

describe('ThreadChoice', () => {
  it('starts threaded and tries one thread at the 16th run', () => {
    const picks = drive(new ThreadChoice(), 20, { threaded: 10, solo: 12 });
    expect(soloRuns(picks)).toEqual([16]);
  });

  it('tries the slower mode every 16th run when the two are close', () => {
    const picks = drive(new ThreadChoice(), 100, { threaded: 10, solo: 12 });
    expect(soloRuns(picks)).toEqual([16, 32, 48, 64, 80, 96]);
  });

  it('tries it only every 64th run when it is 1.5× slower or worse', () => {
    const picks = drive(new ThreadChoice(), 200, { threaded: 10, solo: 18 });
    // The first try measures it; from then on the gap is known to be wide.
    expect(soloRuns(picks)).toEqual([16, 80, 144]);
  });

  it('moves to one thread when threads become slower, and back when they pay again', () => {
    const choice = new ThreadChoice();
    drive(choice, 20, { threaded: 10, solo: 12 });
    // The machine gets busy: threads now take 30. Two slow runs out of three switch.
    const busy = drive(choice, 10, { threaded: 30, solo: 12 });
    expect(busy.slice(0, 2)).toEqual([true, true]);
    expect(busy.slice(2).every((t) => !t)).toBe(true);
    // Idle again: one thread still 12, threads back to 10. Threads measured 30 last, a wide gap,
    // so they are tried within 64 runs; that fast try brings the next one 16 runs later, and the
    // second fast run switches back.
    const idle = drive(choice, 200, { threaded: 10, solo: 12 });
    const first = idle.indexOf(true);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(first).toBeLessThan(64);
    expect(idle[first + 1]).toBe(false);
    expect(idle.slice(first + 16, first + 32).every((t) => t)).toBe(true);
    // From then on one thread is tried every 16th run again (the gap is 12 vs 10).
    expect(idle.slice(first + 16).filter((t) => !t).length).toBe(Math.floor((200 - first - 16) / 16));
  });
});
