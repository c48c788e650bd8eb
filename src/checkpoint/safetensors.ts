import { describe } from '../describe.js';

// The safetensors format (huggingface/safetensors), the file torch users exchange tensors in: an 8-byte
// little-endian header length N, N bytes of JSON — each tensor's { dtype, shape, data_offsets: [begin,
// end] } relative to the byte buffer that follows, and an optional "__metadata__" of strings — then the
// raw little-endian bytes. Small enough to read and write here (no npm package of it is kept up); the
// checks are the reference implementation's: a header that fits the file and is a JSON object, known
// dtypes, offsets that tile the buffer exactly (no hole, no overlap, nothing after), each tensor's byte
// length its shape's element count times its dtype's size. ravine reads and writes F32, F64 and I64 (an
// optimizer's state, torch's `step` counts); any other dtype is refused by name.

export type SafetensorsDtype = 'F32' | 'F64' | 'I64';

export interface SafetensorsTensor {
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly data: Float32Array | Float64Array | BigInt64Array;
}

export interface Safetensors {
  /** By name, with no prototype: a tensor named '__proto__' is a tensor like any other. */
  readonly tensors: Readonly<Record<string, SafetensorsTensor>>;
  readonly metadata: Readonly<Record<string, string>>;
}

const SIZE: Readonly<Record<SafetensorsDtype, number>> = { F32: 4, F64: 8, I64: 8 };
const RANK: Readonly<Record<SafetensorsDtype, number>> = { F32: 1, F64: 2, I64: 3 };
/** Every dtype the format defines: one ravine does not read is named as such, not as garbage. */
const KNOWN = [
  'BOOL',
  'U8',
  'I8',
  'F8_E5M2',
  'F8_E4M3',
  'I16',
  'U16',
  'F16',
  'BF16',
  'I32',
  'U32',
  'F32',
  'F64',
  'I64',
  'U64',
  'F8_E8M0',
  'F4',
  'F6_E2M3',
  'F6_E3M2',
  'C64',
];
/** The reference implementation's bound on the header (100 MB): a corrupt length is refused before anything is allocated. */
const MAX_HEADER = 100_000_000;
const METADATA = '__metadata__';

const elements = (shape: readonly number[]) => shape.reduce((n, d) => n * d, 1);

/**
 * The bytes of a safetensors file holding `tensors` and `metadata`, laid out as the reference writer lays
 * them (I64, then F64, then F32, each by name, so every tensor is aligned; the header padded with
 * spaces to a multiple of 8): the same bytes it writes for the same tensors and metadata in the same order.
 * Checks each tensor's shape against its data.
 */
export function writeSafetensors(tensors: Readonly<Record<string, SafetensorsTensor>>, metadata: Readonly<Record<string, string>> = {}): Uint8Array {
  const where = 'writeSafetensors';
  // The reference writer sorts by dtype, descending in its enum's order (… F32, F64, I64), then by name.
  const rank = (name: string) => RANK[tensors[name].dtype] ?? 0;
  const names = Object.keys(tensors).sort((a, b) => rank(b) - rank(a) || (a < b ? -1 : a > b ? 1 : 0));
  const header: Record<string, unknown> = Object.create(null);
  for (const [key, value] of Object.entries(metadata)) {
    if (typeof value !== 'string') throw new TypeError(`${where}: metadata ${describe(key)} must be a string, got ${describe(value)}`);
  }
  if (Object.keys(metadata).length > 0) header[METADATA] = { ...metadata };
  let at = 0;
  for (const name of names) {
    if (name === METADATA) throw new RangeError(`${where}: a tensor cannot be named ${METADATA} (the format keeps that key for the metadata)`);
    const { dtype, shape, data } = tensors[name];
    if (!(dtype in SIZE)) throw new TypeError(`${where}: tensor ${describe(name)} has dtype ${describe(dtype)}; ravine writes F32, F64 and I64`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      throw new TypeError(`${where}: tensor ${describe(name)}'s shape must be an array of integers >= 0, got ${describe(shape)}`);
    const want = dtype === 'F32' ? Float32Array : dtype === 'F64' ? Float64Array : BigInt64Array;
    if (!(data instanceof want) || data.length !== elements(shape)) {
      throw new RangeError(
        `${where}: tensor ${describe(name)} is ${dtype} of shape [${shape.join(', ')}] (${elements(shape)} elements), but its data is ${describe(data)} of length ${(data as { length?: number })?.length}`,
      );
    }
    header[name] = { dtype, shape: [...shape], data_offsets: [at, at + data.byteLength] };
    at += data.byteLength;
  }
  // Padded with spaces to a multiple of 8, as the reference writer does, so the buffer starts aligned.
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - (new TextEncoder().encode(json).length % 8)) % 8);
  const head = new TextEncoder().encode(json);
  const out = new Uint8Array(8 + head.length + at);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let offset = 8 + head.length;
  for (const name of names) {
    const { data } = tensors[name];
    out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), offset);
    offset += data.byteLength;
  }
  return out;
}

