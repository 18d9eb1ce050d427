/** Writing a file so that readers see either the old contents or the new, never half of it. */
import { files } from '#platform';

/**
 * Writes `data` to a temporary file in the destination's folder, flushes it to disk and
 * renames it over `path`. A rename within one folder is atomic, so a crash mid-write
 * leaves the previous file intact instead of a truncated one; the temporary file a killed
 * process leaves behind is removed by the next write to the same path. Node only.
 * `caller` names the public function in errors.
 */
export function writeFileAtomic(path: string, data: Uint8Array, caller = 'writeFileAtomic'): void {
  if (typeof path !== 'string' || path === '') {
    throw new TypeError(`${caller}: path must be a non-empty string, got ${JSON.stringify(path) ?? typeof path}`);
  }
  files(caller, 'keep the bytes in memory (tg.io.toBytes) or hand them to the user as a download')
    .writeFileAtomic(path, data);
}
