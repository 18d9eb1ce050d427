import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { copyFile, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import { basename, dirname } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { removeStaleTemps, tempPathFor } from './temp-files.ts';

/**
 * Checksum-verified, atomic file installation: the machinery under `npm run fetch-data`
 * (Node only, like every download). A file only ever appears under its final name after
 * its SHA-256 matched, so a crash, a dropped connection or a tampered mirror can never
 * leave behind a file that looks complete; the `.part` file of a killed run is removed by
 * the next one. A size cap ends endless or oversized bodies. Kept free of dataset
 * specifics so tests can drive it against a local HTTP server.
 */

/** Default cap on one download: well above CIFAR-10's 170 MB archive, far below a full disk. */
export const DEFAULT_MAX_DOWNLOAD_BYTES = 1024 * 1024 * 1024;

/** A file's SHA-256 differs from the expected one. */
export class ChecksumError extends Error {
  override name = 'ChecksumError';

  /** `what` names the file or URL whose bytes were hashed. */
  constructor(
    readonly what: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`${what}: SHA-256 mismatch: expected ${expected}, found ${actual}`);
  }
}

/** Every URL tried for a download failed; `attempts` says why, one entry per URL. */
export class DownloadError extends Error {
  override name = 'DownloadError';

  /** `dest` is the file that could not be installed. */
  constructor(
    readonly dest: string,
    readonly attempts: ReadonlyArray<{ url: string; error: Error }>,
  ) {
    super(
      `download of ${basename(dest)} failed from every source:\n` +
        attempts.map((a) => `  ${a.url}: ${a.error.message}`).join('\n'),
    );
  }
}

/** How a verified file came to be in place. */
export type InstallStatus = 'present' | 'downloaded' | 'copied';

/** Progress callback: bytes received so far and the total when the server announced it. */
export type ProgressFn = (received: number, total: number | null) => void;

/** Options for {@link downloadVerified}. */
export interface DownloadOptions {
  /** Mirrors to try in order; the first that delivers the right bytes wins. */
  urls: readonly string[];
  /** Final path of the file. */
  dest: string;
  /** Expected SHA-256, lowercase hex. */
  sha256: string;
  /** Abort a connection that stays silent this long (ms); default 30000. */
  timeoutMs?: number;
  /** Called as bytes arrive. */
  onProgress?: ProgressFn;
  /**
   * Refuse a body larger than this many bytes: announced (Content-Length) before anything
   * is written, or streamed past it. Default DEFAULT_MAX_DOWNLOAD_BYTES (1 GiB).
   */
  maxBytes?: number;
}

/** SHA-256 of a file, lowercase hex; streamed so 170 MB archives need no big buffer. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** True when `path` is a regular file whose SHA-256 is `sha256`. */
export async function isVerifiedFile(path: string, sha256: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
  } catch {
    return false;
  }
  return (await sha256File(path)) === sha256.toLowerCase();
}

/**
 * Install `dest` atomically: `fill` writes a temporary `.<name>.<pid>.<random>.part` file in
 * the same folder (same filesystem, so the final rename is atomic), which is hashed as it
 * lies on disk, flushed, and only then renamed over `dest`. On any failure the temporary
 * file is removed and `dest` is left as it was; part files of killed runs are removed first.
 */
