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
