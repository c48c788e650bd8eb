import { fileURLToPath } from 'node:url';
import { Adam, createRavine } from 'ravine';

// A host library's optimizer contract: `update(params, grads)`, Float32Arrays keyed by name, which the
// host owns and passes again on every call. The adapter adopts them on the first call, so they stay the
// host's source of truth: each step copies them into ravine's heap and the new values back out.
export async function ravineOptimizer({ Optimizer = Adam, backend = 'auto', ...options } = {}) {
  const rv = await createRavine({ backend });
  let opt = null;
  return {
    backend: rv.backend,
    update(params, grads) {
      opt ??= new Optimizer(
        Object.keys(params).map((name) => rv.adopt(name, params[name], grads[name])),
        options,
      );
      const tensors = opt.paramGroups[0].params;
      if (Object.keys(params).length !== tensors.length || tensors.some((t) => params[t.name] !== t.data || grads[t.name] !== t.grad)) {
        throw new TypeError('ravineOptimizer: update() takes the arrays it adopted on its first call, every time');
      }
      opt.step(); // one kernel call for every tensor, then the new values into the host's arrays
    },
    stateDict: () => opt?.stateDict(), // keyed by the host's parameter names
    dispose: () => rv.dispose(),
  };
}

// The host: a 2-4-1 tanh network learning XOR, full batch, with its own forward and backward pass.
const X = [
    [0, 0],
    [0, 1],
    [1, 0],
    [1, 1],
  ],
  Y = [0, 1, 1, 0];
export const makeNet = () => ({
  w1: Float32Array.from({ length: 8 }, (_, i) => Math.sin(3 * i + 1)),
  b1: new Float32Array(4),
  w2: Float32Array.from({ length: 4 }, (_, i) => Math.cos(5 * i + 2)),
  b2: new Float32Array(1),
});
export function lossAndGrads(p, g) {
  for (const name in g) g[name].fill(0);
  let loss = 0;
  X.forEach(([a, b], s) => {
    const h = [0, 1, 2, 3].map((j) => Math.tanh(p.w1[2 * j] * a + p.w1[2 * j + 1] * b + p.b1[j]));
    const y = 1 / (1 + Math.exp(-h.reduce((z, hj, j) => z + p.w2[j] * hj, p.b2[0])));
    loss -= (Y[s] * Math.log(y) + (1 - Y[s]) * Math.log(1 - y)) / X.length;
    const dz = (y - Y[s]) / X.length;
    g.b2[0] += dz;
    h.forEach((hj, j) => {
      const dh = dz * p.w2[j] * (1 - hj * hj);
      (g.w2[j] += dz * hj), (g.b1[j] += dh), (g.w1[2 * j] += dh * a), (g.w1[2 * j + 1] += dh * b);
    });
  });
  return loss;
}
export function train(params, optimizer, epochs, log = () => {}) {
  const grads = Object.fromEntries(Object.entries(params).map(([name, p]) => [name, new Float32Array(p.length)]));
  for (let epoch = 0; epoch < epochs; epoch++) {
    const loss = lossAndGrads(params, grads);
    if (epoch % 100 === 0) log(`epoch ${epoch}: loss ${loss.toFixed(4)}`);
    optimizer.update(params, grads);
  }
  return lossAndGrads(params, grads);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const optimizer = await ravineOptimizer({ lr: 0.05 });
  const loss = train(makeNet(), optimizer, 500, console.log);
  console.log(`epoch 500: loss ${loss.toFixed(4)} (ravine on '${optimizer.backend}')`);
  optimizer.dispose();
}