export async function installAtomically(
  dest: string,
  sha256: string,
  fill: (partPath: string) => Promise<void>,
): Promise<void> {
  await mkdir(dirname(dest), { recursive: true });
  removeStaleTemps(dest, 'part');
  // A unique name lets two concurrent fetches run without clobbering each other's part file.
  const part = tempPathFor(dest, 'part');
  try {
    await fill(part);
    const actual = await sha256File(part);
    if (actual !== sha256.toLowerCase()) throw new ChecksumError(dest, sha256.toLowerCase(), actual);
    const fh = await open(part, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(part, dest);
  } catch (err) {
    await rm(part, { force: true });
    throw err;
  }
}

/** Copy a local file into place with the same verify-then-rename guarantee as a download. */
export async function copyVerified(src: string, dest: string, sha256: string): Promise<InstallStatus> {
  if (await isVerifiedFile(dest, sha256)) return 'present';
  await installAtomically(dest, sha256, (part) => copyFile(src, part));
  return 'copied';
}

/**
 * Download `dest` from the first of `urls` that delivers bytes with the expected
 * SHA-256. Returns 'present' without touching the network when `dest` already
 * verifies, which makes re-running a fetch cheap and safe.
 */
export async function downloadVerified(options: DownloadOptions): Promise<InstallStatus> {
  const { urls, dest, sha256, timeoutMs = 30_000, onProgress, maxBytes = DEFAULT_MAX_DOWNLOAD_BYTES } = options;
  if (!(Number.isSafeInteger(maxBytes) && maxBytes > 0)) {
    throw new RangeError(`downloadVerified: maxBytes must be a positive integer, got ${maxBytes}`);
  }
  if (await isVerifiedFile(dest, sha256)) return 'present';
  const attempts: { url: string; error: Error }[] = [];
  for (const url of urls) {
    try {
      await installAtomically(dest, sha256, (part) => fetchToFile(url, part, { timeoutMs, maxBytes, onProgress }));
      return 'downloaded';
    } catch (err) {
      attempts.push({ url, error: err instanceof Error ? err : new Error(String(err)) });
    }
  }
  throw new DownloadError(dest, attempts);
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** GET `url`, following up to `redirectsLeft` redirects, resolving with a 200 response. */
function openResponse(url: string, timeoutMs: number, redirectsLeft = 5): Promise<http.IncomingMessage> {
  return new Promise((resolvePromise, reject) => {
    const parsed = new URL(url);
    const client = parsed.protocol === 'https:' ? https : parsed.protocol === 'http:' ? http : null;
    if (!client) {
      reject(new Error(`unsupported URL protocol ${parsed.protocol}`));
      return;
    }
    const req = client.get(parsed, { headers: { 'user-agent': 'tsgrad-fetch-data' } }, (res) => {
      const status = res.statusCode ?? 0;
      if (REDIRECTS.has(status) && res.headers.location) {
        res.resume();
        if (redirectsLeft === 0) {
          reject(new Error('too many redirects'));
          return;
        }
        const next = new URL(res.headers.location, parsed).href;
        openResponse(next, timeoutMs, redirectsLeft - 1).then(resolvePromise, reject);
        return;
      }
      if (status !== 200) {
        res.resume();
        reject(new Error(`HTTP ${status} ${res.statusMessage ?? ''}`.trim()));
        return;
      }
      // From here on the body's own idle timeout (set by the reader) takes over: a
      // request destroyed after the response would only surface as a bare "aborted".
      req.setTimeout(0);
      resolvePromise(res);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no response for ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

interface FetchLimits {
  timeoutMs: number;
  maxBytes: number;
  onProgress?: ProgressFn;
}

/** Stream `url` into `path`, failing if the body ends short of its Content-Length or exceeds maxBytes. */
async function fetchToFile(url: string, path: string, { timeoutMs, maxBytes, onProgress }: FetchLimits): Promise<void> {
  const res = await openResponse(url, timeoutMs);
  const header = res.headers['content-length'];
  const total = header !== undefined && /^\d+$/.test(header) ? Number(header) : null;
  if (total !== null && total > maxBytes) {
    res.destroy();
    throw new Error(`the server announces ${total} bytes, more than the ${maxBytes}-byte limit (maxBytes)`);
  }
  res.setTimeout(timeoutMs, () => res.destroy(new Error(`no data for ${timeoutMs} ms`)));
  let received = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      received += chunk.length;
      if (received > maxBytes) {
        done(new Error(`the body exceeds the ${maxBytes}-byte limit (maxBytes); stopped after ${received} bytes`));
        return;
      }
      onProgress?.(received, total);
      done(null, chunk);
    },
  });
  await pipeline(res, counter, createWriteStream(path));
  // Node normally reports a dropped connection as an error, but a short body that
  // ends "cleanly" must not pass either; the checksum would catch it, this names it.
  if (total !== null && received !== total) {
    throw new Error(`connection closed after ${received} of ${total} bytes`);
  }
}
