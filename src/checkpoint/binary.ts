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
// Objects and arrays nest at most MAX_DEPTH = 256 deep, written or read (ravine's own dicts, about 10).
//
// A reader checks the checksum first: a file whose checksum matches is whole, so a length in it that
// points past its end is wrong, not cut short; a file whose checksum does not is called truncated only
// when its table is sound and describes more bytes than there are, and no single flipped bit in its
// lengths explains the mismatch (crc32.ts's flippedBit: a bit flipped in the header length or a row's
// count makes the file look short, though no byte is missing).
import { describe } from '../describe.js';
import { crc32, flippedBit } from './crc32.js';

const MAGIC = [0x52, 0x41, 0x56, 0x4e]; // "RAVN"
const VERSION = 1;
const PREAMBLE = 16;
const ROW = 12;
const U32_MAX = 0xffffffff;
/**
 * The deepest a dict's objects and arrays may nest, written or read: far past what ravine writes (10 for
 * an Adam driven by a chainedScheduler of a sequentialLR, 4 for L-BFGS), far short of where the recursion
 * would exhaust the stack (some 2,000 levels in Node 20).
 */
const MAX_DEPTH = 256;
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
/** A path short enough for a message: its start, where a deep one is still told apart. */
const brief = (path: string) => (path.length > 80 ? `${path.slice(0, 72)}…` : path);
const tooDeep = (path: string) => `${brief(path)} nests objects and arrays more than ${MAX_DEPTH} deep, the most a checkpoint holds`;
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

/**
 * `value` as the header holds it, its typed arrays appended to `buffers`; throws on what JSON cannot hold.
 * `depth` counts the objects and arrays `value` is one of, itself included.
 */
