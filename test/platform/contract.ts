// Compile-time only (checked by `npm run typecheck`): both platform implementations export
// every member of the Platform contract with the same types, so code that imports
// `#platform` (type-checked against the Node one) is right for the browser one too.
import type * as browser from '../../src/platform/browser/index.ts';
import type * as node from '../../src/platform/node/index.ts';
import type { Platform } from '../../src/platform/platform.ts';

type Implements<T extends Platform> = T;
export type NodeImplements = Implements<typeof node>;
export type BrowserImplements = Implements<typeof browser>;
// Nothing beyond the contract either, or code could come to depend on a Node-only extra.
type Extra<T> = Exclude<keyof T, keyof Platform>;
export const noNodeExtras: [Extra<typeof node>] extends [never] ? true : Extra<typeof node> = true;
export const noBrowserExtras: [Extra<typeof browser>] extends [never] ? true : Extra<typeof browser> = true;
