import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Adam, createRavine } from 'ravine';

// The plain-memory binary, as a page without cross-origin isolation gets it: growing its heap detaches
// every view. Measure what the model needs in a throwaway context, then reserve it so the heap never grows.
const wasm = readFileSync(fileURLToPath(import.meta.resolve('ravine/ravine.wasm')));
function build(rv) {
  // the same tensors and optimizer, every time
  const W = rv.tensor('dense1/kernel', 784 * 128),
    b = rv.tensor('dense1/bias', 128);
  return { W, b, opt: new Adam([W, b], { lr: 1e-3, amsgrad: true }) };
}
const dry = await createRavine({ wasm });
build(dry);
const reserveBytes = dry.highWaterBytes;
dry.dispose();

const rv = await createRavine({ wasm, reserveBytes });
const { W, opt } = build(rv);
const weights = W.data; // cached, as a layer would keep it
for (let t = 0; t < 3; t++) {
  W.grad.fill(0.01);
  opt.step();
}
console.log(
  `viewsStable ${rv.viewsStable}, reserved ${reserveBytes} bytes, heap ${rv.memoryBytes} bytes: the cached view has ${weights.length} floats, W.data[0] = ${weights[0].toFixed(4)}`,
);
