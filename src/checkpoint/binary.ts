// ravine's binary checkpoint: a state dict in one file, its buffers as raw bytes (4 bytes a float32
// against JSON's 5.3 characters, and no base64 pass). This layout is the on-disk contract: a change to
// it is a new version, and a reader refuses versions it does not know.
//
//   offset     bytes   field
//   0          4       magic "RAVN" (52 41 56 4E)
//   4          4       version: 1
//   8          4       H, the header's byte length
//   12         4       B, the number of buffers
//   16         H       header: the dict as UTF-8 JSON (below)
//   16+H       12·B    buffer table, a row per buffer: kind (1 float32, 2 float64), element count, byte
//                      offset from the start of the data section (a multiple of 8)
//   T=16+H+12B P       zero padding, 0 to 7 bytes: the data section starts 8-byte aligned, at D = ⌈T/8⌉·8
//   D          S       data section: each buffer's IEEE-754 bytes, little-endian, at its offset, in table
//                      order, without overlap; the writer starts each at the next multiple of 8 and fills
//                      the gaps with zeros (a reader ignores them: the checksum covers them)
//   D+S        4       CRC-32 of bytes [0, D+S) (zlib's and PNG's: crc32.ts)
//
// Every integer is a little-endian u32. The checkpoint ends with its checksum: decodeCheckpoint takes
// exactly its bytes (a subarray of a bigger file is fine; trailing bytes are not).
//
// The header is the dict as JSON, with three substitutions that make it lossless:
//   - each Float32Array or Float64Array is {"$buffer": i}, i its row in the buffer table; each row is
//     referenced exactly once (an array that appears twice in the dict is written twice);
//   - each number JSON cannot write is {"$number": "NaN" | "Infinity" | "-Infinity" | "-0"} (a NaN in
//     the header loses its payload, as any JS number NaN may; a NaN in a buffer keeps every bit);
//   - each key of the dict's that begins with "$" is written with one more "$" in front ("$buffer" as
//     "$$buffer"), so that every key survives and no data is ever read as a marker.
// A dict holds numbers, strings, booleans, null, arrays, plain objects, Float32Arrays and Float64Arrays;
// an object property that is undefined is left out, as JSON.stringify does; anything else is refused.
import { describe } from '../ravine.js';
import { crc32 } from './crc32.js';

const MAGIC = [0x52, 0x41, 0x56, 0x4e]; // "RAVN"
const VERSION = 1;
const PREAMBLE = 16;
const ROW = 12;
const U32_MAX = 0xffffffff;
const KINDS = { 1: { name: 'float32', width: 4 }, 2: { name: 'float64', width: 8 } } as const;
type Kind = keyof typeof KINDS;

// The file is little-endian whatever the host; typed arrays are in host order, so a big-endian host
// swaps each element's bytes on the way out and in. (ravine's wasm views assume a little-endian host.)
const HOST_LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

function swapBytes(bytes: Uint8Array, width: number): void {
  for (let i = 0; i < bytes.length; i += width) bytes.subarray(i, i + width).reverse();
}

