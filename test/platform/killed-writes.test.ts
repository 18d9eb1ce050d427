/**
 * Fault injection: SIGKILL in the middle of io.save and of a download. A killed writer can
 * leave its temporary file (nothing in a dead process runs), but never a partial file at
 * the final path, and the next write to the same path removes what the dead one left.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tg from 'tsgrad';
import { downloadVerified } from '../../src/platform/node/download.ts';

const tmp = mkdtempSync(join(tmpdir(), 'tsgrad-kill-'));
const FIXTURES = join(import.meta.dirname, 'fixtures');
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function startChild(script: string, args: string[]): { child: ChildProcess; exited: Promise<void> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(FIXTURES, script), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  return { child, exited };
}

/** Polls until `cond` holds (true) or the child exits or time runs out (false). */
async function until(cond: () => boolean, exited: Promise<void>, ms: number): Promise<boolean> {
  let done = false;
  void exited.then(() => { done = true; });
  const deadline = Date.now() + ms;
  while (!done && Date.now() < deadline) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 2));
  }
  return cond();
}

const temps = (dir: string, ext: string) => readdirSync(dir).filter((n) => n.endsWith(`.${ext}`));

describe('SIGKILL during io.save', () => {
  it('never leaves a partial model file, and the next save removes the dead writer\'s temporary file', async () => {
    const trials = 4;
    let killedMidWrite = 0;
    for (let t = 0; t < trials; t++) {
      const dir = mkdtempSync(join(tmp, 'save-'));
      const path = join(dir, 'model.safetensors');
      const { child, exited } = startChild('save-forever.ts', [path]);
      // Trials alternate: kill as soon as a temporary file exists (mid-write, certainly),
      // or at a random moment after the first save completed.
      const ready = t % 2 === 0
        ? await until(() => temps(dir, 'tmp').length > 0, exited, 90_000)
        : await until(() => existsSync(path), exited, 90_000);
      expect(ready, 'the child never started writing').toBe(true);
      if (t % 2 === 1) await new Promise((r) => setTimeout(r, 20 + Math.random() * 300));
      child.kill('SIGKILL');
      await exited;

      if (temps(dir, 'tmp').length > 0) killedMidWrite++;
      const model = new tg.nn.Sequential(new tg.nn.Dense(2048, 2048));
      // Whatever is at the final path is a complete file (or nothing, if the first save never finished).
      if (existsSync(path)) tg.io.load(model, path);
      tg.io.save(model, path);
      expect(readdirSync(dir)).toEqual(['model.safetensors']);
    }
    expect(killedMidWrite, 'no kill landed mid-write: the test did not test anything').toBeGreaterThan(0);
  });
});

describe('SIGKILL during a download, and size caps', () => {
  const body = new Uint8Array(4 << 20).map((_, i) => (i * 7 + 3) % 251);
  const bodySha = sha256(body);
  let server: Server;
  let base = '';

  beforeAll(async () => {
    server = createServer((req, res) => {
      switch (req.url) {
        case '/slow': {
          // 64 KiB every 20 ms: about 1.3 s in all, plenty of time to be killed mid-body.
          res.writeHead(200, { 'content-length': body.length });
          let at = 0;
          const timer = setInterval(() => {
            if (res.destroyed || at >= body.length) {
              clearInterval(timer);
              res.end();
              return;
            }
            res.write(body.subarray(at, (at += 65536)));
          }, 20);
          return;
        }
        case '/fast':
          res.writeHead(200, { 'content-length': body.length });
          res.end(body);
          return;
        case '/endless': {
          // No Content-Length, and it never ends: only the size cap stops it.
          res.writeHead(200);
          const chunk = new Uint8Array(65536);
          const pump = (): void => {
            while (!res.destroyed && res.write(chunk));
            if (!res.destroyed) res.once('drain', pump);
          };
          pump();
          return;
        }
        default:
          res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('a killed download leaves no file at the final path, and the next run removes its .part', async () => {
    const dir = mkdtempSync(join(tmp, 'download-'));
    const dest = join(dir, 'data.bin');
    const { child, exited } = startChild('download-once.ts', [`${base}/slow`, dest, bodySha]);
    expect(await until(() => temps(dir, 'part').length > 0, exited, 90_000), 'the child never started downloading').toBe(true);
    child.kill('SIGKILL');
    await exited;
    expect(existsSync(dest)).toBe(false);
    expect(temps(dir, 'part').length).toBe(1);

    expect(await downloadVerified({ urls: [`${base}/fast`], dest, sha256: bodySha })).toBe('downloaded');
    expect(readdirSync(dir)).toEqual(['data.bin']);
    expect(sha256(readFileSync(dest))).toBe(bodySha);
  });

  it('refuses a body announced larger than maxBytes before writing anything', async () => {
    const dir = mkdtempSync(join(tmp, 'cap-'));
    const err = await downloadVerified({ urls: [`${base}/fast`], dest: join(dir, 'x'), sha256: bodySha, maxBytes: 1 << 20 })
      .then(() => null, (e: Error) => e);
    expect(err?.message).toMatch(/announces 4194304 bytes, more than the 1048576-byte limit \(maxBytes\)/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('stops an endless body at maxBytes and removes what it wrote', async () => {
    const dir = mkdtempSync(join(tmp, 'endless-'));
    const err = await downloadVerified({ urls: [`${base}/endless`], dest: join(dir, 'x'), sha256: bodySha, maxBytes: 1 << 20 })
      .then(() => null, (e: Error) => e);
    expect(err?.message).toMatch(/exceeds the 1048576-byte limit \(maxBytes\); stopped after \d+ bytes/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses a maxBytes that is not a positive integer', async () => {
    await expect(downloadVerified({ urls: [`${base}/fast`], dest: join(tmp, 'y'), sha256: bodySha, maxBytes: 0 }))
      .rejects.toThrow(/downloadVerified: maxBytes must be a positive integer, got 0/);
  });
});
