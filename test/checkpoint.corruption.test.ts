// A damaged binary checkpoint is called what it is. A bit flipped in the header length, the buffer count
// or a row of the buffer table makes the file's own lengths ask for bytes it does not have, though no
// byte is missing: the reader checks the checksum first, and calls a file truncated only when no single
// flipped bit in its lengths explains the mismatch and its table describes more bytes than there are.
// A real truncation is still called truncated; a file whose checksum matches is never.
import { describe, expect, it } from 'vitest';
import { Adam, cosineAnnealingLR, createRavine, decodeCheckpoint, encodeCheckpoint } from '../src/index.js';
import { crc32, flippedBit, unstepZero } from '../src/checkpoint/crc32.js';

/** The layout's own numbers: where the buffer table starts, how many rows it has, where the data section starts. */
function layout(bytes: Uint8Array) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const tableAt = 16 + view.getUint32(8, true),
    rows = view.getUint32(12, true);
  return { tableAt, rows, dataStart: Math.ceil((tableAt + 12 * rows) / 8) * 8 };
}

/** The message decodeCheckpoint refuses `bytes` with (it must refuse). */
function refusal(bytes: Uint8Array): string {
  try {
    decodeCheckpoint(bytes);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('decoded');
}

/** A real optimizer's checkpoint: Adam (amsgrad) over three tensors, a schedule, after 3 steps. */
async function adamCheckpoint(): Promise<Uint8Array> {
  const rv = await createRavine();
  const ts = [7, 1, 12].map((n, k) =>
    rv.tensor(
      `layer${k}.weight`,
      Array.from({ length: n }, (_, i) => Math.sin(i + k)),
    ),
  );
  const opt = new Adam(ts, { lr: cosineAnnealingLR({ base: 1e-2, tMax: 10 }), amsgrad: true });
  for (let s = 0; s < 3; s++) {
    for (const t of ts) t.grad.set(t.data.map((x) => x * 0.5 + s));
    opt.step();
  }
  const bytes = encodeCheckpoint(opt.stateDict());
  rv.dispose();
  return bytes;
}

describe('a bit flipped in a binary checkpoint is corruption, never truncation', () => {
  it('every single-bit flip in the preamble, header and buffer table of an Adam checkpoint is refused as corrupted, none as truncated; each in the lengths names its bit', async () => {
    const bytes = await adamCheckpoint();
    const { tableAt, rows, dataStart } = layout(bytes);
    expect(rows).toBe(9); // expAvg, expAvgSq and maxExpAvgSq of each of the three tensors
    const refusals: [string, string, boolean][] = [];
    for (let i = 0; i < dataStart; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const bad = Uint8Array.from(bytes);
        bad[i] ^= 1 << bit;
        const inLengths = (i >= 4 && i < 16) || (i >= tableAt && i < tableAt + 12 * rows);
        refusals.push([`bit ${bit} of byte ${i}`, refusal(bad), inLengths]);
      }
    }
    expect(refusals.length).toBe(8 * dataStart);
    expect(refusals.filter(([, message]) => /truncated/.test(message)).map(([where]) => where)).toEqual([]);
    for (const [where, message, inLengths] of refusals) {
      if (where.endsWith(' of byte 0') || / of byte [123]$/.test(where)) expect(message, where).toMatch(/^not a ravine checkpoint/);
      else expect(message, where).toMatch(/^checksum mismatch: stored 0x[0-9A-F]{8}, computed 0x[0-9A-F]{8}: the checkpoint is corrupted/);
      if (inLengths) expect(message, where).toContain(`(one flipped bit explains it: ${where}, in `);
    }
  });

  it("the flipped field is named: the version, the header length, the buffer count, a row's kind, element count or data offset", () => {
    const small = encodeCheckpoint({ a: Float32Array.of(1, 2, 3), b: Float64Array.of(4) });
    const { tableAt } = layout(small);
    const at = (i: number, bit: number) => {
      const bad = Uint8Array.from(small);
      bad[i] ^= 1 << bit;
      return refusal(bad);
    };
    expect(at(5, 2)).toMatch(/bit 2 of byte 5, in its version; no byte is missing\)$/);
    expect(at(9, 7)).toMatch(/bit 7 of byte 9, in its header length; no byte is missing\)$/);
    expect(at(15, 0)).toMatch(/bit 0 of byte 15, in its buffer count; no byte is missing\)$/);
    expect(at(tableAt, 2)).toContain(`in buffer 0's kind, in its buffer table`);
    expect(at(tableAt + 12 + 4, 5)).toContain(`bit 5 of byte ${tableAt + 16}, in buffer 1's element count, in its buffer table`);
    expect(at(tableAt + 12 + 8, 3)).toContain(`in buffer 1's data offset, in its buffer table`);
  });

  it('every single-bit flip anywhere in a small checkpoint (data and checksum included) is refused as corrupted, none as truncated', () => {
    const small = encodeCheckpoint({ step: 3, lr: NaN, expAvg: Float32Array.of(1, -0, NaN), history: Float64Array.of(Infinity, 2) });
    for (let i = 4; i < small.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const bad = Uint8Array.from(small);
        bad[i] ^= 1 << bit;
        expect(refusal(bad), `bit ${bit} of byte ${i}`).toMatch(
          /^checksum mismatch: stored 0x[0-9A-F]{8}, computed 0x[0-9A-F]{8}: the checkpoint is corrupted/,
        );
      }
    }
  });

  it('a real truncation, cut anywhere (in the preamble, header, table, data or checksum), is still called truncated', async () => {
    const bytes = await adamCheckpoint();
    for (let n = 0; n < bytes.length; n++) {
      expect(refusal(bytes.subarray(0, n)), `first ${n} bytes`).toMatch(new RegExp(`^checkpoint truncated: ${n} bytes, needs at least \\d+ for `));
    }
  });
});

describe('flippedBit: CRC-32 locates one flipped bit', () => {
  it("the zero-byte step walks back: unstepZero inverts c -> TABLE[c & 0xff] ^ (c >>> 8) (TABLE's top bytes are all different)", () => {
    // crc32 of a zero byte continues the register by one zero step: crc32([0], crc) = ~step(~crc).
    for (const c of [0, 1, 0xdeadbeef, 0xffffffff, 0x80000000, 0x12345678]) {
      const stepped = ~crc32(Uint8Array.of(0), ~c >>> 0) >>> 0;
      expect(unstepZero(stepped)).toBe(c >>> 0);
    }
  });
  it('finds the byte and bit of every single-bit flip in a 300-byte message, and nothing outside the ranges searched', () => {
    const message = Uint8Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 0xff);
    const stored = crc32(message);
    for (let i = 0; i < message.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const bad = Uint8Array.from(message);
        bad[i] ^= 1 << bit;
        const computed = crc32(bad);
        expect(flippedBit(stored, computed, message.length, [[0, 300]])).toEqual([i, bit]);
        expect(
          flippedBit(stored, computed, message.length, [
            [0, i],
            [i + 1, 300],
          ]),
        ).toBeNull();
      }
    }
  });
  it('two flipped bits are not taken for one', () => {
    const message = Uint8Array.from({ length: 64 }, (_, i) => i);
    const bad = Uint8Array.from(message);
    bad[10] ^= 1;
    bad[40] ^= 4;
    expect(flippedBit(crc32(message), crc32(bad), 64, [[0, 64]])).toBeNull();
  });
});
