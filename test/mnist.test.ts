// examples/mnist (`npm run example`), as a user runs it, on a small slice of the digits: every
// optimizer's loss falls and its test accuracy is far above chance, all five start from the same
// weights, the plain-TypeScript products train to the same bits as the f32x4 kernels, the pictures are
// drawn, and a bad argument is one line and exit code 2. Underneath: the MLP's backward pass against
// finite differences, the two implementations of the matrix products against each other, and how the
// Muon + AdamW contender shares the tensors out.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdamW, createRavine, Muon } from 'ravine'; // as the example imports it: the build in dist/
import { addMulAB, addMulABT, addMulATB, plainProducts, type Products } from '../examples/mnist/matmul.js';
import { initialWeights, Mlp } from '../examples/mnist/mlp.js';
import { contenders } from '../examples/mnist/optimizers.js';
import { seededRandom } from '../examples/mnist/random.js';
import { loadMatmulKernels, simdProducts } from '../examples/mnist/simd.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const built = join(repo, 'out/examples/mnist');
const main = (args: string[]) => spawnSync(process.execPath, [join(built, 'main.js'), ...args], { cwd: repo, encoding: 'utf8', timeout: 60_000 });
const small = ['--limit', '800', '--epochs', '3', '--batch', '32'];
const labels = ['SGD', 'Momentum', 'RMSProp', 'Adam', 'Muon + AdamW'];
/** A label as a regular expression matches it literally ('Muon + AdamW' has a '+'). */
const literal = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

interface Results {
  matmul: string;
  runs: { label: string; epochs: { epoch: number; trainLoss: number; testAccuracy: number; seconds: number }[] }[];
}
const resultsIn = (dir: string) => JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8')) as Results;
/** What training computed, without the timings. */
const curves = (r: Results) => r.runs.map((run) => run.epochs.map(({ epoch, trainLoss, testAccuracy }) => ({ epoch, trainLoss, testAccuracy })));

// `npm test` builds ravine (pretest) but not the example: compile it as `npm run example` does.
beforeAll(() => {
  execFileSync(process.execPath, [join(repo, 'node_modules/assemblyscript/bin/asc.js'), '--config', 'examples/mnist/assembly/asconfig.json'], { cwd: repo });
  execFileSync(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', 'examples/mnist/tsconfig.json'], { cwd: repo });
}, 120_000);

describe('npm run example, on 800 digits for 3 epochs', () => {
  let dir: string, run: ReturnType<typeof main>, results: Results;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'ravine-mnist-'));
    run = main([...small, '--out', dir]);
    results = resultsIn(dir);
  });

  it('trains every optimizer: the training loss falls below 30% of the initial one and test accuracy passes 60% (chance: 10%)', () => {
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(results.runs.map((r) => r.label)).toEqual(labels);
    for (const { epochs } of results.runs) {
      expect(epochs.map((e) => e.epoch)).toEqual([0, 1, 2, 3]);
      // Measured: 0.12–0.21 of the initial loss, 80.0–87.5% accuracy on the 160 test digits.
      expect(epochs[3].trainLoss).toBeLessThan(0.3 * epochs[0].trainLoss);
      expect(epochs[3].testAccuracy).toBeGreaterThan(0.6);
    }
    for (const label of labels) expect(run.stdout).toMatch(new RegExp(`^  ${literal(label)}\\s+\\d+\\.\\d\\d%  \\(train loss`, 'm'));
  });

  it('starts every optimizer from the same weights: one initial loss and accuracy for all five', () => {
    const initial = results.runs.map((r) => r.epochs[0]);
    expect(initial[0].trainLoss).toBeCloseTo(Math.log(10), 0);
    for (const e of initial) expect([e.trainLoss, e.testAccuracy]).toEqual([initial[0].trainLoss, initial[0].testAccuracy]);
  });

  it('trains to the same bits with the plain-TypeScript matrix products (--matmul js) as with the f32x4 kernels', () => {
    const jsDir = mkdtempSync(join(tmpdir(), 'ravine-mnist-js-'));
    const js = main([...small, '--matmul', 'js', '--out', jsDir]);
    expect(js.status).toBe(0);
    expect([results.matmul, resultsIn(jsDir).matmul]).toEqual(['simd', 'js']);
    expect(curves(resultsIn(jsDir))).toEqual(curves(results));
  });

  it('draws the learning curves: two panels, a legend entry per optimizer, and the PNG of it', () => {
    const svg = readFileSync(join(dir, 'learning-curves.svg'), 'utf8');
    expect(svg.match(/<g class="panel"/g)).toHaveLength(2);
    expect(svg).toContain('Training loss');
    expect(svg).toContain('Test accuracy');
    for (const label of labels) expect(svg).toMatch(new RegExp(`>${literal(label)}: \\d+\\.\\d\\d% test accuracy after 3 epochs`));
    const png = readFileSync(join(dir, 'learning-curves.png'));
    expect([...png.subarray(1, 4)].map((c) => String.fromCharCode(c)).join('')).toBe('PNG');
    expect(png.readUInt32BE(16)).toBeGreaterThan(800); // width, from the IHDR chunk
  });
});

