/** A function that needs Node (files, downloads) was called somewhere else, e.g. in a browser. */
export class NodeOnlyError extends Error {
  /** Always 'NodeOnlyError'. */
  override name = 'NodeOnlyError';

  constructor(
    /** The public function that was called, e.g. 'io.save'. */
    readonly caller: string,
    instead: string,
    needs = "Node's file system",
  ) {
    super(`${caller} needs ${needs}, which this platform (a browser?) does not have: ${instead}`);
  }
}

/** A file could not be written or read where the caller asked (missing folder, a folder given as the file, no permission). */
export class FileAccessError extends Error {
  override name = 'FileAccessError';

  constructor(
    readonly caller: string,
    readonly path: string,
    why: string,
    readonly code?: string,
  ) {
    super(`${caller}: cannot write ${path}: ${why}`);
  }
}