const align8 = (n: number) => Math.ceil(n / 8) * 8;
const hex = (n: number) => `0x${n.toString(16).toUpperCase().padStart(8, '0')}`;
const child = (path: string, key: string) => (/^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`);
function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const SPECIAL_NUMBERS: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 };

/** The header form of a number: itself, or a { $number } for what JSON cannot write. */
function encodeNumber(v: number): number | { $number: string } {
  if (Number.isNaN(v)) return { $number: 'NaN' };
  if (!Number.isFinite(v)) return { $number: v > 0 ? 'Infinity' : '-Infinity' };
  return Object.is(v, -0) ? { $number: '-0' } : v;
}

/** `value` as the header holds it, its typed arrays appended to `buffers`; throws on what JSON cannot hold. */
function toHeader(value: unknown, path: string, buffers: (Float32Array | Float64Array)[], ancestors: Set<object>): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return encodeNumber(value);
  if (value instanceof Float32Array || value instanceof Float64Array) return { $buffer: buffers.push(value) - 1 };
  if (typeof value !== 'object' || !(Array.isArray(value) || isPlainObject(value))) {
    const type = typeof value === 'object' ? (value.constructor?.name || describe(value)) : typeof value;
    // "an Int8Array", "a Uint8Array"
    const what = value === undefined ? 'undefined (in an array)' : `${/^[aeioAEIO]/.test(type) ? 'an' : 'a'} ${type}`;
    throw new TypeError(`encodeCheckpoint: ${path} is ${what}; a checkpoint holds numbers, strings, booleans, null, arrays, plain objects, Float32Arrays and Float64Arrays`);
  }
  if (ancestors.has(value)) throw new TypeError(`encodeCheckpoint: ${path} contains itself (a cycle); a checkpoint holds a tree`);
  ancestors.add(value);
  const out = Array.isArray(value)
    ? Array.from({ length: value.length }, (_, i) => toHeader(value[i], `${path}[${i}]`, buffers, ancestors))
    : Object.fromEntries(
        Object.entries(value)
          .filter(([, v]) => v !== undefined) // left out, as JSON.stringify does
          .map(([key, v]) => [key.startsWith('$') ? `$${key}` : key, toHeader(v, child(path, key), buffers, ancestors)]),
      );
  ancestors.delete(value);
  return out;
}

/**
 * The checkpoint of `dict` (a state dict, or any tree of JSON values, Float32Arrays and Float64Arrays),
 * in the format above. Throws a TypeError naming the path of a value it cannot hold.
 */
export function encodeCheckpoint(dict: object): Uint8Array {
  if (typeof dict !== 'object' || dict === null || dict instanceof Float32Array || dict instanceof Float64Array) {
    throw new TypeError(`encodeCheckpoint: expected a state dict (a plain object or an array), got ${describe(dict)}`);
  }
  const buffers: (Float32Array | Float64Array)[] = [];
  const tree = toHeader(dict, 'dict', buffers, new Set());
  const header = new TextEncoder().encode(JSON.stringify(tree));
  const offsets: number[] = [];
  let dataBytes = 0;
  for (const b of buffers) {
    offsets.push(align8(dataBytes));
    dataBytes = align8(dataBytes) + b.byteLength;
  }
  if (header.length > U32_MAX || dataBytes > U32_MAX || buffers.some((b) => b.length > U32_MAX)) {
    throw new RangeError(`encodeCheckpoint: a ${header.length}-byte header and ${dataBytes} bytes of buffers do not fit version 1's u32 sizes (4 GiB each)`);
  }
  const tableEnd = PREAMBLE + header.length + ROW * buffers.length;
  const dataStart = align8(tableEnd);
  const out = new Uint8Array(dataStart + dataBytes + 4);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, header.length, true);
  view.setUint32(12, buffers.length, true);
  out.set(header, PREAMBLE);
  buffers.forEach((b, i) => {
    const row = PREAMBLE + header.length + ROW * i;
    view.setUint32(row, b instanceof Float32Array ? 1 : 2, true);
    view.setUint32(row + 4, b.length, true);
    view.setUint32(row + 8, offsets[i], true);
    const at = dataStart + offsets[i];
    out.set(new Uint8Array(b.buffer, b.byteOffset, b.byteLength), at);
    if (!HOST_LITTLE_ENDIAN) swapBytes(out.subarray(at, at + b.byteLength), b.BYTES_PER_ELEMENT);
  });
  view.setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

interface Row {
  readonly kind: number;
  readonly count: number;
  readonly offset: number;
}

const describeRow = (i: number, r: Row) => `buffer ${i} (${r.count} ${KINDS[r.kind as Kind]?.name ?? `kind-${r.kind}`} values at data offset ${r.offset})`;
const rowEnd = (r: Row) => r.offset + r.count * (KINDS[r.kind as Kind]?.width ?? 0);

