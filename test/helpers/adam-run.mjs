// Run by test/jitless.test.ts in a child node: 200 Adam (amsgrad) steps on the 'auto' backend,
// printing the backend it chose and the resulting parameter and state bits as JSON.
import { Adam, createRavine } from '../../dist/index.js';

const rv = await createRavine();
const w = rv.tensor(
  'w',
  Array.from({ length: 67 }, (_, i) => Math.sin(i)),
);
const opt = new Adam([w], { lr: 0.01, amsgrad: true, weightDecay: 0.01 });
for (let t = 0; t < 200; t++) {
  for (let i = 0; i < w.size; i++) w.grad[i] = Math.cos(i * t) * 10 ** ((i % 11) - 7);
  opt.step();
}
const bits = [...new Uint32Array(Float32Array.from(w.data).buffer), ...new Uint32Array(opt.stateDict().state.w.maxExpAvgSq.buffer)];
process.stdout.write(JSON.stringify({ backend: rv.backend, hasWasm: typeof WebAssembly !== 'undefined', bits }));
