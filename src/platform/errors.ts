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