/** The preamble, the checksum and the buffer table, checked; throws on the first thing wrong. */
function readLayout(bytes: Uint8Array) {
  const n = bytes.length;
  const start = Array.from(bytes.subarray(0, 4));
  if (start.some((b, i) => b !== MAGIC[i])) {
    throw new TypeError(`not a ravine checkpoint: it starts with bytes ${start.map((b) => b.toString(16).padStart(2, '0')).join(' ')}, not "RAVN" (52 41 56 4e)`);
  }
  if (n < PREAMBLE) throw new RangeError(`checkpoint truncated: ${n} bytes, needs at least ${PREAMBLE} for its preamble (magic, version, header length, buffer count)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, n);
  const version = view.getUint32(4, true);
  if (version !== VERSION) throw new TypeError(`checkpoint version ${version} is not supported by this ravine (reads version ${VERSION})`);
  const headerBytes = view.getUint32(8, true);
  const count = view.getUint32(12, true);
  const tableEnd = PREAMBLE + headerBytes + ROW * count;
  const dataStart = align8(tableEnd);
  if (n < dataStart + 4) {
    throw new RangeError(`checkpoint truncated: ${n} bytes, needs at least ${dataStart + 4} for its ${headerBytes}-byte header, its table of ${count} buffers and its checksum`);
  }
  const rows: Row[] = Array.from({ length: count }, (_, i) => {
    const at = PREAMBLE + headerBytes + ROW * i;
    return { kind: view.getUint32(at, true), count: view.getUint32(at + 4, true), offset: view.getUint32(at + 8, true) };
  });
  const dataBytes = n - 4 - dataStart;
  const stored = view.getUint32(n - 4, true);
  const computed = crc32(bytes.subarray(0, n - 4));
  if (stored !== computed) {
    // A file cut short fails its checksum too: say so when its own table asks for more bytes.
    let longest = -1;
    rows.forEach((r, i) => {
      if (rowEnd(r) > dataBytes && (longest < 0 || rowEnd(r) > rowEnd(rows[longest]))) longest = i;
    });
    if (longest >= 0) {
      throw new RangeError(`checkpoint truncated: ${n} bytes, needs at least ${dataStart + rowEnd(rows[longest]) + 4} for ${describeRow(longest, rows[longest])} and its checksum`);
    }
    throw new RangeError(`checksum mismatch: stored ${hex(stored)}, computed ${hex(computed)}: the checkpoint is corrupted`);
  }
  let previousEnd = 0;
  rows.forEach((r, i) => {
    if (!(r.kind in KINDS)) throw new TypeError(`checkpoint ${describeRow(i, r)} has unknown kind ${r.kind} (1 is float32, 2 is float64)`);
    if (r.offset % 8 !== 0) throw new RangeError(`checkpoint ${describeRow(i, r)} is not 8-byte aligned`);
    if (r.offset < previousEnd) throw new RangeError(`checkpoint ${describeRow(i, r)} overlaps the buffer before it, which ends at data offset ${previousEnd}`);
    if (rowEnd(r) > dataBytes) throw new RangeError(`checkpoint ${describeRow(i, r)} ends at data offset ${rowEnd(r)}, past the end of the data section (${dataBytes} bytes)`);
    previousEnd = rowEnd(r);
  });
  return { headerBytes, rows, dataStart };
}

/** A fresh typed array (its own memory, host order) holding the floats of `row`. */
function readBuffer(bytes: Uint8Array, dataStart: number, row: Row): Float32Array | Float64Array {
  const { width } = KINDS[row.kind as Kind];
  const at = dataStart + row.offset;
  // new Uint8Array(view) copies: the result never shares memory with the input (nor with a Node
  // Buffer's pool, whose slice() would), and its copy starts at byte 0, aligned for any float.
  const copy = new Uint8Array(bytes.subarray(at, at + row.count * width));
  if (!HOST_LITTLE_ENDIAN) swapBytes(copy, width);
  return width === 4 ? new Float32Array(copy.buffer) : new Float64Array(copy.buffer);
}

/** The dict a parsed header stands for: markers replaced, escaped keys restored; checks every marker. */
function fromHeader(value: unknown, path: string, take: (index: unknown, path: string) => Float32Array | Float64Array): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((v, i) => fromHeader(v, `${path}[${i}]`, take));
  const keys = Object.keys(value);
  const marker = keys.find((k) => k.startsWith('$') && !k.startsWith('$$'));
  if (marker === undefined) {
    return Object.fromEntries(keys.map((escaped) => {
      const key = escaped.startsWith('$') ? escaped.slice(1) : escaped;
      return [key, fromHeader((value as Record<string, unknown>)[escaped], child(path, key), take)];
    }));
  }
  const content = (value as Record<string, unknown>)[marker];
  if (keys.length !== 1 || (marker !== '$buffer' && marker !== '$number')) {
    throw new TypeError(`checkpoint header: ${path} has key ${JSON.stringify(marker)}, which is not a marker ({"$buffer": i} or {"$number": ...} alone; a dict's own "$" keys are written "$$")`);
  }
  if (marker === '$buffer') return take(content, path);
  if (typeof content !== 'string' || !Object.hasOwn(SPECIAL_NUMBERS, content)) {
    throw new TypeError(`checkpoint header: ${path} is {"$number": ${JSON.stringify(content)}}, expected "NaN", "Infinity", "-Infinity" or "-0"`);
  }
  return SPECIAL_NUMBERS[content];
}

/**
 * The dict `bytes` holds (exactly one checkpoint, at any byteOffset), with its Float32Arrays and
 * Float64Arrays as fresh copies. Everything is checked before anything is returned: a RangeError for
 * a file cut short, a checksum that does not match, or a buffer outside the data section; a TypeError
 * for a file that is not a ravine checkpoint, a version this ravine does not read, a header that is not
 * JSON, or a buffer table the header does not match.
 */
export function decodeCheckpoint(bytes: Uint8Array): object {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(`decodeCheckpoint: expected the checkpoint's bytes as a Uint8Array, got ${describe(bytes)}${(bytes as unknown) instanceof ArrayBuffer ? ' (wrap it: new Uint8Array(buffer))' : ''}`);
  }
  const { headerBytes, rows, dataStart } = readLayout(bytes);
  let parsed: unknown;
  try {
    // Copied first: TextDecoder refuses views of shared memory, which a checkpoint may sit in.
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes.subarray(PREAMBLE, PREAMBLE + headerBytes))));
  } catch (e) {
    throw new TypeError(`checkpoint header is not valid UTF-8 JSON: ${(e as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw new TypeError(`checkpoint header is ${describe(parsed)}, not an object or array`);
  const takenAt: (string | undefined)[] = new Array(rows.length).fill(undefined);
  const dict = fromHeader(parsed, 'dict', (index, path) => {
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= rows.length) {
      throw new TypeError(`checkpoint header: ${path} refers to buffer ${describe(index)}, out of range: the checkpoint has ${rows.length} buffers`);
    }
    if (takenAt[index] !== undefined) throw new TypeError(`checkpoint header: buffer ${index} is referenced twice, at ${takenAt[index]} and ${path}`);
    takenAt[index] = path;
    return readBuffer(bytes, dataStart, rows[index]);
  });
  const unused = takenAt.findIndex((at) => at === undefined);
  if (unused >= 0) throw new TypeError(`checkpoint header never refers to buffer ${unused} of ${rows.length}: the header and the buffer table disagree`);
  return dict as object;
}
