// float32 -> bfloat16 as torch rounds it (round to nearest even; NaN to 0x7FC0), and back, on both
// backends, against torch 2.13's own conversion of 2,624 chosen and random bit patterns
// (test/fixtures/reference/torch-2.13/bfloat16.json, recorded by record_bfloat16.py beside it).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createRavine } from '../src/index.js';

const recorded = JSON.parse(readFileSync(new URL('./fixtures/reference/torch-2.13/bfloat16.json', import.meta.url), 'utf8')) as {
  torch: string;
  float32: number[];
  bfloat16: number[];
};

type Ctx = {
  arena: { alloc(bytes: number, what: string): number };
  heapU32: Uint32Array;
  backend: { buffer: ArrayBuffer; kernels: Record<'toBfloat16_f32' | 'fromBfloat16_f32', (src: number, dst: number, n: number) => void> };
};

describe("bfloat16 conversions are torch's, bit for bit", () => {
  it('the recording is torch 2.13 and holds ties, carries, overflow, subnormals, zeros, infinities and NaNs', () => {
    expect(recorded.torch).toBe('2.13.0+cpu');
    expect(recorded.float32.length).toBe(recorded.bfloat16.length);
    expect(recorded.bfloat16.filter((b) => b === 0x7fc0).length).toBeGreaterThan(4); // NaNs of both signs land there
    expect(recorded.float32.filter((x) => (x & 0xffff) === 0x8000).length).toBeGreaterThan(100); // exact ties
  });

  for (const backend of ['simd', 'js'] as const) {
    // An offset of one element off 16-byte alignment, and every tail length, for the SIMD body and its scalar tail.
    for (const shift of [0, 1]) {
      it(`${backend}${shift ? ', unaligned' : ''}: every recorded value rounds to torch's bfloat16, and widens back to it exactly`, async () => {
        const rv = await createRavine({ backend });
        const ctx = (rv as unknown as { _context: Ctx })._context;
        const n = recorded.float32.length;
        const src = ctx.arena.alloc(4 * n + 16, 'float32 in') + 4 * shift;
        const half = ctx.arena.alloc(2 * n + 16, 'bfloat16') + 2 * shift;
        const back = ctx.arena.alloc(4 * n + 16, 'float32 back') + 4 * shift;
        ctx.heapU32.set(recorded.float32, src >>> 2);
        ctx.backend.kernels.toBfloat16_f32(src, half, n);
        const ours = Array.from(new Uint16Array(ctx.backend.buffer, half, n));
        const wrong = ours.flatMap((b, i) => (b === recorded.bfloat16[i] ? [] : [`0x${recorded.float32[i].toString(16)} -> 0x${b.toString(16)}`]));
        expect(wrong).toEqual([]);
        ctx.backend.kernels.fromBfloat16_f32(half, back, n);
        const widened = Array.from(new Uint32Array(ctx.backend.buffer, back, n));
        expect(widened).toEqual(recorded.bfloat16.map((b) => (b << 16) >>> 0));
        // Tails: every length 0..9 writes exactly n elements and not one more.
        for (let m = 0; m <= 9; m++) {
          new Uint16Array(ctx.backend.buffer, half, 12).fill(0xabcd);
          ctx.backend.kernels.toBfloat16_f32(src, half, m);
          const written = Array.from(new Uint16Array(ctx.backend.buffer, half, 12));
          expect(written, `length ${m}`).toEqual([...recorded.bfloat16.slice(0, m), ...new Array(12 - m).fill(0xabcd)]);
        }
        rv.dispose();
      });
    }
  }
});
