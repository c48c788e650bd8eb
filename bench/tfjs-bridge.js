// Where ravine/tfjs's time goes: one applyGradients on a model-shaped variable set (ResNet-18's 62
// tensors, a transformer's 148), on TF.js's cpu and wasm backends, beside TF.js's own optimizer, and
// split into its three phases, each timed alone: the gradients read out of TF.js into ravine's heap,
// ravine's step, and the new values written back into TF.js's variables.
//
//   npm run build && node --expose-gc bench/tfjs-bridge.js [--only=adam,sgd] [--models=resnet,transformer]
import { parseArgs } from 'node:util';
import { createRavine } from '../dist/index.js';
import { ravineOptimizer } from '../dist/tfjs/index.js';
import { floatsOf, writeVariable } from '../dist/tfjs/storage.js';
import { repsPerSample, sample, summarize } from './lib/measure.js';
import { resnet18, transformer } from './lib/models.js';
import { OPTIMIZERS } from './lib/optimizers.js';
import { makeProblem } from './lib/problem.js';
import { loadTf, TF_OPTIMIZERS } from './lib/tfjs.js';

const { values: args } = parseArgs({
  options: { only: { type: 'string', default: 'adam,sgd' }, models: { type: 'string', default: 'resnet,transformer' }, help: { type: 'boolean' } },
});
if (args.help) {
  console.log('usage: node --expose-gc bench/tfjs-bridge.js [--only=adam,sgd] [--models=resnet,transformer]   (after npm run build)');
  process.exit(0);
}
const MODELS = { resnet: ['ResNet-18 (62 tensors)', resnet18()], transformer: ['transformer (148 tensors)', transformer()] };
const tf = await loadTf();

async function measure(label, step) {
  const runner = { step };
  const reps = await repsPerSample(runner);
  const samples = [];
  for (let round = 0; round < 3; round++) samples.push(...(await sample(label, runner, reps, { timeMs: 200, iterations: 2, warmup: round === 0 })));
  return summarize(samples).medianNs;
}

const rows = [];
const plan = args.only.split(',').flatMap((key) => args.models.split(',').flatMap((m) => ['cpu', 'wasm'].map((backend) => ({ key, model: m, backend }))));
for (const [i, { key, model, backend }] of plan.entries()) {
  const [workload, sizes] = MODELS[model];
  await tf.setBackend(backend);
  console.error(`[${i + 1}/${plan.length}] ${OPTIMIZERS[key].label}, ${workload}, TF.js ${backend}`);
  const problem = makeProblem(sizes);
  const vars = problem.params.map((p, k) => tf.variable(tf.tensor1d(p), true, `${model}/${backend}/${key}/${k}`));
  const grads = problem.grads.map((g) => tf.tensor1d(g));
  const named = Object.fromEntries(vars.map((v, k) => [v.name, grads[k]]));
  const rv = await createRavine({ backend: 'simd' });
  const own = TF_OPTIMIZERS[key](tf, OPTIMIZERS[key].options);
  const bridge = ravineOptimizer(rv, key, OPTIMIZERS[key].options);
  // The phases, on tensors and an optimizer of their own with the same shapes.
  const tensors = problem.params.map((p, k) => rv.tensor(`phase${k}`, p));
  const plain = new OPTIMIZERS[key].Ravine(tensors, OPTIMIZERS[key].options);
  const row = { optimizer: OPTIMIZERS[key].label, workload, backend, n: sizes.reduce((a, b) => a + b, 0) };
  row.tfjs = await measure('TF.js', () => own.applyGradients(named));
  row.bridge = await measure('ravine/tfjs', () => bridge.applyGradients(named));
  row.gradsIn = await measure('gradients in', () => tensors.forEach((t, k) => t.grad.set(floatsOf(grads[k]))));
  row.step = await measure('step', () => plain.step());
  row.writeBack = await measure('write back', () => vars.forEach((v, k) => writeVariable(v, tensors[k].data)));
  const ms = (ns) => (ns / 1e6).toFixed(2);
  console.error(
    `    TF.js ${ms(row.tfjs)} ms, ravine/tfjs ${ms(row.bridge)} ms (${(row.tfjs / row.bridge).toFixed(2)}× faster): gradients in ${ms(row.gradsIn)}, step ${ms(row.step)}, write back ${ms(row.writeBack)}`,
  );
  rows.push(row);
  plain.dispose();
  bridge.dispose();
  own.dispose();
  rv.dispose();
  tf.dispose([...vars, ...grads]);
  globalThis.gc?.();
}

const ms = (ns) => (ns / 1e6).toFixed(2);
console.log('| Optimizer | Model | TF.js backend | TF.js own (ms) | ravine/tfjs (ms) | speedup | gradients in | ravine step | write back |');
console.log('|---|---|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows) {
  console.log(
    `| ${r.optimizer} | ${r.workload} | ${r.backend} | ${ms(r.tfjs)} | ${ms(r.bridge)} | ${(r.tfjs / r.bridge).toFixed(2)}× | ${ms(r.gradsIn)} | ${ms(r.step)} | ${ms(r.writeBack)} |`,
  );
}
