// ScheduleFreeAdamW through ravine/tfjs: eval() puts the average x in the TF.js variables, train() the
// training point y back, exactly as the ravine optimizer does on its own tensors.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { describe, expect, it } from 'vitest';
import { createRavine, ScheduleFreeAdamW } from '../src/index.js';
import { ravineAdam, ravineScheduleFreeAdamW } from '../src/tfjs/index.js';
import { bitDifferences } from './helpers/cases.js';

describe('ravineScheduleFreeAdamW: eval() and train() on TF.js variables', () => {
  it('switch the variables between x and y as the ravine optimizer switches its tensors, bit for bit', async () => {
    await tf.setBackend('cpu');
    const rv = await createRavine();
    const start = [1, -2, 3, 0.5];
    const grads = (t: number) => [0.5 * t, -1, 2 / t, 0.25];
    const v = tf.variable(tf.tensor1d(start), true, 'sf-w');
    const bridge = ravineScheduleFreeAdamW(rv, { lr: 0.1 });
    const w = rv.tensor('sf-ref', start);
    const ref = new ScheduleFreeAdamW([w], { lr: 0.1 });
    for (let t = 1; t <= 4; t++) {
      bridge.applyGradients({ 'sf-w': tf.tensor1d(grads(t)) });
      w.grad.set(grads(t));
      ref.step();
    }
    const y = v.dataSync().slice() as Float32Array;
    expect(bitDifferences(y, w.data)).toEqual([]);
    bridge.eval();
    ref.eval();
    expect(bitDifferences(v.dataSync() as Float32Array, w.data), 'x').toEqual([]);
    expect(bitDifferences(v.dataSync() as Float32Array, y).length).toBeGreaterThan(0);
    expect(() => bridge.applyGradients({ 'sf-w': tf.tensor1d(grads(5)) })).toThrow(/eval mode .*call train\(\)/);
    bridge.train();
    ref.train();
    expect(bitDifferences(v.dataSync() as Float32Array, y), 'y back').toEqual([]);
    bridge.applyGradients({ 'sf-w': tf.tensor1d(grads(5)) });
    w.grad.set(grads(5));
    ref.step();
    expect(bitDifferences(v.dataSync() as Float32Array, w.data), 'stepping on').toEqual([]);
    bridge.dispose();
    v.dispose();
    rv.dispose();
  });

  it('other optimizers refuse eval() and train(), naming the optimizer', async () => {
    await tf.setBackend('cpu');
    const rv = await createRavine();
    const bridge = ravineAdam(rv);
    expect(() => bridge.eval()).toThrow(/eval\(\) and train\(\) are ScheduleFreeAdamW's \(this optimizer is Adam/);
    bridge.dispose();
    rv.dispose();
  });
});
