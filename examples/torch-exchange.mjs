import { readFileSync, writeFileSync } from 'node:fs';
import { Adam, createRavine, exportSafetensors, importSafetensors } from 'ravine';

// Adam's state, exported for torch and read back: name tensors as torch's model.named_parameters() does.
const rv = await createRavine();
const weight = rv.tensor('layer.0.weight', [0.5, -0.25, 1]);
const opt = new Adam([weight], { lr: 0.01 });
for (let t = 0; t < 3; t++) {
  weight.grad.set([0.1, 0.2, -0.3]);
  opt.step();
}
writeFileSync('adam.safetensors', exportSafetensors(opt)); // torch: load_from_ravine(opt, names, 'adam.safetensors')
importSafetensors(opt, readFileSync('adam.safetensors')); // torch wrote it with save_for_ravine(opt, names, ...)
const { step, expAvg } = opt.stateDict().state['layer.0.weight'];
console.log(`step ${step}, exp_avg ${Array.from(expAvg, (v) => v.toFixed(4)).join(' ')}`);
