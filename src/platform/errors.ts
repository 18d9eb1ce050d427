/** A function that needs Node (files, downloads) was called somewhere else, e.g. in a browser. */
export class NodeOnlyError extends Error {
  /** Always 'NodeOnlyError'. */
  override name = 'NodeOnlyError';

  /** `caller` is the public function called; `instead` what to do in its place. */
  constructor(readonly caller: string, instead: string, needs = "Node's file system") {
    super(`${caller} needs ${needs}, which this platform (a browser?) does not have: ${instead}`);
  }
}
