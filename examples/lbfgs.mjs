import { createRavine, LBFGS } from 'ravine';

// torch.optim.LBFGS over a ravine tensor: step(closure) re-evaluates the loss and writes the gradient.
const rv = await createRavine();
const w = rv.tensor('w', [-1.5, 2]);
const opt = new LBFGS([w], { lr: 1, historySize: 10, maxIter: 20, lineSearchFn: 'strongWolfe' });
const rosenbrock = () => {
  const [x, y] = w.data;
  w.grad.set([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)]);
  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
};
for (let k = 1; k <= 3; k++) {
  const loss = opt.step(rosenbrock); // the loss before this step's iterations, as torch returns it
  console.log(`step ${k}: loss ${loss.toExponential(3)}, w = (${Array.from(w.data, (v) => v.toFixed(4)).join(', ')})`);
}
