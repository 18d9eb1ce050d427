/**
 * Errors raised by the dataset readers and the fetch machinery. They are separate
 * classes so callers (the CLI, tests, DataLoader code) can tell "the file is broken"
 * apart from "the file is not there" without parsing messages.
 */

/** A data file exists but its bytes do not match the format it claims to be. */
export class DataFormatError extends Error {
  /** Always 'DataFormatError'. */
  override name = 'DataFormatError';

  /** `path` is the offending file; `detail` says what was expected and what was found. */
  constructor(
    /** The file whose bytes are wrong. */
    readonly path: string,
    detail: string,
  ) {
    super(`${path}: ${detail}`);
  }
}

/** Data files a loader needs are not on disk; the message says how to get them. */
export class DatasetMissingError extends Error {
  /** Always 'DatasetMissingError'. */
  override name = 'DatasetMissingError';

  /** `missing` lists the absent paths; `message` carries the download instructions. */
  constructor(
    /** The paths a loader looked for and did not find. */
    readonly missing: readonly string[],
    message: string,
  ) {
    super(message);
  }
}

/**
 * A short rendering of a wrong value for an error message: what a plain-JS caller passed,
 * bounded in length (no dump of a 60 000-element array) and safe on cyclic objects.
 */
export function describeValue(v: unknown): string {
  if (v === null || v === undefined || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (typeof v === 'number') return Object.is(v, -0) ? '-0' : String(v);
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (typeof v === 'function') return `a function${v.name ? ` (${v.name})` : ''}`;
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  if (ArrayBuffer.isView(v)) return `a ${v.constructor.name}`;
  const name = (Object.getPrototypeOf(v) as { constructor?: { name?: string } } | null)?.constructor?.name;
  return name && name !== 'Object' ? `a ${name}` : 'an object';
}
