import { Adafactor, AdamW, createRavine, Muon } from 'ravine';

// Fit y = x·W* + b* (6 inputs → 4 outputs, 64 fixed samples) with a weight matrix made with its shape,
// row-major as torch's: Muon and Adafactor read it. Muon steps W and AdamW b, as torch's docs pair them;
// then Adafactor steps both. W starts non-zero: Adafactor's step is relative to RMS(W).
const [N, IN, OUT] = [64, 6, 4];
const X = Array.from({ length: N * IN }, (_, k) => ((k * 7) % 11) / 5 - 1);
const W0 = Array.from({ length: IN * OUT }, (_, k) => ((k * 3) % 7) / 10 - 0.3);
const target = (i, o) => X.slice(i * IN, (i + 1) * IN).reduce((s, x, j) => s + x * (((j + o) % 3) - 1), o / 4);

/** The mean squared error, its gradients added into w.grad and b.grad. */
function lossAndGrad(w, b) {
  let loss = 0;
  for (let i = 0; i < N; i++)
    for (let o = 0; o < OUT; o++) {
      let err = b.data[o] - target(i, o);
      for (let j = 0; j < IN; j++) err += X[i * IN + j] * w.data[j * OUT + o];
      loss += (err * err) / N;
      b.grad[o] += (2 * err) / N;
      for (let j = 0; j < IN; j++) w.grad[j * OUT + o] += (2 * err * X[i * IN + j]) / N;
    }
  return loss;
}

async function train(label, makeOptimizers, steps = 300) {
  const rv = await createRavine();
  const w = rv.tensor('w', W0, { shape: [IN, OUT] });
  const b = rv.tensor('b', OUT); // a vector, shape [4]: Muon would refuse it, Adafactor keeps its full variance
  const opts = makeOptimizers(w, b);
  const losses = [];
  for (let t = 0; t < steps; t++) {
    for (const opt of opts) opt.zeroGrad();
    losses.push(lossAndGrad(w, b));
    for (const opt of opts) opt.step(); // one training step: every optimizer steps its tensors
  }
  console.log(`${label}, loss at steps 1, 30, 100, 300: ${[0, 29, 99, 299].map((t) => losses[t].toPrecision(3)).join(', ')}`);
  const { state } = opts[0].stateDict();
  rv.dispose();
  return state;
}

// 'match_rms_adamw' scales Muon's step to an AdamW step's RMS, so the two share one lr; no decay: an exact fit.
const muon = (w) => new Muon([w], { lr: 0.05, weightDecay: 0, adjustLrFn: 'match_rms_adamw' });
await train('Muon + AdamW', (w, b) => [muon(w), new AdamW([b], { lr: 0.05, weightDecay: 0 })]);
const state = await train('Adafactor', (w, b) => [new Adafactor([w, b], { lr: 0.05 })]);
const sizes = (s) => Object.entries(s).map(([key, v]) => (typeof v === 'number' ? `${key} ${v}` : `${key} [${v.length} floats]`));
for (const name of ['w', 'b']) console.log(`Adafactor state of ${name}: ${sizes(state[name]).join(', ')}`);
