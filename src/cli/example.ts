// `npm run example:linear`: the README's example, with progress and a drawing. Fits y = 2a − 3b + ½c + 1 with a
// linear model whose weights and bias live in WebAssembly memory, stepped by Adam.
import { writeFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { Adam, createRavine } from '../index.js';
import { fileURLToPath } from 'node:url';
import { parseFlags } from './args.js';
import { makeOutputFolder } from './output.js';
import { asciiChart, svgChart } from './plot.js';

const flags = parseFlags(
  `usage: npm run example:linear [-- --out DIR]

Fits a linear model with Adam on ravine tensors, prints progress and a terminal chart of the loss,
and draws the loss curve to DIR/example-loss.svg (default out/, which git ignores).`,
  { out: { type: 'string' } },
);
const outDir = resolve(typeof flags.out === 'string' ? flags.out : fileURLToPath(new URL('../../out/', import.meta.url)));
const problem = makeOutputFolder(outDir);
if (problem !== undefined) {
  process.stderr.write(`example:linear: --out: cannot write to the output folder ${outDir}: ${problem}\n`);
  process.exit(2);
}

const rv = await createRavine();
const w = rv.tensor('w', 3),
  b = rv.tensor('b', 1);
const opt = new Adam([{ params: [w] }, { params: [b], weightDecay: 0 }], { lr: 0.05, weightDecay: 1e-4 });

let seed = 42;
const random = () => (seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32;
const xs = Array.from({ length: 256 }, () => [random(), random(), random()]);
const ys = xs.map(([x0, x1, x2]) => 2 * x0 - 3 * x1 + 0.5 * x2 + 1);

console.log(`ravine example: linear regression with Adam on the '${rv.backend}' backend`);
const losses: number[] = [];
for (let epoch = 0; epoch < 400; epoch++) {
  opt.zeroGrad();
  let loss = 0;
  xs.forEach((x, i) => {
    const err = w.data[0] * x[0] + w.data[1] * x[1] + w.data[2] * x[2] + b.data[0] - ys[i];
    loss += (err * err) / xs.length;
    for (let j = 0; j < 3; j++) w.grad[j] += (2 * err * x[j]) / xs.length;
    b.grad[0] += (2 * err) / xs.length;
  });
  opt.step();
  losses.push(loss);
  if (epoch % 50 === 0 || epoch === 399) console.log(`epoch ${String(epoch).padStart(3)}  loss ${loss.toExponential(3)}`);
}
console.log(`\nloss per epoch:\n${asciiChart(losses)}`);
console.log(`\nlearned w = [${Array.from(w.data, (v) => v.toFixed(3)).join(', ')}], b = ${b.data[0].toFixed(3)}  (true: [2, -3, 0.5], 1)`);
const out = resolve(outDir, 'example-loss.svg');
writeFileSync(out, svgChart({ Adam: losses }, 'ravine example: training loss'));
console.log(`loss curve drawn to ${out.startsWith(`${process.cwd()}/`) ? relative(process.cwd(), out) : out}`);
opt.dispose();
rv.dispose();
