// Linear memory: create/step/dispose cycles reuse what they free; views re-derive after growth, and a
// view kept across growth or a move is detached (length 0), never silently pointing at other data.
import { describe, expect, it } from 'vitest';
import { Adam, createRavine, RMSprop, SGD } from '../src/index.js';

describe.each(['simd', 'js'] as const)('memory on %s', (backend) => {
  it('10,000 create/step/dispose cycles never grow linear memory past the first cycle\'s high-water mark', async () => {
    const rv = await createRavine({ backend });
    const cycle = (i: number) => {
      const w = rv.tensor(`w${i}`, 1000 + (i % 7));
      const b = rv.tensor(`b${i}`, 10);
      const opt = i % 2 ? new Adam([{ params: [w] }, { params: [b] }], { amsgrad: true }) : new RMSprop([w, b], { centered: true, momentum: 0.9 });
      w.grad.fill(0.5);
      opt.step();
      opt.dispose();
      w.dispose();
      b.dispose();
    };
    for (let i = 0; i < 20; i++) cycle(i);
    const bytes = rv.memoryBytes, highWater = rv.highWaterBytes;
    for (let i = 20; i < 10_000; i++) cycle(i);
    expect(rv.memoryBytes).toBe(bytes);
    expect(rv.highWaterBytes).toBe(highWater);
  });

  it('tensor views read the right values after the memory has grown', async () => {
    const rv = await createRavine({ backend });
    const w = rv.tensor('w', Float32Array.from({ length: 100 }, (_, i) => i));
    const opt = new SGD([w], { lr: 1, momentum: 0.5 });
    const stale = w.data;
    const before = rv.memoryBytes;
    const big = rv.tensor('big', 4 << 20); // 32 MiB of data and grad: forces the heap to grow
    expect(rv.memoryBytes).toBeGreaterThan(before);
    expect(stale.length).toBe(0); // detached by the growth, as wasm does: loud, not silently stale
    expect(Array.from(w.data)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    w.grad.fill(1);
    opt.step();
    expect(w.data[10]).toBe(9);
    big.data[big.size - 1] = 7;
    expect(big.data[big.size - 1]).toBe(7);
  });

  it('a view kept across an optimizer taking its tensors is detached; the tensor answers with the moved values', async () => {
    const rv = await createRavine({ backend });
    const w = rv.tensor('w', [1, 2, 3]);
    const early = w.data;
    const opt = new SGD([w], { lr: 0.5 });
    expect(early.length).toBe(0);
    expect(Array.from(w.data)).toEqual([1, 2, 3]);
    opt.dispose();
    expect(Array.from(w.data)).toEqual([1, 2, 3]); // the user's parameters survive the optimizer
    const again = new SGD([w], { lr: 0.5 }); // and can be handed to a new one
    w.grad.fill(2);
    again.step();
    expect(Array.from(w.data)).toEqual([0, 1, 2]);
  });

  it('one kernel call per group: a group of many tensors is one flat slab, parameters then gradients', async () => {
    const rv = await createRavine({ backend });
    const ts = Array.from({ length: 10 }, (_, i) => rv.tensor(`t${i}`, i + 1));
    new SGD(ts, { lr: 0.1 });
    const heap = new Float32Array(ts[0].data.buffer);
    let offset = ts[0].data.byteOffset;
    for (const t of ts) {
      expect(t.data.byteOffset).toBe(offset);
      offset += 4 * t.size;
    }
    expect(ts[0].grad.byteOffset).toBeGreaterThanOrEqual(offset);
    expect(heap.buffer).toBe(ts[9].grad.buffer);
  });
});