describe('the command line', () => {
  it.each([
    [['--epochs', '0'], /^--epochs must be an integer from 1 to 1,000, got '0'/],
    [['--limit', 'abc'], /^--limit must be an integer from 10 to 1,000,000, got 'abc'/],
    [['--limit', '20000'], /^--limit 20000: the mnist package has 10,000 digits/],
    [['--hidden', '1.5'], /^--hidden must be an integer from 1 to 4,096, got '1.5'/],
    [['--optimizers', 'sgd,lbfgs'], /^--optimizers: unknown optimizer 'lbfgs' \(choose from sgd, momentum, rmsprop, adam, muon\)/],
    [['--matmul', 'gpu'], /^--matmul must be simd or js, got 'gpu'/],
    [['--epoch', '3'], /^Unknown option '--epoch'/],
  ])('%j: one line naming the option and the value, exit code 2', (args, message) => {
    const r = main(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stdout).toBe('');
  });

  it('--help prints the usage and trains nothing', () => {
    const r = main(['--help']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^usage: npm run example/);
    expect(r.stdout).toContain('--optimizers A,B');
  });
});

describe('the MLP', () => {
  const layers = { inputs: 7, hidden: 5, classes: 4 },
    rows = 6;
  const products: [string, () => Products][] = [
    ['plain TypeScript', () => plainProducts],
    ['f32x4', () => simdProducts(loadMatmulKernels(new URL('matmul.wasm', `file://${built}/`)))],
  ];

  it.each(products)('backward pass (%s products): every gradient within 1% of central differences of the loss', async (_, make) => {
    const rv = await createRavine();
    const initial = initialWeights(layers, 1);
    initial.b1 = Float32Array.from({ length: layers.hidden }, (_, i) => 0.1 * (i - 2)); // nonzero biases, so their gradients are tested too
    const model = new Mlp(rv, layers, initial, rows, make());
    const random = seededRandom(5);
    const x = Float32Array.from({ length: rows * layers.inputs }, () => (random() < 0.3 ? 0 : random()));
    const labels = Uint8Array.from({ length: rows }, () => Math.floor(random() * layers.classes));
    const digits = { images: x, labels, count: rows };
    // A difference across ReLU's kink is no derivative: with inputs in [0, 1), a step h moves each
    // hidden pre-activation by at most h, so none may lie within h of 0 (here the nearest is 0.05).
    const h = 3e-3;
    const preactivations = Array.from({ length: rows * layers.hidden }, (_, q) => {
      const i = Math.floor(q / layers.hidden),
        j = q % layers.hidden;
      let z = initial.b1[j];
      for (let p = 0; p < layers.inputs; p++) z += x[i * layers.inputs + p] * initial.w1[p * layers.hidden + j];
      return Math.abs(z);
    });
    expect(Math.min(...preactivations)).toBeGreaterThan(h);

    model.lossAndGradient(x, labels, rows);
    const gradients = model.parameters.map((t) => Float32Array.from(t.grad));
    let worst = 0;
    for (const [k, t] of model.parameters.entries()) {
      for (let i = 0; i < t.size; i++) {
        // The loss is a float64 sum over float32 activations; the step is what float32 could store.
        const w = t.data[i];
        t.data[i] = w + h;
        const up = t.data[i],
          lossUp = model.evaluate(digits).loss;
        t.data[i] = w - h;
        const down = t.data[i],
          lossDown = model.evaluate(digits).loss;
        t.data[i] = w;
        const difference = (lossUp - lossDown) / (up - down),
          g = gradients[k][i];
        worst = Math.max(worst, Math.abs(difference - g) / Math.max(Math.abs(difference) + Math.abs(g), 1e-3));
      }
    }
    // Measured: 4e-4 (float32 rounding and the O(h²) term); a wrong gradient is off by O(1).
    expect(worst).toBeLessThan(1e-2);
    // The backward pass adds into .grad, as torch's does: a second call doubles every gradient (to
    // float32 rounding: the second call's terms are added one by one onto the first's sum).
    model.lossAndGradient(x, labels, rows);
    for (const [k, t] of model.parameters.entries()) {
      t.grad.forEach((g, i) => expect(Math.abs(g - 2 * gradients[k][i])).toBeLessThanOrEqual(1e-6 * Math.abs(gradients[k][i]) + 1e-9));
    }
    model.dispose();
    rv.dispose();
  });

  it("the f32x4 products give the plain-TypeScript products' bits, for sizes with and without a vector tail", () => {
    const simd = products[1][1]();
    const random = seededRandom(9);
    const matrix = (length: number) => Float32Array.from({ length }, () => (random() < 0.25 ? 0 : random() * 2 - 1));
    for (const [m, k, n] of [
      [1, 1, 1],
      [3, 5, 7],
      [4, 8, 4],
      [6, 13, 10],
      [64, 33, 130],
    ]) {
      for (const [name, product, shapes] of [
        ['AB', addMulAB, [m * n, m * k, k * n]],
        ['ATB', addMulATB, [k * n, m * k, m * n]],
        ['ABT', addMulABT, [m * k, m * n, k * n]],
      ] as const) {
        const [out, a, b] = shapes.map(matrix);
        const expected = Float32Array.from(out),
          actual = Float32Array.from(out);
        product(expected, a, b, m, k, n);
        simd[`addMul${name}`](actual, a, b, m, k, n);
        expect(new Uint32Array(actual.buffer), `${name} ${m}×${k}×${n}`).toEqual(new Uint32Array(expected.buffer));
      }
    }
  });
});