function toHeader(value: unknown, path: string, buffers: (Float32Array | Float64Array)[], ancestors: Set<object>, depth: number): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return encodeNumber(value);
  if (value instanceof Float32Array || value instanceof Float64Array) return { $buffer: buffers.push(value) - 1 };
  if (typeof value !== 'object' || !(Array.isArray(value) || isPlainObject(value))) {
    const type = typeof value === 'object' ? value.constructor?.name || describe(value) : typeof value;
    // "an Int8Array", "a Uint8Array"
    const what = value === undefined ? 'undefined (in an array)' : `${/^[aeioAEIO]/.test(type) ? 'an' : 'a'} ${type}`;
    throw new TypeError(
      `encodeCheckpoint: ${path} is ${what}; a checkpoint holds numbers, strings, booleans, null, arrays, plain objects, Float32Arrays and Float64Arrays`,
    );
  }
  if (ancestors.has(value)) throw new TypeError(`encodeCheckpoint: ${path} contains itself (a cycle); a checkpoint holds a tree`);
  if (depth > MAX_DEPTH) throw new RangeError(`encodeCheckpoint: ${tooDeep(path)}`);
  ancestors.add(value);
  // Object.fromEntries defines each key as the dict's own: a "__proto__" key stays a key.
  const out = Array.isArray(value)
    ? Array.from({ length: value.length }, (_, i) => toHeader(value[i], `${path}[${i}]`, buffers, ancestors, depth + 1))
    : Object.fromEntries(
        Object.entries(value)
          .filter(([, v]) => v !== undefined) // left out, as JSON.stringify does
          .map(([key, v]) => [key.startsWith('$') ? `$${key}` : key, toHeader(v, child(path, key), buffers, ancestors, depth + 1)]),
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
  const tree = toHeader(dict, 'dict', buffers, new Set(), 1);
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

/** The first `count` rows of the buffer table at byte `at` (the caller knows they are in the file). */
function readRows(view: DataView, at: number, count: number): Row[] {
  return Array.from({ length: count }, (_, i) => {
    const row = at + ROW * i;
    return { kind: view.getUint32(row, true), count: view.getUint32(row + 4, true), offset: view.getUint32(row + 8, true) };
  });
}

/** What is wrong with the rows themselves (a kind, an alignment, an overlap), or null: their lengths are checked apart. */
function rowsProblem(rows: readonly Row[]): Error | null {
  let previousEnd = 0;
  for (const [i, r] of rows.entries()) {
    if (!(r.kind in KINDS)) return new TypeError(`checkpoint ${describeRow(i, r)} has unknown kind ${r.kind} (1 is float32, 2 is float64)`);
    if (r.offset % 8 !== 0) return new RangeError(`checkpoint ${describeRow(i, r)} is not 8-byte aligned`);
    if (r.offset < previousEnd)
      return new RangeError(`checkpoint ${describeRow(i, r)} overlaps the buffer before it, which ends at data offset ${previousEnd}`);
    previousEnd = rowEnd(r);
  }
  return null;
}

/** The field byte `at` of a checkpoint belongs to, given where its table starts: for a message naming a flipped bit. */
function fieldAt(at: number, tableAt: number): string {
  if (at < 8) return 'its version';
  if (at < 12) return 'its header length';
  if (at < PREAMBLE) return 'its buffer count';
  const row = Math.floor((at - tableAt) / ROW);
  return `buffer ${row}'s ${['kind', 'element count', 'data offset'][Math.floor((at - tableAt - ROW * row) / 4)]}, in its buffer table`;
}

/** The preamble, as the file states it, and where it puts the table and the data section. */
function readPreamble(view: DataView) {
  const headerBytes = view.getUint32(8, true);
  const count = view.getUint32(12, true);
  const tableAt = PREAMBLE + headerBytes;
  return { version: view.getUint32(4, true), headerBytes, count, tableAt, dataStart: align8(tableAt + ROW * count) };
}

/**
 * Why a checkpoint whose checksum does not match is refused: corrupted when one flipped bit in its
 * version, lengths or table explains the mismatch; of another version when it says so; truncated when
 * its table (as much of it as is there) is sound and describes more bytes than there are; else corrupted.
 */
function damaged(bytes: Uint8Array, view: DataView, stored: number, computed: number): Error {
  const n = bytes.length;
  const { version, headerBytes, count, tableAt, dataStart } = readPreamble(view);
  const mismatch = `checksum mismatch: stored ${hex(stored)}, computed ${hex(computed)}`;
  const flip = flippedBit(stored, computed, n - 4, [
    [4, PREAMBLE],
    [tableAt, tableAt + ROW * count],
  ]);
  if (flip !== null) {
    return new RangeError(
      `${mismatch}: the checkpoint is corrupted (one flipped bit explains it: bit ${flip[1]} of byte ${flip[0]}, in ${fieldAt(flip[0], tableAt)}; no byte is missing)`,
    );
  }
  if (version !== VERSION) {
    return new TypeError(
      `checkpoint version ${version} is not supported by this ravine (reads version ${VERSION}); if it was written as version ${VERSION}, it is corrupted (${mismatch})`,
    );
  }
  const rows = readRows(view, tableAt, n < tableAt ? 0 : Math.min(count, Math.floor((n - tableAt) / ROW)));
  if (rowsProblem(rows) === null) {
    if (n < dataStart + 4) {
      return new RangeError(
        `checkpoint truncated: ${n} bytes, needs at least ${dataStart + 4} for its ${headerBytes}-byte header, its table of ${count} buffers and its checksum`,
      );
    }
    // The rows do not overlap and are in order: the last ends furthest.
    const last = rows.length - 1;
    if (last >= 0 && dataStart + rowEnd(rows[last]) + 4 > n) {
      return new RangeError(
        `checkpoint truncated: ${n} bytes, needs at least ${dataStart + rowEnd(rows[last]) + 4} for ${describeRow(last, rows[last])} and its checksum`,
      );
    }
  }
  return new RangeError(`${mismatch}: the checkpoint is corrupted`);
}

/** The preamble, the checksum and the buffer table, checked, the checksum first; throws on the first thing wrong. */
function readLayout(bytes: Uint8Array) {
  const n = bytes.length;
  const start = Array.from(bytes.subarray(0, 4));
  if (start.some((b, i) => b !== MAGIC[i])) {
    throw new TypeError(
      `not a ravine checkpoint: it starts with bytes ${start.map((b) => b.toString(16).padStart(2, '0')).join(' ')}, not "RAVN" (52 41 56 4e)`,
    );
  }
  if (n < PREAMBLE)
    throw new RangeError(`checkpoint truncated: ${n} bytes, needs at least ${PREAMBLE} for its preamble (magic, version, header length, buffer count)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, n);
  const stored = view.getUint32(n - 4, true);
  const computed = crc32(bytes.subarray(0, n - 4));
  if (stored !== computed) throw damaged(bytes, view, stored, computed);
  // Whole, as written: what is wrong from here on was written so.
  const { version, headerBytes, count, tableAt, dataStart } = readPreamble(view);
  if (version !== VERSION) throw new TypeError(`checkpoint version ${version} is not supported by this ravine (reads version ${VERSION})`);
  if (n < dataStart + 4) {
    throw new RangeError(
      `checkpoint malformed: its ${headerBytes}-byte header and table of ${count} buffers need at least ${dataStart + 4} bytes with its checksum, and it has ${n}, yet its checksum matches: nothing is missing, its lengths are wrong`,
    );
  }
  const rows = readRows(view, tableAt, count);
  const problem = rowsProblem(rows);
  if (problem !== null) throw problem;
  const dataBytes = n - 4 - dataStart;
  const past = rows.findIndex((r) => rowEnd(r) > dataBytes);
  if (past >= 0)
    throw new RangeError(
      `checkpoint ${describeRow(past, rows[past])} ends at data offset ${rowEnd(rows[past])}, past the end of the data section (${dataBytes} bytes)`,
    );
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

/**
 * The dict a parsed header stands for: markers replaced, escaped keys restored; checks every marker.
 * `depth` counts the objects and arrays `value` is one of, itself included (a marker is a leaf).
 */
function fromHeader(value: unknown, path: string, take: (index: unknown, path: string) => Float32Array | Float64Array, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    if (depth > MAX_DEPTH) throw new RangeError(`checkpoint header: ${tooDeep(path)}`);
    return value.map((v, i) => fromHeader(v, `${path}[${i}]`, take, depth + 1));
  }
  const keys = Object.keys(value);
  const marker = keys.find((k) => k.startsWith('$') && !k.startsWith('$$'));
  if (marker === undefined) {
    if (depth > MAX_DEPTH) throw new RangeError(`checkpoint header: ${tooDeep(path)}`);
    // Own keys, as JSON.parse made them: a "__proto__" key stays a key, never the object's prototype.
    return Object.fromEntries(
      keys.map((escaped) => {
        const key = escaped.startsWith('$') ? escaped.slice(1) : escaped;
        return [key, fromHeader((value as Record<string, unknown>)[escaped], child(path, key), take, depth + 1)];
      }),
    );
  }
  const content = (value as Record<string, unknown>)[marker];
  if (keys.length !== 1 || (marker !== '$buffer' && marker !== '$number')) {
    throw new TypeError(
      `checkpoint header: ${path} has key ${JSON.stringify(marker)}, which is not a marker ({"$buffer": i} or {"$number": ...} alone; a dict's own "$" keys are written "$$")`,
    );
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
 * a file cut short, a checksum that does not match (the file is corrupted), lengths that point past the
 * end of a file whose checksum matches (written wrong), or a header nested deeper than MAX_DEPTH; a
 * TypeError for a file that is not a ravine checkpoint, a version this ravine does not read, a header
 * that is not JSON, or a buffer table the header does not match.
 */
export function decodeCheckpoint(bytes: Uint8Array): object {
  if (!(bytes instanceof Uint8Array)) {
    throw new TypeError(
      `decodeCheckpoint: expected the checkpoint's bytes as a Uint8Array, got ${describe(bytes)}${(bytes as unknown) instanceof ArrayBuffer ? ' (wrap it: new Uint8Array(buffer))' : ''}`,
    );
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
  const dict = fromHeader(
    parsed,
    'dict',
    (index, path) => {
      if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= rows.length) {
        throw new TypeError(`checkpoint header: ${path} refers to buffer ${describe(index)}, out of range: the checkpoint has ${rows.length} buffers`);
      }
      if (takenAt[index] !== undefined) throw new TypeError(`checkpoint header: buffer ${index} is referenced twice, at ${takenAt[index]} and ${path}`);
      takenAt[index] = path;
      return readBuffer(bytes, dataStart, rows[index]);
    },
    1,
  );
  const unused = takenAt.indexOf(undefined);
  if (unused >= 0) throw new TypeError(`checkpoint header never refers to buffer ${unused} of ${rows.length}: the header and the buffer table disagree`);
  return dict as object;
}