/** A safetensors file's tensors (copies) and metadata, checked as the reference implementation checks them; throws saying what is wrong. */
export function readSafetensors(bytes: Uint8Array): Safetensors {
  const where = 'readSafetensors';
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${where}: bytes must be a Uint8Array, got ${describe(bytes)}`);
  if (bytes.length < 8) throw new RangeError(`${where}: truncated: ${bytes.length} bytes, and the header length alone takes 8`);
  const declared = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (declared > BigInt(MAX_HEADER)) throw new RangeError(`${where}: bad header length ${declared}: more than the format's ${MAX_HEADER} bytes`);
  const n = Number(declared);
  if (8 + n > bytes.length) throw new RangeError(`${where}: truncated: the header length says ${n} bytes, and only ${bytes.length - 8} follow it`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new TypeError(`${where}: the ${n}-byte header is not UTF-8 JSON (${e instanceof Error ? e.message : describe(e)})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    throw new TypeError(`${where}: the header must be a JSON object, got ${describe(header)}`);
  const buffer = bytes.subarray(8 + n);
  const metadata: Record<string, string> = Object.create(null);
  const entries: { name: string; dtype: SafetensorsDtype; shape: number[]; begin: number; end: number }[] = [];
  for (const [name, value] of Object.entries(header)) {
    if (name === METADATA) {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw new TypeError(`${where}: ${METADATA} must be an object of strings, got ${describe(value)}`);
      for (const [key, text] of Object.entries(value)) {
        if (typeof text !== 'string') throw new TypeError(`${where}: ${METADATA}.${key} must be a string, got ${describe(text)}`);
        metadata[key] = text;
      }
      continue;
    }
    entries.push(readEntry(where, name, value));
  }
  // The offsets must tile the buffer: sorted by start, each begins where the last ended, the last ends at its end.
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let at = 0;
  for (const e of sorted) {
    if (e.begin !== at) {
      throw new RangeError(
        `${where}: tensor ${describe(e.name)}'s data_offsets [${e.begin}, ${e.end}] ${e.begin < at ? 'overlap the tensor before it' : `leave a hole after byte ${at}`}`,
      );
    }
    at = e.end;
  }
  if (at !== buffer.length) {
    throw new RangeError(
      at > buffer.length
        ? `${where}: truncated: the tensors need ${at} bytes of data, and ${buffer.length} follow the header`
        : `${where}: ${buffer.length - at} bytes after the last tensor's data belong to no tensor`,
    );
  }
  const tensors: Record<string, SafetensorsTensor> = Object.create(null);
  for (const e of entries) {
    // A copy of its own, aligned (the offsets need not be); `new Uint8Array(view)` copies where a Buffer's slice() would not.
    const copy = new Uint8Array(buffer.subarray(e.begin, e.end)).buffer;
    const data = e.dtype === 'F32' ? new Float32Array(copy) : e.dtype === 'F64' ? new Float64Array(copy) : new BigInt64Array(copy);
    tensors[e.name] = { dtype: e.dtype, shape: e.shape, data };
  }
  return { tensors, metadata };
}

/** One tensor's header entry, checked on its own: a dtype ravine reads, a shape, offsets whose span is the shape's bytes. */
function readEntry(where: string, name: string, value: unknown): { name: string; dtype: SafetensorsDtype; shape: number[]; begin: number; end: number } {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new TypeError(`${where}: tensor ${describe(name)} must be { dtype, shape, data_offsets }, got ${describe(value)}`);
  const { dtype, shape, data_offsets: offsets, ...rest } = value as Record<string, unknown>;
  if (Object.keys(rest).length > 0) throw new TypeError(`${where}: tensor ${describe(name)} has unknown keys ${describe(Object.keys(rest))}`);
  if (typeof dtype !== 'string' || !KNOWN.includes(dtype))
    throw new TypeError(`${where}: tensor ${describe(name)} has dtype ${describe(dtype)}, which is not a safetensors dtype`);
  if (!(dtype in SIZE)) throw new TypeError(`${where}: tensor ${describe(name)} is ${dtype}; ravine reads F32, F64 and I64 (an optimizer's state)`);
  if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
    throw new TypeError(`${where}: tensor ${describe(name)}'s shape must be an array of integers >= 0, got ${describe(shape)}`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) || offsets[0] > offsets[1]) {
    throw new TypeError(`${where}: tensor ${describe(name)}'s data_offsets must be [begin, end] with 0 <= begin <= end, got ${describe(offsets)}`);
  }
  const bytes = elements(shape) * SIZE[dtype as SafetensorsDtype];
  if (offsets[1] - offsets[0] !== bytes) {
    throw new RangeError(
      `${where}: tensor ${describe(name)} is ${dtype} of shape [${shape.join(', ')}] (${bytes} bytes), but its data_offsets [${offsets[0]}, ${offsets[1]}] span ${offsets[1] - offsets[0]}`,
    );
  }
  return { name, dtype: dtype as SafetensorsDtype, shape: [...shape] as number[], begin: offsets[0], end: offsets[1] };
}
