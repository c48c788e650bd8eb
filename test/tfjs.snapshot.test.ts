// ravine/tfjs never changes an array TF.js has handed out. On TF.js's cpu backend, dataSync() and data()
// return the backend's storage itself, so a bridge that wrote new weights into that storage would change
// a snapshot the user took (`best = model.getWeights().map((w) => w.dataSync())`) along with the model.
// TF.js's own optimizers assign new tensors and leave such a snapshot as it was; so must ravine's.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createRavine, type Ravine } from '../src/index.js';
import { ravineAdam, ravineSGD } from '../src/tfjs/index.js';

setWasmPaths(
  createRequire(import.meta.url)
    .resolve('@tensorflow/tfjs-backend-wasm/package.json')
    .replace(/package\.json$/, 'dist/'),
);

const bits = (a: Float32Array) => Array.from(new Uint32Array(Float32Array.from(a).buffer));
let unique = 0;

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`TF.js ${backend} backend`, () => {
    let rv: Ravine;
    beforeAll(async () => {
      expect(await tf.setBackend(backend)).toBe(true);
      rv = await createRavine();
    });
    afterAll(() => rv.dispose());

    test('a snapshot of the weights taken with dataSync() keeps its values through model.fit with ravineSGD, as it does with tf.train.sgd', async () => {
      for (const which of ['tf.train.sgd', 'ravineSGD'] as const) {
        const model = tfl.sequential({
          layers: [
            tfl.layers.dense({ units: 8, inputShape: [4], activation: 'tanh', kernelInitializer: tfl.initializers.glorotUniform({ seed: 3 }) }),
            tfl.layers.dense({ units: 1, kernelInitializer: tfl.initializers.glorotUniform({ seed: 4 }) }),
          ],
        });
        const optimizer = which === 'tf.train.sgd' ? tf.train.sgd(0.1) : ravineSGD(rv, { lr: 0.1 });
        model.compile({ optimizer, loss: 'meanSquaredError' });
        const x = tf.randomUniform([32, 4], -1, 1, 'float32', 5),
          y = tf.sum(x, 1, true);
        const best = model.getWeights().map((w) => w.dataSync() as Float32Array);
        const bestBits = best.map(bits);
        await model.fit(x, y, { epochs: 3, batchSize: 8, shuffle: false, verbose: 0 });
        expect(best.map(bits), which).toEqual(bestBits);
        // ... and the model did train: its weights are not the snapshot's.
        expect(
          model.getWeights().map((w) => bits(w.dataSync() as Float32Array)),
          which,
        ).not.toEqual(bestBits);
        optimizer.dispose();
        model.dispose();
        tf.dispose([x, y]);
      }
    });

    test('arrays from dataSync() and data() of a variable keep their values when ravine steps the variable', async () => {
      const v = tf.variable(tf.tensor1d([1, -2, 3, -4, 5, -6]), true, `snap${unique++}`);
      const opt = ravineAdam(rv, { lr: 0.1 });
      opt.applyGradients({ [v.name]: tf.ones([6]) }); // the variable now holds data ravine wrote
      const synced = v.dataSync() as Float32Array;
      const read = (await v.data()) as Float32Array;
      const before = bits(synced);
      for (let k = 0; k < 3; k++) opt.applyGradients({ [v.name]: tf.fill([6], k + 1) });
      expect(bits(synced)).toEqual(before);
      expect(bits(read)).toEqual(before);
      expect(bits(v.dataSync() as Float32Array)).not.toEqual(before);
      opt.dispose();
      v.dispose();
    });
  });
}
