import { stdout } from '#platform';

/**
 * The per-epoch progress line of fit():
 *   Epoch 2/3  412/938 [=========>          ] loss 0.0712 acc 97.81% 1840 samples/s ETA 0:29
 * On a terminal it redraws in place (carriage return + clear-line), at most ~10 times a
 * second so drawing never costs training time; elsewhere (a log file) it writes only the
 * finished line of each epoch.
 */

/** Where progress goes: standard output, or anything with write() (tests pass a recorder). */
export interface ProgressStream {
  /** Writes text as is. */
  write(text: string): unknown;
  /** True for an interactive terminal: redraw in place. */
  isTTY?: boolean;
  /** Terminal width, to keep the line from wrapping. */
  columns?: number;
}

/** Live numbers shown on the bar. */
export interface ProgressStats {
  /** Mean loss so far this epoch. */
  loss: number;
  /** Accuracy so far this epoch (NaN: not shown). */
  accuracy: number;
  /** Training throughput so far this epoch. */
  samplesPerSecond: number;
}

const REDRAW_MS = 100;

/**
 * fit()'s `progress` option as a stream: `false` is none, `undefined` and `true` standard
 * output (the platform's: a terminal or log in Node, the console in a browser), and a
 * stream is itself.
 */
export function progressStream(option: boolean | ProgressStream | undefined): ProgressStream | null {
  if (option === false) return null;
  if (option === undefined || option === true) return stdout();
  return option;
}

/** Seconds as m:ss or h:mm:ss. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(r).padStart(2, '0')}`;
}

/** Loss and accuracy as the bar and the epoch summary print them. */
export function formatMetrics(loss: number, accuracy: number, prefix = ''): string {
  const acc = Number.isNaN(accuracy) ? '' : ` ${prefix}acc ${(accuracy * 100).toFixed(2)}%`;
  return `${prefix}loss ${loss.toFixed(4)}${acc}`;
}

/** One epoch's progress line. */
export class ProgressBar {
  private lastDraw = -Infinity;
  private readonly started = performance.now();

  /** `total` batches (undefined when the source has no length: no bar, no ETA). */
  constructor(
    private readonly stream: ProgressStream,
    private readonly label: string,
    private readonly total: number | undefined,
  ) {}

  /** Shows `done` batches finished; redraws only on a terminal and only every ~100 ms. */
  update(done: number, stats: ProgressStats): void {
    if (!this.stream.isTTY) return;
    const now = performance.now();
    if (now - this.lastDraw < REDRAW_MS && done !== this.total) return;
    this.lastDraw = now;
    const elapsed = (now - this.started) / 1000;
    const eta = this.total && done > 0 ? (elapsed / done) * (this.total - done) : NaN;
    const tail = `${formatMetrics(stats.loss, stats.accuracy)} ${Math.round(stats.samplesPerSecond)} samples/s ETA ${formatDuration(eta)}`;
    this.draw(done, tail);
  }

  /** Replaces the live line with the epoch's summary and ends it with a newline. */
  finish(done: number, summary: string): void {
    if (this.stream.isTTY) this.draw(done, summary);
    else this.stream.write(`${this.label} ${summary}`);
    this.stream.write('\n');
  }

  /** Ends a live line early (on an error) so the message that follows starts on its own line. */
  abort(): void {
    if (this.stream.isTTY && this.lastDraw > -Infinity) this.stream.write('\n');
  }

  private draw(done: number, tail: string): void {
    const count = this.total ? `${String(done).padStart(String(this.total).length)}/${this.total}` : `${done}`;
    // A pseudo-terminal without a size reports 0 columns.
    const columns = this.stream.columns && this.stream.columns > 0 ? this.stream.columns : 100;
    const head = `${this.label} ${count} `;
    // The bar takes what the text leaves, between 10 and 30 cells.
    const room = columns - head.length - tail.length - 4;
    let bar = '';
    if (this.total && room >= 10) {
      const width = Math.min(30, room);
      const filled = Math.min(width, Math.floor((done / this.total) * width));
      bar = `[${'='.repeat(Math.max(0, filled - 1))}${filled > 0 ? (done === this.total ? '=' : '>') : ''}${' '.repeat(width - filled)}] `;
    }
    let line = `${head}${bar}${tail}`;
    if (line.length > columns - 1) line = line.slice(0, columns - 1);
    this.stream.write(`\r${line}\x1b[K`);
  }
}
