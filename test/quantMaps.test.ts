// torchao's quantization maps (src/optim/quantMaps.ts), built as torchao builds them, against the maps
// recorded from torchao itself (test/fixtures/reference/lowbit/torchao-adam.json), and its rounding rule.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { dynamicMap, linspace32, QUANT_MAPS, quantizeCode } from '../src/optim/quantMaps.js';
import { bitDifferences } from './helpers/cases.js';

const recorded = JSON.parse(readFileSync(new URL('./fixtures/reference/lowbit/torchao-adam.json', import.meta.url), 'utf8')) as {
  torch: string;
  quantMaps: Record<'signed8' | 'unsigned8' | 'signed4' | 'unsigned4_linear', number[]>;
};

describe("torchao's quantization maps, bit for bit", () => {
  it('the recording is torchao on torch 2.13', () => expect(recorded.torch).toBe('2.13.0+cpu'));

  for (const [ours, theirs] of [
    ['signed8', 'signed8'],
    ['unsigned8', 'unsigned8'],
    ['signed4', 'signed4'],
    ['unsigned4Linear', 'unsigned4_linear'],
  ] as const) {
    it(`${ours}: ${recorded.quantMaps[theirs].length} entries, each torchao's float32`, () => {
      expect(bitDifferences(QUANT_MAPS[ours], Float32Array.from(recorded.quantMaps[theirs]))).toEqual([]);
    });
  }

  it('the maps are sorted, span their range and are dense near 0 (the dynamic type)', () => {
    const s8 = QUANT_MAPS.signed8;
    expect([s8[0], s8[255]]).toEqual([Math.fround(-0.99296875), 1]);
    expect(s8.every((v, i) => i === 0 || v > s8[i - 1])).toBe(true);
    expect(QUANT_MAPS.unsigned8[0]).toBe(0);
    // 31 entries lie within 1e-3 of zero, where a linear 8-bit map (spacing 2/255) has only 0 itself.
    expect(s8.filter((v) => Math.abs(v) < 1e-3).length).toBe(31);
  });

  it("linspace32 is torch's float32 linspace: from both ends, so its ends are exact where a one-ended loop's are not", () => {
    let missed = 0;
    for (let steps = 2; steps <= 130; steps++) {
      const l = linspace32(0.1, 1, steps);
      expect([l[0], l[steps - 1]], `${steps} steps`).toEqual([Math.fround(0.1), 1]);
      const step = Math.fround(Math.fround(1 - Math.fround(0.1)) / (steps - 1));
      if (Math.fround(Math.fround(0.1) + Math.fround(step * (steps - 1))) !== 1) missed++;
    }
    expect(missed).toBeGreaterThan(0);
  });

  it('the same construction gives the other sizes bitsandbytes defines (6 exponent bits: an extra linear range)', () => {
    const m = dynamicMap(true, 6, 8);
    expect(m.length).toBe(256);
    expect(m.every((v, i) => i === 0 || v >= m[i - 1])).toBe(true);
  });
});

describe("torchao's rounding to a code", () => {
  const map = QUANT_MAPS.signed4;
  it('every entry maps to its own code, a value between two entries to the nearer, a tie up', () => {
    map.forEach((v, i) => expect(quantizeCode(v, map), `entry ${i}`).toBe(i));
    for (let i = 0; i + 1 < map.length; i++) {
      const [a, b] = [map[i], map[i + 1]];
      expect(quantizeCode(Math.fround(a + (b - a) * 0.25), map), `quarter ${i}`).toBe(i);
      expect(quantizeCode(Math.fround(a + (b - a) * 0.75), map), `three quarters ${i}`).toBe(i + 1);
    }
    expect(quantizeCode(-2, map)).toBe(0);
    expect(quantizeCode(2, map)).toBe(15);
    expect(quantizeCode(Number.NaN, map)).toBe(0);
  });
});
