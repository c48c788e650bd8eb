// The binary checkpoint (src/checkpoint/binary.ts): an optimizer saved with encodeCheckpoint and loaded
// from decodeCheckpoint resumes bit for bit; every float (NaN payloads, ±Infinity, −0, in buffers and in
// the header) comes back as it went; and a file that is cut short, corrupted, of another version or not
// a checkpoint at all is refused with an error naming what is wrong — never decoded into half a dict.
// The tests build their own files from the layout documented in binary.ts, so the documented layout,
// not just encode∘decode, is what is proven.
import { describe, expect, it } from 'vitest';
import { Adam, createRavine, decodeCheckpoint, encodeCheckpoint, type Ravine, type StateDict } from '../src/index.js';
import { crc32 } from '../src/checkpoint/crc32.js';
import { decodeFloat32, decodeFloat64, isEncodedFloat32, isEncodedFloat64, stateToJson } from '../src/optim/stateJson.js';

const ascii = (s: string) => new TextEncoder().encode(s);

/** A tree with every typed array replaced by its kind and its bits, so toEqual compares bits (and −0, NaN as Object.is does). */
function bitsOf(value: unknown): unknown {
  if (value instanceof Float32Array) return { float32: Array.from(new Uint32Array(Float32Array.from(value).buffer)) };
  if (value instanceof Float64Array) return { float64: Array.from(new BigUint64Array(Float64Array.from(value).buffer)) };
  if (Array.isArray(value)) return value.map(bitsOf);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bitsOf(v)]));
  return value;
}

function float32Bits(bits: number[]): Float32Array {
  return new Float32Array(Uint32Array.from(bits).buffer);
}

function float64Bits(bits: bigint[]): Float64Array {
  return new Float64Array(BigUint64Array.from(bits).buffer);
}

/** Float32 values no decimal JSON keeps: quiet and signalling NaNs with payloads, both infinities, −0, the smallest subnormal. */
const SPECIAL_F32 = float32Bits([0x7fc00123, 0xff800001, 0x7f800000, 0xff800000, 0x80000000, 0x00000001, 0x3f800000]);
const SPECIAL_F64 = float64Bits([
  0x7ff80000deadbeefn,
  0xfff0000000000001n,
  0x7ff0000000000000n,
  0xfff0000000000000n,
  0x8000000000000000n,
  1n,
  0x400921fb54442d18n,
]);

interface Row {
  kind: number;
  count: number;
  offset: number;
}

