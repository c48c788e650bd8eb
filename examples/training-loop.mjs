import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { anneal, cosineAnnealingLR, createRavine, decodeCheckpoint, encodeCheckpoint, linearLR, sequentialLR, SGD } from 'ravine';

// A ravine, f = ½(100·x² + y²), trained by SGD with a warmup-then-cosine lr, momentum annealed 0.5 → 0.9,
// clipping, the non-finite guard and diagnostics; checkpointed to disk after 100 steps and resumed.
function train(w, opt, steps) {
  for (let t = 0; t < steps; t++) {
    const [x, y] = w.data;
    w.grad.set([100 * x, y]);
    if (opt.steps === 150) w.grad[0] = NaN; // a bad batch: the guard skips it
    opt.step();
  }
  const [x, y] = w.data;
  const d = opt.diagnostics;
  console.log(
    `step ${opt.steps}: f = ${(0.5 * (100 * x * x + y * y)).toExponential(2)}, lr = ${opt.paramGroups[0].lr.toExponential(2)}, ` +
      `momentum = ${opt.paramGroups[0].momentum.toFixed(2)}, cos(g, g_prev) = ${d.cosine.toFixed(2)}, skipped ${opt.skippedSteps}`,
  );
}

const lr = () =>
  sequentialLR({
    schedulers: [linearLR({ base: 0.015, startFactor: 0.1, totalIters: 10 }), cosineAnnealingLR({ base: 0.015, tMax: 190, etaMin: 1e-4 })],
    milestones: [10], // 10 warmup steps, then cosine down to 1e-4
  });
const training = { clipGradNorm: 50, skipNonFinite: true, diagnostics: true };

const rv = await createRavine();
const w = rv.tensor('w', [1, 10]);
const opt = new SGD([w], { lr: lr(), momentum: anneal(0.5, 0.9, 100), nesterov: true }, training);
train(w, opt, 100);
mkdirSync('out', { recursive: true });
writeFileSync('out/checkpoint.ravine', encodeCheckpoint({ params: { w: w.data }, optimizer: opt.stateDict() }));

// Later, in another process: a fresh context and optimizer, then the checkpoint (schedules and their
// positions, momentum buffers, training options and counters all come from it).
const saved = decodeCheckpoint(readFileSync('out/checkpoint.ravine'));
const rv2 = await createRavine();
const w2 = rv2.tensor('w', saved.params.w);
const opt2 = new SGD([w2], { lr: 0.015 });
opt2.loadStateDict(saved.optimizer);
train(w2, opt2, 100);