describe('the Muon + AdamW contender', () => {
  const layers = { inputs: 7, hidden: 5, classes: 4 },
    rows = 6;
  const muonPlusAdamW = contenders.find((c) => c.key === 'muon')!;
  const random = seededRandom(11);
  const x = Float32Array.from({ length: rows * layers.inputs }, () => random());
  const labels = Uint8Array.from({ length: rows }, () => Math.floor(random() * layers.classes));

  it("gives w1, the hidden layer's weights, to Muon as the inputs×hidden matrix it is laid out as, and b1, w2, b2 to AdamW", async () => {
    const rv = await createRavine();
    const model = new Mlp(rv, layers, initialWeights(layers, 1), rows, plainProducts);
    const [muon, adamW, ...more] = muonPlusAdamW.create(model, 100);
    expect(more).toEqual([]);
    expect(muon).toBeInstanceOf(Muon);
    expect(adamW).toBeInstanceOf(AdamW);
    expect(muon.paramGroups.flatMap((g) => g.params)).toEqual([model.w1]);
    expect(model.w1.shape).toEqual([layers.inputs, layers.hidden]);
    expect(adamW.paramGroups.flatMap((g) => g.params)).toEqual([model.b1, model.w2, model.b2]);
    for (const o of [muon, adamW]) o.dispose();
    model.dispose();
    rv.dispose();
  });

  it('one step changes all four tensors; w1 takes the step of a Muon alone over the [inputs, hidden] matrix, not over [hidden, inputs]', async () => {
    const rv = await createRavine();
    const initial = initialWeights(layers, 1);
    const model = new Mlp(rv, layers, initial, rows, plainProducts);
    const optimizers = muonPlusAdamW.create(model, 100);
    for (const o of optimizers) o.zeroGrad();
    model.lossAndGradient(x, labels, rows);
    const gradient = Float32Array.from(model.w1.grad);
    const before = model.parameters.map((t) => Float32Array.from(t.data));
    for (const o of optimizers) o.step();
    model.parameters.forEach((t, k) => expect(t.data, t.name).not.toEqual(before[k]));

    // The same gradient through a Muon of the contender's options over a copy of w1, in each orientation.
    const muonOptions = (optimizers[0] as Muon).paramGroups[0];
    const alone = (shape: number[]) => {
      const w = rv.tensor('w', initial.w1, { shape });
      w.grad.set(gradient);
      const muon = new Muon([w], { lr: muonOptions.lr, adjustLrFn: muonOptions.adjustLrFn });
      muon.step();
      const stepped = Float32Array.from(w.data);
      muon.dispose();
      w.dispose();
      return stepped;
    };
    expect(model.w1.data).toEqual(alone([layers.inputs, layers.hidden]));
    expect(model.w1.data).not.toEqual(alone([layers.hidden, layers.inputs]));
    for (const o of optimizers) o.dispose();
    model.dispose();
    rv.dispose();
  });
});
