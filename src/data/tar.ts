import { DataFormatError } from './errors.ts';

/**
 * A minimal reader for (uncompressed) tar archives: POSIX ustar, with the GNU
 * long-name and pax `path` extensions, which is what `tar` has written for decades.
 * Only what fetching datasets needs: list entries and hand out their bytes.
 */

const BLOCK = 512;

/** One member of a tar archive. */
export interface TarEntry {
  /** Path inside the archive, as stored (forward slashes). */
  name: string;
  /** 'file', 'directory', or 'other' (links, devices, fifos: never extracted). */
  type: 'file' | 'directory' | 'other';
  /** The member's bytes (a view into the archive buffer); empty unless type is 'file'. */
  data: Uint8Array;
}

const decoder = new TextDecoder();

/** A NUL-terminated string field. */
function str(block: Uint8Array, offset: number, length: number): string {
  const field = block.subarray(offset, offset + length);
  const end = field.indexOf(0);
  return decoder.decode(end === -1 ? field : field.subarray(0, end));
}

/** A numeric field: octal text, or GNU base-256 when the top bit is set (files >= 8 GiB). */
function num(block: Uint8Array, offset: number, length: number, source: string, what: string, at: number): number {
  const field = block.subarray(offset, offset + length);
  if (field[0]! & 0x80) {
    let value = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    return value;
  }
  const text = str(block, offset, length).trim();
  if (text === '') return 0;
  if (!/^[0-7]+$/.test(text)) {
    throw new DataFormatError(source, `tar header at byte ${at}: ${what} field is not octal: ${JSON.stringify(text)}`);
  }
  return parseInt(text, 8);
}

/** Parse the `path` record out of a pax extended header ("LEN key=value\n" records). */
function paxPath(data: Uint8Array): string | null {
  const text = decoder.decode(data);
  let at = 0;
  while (at < text.length) {
    const space = text.indexOf(' ', at);
    if (space === -1) break;
    const len = Number(text.slice(at, space));
    if (!Number.isInteger(len) || len <= 0) break;
    const record = text.slice(space + 1, at + len - 1);
    const eq = record.indexOf('=');
    if (record.slice(0, eq) === 'path') return record.slice(eq + 1);
    at += len;
  }
  return null;
}

/**
 * List the entries of a tar archive held in memory. `source` names the archive in
 * errors. Header checksums are verified, since a bad one means the offsets that
 * follow cannot be trusted either.
 */
export function readTar(archive: Uint8Array, source: string): TarEntry[] {
  const entries: TarEntry[] = [];
  let at = 0;
  let longName: string | null = null;
  while (at + BLOCK <= archive.length) {
    const header = archive.subarray(at, at + BLOCK);
    // Two zero blocks end the archive; one is enough to know no header follows.
    if (header.every((b) => b === 0)) return entries;

    const stored = num(header, 148, 8, source, 'checksum', at);
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i]!;
    if (sum !== stored) {
      throw new DataFormatError(source, `tar header at byte ${at}: checksum ${stored} does not match computed ${sum}`);
    }

    const size = num(header, 124, 12, source, 'size', at);
    const typeflag = String.fromCharCode(header[156]!);
    const dataStart = at + BLOCK;
    const dataEnd = dataStart + size;
    if (dataEnd > archive.length) {
      throw new DataFormatError(
        source,
        `truncated tar archive: member at byte ${at} needs ${size} bytes, only ${archive.length - dataStart} remain`,
      );
    }
    const data = archive.subarray(dataStart, dataEnd);
    at = dataStart + Math.ceil(size / BLOCK) * BLOCK;

    if (typeflag === 'L') {
      longName = str(data, 0, data.length);
      continue;
    }
    if (typeflag === 'x') {
      longName = paxPath(data) ?? longName;
      continue;
    }
    if (typeflag === 'g') continue;

    const magic = str(header, 257, 6);
    const prefix = magic.startsWith('ustar') ? str(header, 345, 155) : '';
    const name = longName ?? (prefix ? `${prefix}/${str(header, 0, 100)}` : str(header, 0, 100));
    longName = null;
    const type = typeflag === '0' || typeflag === '\0' || typeflag === '7' ? 'file' : typeflag === '5' ? 'directory' : 'other';
    entries.push({ name, type, data: type === 'file' ? data : data.subarray(0, 0) });
  }
  // GNU tar always pads with zero blocks; running off the end means the archive was cut.
  throw new DataFormatError(source, `truncated tar archive: no end-of-archive marker after ${entries.length} entries`);
}
