/** Shared by the data reader tests: the check that a bad file is refused by name. */
import { expect } from 'vitest';
import { DataFormatError } from '../../src/data/errors.ts';

/** Expect `fn` to throw a DataFormatError whose message names `path` and contains every fragment. */
export function expectFormatError(fn: () => unknown, path: string, ...fragments: string[]): void {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(DataFormatError);
  const message = (caught as Error).message;
  expect(message).toContain(path);
  for (const f of fragments) expect(message).toContain(f);
}
