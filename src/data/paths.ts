import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Absolute path of the repository's `datasets/` folder. Resolved from this file's
 * location rather than the working directory, so examples and tests find the same
 * data no matter where they are launched from.
 */
export const DATASETS_DIR: string = join(fileURLToPath(new URL('../..', import.meta.url)), 'datasets');