/** A checkpoint written by hand from the layout in binary.ts's header comment (the CRC computed unless given). */
function craft(parts: { header: string | Uint8Array; rows?: Row[]; data?: Uint8Array; version?: number; magic?: string; crc?: number }): Uint8Array {
  const header = typeof parts.header === 'string' ? ascii(parts.header) : parts.header;
  const rows = parts.rows ?? [];
  const data = parts.data ?? new Uint8Array(0);
  const tableEnd = 16 + header.length + 12 * rows.length;
  const dataStart = Math.ceil(tableEnd / 8) * 8;
  const out = new Uint8Array(dataStart + data.length + 4);
  const view = new DataView(out.buffer);
  out.set(ascii(parts.magic ?? 'RAVN'), 0);
  view.setUint32(4, parts.version ?? 1, true);
  view.setUint32(8, header.length, true);
  view.setUint32(12, rows.length, true);
  out.set(header, 16);
  rows.forEach((r, i) => {
    view.setUint32(16 + header.length + 12 * i, r.kind, true);
    view.setUint32(20 + header.length + 12 * i, r.count, true);
    view.setUint32(24 + header.length + 12 * i, r.offset, true);
  });
  out.set(data, dataStart);
  view.setUint32(out.length - 4, parts.crc ?? crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

/** `bytes` with its trailing CRC recomputed over everything before it. */
function resealed(bytes: Uint8Array): Uint8Array {
  const out = Uint8Array.from(bytes);
  new DataView(out.buffer).setUint32(out.length - 4, crc32(out.subarray(0, out.length - 4)), true);
  return out;
}

describe('crc32', () => {
  it('matches the published CRC-32 (zlib, PNG) check values', () => {
    expect(crc32(ascii('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(ascii('a'))).toBe(0xe8b7be43);
    expect(crc32(ascii('The quick brown fox jumps over the lazy dog'))).toBe(0x414fa339);
    expect(crc32(new Uint8Array(32))).toBe(0x190a55ad);
    expect(crc32(new Uint8Array(32).fill(0xff))).toBe(0xff6cab0b);
  });
  it('continues a running checksum: crc32(b, crc32(a)) is the checksum of a then b', () => {
    const text = ascii('123456789');
    expect(crc32(text.subarray(4), crc32(text.subarray(0, 4)))).toBe(0xcbf43926);
  });
});

describe.each(['simd', 'js'] as const)('%s backend: a binary checkpoint resumes bit for bit', (backend) => {
  const SIZE = 13;

  /** Adam with amsgrad on two groups: 'a' (SIZE floats, lr 1e-3, weight decay 0.01) and 'b' (5 floats, lr 5e-4, weight decay −0). */
  function build(rv: Ravine) {
    const a = rv.tensor(
      'a',
      Array.from({ length: SIZE }, (_, i) => Math.sin(i + 1)),
    );
    const b = rv.tensor(
      'b',
      Array.from({ length: 5 }, (_, i) => Math.cos(i)),
    );
    const opt = new Adam(
      [
        { params: [a], weightDecay: 0.01 },
        { params: [b], lr: 5e-4, weightDecay: -0 },
      ],
      { lr: 1e-3, amsgrad: true },
    );
    const run = (from: number, steps: number) => {
      for (let t = from; t < from + steps; t++) {
        for (let i = 0; i < SIZE; i++) a.grad[i] = Math.sin(t * 0.7 + i) * 10 ** ((i % 7) - 3);
        a.grad[2] = -0;
        for (let i = 0; i < 5; i++) b.grad[i] = Math.cos(t + i * 0.3);
        opt.step();
      }
    };
    return { a, b, opt, run, data: () => Float32Array.of(...a.data, ...b.data) };
  }

  /** Writes NaNs with payloads, ±∞ and −0 into tensor 'a''s state where loadStateDict allows them (NaN and −∞ only in expAvg). */
  function withSpecials(dict: StateDict): StateDict {
    const state = structuredClone(dict.state) as Record<string, Record<string, unknown>>;
    (state.a.expAvg as Float32Array).set(float32Bits([0x7fc00123, 0xffc0beef, 0xff800000]), 4);
    for (const key of ['expAvg', 'expAvgSq', 'maxExpAvgSq']) (state.a[key] as Float32Array).set([-0, Infinity], 8);
    return { ...dict, state } as StateDict;
  }

  it('Adam amsgrad, two param groups: a stateDict with NaN payloads, ±Infinity and −0 goes through encode/decode bit for bit, loads into a fresh optimizer, and the next 50 steps match an uninterrupted run', async () => {
    const rv = await createRavine({ backend });
    const uninterrupted = build(rv);
    uninterrupted.run(0, 20);
    uninterrupted.opt.loadStateDict(withSpecials(uninterrupted.opt.stateDict()));
    const saved = uninterrupted.opt.stateDict();
    const bytes = encodeCheckpoint(saved);
    const decoded = decodeCheckpoint(bytes) as StateDict;
    expect(bitsOf(decoded)).toEqual(bitsOf(saved));
    expect(Object.is(decoded.paramGroups[1].weightDecay, -0)).toBe(true);
    expect(new Uint32Array((decoded.state.a.expAvg as Float32Array).buffer).slice(4, 7)).toEqual(Uint32Array.of(0x7fc00123, 0xffc0beef, 0xff800000));

    const rv2 = await createRavine({ backend });
    const resumed = build(rv2);
    resumed.a.data.set(uninterrupted.a.data);
    resumed.b.data.set(uninterrupted.b.data);
    resumed.opt.loadStateDict(decoded);
    expect(bitsOf(resumed.opt.stateDict())).toEqual(bitsOf(saved));
    uninterrupted.run(20, 50);
    resumed.run(20, 50);
    expect(bitsOf(resumed.data())).toEqual(bitsOf(uninterrupted.data()));
    expect(bitsOf(resumed.opt.stateDict())).toEqual(bitsOf(uninterrupted.opt.stateDict()));
    expect(Object.is(resumed.opt.paramGroups[1].weightDecay, -0)).toBe(true);
    rv.dispose();
    rv2.dispose();
  });
});

describe('what a binary checkpoint keeps', () => {
  it('NaN, Infinity, −Infinity and −0 in the header come back as themselves (JSON alone would write null and 0)', () => {
    const dict = { nan: NaN, inf: Infinity, negInf: -Infinity, negZero: -0, zero: 0, list: [NaN, -0, 1.5, -Infinity], nested: { deep: [{ x: -0 }] } };
    const decoded = decodeCheckpoint(encodeCheckpoint(dict)) as typeof dict;
    expect(decoded).toStrictEqual(dict); // toStrictEqual compares numbers with Object.is: −0 is not 0, NaN is NaN
    expect(Object.is(decoded.negZero, -0) && Object.is(decoded.zero, 0) && Object.is(decoded.nested.deep[0].x, -0)).toBe(true);
  });
  it('Float32Array and Float64Array leaves keep every bit (NaN payloads, signalling NaNs, ±Infinity, −0, subnormals) and their kind', () => {
    const dict = {
      f32: SPECIAL_F32,
      f64: SPECIAL_F64,
      empty32: new Float32Array(0),
      empty64: new Float64Array(0),
      list: [SPECIAL_F64, { again: SPECIAL_F32 }],
    };
    const decoded = decodeCheckpoint(encodeCheckpoint(dict)) as typeof dict;
    expect(bitsOf(decoded)).toEqual(bitsOf(dict));
    expect(decoded.f32).toBeInstanceOf(Float32Array);
    expect(decoded.f64).toBeInstanceOf(Float64Array);
    expect(decoded.empty64).toBeInstanceOf(Float64Array);
  });
  it('a typed array that is a view at an offset is written as its own elements only', () => {
    const whole = Float64Array.of(1, 2, 3, 4, 5);
    const view32 = new Float32Array(new ArrayBuffer(40), 12, 3).fill(7);
    const decoded = decodeCheckpoint(encodeCheckpoint({ part: whole.subarray(1, 4), view32 })) as { part: Float64Array; view32: Float32Array };
    expect(Array.from(decoded.part)).toEqual([2, 3, 4]);
    expect(Array.from(decoded.view32)).toEqual([7, 7, 7]);
  });
  it('one typed array appearing twice is written twice and decodes as two separate arrays', () => {
    const shared = Float32Array.of(1, 2);
    const decoded = decodeCheckpoint(encodeCheckpoint({ x: shared, y: shared })) as { x: Float32Array; y: Float32Array };
    expect(decoded.x).not.toBe(decoded.y);
    expect(Array.from(decoded.y)).toEqual([1, 2]);
  });
  it('keys beginning with "$" (including "$buffer" and "$number") and "__proto__" are escaped and come back as plain keys, never as markers', () => {
    const dict = JSON.parse('{"$buffer": 0, "$number": "NaN", "$$x": {"$": [1]}, "__proto__": {"a": 1}, "$buffer ": {"$buffer": {"$number": 2}}}');
    dict.real = Float32Array.of(3);
    const bytes = encodeCheckpoint(dict);
    const decoded = decodeCheckpoint(bytes) as Record<string, unknown>;
    expect(bitsOf(decoded)).toEqual(bitsOf(dict));
    expect(Object.keys(decoded)).toEqual(['$buffer', '$number', '$$x', '__proto__', '$buffer ', 'real']);
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    const header = new TextDecoder().decode(bytes.subarray(16, 16 + new DataView(bytes.buffer).getUint32(8, true)));
    expect(header).toContain('"$$buffer":0');
    expect(header).toContain('"$$$x":{"$$":[1]}');
  });
  it('a tensor named "__proto__" keeps its state: a state dict whose record has an own "__proto__" key (from JSON.parse, defineProperty or a null-prototype record) comes back with it as an own key, never as a prototype', () => {
    const entry = () => ({ step: 3, expAvg: Float32Array.of(1, -0, 3) });
    const parsed = JSON.parse('{"state": {"w": {"step": 1}, "__proto__": {"step": 3}}}');
    parsed.state.__proto__.expAvg = Float32Array.of(1, -0, 3); // an own data property: reading it reads the entry
    const defined = { state: { w: { step: 1 } } };
    Object.defineProperty(defined.state, '__proto__', { value: entry(), enumerable: true, writable: true, configurable: true });
    const record = Object.create(null) as Record<string, unknown>;
    record.w = { step: 1 };
    record.__proto__ = entry(); // a null-prototype object has no __proto__ setter: this is a key
    for (const [how, dict] of [
      ['JSON.parse', parsed],
      ['defineProperty', defined],
      ['null prototype', { state: record }],
    ] as const) {
      const decoded = decodeCheckpoint(encodeCheckpoint(dict)) as { state: Record<string, { step: number; expAvg?: Float32Array }> };
      expect(Object.keys(decoded.state), how).toEqual(['w', '__proto__']);
      expect(Object.hasOwn(decoded.state, '__proto__'), how).toBe(true);
      expect(Object.getPrototypeOf(decoded.state), how).toBe(Object.prototype);
      expect(bitsOf(decoded.state.__proto__), how).toEqual(bitsOf(entry()));
      expect(bitsOf(decoded), how).toEqual(bitsOf(dict));
    }
  });
  it('an object property that is undefined is left out, as JSON.stringify does', () => {
    expect(decodeCheckpoint(encodeCheckpoint({ a: 1, b: undefined }))).toStrictEqual({ a: 1 });
  });
  it('a top-level array, an empty object and strings with any code point (lone surrogates too) round-trip', () => {
    const dict = [{}, [], 'é 𝄞 \u0000 \ud800', true, null];
    expect(decodeCheckpoint(encodeCheckpoint(dict))).toStrictEqual(dict);
  });
});

describe('the JSON form of float64 buffers', () => {
  it('a Float64Array is written as { float64: base64 } and JSON.parse(JSON.stringify(stateToJson(x))) decodes to the same bits', () => {
    const state = { history: SPECIAL_F64, moments: SPECIAL_F32, part: SPECIAL_F64.subarray(2, 5), step: 3 };
    const json = JSON.parse(JSON.stringify(stateToJson(state)));
    expect(isEncodedFloat64(json.history)).toBe(true);
    expect(isEncodedFloat32(json.history)).toBe(false);
    expect(isEncodedFloat32(json.moments)).toBe(true);
    expect(isEncodedFloat64(json.moments)).toBe(false);
    expect(Buffer.from(json.history.float64, 'base64')).toEqual(Buffer.from(SPECIAL_F64.buffer)); // little-endian bytes, as they lie
    const history = decodeFloat64(json.history);
    const part = decodeFloat64(json.part);
    const moments = decodeFloat32(json.moments);
    expect(bitsOf({ history, moments, part, step: json.step })).toEqual(bitsOf(state));
  });
  it('a { float64 } that is not base64 or not whole doubles decodes to a string saying so', () => {
    expect(decodeFloat64({ float64: 'AAAAAAAAAAAAAAAA' })).toBe('12 bytes, not a whole number of float64s');
    expect(decodeFloat64({ float64: '***' })).toBe('not base64');
    expect(decodeFloat32({ float32: 'AAAA' })).toBe('3 bytes, not a whole number of float32s');
  });
});

describe('the on-disk layout', () => {
  it('is the one documented in binary.ts: a checkpoint written by hand from the documentation is byte for byte what encodeCheckpoint writes', () => {
    const f32 = Float32Array.of(1, NaN, 3); // 12 bytes: the float64 after it starts at the next multiple of 8
    const f64 = Float64Array.of(-0, Infinity);
    const bytes = encodeCheckpoint({ step: -0, a: f32, b: [f64] });
    const header = '{"step":{"$number":"-0"},"a":{"$buffer":0},"b":[{"$buffer":1}]}';
    const data = new Uint8Array(32);
    data.set(new Uint8Array(f32.buffer), 0);
    data.set(new Uint8Array(f64.buffer), 16);
    const expected = craft({
      header,
      rows: [
        { kind: 1, count: 3, offset: 0 },
        { kind: 2, count: 2, offset: 16 },
      ],
      data,
    });
    expect(Array.from(bytes)).toEqual(Array.from(expected));
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0x52, 0x41, 0x56, 0x4e]);
    expect((16 + header.length + 24 + 7) & ~7).toBe(bytes.length - 4 - 32); // the data section starts 8-byte aligned
  });
});

describe('decodeCheckpoint refuses what is not a whole, valid checkpoint', () => {
  const small = encodeCheckpoint({ step: 3, lr: NaN, expAvg: Float32Array.of(1, -0, NaN), history: Float64Array.of(Infinity, 2) });

  it('the small checkpoint used below decodes (so each refusal is of the damage alone)', () => {
    expect(bitsOf(decodeCheckpoint(small))).toEqual(bitsOf({ step: 3, lr: NaN, expAvg: Float32Array.of(1, -0, NaN), history: Float64Array.of(Infinity, 2) }));
  });
  it('every prefix, from 0 bytes to one byte short, is refused with a RangeError saying it is truncated and how many bytes it needs', () => {
    for (let n = 0; n < small.length; n++) {
      expect(() => decodeCheckpoint(small.subarray(0, n)), `prefix of ${n} bytes`).toThrow(RangeError);
      expect(() => decodeCheckpoint(small.subarray(0, n)), `prefix of ${n} bytes`).toThrow(
        new RegExp(`^checkpoint truncated: ${n} bytes, needs at least \\d+ for `),
      );
    }
  });
  it('changing any byte anywhere is refused: in the magic by its own check, elsewhere by the checksum (a version byte with 8 bits changed may also be a version this ravine does not read)', () => {
    for (let i = 0; i < small.length; i++) {
      for (const mask of [0x01, 0x80, 0xff]) {
        const bad = Uint8Array.from(small);
        bad[i] ^= mask;
        const where = `byte ${i} ^ 0x${mask.toString(16)}`;
        const otherVersion = i >= 4 && i < 8 && mask === 0xff;
        if (i < 4) expect(() => decodeCheckpoint(bad), where).toThrow(/^not a ravine checkpoint/);
        else if (otherVersion)
          expect(() => decodeCheckpoint(bad), where).toThrow(
            /^checkpoint version \d+ is not supported by this ravine \(reads version 1\); if it was written as version 1, it is corrupted \(checksum mismatch: stored 0x[0-9A-F]{8}, computed 0x[0-9A-F]{8}\)$/,
          );
        else
          expect(() => decodeCheckpoint(bad), where).toThrow(
            /^checksum mismatch: stored 0x[0-9A-F]{8}, computed 0x[0-9A-F]{8}: the checkpoint is corrupted|^checkpoint truncated: /,
          );
        expect(() => decodeCheckpoint(bad)).toThrow(i < 4 || otherVersion ? TypeError : RangeError);
      }
    }
  });
  it('a flipped byte in the header or the data is reported as a checksum mismatch with both checksums', () => {
    const bad = Uint8Array.from(small);
    bad[20] ^= 0x04;
    const stored = new DataView(small.buffer).getUint32(small.length - 4, true);
    const computed = crc32(bad.subarray(0, bad.length - 4));
    const hex = (n: number) => `0x${n.toString(16).toUpperCase().padStart(8, '0')}`;
    expect(() => decodeCheckpoint(bad)).toThrow(`checksum mismatch: stored ${hex(stored)}, computed ${hex(computed)}: the checkpoint is corrupted`);
  });
  it('bytes appended after the checksum are refused: a checkpoint is decoded from exactly its bytes', () => {
    const longer = new Uint8Array(small.length + 8);
    longer.set(small);
    expect(() => decodeCheckpoint(longer)).toThrow(/^checksum mismatch/);
  });
  it('a file that does not start with "RAVN" is not a ravine checkpoint (TypeError), whatever its length', () => {
    const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);
    expect(() => decodeCheckpoint(png)).toThrow(TypeError);
    expect(() => decodeCheckpoint(png)).toThrow('not a ravine checkpoint: it starts with bytes 89 50 4e 47, not "RAVN" (52 41 56 4e)');
    expect(() => decodeCheckpoint(ascii('{"format":"ravine/optimizer"}'))).toThrow(/^not a ravine checkpoint/);
    expect(() => decodeCheckpoint(craft({ header: '{}', magic: 'RAVM' }))).toThrow(/^not a ravine checkpoint/);
    expect(() => decodeCheckpoint(ascii('RX'))).toThrow(/^not a ravine checkpoint/);
  });
  it('an unknown version with a valid checksum is refused by the version check (TypeError naming both versions)', () => {
    const v7 = Uint8Array.from(small);
    new DataView(v7.buffer).setUint32(4, 7, true);
    expect(() => decodeCheckpoint(resealed(v7))).toThrow(TypeError);
    expect(() => decodeCheckpoint(resealed(v7))).toThrow('checkpoint version 7 is not supported by this ravine (reads version 1)');
    expect(() => decodeCheckpoint(craft({ header: '{}', version: 0 }))).toThrow('checkpoint version 0 is not supported by this ravine (reads version 1)');
  });
  it('a header that is not JSON, or not UTF-8, or not an object or array, is refused (TypeError) despite a valid checksum', () => {
    expect(() => decodeCheckpoint(craft({ header: '{"step": 3,' }))).toThrow(TypeError);
    expect(() => decodeCheckpoint(craft({ header: '{"step": 3,' }))).toThrow(/^checkpoint header is not valid UTF-8 JSON: /);
    expect(() => decodeCheckpoint(craft({ header: Uint8Array.of(0x22, 0xc3, 0x28, 0x22) }))).toThrow(/^checkpoint header is not valid UTF-8 JSON: /);
    expect(() => decodeCheckpoint(craft({ header: '' }))).toThrow(/^checkpoint header is not valid UTF-8 JSON: /);
    expect(() => decodeCheckpoint(craft({ header: '3' }))).toThrow('checkpoint header is 3, not an object or array');
    expect(() => decodeCheckpoint(craft({ header: 'null' }))).toThrow('checkpoint header is null, not an object or array');
  });
  const one = { rows: [{ kind: 1, count: 2, offset: 0 }], data: new Uint8Array(8) };
  it('a $buffer index out of range, not an integer, referenced twice or a buffer never referenced is refused (TypeError naming the path)', () => {
    expect(() => decodeCheckpoint(craft({ header: '{"w":{"m":{"$buffer":1}}}', ...one }))).toThrow(TypeError);
    expect(() => decodeCheckpoint(craft({ header: '{"w":{"m":{"$buffer":1}}}', ...one }))).toThrow(
      'checkpoint header: dict.w.m refers to buffer 1, out of range: the checkpoint has 1 buffers',
    );
    expect(() => decodeCheckpoint(craft({ header: '{"w":[{"$buffer":-1}]}', ...one }))).toThrow(
      'checkpoint header: dict.w[0] refers to buffer -1, out of range',
    );
    expect(() => decodeCheckpoint(craft({ header: '{"w":{"$buffer":0.5}}', ...one }))).toThrow(/refers to buffer 0.5, out of range/);
    expect(() => decodeCheckpoint(craft({ header: '{"w":{"$buffer":"0"}}', ...one }))).toThrow(/refers to buffer "0", out of range/);
    expect(() => decodeCheckpoint(craft({ header: '{"a":{"$buffer":0},"b":{"$buffer":0}}', ...one }))).toThrow(
      'checkpoint header: buffer 0 is referenced twice, at dict.a and dict.b',
    );
    expect(() => decodeCheckpoint(craft({ header: '{"a":1}', ...one }))).toThrow(
      'checkpoint header never refers to buffer 0 of 1: the header and the buffer table disagree',
    );
  });
  it('a marker that is malformed ({"$buffer"} beside other keys, an unknown "$" key, a bad $number) is refused (TypeError)', () => {
    expect(() => decodeCheckpoint(craft({ header: '{"a":{"$buffer":0,"x":1}}', ...one }))).toThrow(
      /^checkpoint header: dict.a has key "\$buffer", which is not a marker/,
    );
    expect(() => decodeCheckpoint(craft({ header: '{"a":{"$float":0}}' }))).toThrow(/^checkpoint header: dict.a has key "\$float", which is not a marker/);
    expect(() => decodeCheckpoint(craft({ header: '{"a":{"$number":"nan"}}' }))).toThrow(
      'checkpoint header: dict.a is {"$number": "nan"}, expected "NaN", "Infinity", "-Infinity" or "-0"',
    );
    expect(() => decodeCheckpoint(craft({ header: '[{"$number":1}]' }))).toThrow(TypeError);
  });
  it('an unknown buffer kind is refused (TypeError naming the buffer and the kind)', () => {
    expect(() => decodeCheckpoint(craft({ header: '{"a":{"$buffer":0}}', rows: [{ kind: 3, count: 1, offset: 0 }], data: new Uint8Array(8) }))).toThrow(
      TypeError,
    );
    expect(() => decodeCheckpoint(craft({ header: '{"a":{"$buffer":0}}', rows: [{ kind: 3, count: 1, offset: 0 }], data: new Uint8Array(8) }))).toThrow(
      'checkpoint buffer 0 (1 kind-3 values at data offset 0) has unknown kind 3 (1 is float32, 2 is float64)',
    );
  });
  it('a buffer whose bytes run past the data section, start unaligned or overlap the one before is refused (RangeError) despite a valid checksum', () => {
    const past = craft({ header: '{"a":{"$buffer":0}}', rows: [{ kind: 2, count: 2, offset: 8 }], data: new Uint8Array(16) });
    expect(() => decodeCheckpoint(past)).toThrow(RangeError);
    expect(() => decodeCheckpoint(past)).toThrow(
      'checkpoint buffer 0 (2 float64 values at data offset 8) ends at data offset 24, past the end of the data section (16 bytes)',
    );
    const far = craft({ header: '{"a":{"$buffer":0}}', rows: [{ kind: 1, count: 0xffffffff, offset: 0xfffffff8 }], data: new Uint8Array(8) });
    expect(() => decodeCheckpoint(far)).toThrow(/past the end of the data section \(8 bytes\)$/);
    const unaligned = craft({ header: '{"a":{"$buffer":0}}', rows: [{ kind: 1, count: 1, offset: 4 }], data: new Uint8Array(8) });
    expect(() => decodeCheckpoint(unaligned)).toThrow('checkpoint buffer 0 (1 float32 values at data offset 4) is not 8-byte aligned');
    const overlapping = craft({
      header: '[{"$buffer":0},{"$buffer":1}]',
      rows: [
        { kind: 2, count: 2, offset: 0 },
        { kind: 1, count: 1, offset: 8 },
      ],
      data: new Uint8Array(16),
    });
    expect(() => decodeCheckpoint(overlapping)).toThrow(
      'checkpoint buffer 1 (1 float32 values at data offset 8) overlaps the buffer before it, which ends at data offset 16',
    );
  });
  it('a header length or buffer count larger than a file whose checksum matches is refused as malformed, not truncated (RangeError), before anything is read from beyond it', () => {
    const huge = Uint8Array.from(small);
    new DataView(huge.buffer).setUint32(8, 0xfffffff0, true);
    expect(() => decodeCheckpoint(resealed(huge))).toThrow(RangeError);
    expect(() => decodeCheckpoint(resealed(huge))).toThrow(
      new RegExp(
        `^checkpoint malformed: its 4294967280-byte header and table of 2 buffers need at least \\d+ bytes with its checksum, and it has ${small.length}, yet its checksum matches: nothing is missing, its lengths are wrong$`,
      ),
    );
    const many = Uint8Array.from(small);
    new DataView(many.buffer).setUint32(12, 0xffffffff, true);
    expect(() => decodeCheckpoint(resealed(many))).toThrow(/table of 4294967295 buffers/);
  });
  it('a header nested 100,000 deep (arrays or objects) is refused with a RangeError naming the limit, 256, not by overflowing the stack', () => {
    const deep = 100_000;
    for (const [open, close, path] of [
      ['[', ']', /^checkpoint header: dict(\[0\]){20}/],
      ['{"a":', '}', /^checkpoint header: dict(\.a){30}/],
    ] as const) {
      const bytes = craft({ header: `${open.repeat(deep)}1${close.repeat(deep)}` });
      expect(() => decodeCheckpoint(bytes)).toThrow(RangeError);
      expect(() => decodeCheckpoint(bytes)).toThrow(path);
      expect(() => decodeCheckpoint(bytes)).toThrow(/… nests objects and arrays more than 256 deep, the most a checkpoint holds$/);
    }
  });
  it('objects and arrays nested 256 deep (a buffer at the bottom) are written and read; 257 deep is refused by both, and 100,000 deep by encodeCheckpoint without overflowing the stack', () => {
    const nest = (depth: number, leaf: unknown) => {
      let v = leaf;
      for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { d: v };
      return v as object;
    };
    const ok = nest(256, Float32Array.of(NaN, 5));
    expect(bitsOf(decodeCheckpoint(encodeCheckpoint(ok)))).toEqual(bitsOf(ok));
    for (const depth of [257, 100_000]) {
      expect(() => encodeCheckpoint(nest(depth, 1)), `${depth}`).toThrow(RangeError);
      expect(() => encodeCheckpoint(nest(depth, 1)), `${depth}`).toThrow(
        /^encodeCheckpoint: dict(\[0\]\.d|\.d\[0\])+.* nests objects and arrays more than 256 deep, the most a checkpoint holds$/,
      );
    }
    const arrays = (depth: number): unknown => (depth === 0 ? 1 : [arrays(depth - 1)]);
    expect(decodeCheckpoint(craft({ header: `${'['.repeat(256)}1${']'.repeat(256)}` }))).toEqual(arrays(256));
    expect(() => decodeCheckpoint(craft({ header: `${'['.repeat(257)}1${']'.repeat(257)}` }))).toThrow(/more than 256 deep/);
  });
  it('anything but a Uint8Array is refused with a TypeError saying what it got (an ArrayBuffer with how to wrap it)', () => {
    for (const input of [small.buffer, Array.from(small), new Uint16Array(8), new DataView(small.buffer), 'RAVN', null, undefined]) {
      expect(() => decodeCheckpoint(input as unknown as Uint8Array)).toThrow(TypeError);
      expect(() => decodeCheckpoint(input as unknown as Uint8Array)).toThrow(/^decodeCheckpoint: expected the checkpoint's bytes as a Uint8Array, got /);
    }
    expect(() => decodeCheckpoint(small.buffer as unknown as Uint8Array)).toThrow('got ArrayBuffer (wrap it: new Uint8Array(buffer))');
  });
});

describe('decodeCheckpoint reads any Uint8Array and returns arrays of its own', () => {
  const dict = { a: Float32Array.of(1, NaN, -0), h: Float64Array.of(Math.PI, -Infinity) };
  it('a checkpoint at an odd byteOffset inside a bigger file (a subarray, and a Node Buffer) decodes, float64s included', () => {
    const bytes = encodeCheckpoint(dict);
    const file = new Uint8Array(bytes.length + 10).fill(0xaa);
    file.set(bytes, 3);
    expect(bitsOf(decodeCheckpoint(file.subarray(3, 3 + bytes.length)))).toEqual(bitsOf(dict));
    const buffer = Buffer.concat([Buffer.from([1, 2, 3, 4, 5]), Buffer.from(bytes)]).subarray(5);
    expect(buffer.byteOffset % 8).not.toBe(0);
    expect(bitsOf(decodeCheckpoint(buffer))).toEqual(bitsOf(dict));
  });
  it('the returned buffers are copies: changing them leaves the input as it was, and changing the input leaves them', () => {
    const bytes = encodeCheckpoint(dict);
    const before = Uint8Array.from(bytes);
    const decoded = decodeCheckpoint(Buffer.from(bytes)) as typeof dict;
    expect(decoded.a.buffer).not.toBe(bytes.buffer);
    expect(decoded.a.buffer.byteLength).toBe(12);
    decoded.a.fill(5);
    decoded.h.fill(5);
    expect(bytes).toEqual(before);
    const again = decodeCheckpoint(bytes) as typeof dict;
    bytes.fill(0);
    expect(bitsOf(again)).toEqual(bitsOf(dict));
  });
});

describe('encodeCheckpoint refuses what a checkpoint cannot hold', () => {
  it('a value that is not JSON, a Float32Array or a Float64Array is refused with a TypeError naming its path', () => {
    const cases: [object, string][] = [
      [{ state: { w: { m: new Uint8Array(2) } } }, 'dict.state.w.m is a Uint8Array'],
      [{ a: [1, new Map()] }, 'dict.a[1] is a Map'],
      [{ when: new Date(0) }, 'dict.when is a Date'],
      [{ n: 1n }, 'dict.n is a bigint'],
      [{ f: () => 1 }, 'dict.f is a function'],
      [{ list: [1, undefined] }, 'dict.list[1] is undefined (in an array)'],
      [{ 'odd key': { x: new (class Point {})() } }, 'dict["odd key"].x is a Point'],
      [{ i: new Int8Array(1) }, 'dict.i is an Int8Array'],
      [{ s: Symbol('s') }, 'dict.s is a symbol'],
    ];
    for (const [dict, message] of cases) {
      expect(() => encodeCheckpoint(dict)).toThrow(TypeError);
      expect(() => encodeCheckpoint(dict)).toThrow(
        `encodeCheckpoint: ${message}; a checkpoint holds numbers, strings, booleans, null, arrays, plain objects, Float32Arrays and Float64Arrays`,
      );
    }
  });
  it('a cycle is refused with a TypeError naming where it closes', () => {
    const dict: Record<string, unknown> = { a: { b: [] as unknown[] } };
    ((dict.a as Record<string, unknown>).b as unknown[]).push(dict);
    expect(() => encodeCheckpoint(dict)).toThrow('encodeCheckpoint: dict.a.b[0] contains itself (a cycle); a checkpoint holds a tree');
  });
  it('a dict that is not an object or array is refused with a TypeError', () => {
    for (const dict of [null, 3, 'x', Float32Array.of(1)]) {
      expect(() => encodeCheckpoint(dict as object)).toThrow(/^encodeCheckpoint: expected a state dict \(a plain object or an array\), got /);
    }
  });
});
