// Tensors with shapes: made with one (row-major, as torch's), checked against their length, and carried
// by state dicts, JSON and binary checkpoints and the torch exchange; tensors made without one unchanged.
import { describe, expect, it } from 'vitest';
import { Adam, createRavine, decodeCheckpoint, encodeCheckpoint, exportSafetensors, importSafetensors, SGD, type StateDict } from '../src/index.js';
import { readSafetensors } from '../src/checkpoint/safetensors.js';

describe('rv.tensor and rv.adopt with a shape', () => {
  it('keep the shape, frozen, and read [size] for a tensor made without one', async () => {
    const rv = await createRavine();
    const w = rv.tensor('w', 12, { shape: [3, 4] });
    expect(w.shape).toEqual([3, 4]);
    expect(w.size).toBe(12);
    expect(Object.isFrozen(w.shape)).toBe(true);
    expect(rv.tensor('v', [1, 2, 3], { shape: [3, 1] }).shape).toEqual([3, 1]);
    expect(rv.tensor('flat', 5).shape).toEqual([5]);
    expect(rv.tensor('scalar', [7], { shape: [] }).shape).toEqual([]);
    const a = rv.adopt('a', new Float32Array(6), undefined, { shape: [2, 3] });
    expect(a.shape).toEqual([2, 3]);
    rv.dispose();
  });

  it('refuse a shape that does not hold the tensor, naming the tensor, the shape and both counts, and allocate nothing', async () => {
    const rv = await createRavine();
    const before = rv.highWaterBytes;
    expect(() => rv.tensor('w', 10, { shape: [3, 4] })).toThrow(new RangeError("tensor 'w': shape [3, 4] holds 12 values, and the tensor has 10"));
    expect(() => rv.tensor('w', 12, { shape: [3, 4.5] })).toThrow(/tensor 'w': shape must be an array of integers >= 0, got \[3, 4\.5\]/);
    expect(() => rv.tensor('w', 12, { shape: '3x4' as never })).toThrow(TypeError);
    expect(() => rv.tensor('w', 12, { shap: [3, 4] } as never)).toThrow(/tensor 'w': unknown option "shap"/);
    expect(() => rv.adopt('w', new Float32Array(5), undefined, { shape: [2, 2] })).toThrow(
      new RangeError("adopt 'w': shape [2, 2] holds 4 values, and the tensor has 5"),
    );
    expect(rv.highWaterBytes).toBe(before);
    expect(rv.tensor('w', 12, { shape: [3, 4] }).shape).toEqual([3, 4]); // the name is still free
    rv.dispose();
  });
});

describe('shapes in checkpoints', () => {
  async function stepped(shape: number[] | undefined) {
    const rv = await createRavine();
    const w = rv.tensor('w', [1, 2, 3, 4, 5, 6], shape ? { shape } : undefined);
    const b = rv.tensor('b', [1, -1]);
    const opt = new Adam([w, b], { lr: 0.1 });
    w.grad.set([1, -1, 2, -2, 3, -3]);
    b.grad.set([0.5, 0.5]);
    opt.step();
    return { rv, w, b, opt };
  }

  it("a state dict records the shapes of shaped tensors only: a flat tensor's dict has no shapes key, as before", async () => {
    const shaped = await stepped([2, 3]);
    expect(shaped.opt.stateDict().shapes).toEqual({ w: [2, 3] });
    shaped.rv.dispose();
    const flat = await stepped(undefined);
    expect('shapes' in flat.opt.stateDict()).toBe(false);
    flat.rv.dispose();
  });

  it('through JSON and the binary format, a dict loads into tensors of the same shapes, and refuses other shapes naming both', async () => {
    const from = await stepped([2, 3]);
    const dict = from.opt.stateDict();
    const viaJson = JSON.parse(JSON.stringify(dict)) as StateDict;
    const viaBinary = decodeCheckpoint(encodeCheckpoint(dict)) as StateDict;
    expect(viaJson.shapes).toEqual({ w: [2, 3] });
    expect(viaBinary.shapes).toEqual({ w: [2, 3] });
    const same = await stepped([2, 3]);
    same.opt.loadStateDict(viaBinary);
    expect(same.opt.stateDict().state.w.expAvg).toEqual(dict.state.w.expAvg);
    const other = await stepped([3, 2]);
    const before = other.opt.stateDict();
    expect(() => other.opt.loadStateDict(viaJson)).toThrow(new RangeError("Adam.loadStateDict: tensor 'w' has shape [3, 2], the checkpoint's is [2, 3]"));
    expect(other.opt.stateDict().state.w.expAvg).toEqual(before.state.w.expAvg); // nothing changed
    // A dict without shapes (a flat tensor's, or an older ravine's) loads into any shape of the same length.
    const flat = await stepped(undefined);
    other.opt.loadStateDict(flat.opt.stateDict());
    for (const x of [from, same, other, flat]) x.rv.dispose();
  });

  it("the torch exchange writes each state tensor with its parameter's shape, reads it back, and refuses a state tensor of another shape", async () => {
    const from = await stepped([2, 3]);
    const bytes = exportSafetensors(from.opt);
    const file = readSafetensors(bytes);
    expect(file.tensors['state.w.exp_avg'].shape).toEqual([2, 3]);
    expect(file.tensors['state.b.exp_avg'].shape).toEqual([2]);
    expect(file.tensors['state.w.step'].shape).toEqual([]);
    const to = await stepped([2, 3]);
    importSafetensors(to.opt, bytes);
    expect(to.opt.stateDict().state.w.expAvgSq).toEqual(from.opt.stateDict().state.w.expAvgSq);
    const other = await stepped([3, 2]);
    expect(() => importSafetensors(other.opt, bytes)).toThrow(/tensor "state\.w\.exp_avg" has shape \[2, 3\], and tensor 'w' has shape \[3, 2\]/);
    // A flat state tensor (ravine's files before shapes) still loads into a shaped tensor.
    const flat = await stepped(undefined);
    importSafetensors(to.opt, exportSafetensors(flat.opt));
    for (const x of [from, to, other, flat]) x.rv.dispose();
  });

  it('an optimizer steps a shaped tensor exactly as the same flat tensor', async () => {
    const rv = await createRavine();
    const a = rv.tensor('a', [1, 2, 3, 4, 5, 6], { shape: [2, 3] });
    const b = rv.tensor('b', [1, 2, 3, 4, 5, 6]);
    const oa = new SGD([a], { lr: 0.1, momentum: 0.9 });
    const ob = new SGD([b], { lr: 0.1, momentum: 0.9 });
    for (let t = 0; t < 3; t++) {
      a.grad.set([1, -2, 3, -4, 5, -6]);
      b.grad.set([1, -2, 3, -4, 5, -6]);
      oa.step();
      ob.step();
    }
    expect([...a.data]).toEqual([...b.data]);
    rv.dispose();
  });
});
