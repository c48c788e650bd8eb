import { Adam, createRavine } from 'ravine';

// Fit y = 2a − 3b + ½c + 1 by gradient descent: ravine holds the parameters and their gradients, you write
// the gradients, Adam steps. The inputs are a fixed 4×4×4 grid, so every run prints the same numbers.
const rv = await createRavine(); // SIMD where the engine has it, else JS: the same bits
const w = rv.tensor('w', 3); // w.data, w.grad: Float32Array views into ravine's memory
const b = rv.tensor('b', 1);
const opt = new Adam([{ params: [w] }, { params: [b], weightDecay: 0 }], { lr: 0.05, weightDecay: 1e-4 });
const xs = Array.from({ length: 64 }, (_, i) => [(i & 3) / 3, ((i >> 2) & 3) / 3, (i >> 4) / 3]);
for (let epoch = 1; epoch <= 400; epoch++) {
  opt.zeroGrad();
  let loss = 0;
  for (const x of xs) {
    const err = w.data[0] * x[0] + w.data[1] * x[1] + w.data[2] * x[2] + b.data[0] - (2 * x[0] - 3 * x[1] + 0.5 * x[2] + 1);
    loss += (err * err) / xs.length;
    for (let j = 0; j < 3; j++) w.grad[j] += (2 * err * x[j]) / xs.length;
    b.grad[0] += (2 * err) / xs.length;
  }
  opt.step(); // one kernel call per group
  if (epoch % 100 === 0) console.log(`epoch ${epoch}: loss ${loss.toExponential(2)}`);
}
console.log(`w = ${Array.from(w.data, (v) => v.toFixed(3)).join(' ')}, b = ${b.data[0].toFixed(3)}`);
