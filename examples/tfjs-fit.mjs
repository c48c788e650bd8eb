import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { createRavine, cosineAnnealingLR, encodeCheckpoint } from 'ravine';
import { ravineAdamW } from 'ravine/tfjs';

await tf.setBackend('cpu');
const rv = await createRavine();
const model = tfl.sequential({
  layers: [
    tfl.layers.dense({ units: 32, inputShape: [8], activation: 'relu', kernelInitializer: tfl.initializers.heNormal({ seed: 1 }) }),
    tfl.layers.dense({ units: 1, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
  ],
});
// AdamW (which TF.js lacks), its lr on a cosine from 1e-2 to 1e-4 over the 200 updates below, gradients clipped to norm 1.
const optimizer = ravineAdamW(rv, { lr: cosineAnnealingLR({ base: 0.01, tMax: 200, etaMin: 1e-4 }), weightDecay: 1e-4 }, { clipGradNorm: 1 });
model.compile({ optimizer, loss: 'meanSquaredError' });

const x = tf.randomUniform([512, 8], -1, 1, 'float32', 3),
  y = tf.sin(tf.mul(tf.sum(x, 1, true), 0.5));
const { history } = await model.fit(x, y, { epochs: 25, batchSize: 64, shuffle: false, verbose: 0 });
console.log(`loss ${history.loss[0].toFixed(4)} -> ${history.loss.at(-1).toFixed(4)} in ${optimizer.iterations} updates`);
const checkpoint = encodeCheckpoint(optimizer.stateDict()); // keyed by variable name; loadStateDict() takes it back
console.log(`optimizer state: ${checkpoint.byteLength} bytes, lr now ${optimizer.stateDict().options.lr.toExponential(2)}`);
