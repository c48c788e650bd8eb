import { Adam, createRavine } from 'ravine';

// Ten Adam steps on 2^20 parameters, on one thread and on two: the group is split between the threads,
// and every parameter ends with the same bits.
async function train(threads) {
  const rv = await createRavine({ threads });
  const w = rv.tensor('w', 1 << 20);
  const opt = new Adam([w], { lr: 1e-3 });
  for (let t = 0; t < 10; t++) {
    for (let i = 0; i < w.size; i++) w.grad[i] = Math.sin(i + t);
    opt.step();
  }
  const result = { threads: rv.threads, bits: new Uint32Array(w.data.slice().buffer) };
  rv.dispose();
  return result;
}
const one = await train(1),
  two = await train(2);
const same = one.bits.filter((b, i) => b === two.bits[i]).length;
console.log(`${one.threads} thread and ${two.threads} threads: ${same} of ${one.bits.length} parameters equal bit for bit`);
