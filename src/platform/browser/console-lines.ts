import type { OutputStream } from '../platform.ts';

/**
 * An output stream for the browser console: text is gathered until a newline and each
 * finished line is logged once, so fit() shows one console entry per epoch. Carriage
 * returns (a terminal's redraw) start the line afresh.
 */
export function consoleLines(log: (line: string) => void = (line) => console.log(line)): OutputStream {
  let pending = '';
  return {
    isTTY: false,
    write(text: string) {
      pending += text;
      let nl: number;
      while ((nl = pending.indexOf('\n')) !== -1) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        log(line.slice(line.lastIndexOf('\r') + 1));
      }
      return true;
    },
  };
}
