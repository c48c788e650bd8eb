// Bias corrections use β^t correctly rounded, as CPython's `beta ** step` (glibc's pow) gives it:
// checked against exact rational arithmetic, for every t up to 2,000 and after jumps.
import { describe, expect, it } from 'vitest';
import { Powers } from '../src/optim/powers.js';

/** The double nearest to base^t, computed exactly with BigInt (base = mantissa·2^exponent). */
function exactPower(base: number, t: number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, base);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  const mantissa = (bits & ((1n << 52n) - 1n)) | (1n << 52n);
  const exponent = biased - 1075;
  const x = mantissa ** BigInt(t);
  const shift = x.toString(2).length - 64;
  // Keep 64 bits and a sticky bit, so Number() (round to nearest, ties to even) rounds as the exact value would.
  const kept = shift > 0 ? (x >> BigInt(shift)) | ((x & ((1n << BigInt(shift)) - 1n)) === 0n ? 0n : 1n) : x;
  return Number(kept) * 2 ** (Math.max(shift, 0) + exponent * t);
}

describe('Powers', () => {
  for (const base of [0.9, 0.999, 0.99, 0.8, 0.95, 0.5]) {
    it(`β = ${base}: β^t is correctly rounded for every t in 1..2000 (where Math.pow is often an ulp off)`, () => {
      const powers = new Powers();
      let mathPowOff = 0;
      // Up to 2000, or while β^t ≥ 2^-900 (below it is flushed to 0: 1 − β^t is 1 either way).
      for (let t = 1; t <= 2000 && base ** t >= 2 ** -900; t++) {
        const exact = exactPower(base, t);
        expect(powers.at(base, t), `t = ${t}`).toBe(exact);
        if (Math.pow(base, t) !== exact) mathPowOff++;
      }
      if (base !== 0.5) expect(mathPowOff).toBeGreaterThan(0); // why this class exists
    });
  }

  it('restarts for another base or an earlier t, and jumps ahead', () => {
    const powers = new Powers();
    expect(powers.at(0.9, 3)).toBe(exactPower(0.9, 3));
    expect(powers.at(0.999, 2)).toBe(exactPower(0.999, 2));
    expect(powers.at(0.999, 1)).toBe(0.999);
    expect(powers.at(0.999, 5000)).toBe(exactPower(0.999, 5000));
    expect(powers.at(0.999, 0)).toBe(1);
  });
  it("a long run reaches 0, as CPython's 0.999 ** 2_000_000 does, instead of sticking at the smallest subnormal, and 1 − β^t is exactly 1 where the flush starts", () => {
    const powers = new Powers();
    expect(powers.at(0.999, 2_000_000)).toBe(0);
    const near = new Powers();
    let t = 1;
    while (0.999 ** t >= 2 ** -900) t++;
    expect(near.at(0.999, t - 1)).toBeGreaterThan(0);
    expect(1 - near.at(0.999, t - 1)).toBe(1);
    expect(near.at(0.999, t + 1)).toBe(0);
  });
  it('a jump (a new β every step, as a schedule gives, or a loaded step) is recomputed in O(log t) and gives the correctly rounded power', () => {
    const powers = new Powers();
    const bases = [0.9, 0.999, 0.95];
    for (let t = 1; t <= 3000; t += 7) {
      const base = bases[t % 3]; // a different base from the previous call: every call is a jump
      expect(powers.at(base, t), `β = ${base}, t = ${t}`).toBe(exactPower(base, t));
    }
  });
  it('jumps agree with the step-by-step product at every t up to 50,000 that a jump lands on', () => {
    const walking = new Powers();
    for (let t = 1; t <= 50_000; t++) {
      const stepped = walking.at(0.999, t);
      if (t % 997 === 0) expect(new Powers().at(0.999, t), `t = ${t}`).toBe(stepped);
    }
  });
  it('alternating two βs at t near 2^24 returns at once (it used to walk from t = 0 at every change)', () => {
    const powers = new Powers();
    for (let t = 2 ** 24 - 100; t <= 2 ** 24; t++) {
      expect(powers.at(0.9, t)).toBe(0);
      expect(powers.at(0.99999, t)).toBe(new Powers().at(0.99999, t));
    }
    expect(powers.at(0.99999, 2 ** 24)).toBeGreaterThan(0); // 0.99999^(2^24) ≈ 5.5e-73: not flushed
  });
});
