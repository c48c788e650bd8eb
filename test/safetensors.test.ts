// The safetensors reader and writer (src/checkpoint/safetensors.ts): what the reference implementation
// wrote (test/fixtures/safetensors/make.py, safetensors 0.8.0) reads back bit for bit, ravine writes the
// same bytes for the same tensors, and every malformed file is refused saying what is wrong.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readSafetensors, writeSafetensors, type SafetensorsTensor } from '../src/checkpoint/safetensors.js';

const fromPython = new Uint8Array(readFileSync(new URL('./fixtures/safetensors/python.safetensors', import.meta.url)));
const words = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** A file with `header` (any JSON text) and `data` bytes after it, the length field saying `declared` (default: the header's). */
function file(header: string | Uint8Array, data: Uint8Array = new Uint8Array(0), declared?: bigint): Uint8Array {
  const head = typeof header === 'string' ? new TextEncoder().encode(header) : header;
  const out = new Uint8Array(8 + head.length + data.length);
  new DataView(out.buffer).setBigUint64(0, declared ?? BigInt(head.length), true);
  out.set(head, 8);
  out.set(data, 8 + head.length);
  return out;
}

describe('reading what the reference implementation wrote', () => {
  it('every tensor, dtype, shape and metadata entry comes back, NaN payloads, −0, ±∞ and subnormals bit for bit', () => {
    const { tensors, metadata } = readSafetensors(fromPython);
    expect(Object.keys(tensors).sort()).toEqual([
      'empty',
      'param_groups.0.count',
      'state.b.momentum_buffer',
      'state.w.exp_avg',
      'state.w.exp_avg_sq',
      'state.w.step',
    ]);
    expect({ ...metadata }).toEqual({ format: 'pt', param_groups: '[{"lr": 0.001}]' });
    const avg = tensors['state.w.exp_avg'];
    expect([avg.dtype, avg.shape]).toEqual(['F32', [7]]);
    const want = new Float32Array([1.5, -0, Infinity, -Infinity, 1e-45, 3.4028234663852886e38, 0]);
    new Uint32Array(want.buffer)[6] = 0x7fc12345;
    expect(words(avg.data as Float32Array)).toEqual(words(want));
    expect([tensors['state.w.exp_avg_sq'].shape, Array.from(tensors['state.w.exp_avg_sq'].data as Float32Array)]).toEqual([
      [3, 4],
      Array.from({ length: 12 }, (_, i) => Math.fround(i / 7)),
    ]);
    expect([tensors['state.w.step'].shape, Array.from(tensors['state.w.step'].data as Float32Array)]).toEqual([[], [100]]);
    expect(Array.from(tensors['state.b.momentum_buffer'].data as Float64Array)).toEqual([2 ** -1074, -1]);
    expect(Array.from(tensors['param_groups.0.count'].data as BigInt64Array)).toEqual([1n, -2n, 2n ** 53n + 1n]);
    expect([tensors.empty.shape, tensors.empty.data.length]).toEqual([[0, 3], 0]);
  });

  it("ravine writes the reference implementation's bytes for the same tensors and metadata", () => {
    const { tensors, metadata } = readSafetensors(fromPython);
    // The reference writer keeps its metadata in a hash map: this file has param_groups first.
    const again = writeSafetensors(tensors, { param_groups: metadata.param_groups, format: metadata.format });
    expect(Buffer.from(again).equals(Buffer.from(fromPython))).toBe(true);
  });

  it('round trips every dtype ravine writes, a tensor named __proto__ and empty shapes included', () => {
    const tensors: Record<string, SafetensorsTensor> = Object.create(null);
    tensors.__proto__ = { dtype: 'F32', shape: [2, 2], data: new Float32Array([1, -0, NaN, 4]) };
    tensors.toString = { dtype: 'F64', shape: [1], data: new Float64Array([Math.PI]) };
    tensors.n = { dtype: 'I64', shape: [], data: BigInt64Array.of(-(2n ** 63n)) };
    tensors.none = { dtype: 'F32', shape: [0], data: new Float32Array(0) };
    const back = readSafetensors(writeSafetensors(tensors, { note: 'é ✓' }));
    expect(Object.keys(back.tensors).sort()).toEqual(['__proto__', 'n', 'none', 'toString']);
    expect(words(back.tensors.__proto__.data as Float32Array)).toEqual(words(tensors.__proto__.data as Float32Array));
    expect(back.tensors.__proto__.shape).toEqual([2, 2]);
    expect(Array.from(back.tensors.toString.data as Float64Array)).toEqual([Math.PI]);
    expect(Array.from(back.tensors.n.data as BigInt64Array)).toEqual([-(2n ** 63n)]);
    expect(back.metadata.note).toBe('é ✓');
  });
});

describe('a malformed file is refused, saying what is wrong', () => {
  const good = writeSafetensors({
    a: { dtype: 'F32', shape: [2], data: new Float32Array([1, 2]) },
    b: { dtype: 'F32', shape: [1], data: new Float32Array([3]) },
  });
  const four = new Uint8Array(4),
    eight = new Uint8Array(8),
    twelve = new Uint8Array(12);
  const cases: [string, Uint8Array, ErrorConstructor, RegExp][] = [
    ['fewer than 8 bytes', good.subarray(0, 5), RangeError, /truncated: 5 bytes, and the header length alone takes 8/],
    ['a header length past the end', file('{}', new Uint8Array(0), 1000n), RangeError, /truncated: the header length says 1000 bytes, and only 2 follow it/],
    [
      'a header length of 2^64 − 1',
      file('{}', new Uint8Array(0), 2n ** 64n - 1n),
      RangeError,
      /bad header length 18446744073709551615: more than the format's 100000000 bytes/,
    ],
    ['data cut short', good.subarray(0, good.length - 2), RangeError, /truncated: the tensors need 12 bytes of data, and 10 follow the header/],
    ['a header that is not JSON', file('{"a": '), TypeError, /the 6-byte header is not UTF-8 JSON/],
    ['a header that is not UTF-8', file(Uint8Array.of(0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d)), TypeError, /the 7-byte header is not UTF-8 JSON/],
    ['a header that is an array', file('[1, 2]'), TypeError, /the header must be a JSON object, got \[1, ?2\]/],
    [
      'overlapping offsets',
      file('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}', eight),
      RangeError,
      /tensor "b"'s data_offsets \[4, 8\] overlap the tensor before it/,
    ],
    [
      'a hole between tensors',
      file('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}', twelve),
      RangeError,
      /tensor "b"'s data_offsets \[8, 12\] leave a hole after byte 4/,
    ],
    [
      'bytes after the last tensor',
      file('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}', eight),
      RangeError,
      /4 bytes after the last tensor's data belong to no tensor/,
    ],
    [
      'offsets that do not span the shape',
      file('{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}', four),
      RangeError,
      /tensor "a" is F32 of shape \[2\] \(8 bytes\), but its data_offsets \[0, 4\] span 4/,
    ],
    [
      'offsets backwards',
      file('{"a":{"dtype":"F32","shape":[0],"data_offsets":[4,0]}}', four),
      TypeError,
      /data_offsets must be \[begin, end\] with 0 <= begin <= end, got \[4, ?0\]/,
    ],
    [
      'a dtype ravine does not read (BF16)',
      file('{"a":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]}}', four),
      TypeError,
      /tensor "a" is BF16; ravine reads F32, F64 and I64/,
    ],
    [
      'a dtype ravine does not read (I32)',
      file('{"a":{"dtype":"I32","shape":[1],"data_offsets":[0,4]}}', four),
      TypeError,
      /tensor "a" is I32; ravine reads F32, F64 and I64/,
    ],
    [
      'a dtype the format does not have',
      file('{"a":{"dtype":"F128","shape":[1],"data_offsets":[0,4]}}', four),
      TypeError,
      /dtype "F128", which is not a safetensors dtype/,
    ],
    [
      'a negative shape',
      file('{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}', four),
      TypeError,
      /shape must be an array of integers >= 0, got \[-1\]/,
    ],
    [
      'an unknown key in an entry',
      file('{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4],"strides":[1]}}', four),
      TypeError,
      /tensor "a" has unknown keys \["strides"\]/,
    ],
    ['metadata that is not strings', file('{"__metadata__":{"lr":0.1}}'), TypeError, /__metadata__.lr must be a string, got 0.1/],
  ];
  for (const [what, bytes, type, message] of cases) {
    it(`${what}: ${type.name} ${message}`, () => {
      const before = Uint8Array.from(bytes);
      expect(() => readSafetensors(bytes)).toThrow(type);
      expect(() => readSafetensors(bytes)).toThrow(message);
      expect(Array.from(bytes)).toEqual(Array.from(before));
    });
  }

  it('the writer refuses data that does not match its shape or dtype, a tensor named __metadata__, and non-string metadata', () => {
    expect(() => writeSafetensors({ a: { dtype: 'F32', shape: [3], data: new Float32Array(2) } })).toThrow(
      /tensor "a" is F32 of shape \[3\] \(3 elements\), but its data is Float32Array of length 2/,
    );
    expect(() => writeSafetensors({ a: { dtype: 'F64', shape: [2], data: new Float32Array(2) } })).toThrow(/tensor "a" is F64/);
    expect(() => writeSafetensors({ a: { dtype: 'BF16' as never, shape: [1], data: new Float32Array(1) } })).toThrow(
      /dtype "BF16"; ravine writes F32, F64 and I64/,
    );
    expect(() => writeSafetensors({ __metadata__: { dtype: 'F32', shape: [1], data: new Float32Array(1) } })).toThrow(/cannot be named __metadata__/);
    expect(() => writeSafetensors({}, { lr: 0.1 as never })).toThrow(/metadata "lr" must be a string, got 0.1/);
  });
});

describe('reading from a view of a larger buffer', () => {
  it('a Node Buffer (pooled: its ArrayBuffer holds more than the file) and a view at an odd offset read as the file itself', () => {
    const want = readSafetensors(fromPython);
    const padded = new Uint8Array(fromPython.length + 7);
    padded.set(fromPython, 3);
    for (const view of [Buffer.from(fromPython), padded.subarray(3, 3 + fromPython.length)]) {
      const got = readSafetensors(view);
      for (const [name, t] of Object.entries(want.tensors)) {
        expect(Array.from(new Uint8Array(got.tensors[name].data.buffer)), name).toEqual(Array.from(new Uint8Array(t.data.buffer)));
      }
    }
  });
});
