import { createRavine, Lion, ScheduleFreeAdamW } from 'ravine';

// The ravine f = ½(100·x² + y²) with no lr schedule: schedule-free AdamW trains at y and evaluates at the
// average x (eval() puts x in the parameters, train() puts y back); Lion beside it, moving by ±lr.
const rv = await createRavine();
const loss = (w) => 0.5 * (100 * w.data[0] ** 2 + w.data[1] ** 2);
const run = (w, opt, steps) => {
  for (let t = 0; t < steps; t++) {
    w.grad.set([100 * w.data[0], w.data[1]]);
    opt.step();
  }
};

const w = rv.tensor('w', [1, 1]);
const sf = new ScheduleFreeAdamW([w], { lr: 0.05, warmupSteps: 20 });
for (const steps of [100, 200]) {
  run(w, sf, steps - sf.steps);
  const atY = loss(w);
  sf.eval();
  console.log(`schedule-free, step ${sf.steps}: f = ${atY.toExponential(2)} at the training point, ${loss(w).toExponential(2)} at the average`);
  sf.train();
}

const v = rv.tensor('v', [1, 1]);
const lion = new Lion([v], { lr: 0.01, weightDecay: 0 });
run(v, lion, 200);
console.log(`Lion, step ${lion.steps}: f = ${loss(v).toExponential(2)}, w = (${[...v.data].map((x) => x.toFixed(3)).join(', ')})`);
rv.dispose();
