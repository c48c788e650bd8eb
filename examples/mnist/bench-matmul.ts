// Which matrix products the example runs, measured: plain TypeScript (matmul.ts) against the f32x4
// kernels of assembly/matmul.ts with the copies in and out that ravine's separate memory makes
// necessary (simd.ts), and the same kernels on operands already in their memory ("kernel only": the
// most SIMD could give). Real digits, He-initialised weights, ReLU activations, the MLP's shapes.
//   npx asc --config examples/mnist/assembly/asconfig.json && npx tsc -p examples/mnist/tsconfig.json &&
//   flock /tmp/ravine-bench.lock node out/examples/mnist/bench-matmul.js [--batch 64] [--hidden 128]
import { parseArgs } from 'node:util';
import { Bench } from 'tinybench';
import { classes, loadDigits, pixels } from './data.js';
import { plainProducts, type Products } from './matmul.js';
import { normal, seededRandom } from './random.js';
import { after, floatsOf, loadMatmulKernels, simdProducts } from './simd.js';

const usage = `usage: node out/examples/mnist/bench-matmul.js [--batch 64] [--hidden 128]
(after npx asc --config examples/mnist/assembly/asconfig.json && npx tsc -p examples/mnist/tsconfig.json)

Times the MLP's matrix products in plain TypeScript and on f32x4 kernels, with and without the copies.`;
// biome-ignore lint/suspicious/noImplicitAnyLet: typed by the parseArgs call below (its options decide the type), which must sit inside the try
let values;
try {
  values = parseArgs({
    options: { batch: { type: 'string', default: '64' }, hidden: { type: 'string', default: '128' }, help: { type: 'boolean', short: 'h' } },
  }).values;
} catch (e) {
  console.error(`${(e as Error).message.split('\n')[0]} (--help lists the options)`);
  process.exit(2);
}
if (values.help) {
  console.log(usage);
  process.exit(0);
}
const batch = Number(values.batch),
  hidden = Number(values.hidden);
if (!(Number.isInteger(batch) && batch >= 1 && Number.isInteger(hidden) && hidden >= 1)) {
  console.error(`--batch and --hidden must be integers ≥ 1, got ${values.batch} and ${values.hidden}`);
  process.exit(2);
}

const random = seededRandom(1);
const he = (fanIn: number, length: number) => Float32Array.from({ length }, () => normal(random) * Math.sqrt(2 / fanIn));
const operands = {
  x: loadDigits().images.slice(0, batch * pixels),
  w1: he(pixels, pixels * hidden),
  w2: he(hidden, hidden * classes),
  z1: new Float32Array(batch * hidden),
  h: new Float32Array(batch * hidden),
  z2: new Float32Array(batch * classes),
  dz: Float32Array.from({ length: batch * classes }, () => normal(random) * 0.01),
  dh: new Float32Array(batch * hidden),
  dw1: new Float32Array(pixels * hidden),
  dw2: new Float32Array(hidden * classes),
};
plainProducts.addMulAB(operands.h, operands.x, operands.w1, batch, pixels, hidden);
operands.h.forEach((v, i) => {
  operands.h[i] = Math.max(0, v);
});
operands.dh.forEach((_, i) => {
  operands.dh[i] = operands.h[i] > 0 ? normal(random) * 0.01 : 0;
});

/** A training step's products: X·W1, H·W2, Hᵀ·dZ, dZ·W2ᵀ, Xᵀ·dH. */
function minibatch(p: Products, o: Record<keyof typeof operands, Float32Array>): void {
  p.addMulAB(o.z1, o.x, o.w1, batch, pixels, hidden);
  p.addMulAB(o.z2, o.h, o.w2, batch, hidden, classes);
  p.addMulATB(o.dw2, o.h, o.dz, batch, hidden, classes);
  p.addMulABT(o.dh, o.dz, o.w2, batch, hidden, classes);
  p.addMulATB(o.dw1, o.x, o.dh, batch, pixels, hidden);
}

/** The kernels on byte offsets of operands copied into the module's memory once. */
function kernelOnly(): [Products, Record<keyof typeof operands, Float32Array>] {
  const kernels = loadMatmulKernels();
  const at: Record<string, number> = {};
  let end = 0;
  for (const [name, array] of Object.entries(operands)) {
    at[name] = end;
    end = after(end, array.length);
  }
  const heap = floatsOf(kernels, end);
  const resident = Object.fromEntries(
    Object.entries(operands).map(([name, array]) => {
      heap.set(array, at[name]);
      return [name, heap.subarray(at[name], at[name] + array.length)];
    }),
  ) as Record<keyof typeof operands, Float32Array>;
  const offset = (array: Float32Array) => array.byteOffset;
  const products: Products = {
    addMulAB: (out, a, b, m, k, n) => kernels.addMulAB(offset(out), offset(a), offset(b), m, k, n),
    addMulATB: (out, a, b, m, k, n) => kernels.addMulATB(offset(out), offset(a), offset(b), m, k, n),
    addMulABT: (out, a, b, m, k, n) => kernels.addMulABT(offset(out), offset(a), offset(b), m, k, n),
  };
  return [products, resident];
}

const implementations: [string, Products, Record<keyof typeof operands, Float32Array>][] = [
  ['plain TypeScript', plainProducts, operands],
  ['wasm f32x4 with copies', simdProducts(), operands],
  ['wasm f32x4, kernel only', ...kernelOnly()],
];
const bench = new Bench({ time: 1500, warmupTime: 300 });
for (const [name, p, o] of implementations) {
  bench.add(`${name}: X·W1`, () => p.addMulAB(o.z1, o.x, o.w1, batch, pixels, hidden));
  bench.add(`${name}: Xᵀ·dH`, () => p.addMulATB(o.dw1, o.x, o.dh, batch, pixels, hidden));
  bench.add(`${name}: one minibatch`, () => minibatch(p, o));
}
await bench.run();
const median = (name: string) => bench.tasks.find((t) => t.name === name)!.result as { latency: { p50: number } };
console.log(`batch ${batch}, hidden ${hidden}, Node ${process.version}: median µs per call`);
console.table(
  bench.tasks.map((t) => {
    const plain = median(t.name.replace(/^[^:]*/, 'plain TypeScript')).latency.p50;
    const own = median(t.name).latency.p50;
    return { task: t.name, 'median µs': (own * 1000).toFixed(1), 'plain ÷ this': (plain / own).toFixed(2) };
  }),
);
