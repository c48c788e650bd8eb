// ravine/tfjs: ravine's optimizers inside TF.js, on its cpu and wasm backends. The update is ravine's own,
// bit for bit (the bridge only moves floats); state is keyed by variable name, so a change of the
// trainable set keeps it (TF.js keys its own by position: tfjs issue #4290); the state saves and loads
// (TF.js optimizers cannot: issues #83, #5138); model.fit trains with it as with tf.train.adam.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { cosineAnnealingLR, createRavine, decodeCheckpoint, encodeCheckpoint, type Ravine, type TrainingOptions } from '../src/index.js';
import { optimizerRegistry, type FirstOrderMethod } from '../src/optim/registry.js';
import { ravineAdafactor, ravineAdam, ravineOptimizer, ravineSGD, type TfjsStateDict } from '../src/tfjs/index.js';
import { gradientPool, rng, shapeFor, tensorFor } from './helpers/cases.js';
import { optimizerTable } from '../src/optim/table.js';

setWasmPaths(
  createRequire(import.meta.url)
    .resolve('@tensorflow/tfjs-backend-wasm/package.json')
    .replace(/package\.json$/, 'dist/'),
);

/** Each optimizer's round-trip learning rate, from its row of the optimizer table. */
const LR: Record<string, number> = Object.fromEntries(Object.entries(optimizerTable).map(([method, row]) => [method, row.lr]));
const METHODS = Object.keys(optimizerRegistry) as FirstOrderMethod[];
const SIZES = [37, 4, 130];
let unique = 0;

/** Variables named `${prefix}${i}` holding deterministic values, and the same values as arrays. */
function makeVariables(sizes: readonly number[], seed = 7, optimizer = 'Adam'): { names: string[]; vars: tf.Variable[]; init: Float32Array[] } {
  const random = rng(seed);
  const prefix = `v${unique++}/`;
  const init = sizes.map((n) => Float32Array.from({ length: n }, () => random() * 2 - 1));
  const names = sizes.map((_, i) => `${prefix}${i}`);
  // In the shape the optimizer takes (Muon: matrices), as a model's variables would be.
  return { names, init, vars: init.map((v, i) => tf.variable(tf.tensor(v, [...shapeFor(optimizer, v.length)]), true, names[i])) };
}

/** The k-th gradient of variable i: a slice of a fixed pool, with a NaN-free spread of magnitudes. */
const POOL = gradientPool(1 << 14, 3);
const gradient = (k: number, i: number, size: number) => POOL.slice((k * 977 + i * 131) % (POOL.length - size)).subarray(0, size);

function applyTf(opt: tf.Optimizer, names: readonly string[], sizes: readonly number[], k: number, only?: readonly number[]): void {
  const grads: Record<string, tf.Tensor> = {};
  for (const i of only ?? names.map((_, i) => i)) grads[names[i]] = tf.tensor1d(gradient(k, i, sizes[i]));
  opt.applyGradients(grads);
  tf.dispose(Object.values(grads));
}

const bits = (a: ArrayLike<number>) => new Uint32Array(Float32Array.from(a).buffer);

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`TF.js ${backend} backend`, () => {
    let rv: Ravine;
    beforeAll(async () => {
      expect(await tf.setBackend(backend)).toBe(true);
      rv = await createRavine();
    });
    afterAll(() => rv.dispose());

    test.each(METHODS)("%s through applyGradients is ravine's own step, bit for bit, with a cosine lr and clipping", (method) => {
      const training: TrainingOptions = { clipGradNorm: 1 };
      const { names, vars, init } = makeVariables(SIZES, 7, optimizerRegistry[method].name);
      const opt = ravineOptimizer(rv, method, { lr: cosineAnnealingLR({ base: LR[method], tMax: 12 }) }, training);
      const tensors = init.map((v, i) => tensorFor(rv, optimizerRegistry[method].name, `own:${names[i]}`, v));
      const Own = optimizerRegistry[method].Class as unknown as new (p: unknown, o: unknown, t: TrainingOptions) => { step(): void; dispose(): void };
      const own = new Own(tensors, { lr: cosineAnnealingLR({ base: LR[method], tMax: 12 }) }, training);
      for (let k = 0; k < 15; k++) {
        applyTf(opt, names, SIZES, k);
        tensors.forEach((t, i) => t.grad.set(gradient(k, i, SIZES[i])));
        own.step();
      }
      vars.forEach((v, i) => expect(bits(v.dataSync())).toEqual(bits(tensors[i].data)));
      expect(opt.iterations).toBe(15);
      expect(opt.groups).toBe(1);
      own.dispose();
      opt.dispose();
      tf.dispose(vars);
      for (const t of tensors) t.dispose();
    });

    test("torch 2.x's options through ravine/tfjs: the same bits as ravine's own optimizer with them (NAdam and RAdam with decoupledWeightDecay and maximize, Adam with decoupledWeightDecay, SGD's default lr, foreach)", () => {
      const cases: [FirstOrderMethod, Record<string, unknown>][] = [
        ['nadam', { weightDecay: 0.05, decoupledWeightDecay: true, maximize: true }],
        ['radam', { weightDecay: 0.05, decoupledWeightDecay: true, maximize: true, foreach: false }],
        ['adam', { weightDecay: 0.05, decoupledWeightDecay: true, capturable: false }],
        ['sgd', { momentum: 0.9 }],
      ];
      for (const [method, options] of cases) {
        const { names, vars, init } = makeVariables(SIZES, 7, optimizerRegistry[method].name);
        const opt = ravineOptimizer(rv, method, options);
        const tensors = init.map((v, i) => tensorFor(rv, optimizerRegistry[method].name, `own:${names[i]}`, v));
        const Own = optimizerRegistry[method].Class as unknown as new (
          p: unknown,
          o: unknown,
        ) => { step(): void; dispose(): void; paramGroups: { lr: number }[] };
        const own = new Own(tensors, options);
        for (let k = 0; k < 12; k++) {
          applyTf(opt, names, SIZES, k);
          tensors.forEach((t, i) => t.grad.set(gradient(k, i, SIZES[i])));
          own.step();
        }
        vars.forEach((v, i) => expect(bits(v.dataSync()), method).toEqual(bits(tensors[i].data)));
        vars.forEach((v, i) => expect(bits(v.dataSync()), method).not.toEqual(bits(init[i])));
        if (method === 'sgd') expect(own.paramGroups[0].lr).toBe(1e-3);
        own.dispose();
        opt.dispose();
        tf.dispose(vars);
        for (const t of tensors) t.dispose();
      }
    });

    test('variables missing from a step keep their state: each variable is stepped as torch steps a parameter, from its own step count', () => {
      const sizes = [33, 8, 5];
      const { names, vars, init } = makeVariables(sizes, 11);
      const opt = ravineAdam(rv, { lr: 0.01 });
      // torch's reference: one optimizer per parameter, stepped only when it has a gradient.
      const own = init.map((v, i) => {
        const t = rv.tensor(`ref:${names[i]}`, v);
        return {
          t,
          opt: new (optimizerRegistry.adam.Class as unknown as new (p: unknown, o: unknown) => { step(): void; dispose(): void })([t], { lr: 0.01 }),
        };
      });
      const plan: number[][] = [[0, 1], [0, 1], [0, 1], [1], [1], [0, 1], [0, 1], [2, 0, 1], [2, 1], [0, 1, 2]];
      const groups: number[] = [];
      plan.forEach((only, k) => {
        applyTf(opt, names, sizes, k, only);
        for (const i of only) {
          own[i].t.grad.set(gradient(k, i, sizes[i]));
          own[i].opt.step();
        }
        groups.push(opt.groups);
      });
      vars.forEach((v, i) => expect(bits(v.dataSync())).toEqual(bits(own[i].t.data)));
      // a, b at steps 3 and 5 step apart; c joins fresh: three groups, one kernel call each.
      expect(groups).toEqual([1, 1, 1, 1, 1, 2, 2, 3, 2, 3]);
      const steps = opt.stateDict().state;
      expect(names.map((n) => steps[n].step)).toEqual([7, 10, 3]);
      opt.dispose();
      for (const o of own) o.opt.dispose(), o.t.dispose();
      tf.dispose(vars);
    });

    test('a checkpoint (binary and JSON) taken mid-run and loaded into a fresh context continues the run bit for bit', async () => {
      const training: TrainingOptions = { clipGradNorm: { maxNorm: 0.5 }, skipNonFinite: true };
      const run = (ctx: Ravine) => ravineAdam(ctx, { lr: cosineAnnealingLR({ base: 0.01, tMax: 30 }), weightDecay: 1e-3 }, training);
      const plan = (k: number) => (k >= 8 && k < 12 ? [1] : [0, 1]);
      // Uninterrupted: 20 steps, variable 0 frozen for four of them.
      const a = makeVariables([50, 9], 5);
      const straight = run(rv);
      for (let k = 0; k < 20; k++) applyTf(straight, a.names, [50, 9], k, plan(k));
      const expected = a.vars.map((v) => bits(v.dataSync()));
      for (const form of ['binary', 'json'] as const) {
        const b = makeVariables([50, 9], 5);
        const first = run(rv);
        for (let k = 0; k < 10; k++) applyTf(first, b.names, [50, 9], k, plan(k));
        const dict = first.stateDict();
        const carried = (form === 'binary' ? decodeCheckpoint(encodeCheckpoint(dict)) : JSON.parse(JSON.stringify(dict))) as TfjsStateDict;
        first.dispose();
        const fresh = await createRavine();
        const second = run(fresh);
        second.loadStateDict(carried);
        expect(second.iterations).toBe(10);
        for (let k = 10; k < 20; k++) applyTf(second, b.names, [50, 9], k, plan(k));
        b.vars.forEach((v, i) => expect(bits(v.dataSync()), `${form}: variable ${i}`).toEqual(expected[i]));
        expect(second.stateDict().schedules!.lr).toEqual(straight.stateDict().schedules!.lr);
        second.dispose();
        fresh.dispose();
        tf.dispose(b.vars);
      }
      straight.dispose();
      tf.dispose(a.vars);
    });

    test('a bad checkpoint is refused naming what is wrong, and the optimizer goes on as if it had not been offered', () => {
      const { names, vars } = makeVariables([12, 3], 9);
      const x = makeVariables([12, 3], 9);
      const opt = ravineAdam(rv, { lr: 0.01 }),
        twin = ravineAdam(rv, { lr: 0.01 });
      for (let k = 0; k < 3; k++) applyTf(opt, names, [12, 3], k), applyTf(twin, x.names, [12, 3], k);
      const good = opt.stateDict();
      const short = { ...good, state: { ...good.state, [names[0]]: { ...good.state[names[0]], expAvg: new Float32Array(5) } } };
      expect(() => opt.loadStateDict(short)).toThrow(/expAvg.*length|length.*expAvg|5/);
      expect(() => opt.loadStateDict({ ...good, state: { ...good.state, 'no such variable': good.state[names[0]] } })).toThrow(RangeError);
      expect(() => opt.loadStateDict({ ...good, optimizer: 'SGD' })).toThrow(/SGD/);
      for (let k = 3; k < 6; k++) applyTf(opt, names, [12, 3], k), applyTf(twin, x.names, [12, 3], k);
      vars.forEach((v, i) => expect(bits(v.dataSync())).toEqual(bits(x.vars[i].dataSync())));
      opt.dispose();
      twin.dispose();
      tf.dispose([...vars, ...x.vars]);
    });

    test('a checkpoint taken before any step loads, into a fresh optimizer or over one with state, which it then replaces', () => {
      const lr = () => cosineAnnealingLR({ base: 0.05, tMax: 10 });
      const blank = ravineAdam(rv, { lr: lr() }).stateDict();
      expect(blank.state).toEqual({});
      const a = makeVariables([20, 3], 13),
        b = makeVariables([20, 3], 13);
      const fresh = ravineAdam(rv, { lr: lr() });
      const used = ravineAdam(rv, { lr: lr() });
      for (let k = 0; k < 4; k++) applyTf(used, b.names, [20, 3], 100 + k);
      b.vars.forEach((v, i) => v.assign(tf.tensor1d(a.init[i])));
      used.loadStateDict(JSON.parse(JSON.stringify(blank)));
      fresh.loadStateDict(blank);
      expect(used.iterations).toBe(0);
      for (let k = 0; k < 6; k++) applyTf(fresh, a.names, [20, 3], k), applyTf(used, b.names, [20, 3], k);
      a.vars.forEach((v, i) => expect(bits(b.vars[i].dataSync())).toEqual(bits(v.dataSync())));
      expect(used.stateDict().schedules).toEqual(fresh.stateDict().schedules);
      fresh.dispose();
      used.dispose();
      tf.dispose([...a.vars, ...b.vars]);
    });

    test('bad gradients and options are refused by name, before anything changes', () => {
      const { names, vars } = makeVariables([6], 2);
      expect(() => ravineSGD(rv, { lr: -1 })).toThrow(/lr/);
      // A forgotten await, something else, and TF.js's deserialization hook: each said plainly.
      expect(() => ravineAdam(createRavine() as never, { lr: 0.1 })).toThrow('ravine/tfjs: expected a Ravine context, got a Promise: did you forget await?');
      expect(() => ravineAdam({} as never)).toThrow(/expected a Ravine context \(from await createRavine\(\)\), got Object/);
      const Bridge = ravineAdam(rv).constructor as unknown as { fromConfig(cls: unknown, config: unknown): unknown };
      expect(() => Bridge.fromConfig(Bridge, { optimizer: 'Adam', lr: 0.1 })).toThrow(/fromConfig is not supported: .*loadStateDict\(\)/);
      expect(() => ravineAdam(rv, { betas: [1, 0.999] })).toThrow(RangeError);
      expect(() => ravineOptimizer(rv, 'adagradx' as FirstOrderMethod)).toThrow(/unknown optimizer "adagradx"/);
      const opt = ravineAdam(rv, { lr: 0.1 });
      const before = bits(vars[0].dataSync());
      expect(() => opt.applyGradients({ 'not a variable': tf.zeros([6]) })).toThrow(/no TF.js variable is named 'not a variable'/);
      expect(() => opt.applyGradients({ [names[0]]: tf.zeros([5]) })).toThrow(/float32\[5\].*float32\[6\]/);
      expect(() =>
        opt.applyGradients([
          { name: names[0], tensor: tf.ones([6]) },
          { name: names[0], tensor: tf.ones([6]) },
        ]),
      ).toThrow(/two gradients/);
      expect(bits(vars[0].dataSync())).toEqual(before);
      expect(opt.iterations).toBe(0);
      opt.dispose();
      expect(() => opt.applyGradients({ [names[0]]: tf.ones([6]) })).toThrow(/disposed/);
      tf.dispose(vars);
    });

    test('a variable TF.js changed (assign) is read afresh; a clone of a variable keeps its values when ravine writes', () => {
      const { names, vars } = makeVariables([10], 4);
      const opt = ravineSGD(rv, { lr: 0.5 });
      applyTf(opt, names, [10], 0);
      const kept = vars[0].clone();
      const keptBits = bits(kept.dataSync());
      vars[0].assign(tf.fill([10], 2));
      applyTf(opt, names, [10], 1);
      const g = gradient(1, 0, 10);
      expect(bits(vars[0].dataSync())).toEqual(bits(Float32Array.from(g, (x) => Math.fround(2 - Math.fround(0.5 * x)))));
      expect(bits(kept.dataSync())).toEqual(keptBits);
      opt.dispose();
      tf.dispose([kept, ...vars]);
    });

    test('model.fit with ravineAdam reaches the loss tf.train.adam reaches from the same initial weights', async () => {
      const losses: Record<string, number[]> = {};
      for (const which of ['tf', 'ravine'] as const) {
        const model = tfl.sequential({
          layers: [
            tfl.layers.dense({ units: 16, inputShape: [6], activation: 'tanh', kernelInitializer: tfl.initializers.glorotUniform({ seed: 1 }) }),
            tfl.layers.dense({ units: 1, kernelInitializer: tfl.initializers.glorotUniform({ seed: 2 }) }),
          ],
        });
        const optimizer = which === 'tf' ? tf.train.adam(0.01, 0.9, 0.999, 1e-8) : ravineAdam(rv, { lr: 0.01, eps: 1e-8 });
        model.compile({ optimizer, loss: 'meanSquaredError' });
        const x = tf.randomUniform([256, 6], -1, 1, 'float32', 3);
        const y = tf.sin(tf.sum(x, 1, true));
        const history = await model.fit(x, y, { epochs: 30, batchSize: 32, shuffle: false, verbose: 0 });
        losses[which] = history.history.loss as number[];
        tf.dispose([x, y]);
        optimizer.dispose();
        model.dispose();
      }
      const [tfLoss, rvLoss] = [losses.tf.at(-1)!, losses.ravine.at(-1)!];
      expect(rvLoss).toBeLessThan(losses.ravine[0] / 10);
      // TF.js 4.22 adds eps to sqrt(v̂) as torch does: the same update up to rounding (TF.js's β^t are float32 products).
      expect(Math.abs(rvLoss - tfLoss) / tfLoss).toBeLessThan(1e-4);
    });

    test('freezing a layer mid-training keeps its weights and its Adam state; thawing it resumes both', async () => {
      const model = tfl.sequential({
        layers: [
          tfl.layers.dense({ units: 8, inputShape: [4], activation: 'relu', kernelInitializer: tfl.initializers.glorotUniform({ seed: 5 }) }),
          tfl.layers.dense({ units: 1, kernelInitializer: tfl.initializers.glorotUniform({ seed: 6 }) }),
        ],
      });
      const optimizer = ravineAdam(rv, { lr: 0.01 });
      const x = tf.randomUniform([64, 4], -1, 1, 'float32', 8),
        y = tf.sum(x, 1, true);
      const train = async () => {
        model.compile({ optimizer, loss: 'meanSquaredError' });
        await model.fit(x, y, { epochs: 2, batchSize: 16, shuffle: false, verbose: 0 });
      };
      await train();
      const first = model.layers[0];
      const kernelName = first.getWeights()[0].name;
      const frozenAt = bits(first.getWeights()[0].dataSync());
      const stepAt = optimizer.stateDict().state[kernelName].step;
      first.trainable = false;
      await train();
      expect(bits(first.getWeights()[0].dataSync())).toEqual(frozenAt);
      expect(optimizer.stateDict().state[kernelName].step).toBe(stepAt);
      first.trainable = true;
      await train();
      expect(optimizer.stateDict().state[kernelName].step).toBe(stepAt + 8);
      expect(optimizer.groups).toBe(2);
      optimizer.dispose();
      model.dispose();
      tf.dispose([x, y]);
    });

    test('minimize() steps the variables a loss depends on', () => {
      const w = tf.variable(tf.tensor1d([3, -2]), true, `w${unique++}`);
      const opt = ravineAdam(rv, { lr: 0.1 });
      const loss = () => tf.sum(tf.square(w)) as tf.Scalar;
      const first = loss().dataSync()[0];
      for (let k = 0; k < 100; k++) opt.minimize(loss);
      expect(loss().dataSync()[0]).toBeLessThan(first / 100);
      opt.dispose();
      w.dispose();
    });
  });
}

test("creating and disposing bridges in a loop gives ravine's memory back", async () => {
  await tf.setBackend('cpu');
  const rv = await createRavine();
  const { names, vars } = makeVariables([4096, 64]);
  const cycle = () => {
    const opt = ravineAdam(rv, { lr: 0.01 });
    applyTf(opt, names, [4096, 64], 0);
    opt.dispose();
  };
  cycle();
  const high = rv.highWaterBytes;
  for (let i = 0; i < 50; i++) cycle();
  expect(rv.highWaterBytes).toBe(high);
  tf.dispose(vars);
  rv.dispose();
});

test('docs/tfjs.md shows examples/tfjs-fit.mjs as it is, and it trains: loss down 10×, 200 updates, lr annealed to 1e-4', () => {
  const example = fileURLToPath(new URL('../examples/tfjs-fit.mjs', import.meta.url));
  const guide = readFileSync(new URL('../docs/tfjs.md', import.meta.url), 'utf8');
  expect(guide).toContain(`\`\`\`js\n${readFileSync(example, 'utf8')}\`\`\``);
  const out = execFileSync(process.execPath, [example], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const [, first, last] = /^loss (\S+) -> (\S+) in 200 updates$/m.exec(out)!;
  expect(Number(last)).toBeLessThan(Number(first) / 10);
  expect(out).toMatch(/^optimizer state: \d+ bytes, lr now 1\.00e-4$/m);
});

test('two bridges stepping the same variable each read what the other wrote', async () => {
  await tf.setBackend('cpu');
  const rv = await createRavine();
  const { names, vars, init } = makeVariables([9], 21);
  const [a, b] = [ravineSGD(rv, { lr: 0.1 }), ravineSGD(rv, { lr: 0.01 })];
  for (let k = 0; k < 3; k++) applyTf(a, names, [9], k), applyTf(b, names, [9], k);
  // The same six updates by hand, in float32: p − f32(lr·g), alternating lr.
  const expected = Float32Array.from(init[0]);
  for (let k = 0; k < 3; k++) {
    for (const lr of [0.1, 0.01]) {
      const g = gradient(k, 0, 9);
      for (let j = 0; j < 9; j++) expected[j] = Math.fround(expected[j] + Math.fround(Math.fround(-lr) * g[j]));
    }
  }
  expect(bits(vars[0].dataSync())).toEqual(bits(expected));
  a.dispose();
  b.dispose();
  tf.dispose(vars);
  rv.dispose();
});

test('the schedule object a user gave keeps driving the optimizer across a change of the trainable set and a refused checkpoint', async () => {
  await tf.setBackend('cpu');
  const rv = await createRavine();
  const { names, vars } = makeVariables([20, 6], 50);
  const lr = cosineAnnealingLR({ base: 0.05, tMax: 40 });
  const opt = ravineAdam(rv, { lr });
  for (let k = 0; k < 3; k++) applyTf(opt, names, [20, 6], k);
  applyTf(opt, names, [20, 6], 3, [1]); // variable 0 frozen: the ravine optimizer is rebuilt
  applyTf(opt, names, [20, 6], 4); // and again, in two groups
  const bad = opt.stateDict();
  expect(() => opt.loadStateDict({ ...bad, state: { ...bad.state, [names[0]]: { ...bad.state[names[0]], expAvg: new Float32Array(3) } } })).toThrow(RangeError);
  expect(() => opt.loadStateDict({ ...bad, training: undefined } as never)).toThrow(/training must be/);
  applyTf(opt, names, [20, 6], 5);
  // Still in charge: it cannot be stepped by hand, and the optimizer's lr is its value.
  expect(() => lr.step()).toThrow();
  expect(opt.getConfig().lr).toBe(lr.value);
  expect(opt.stateDict().schedules!.lr).toEqual(lr.toJSON());
  opt.dispose();
  tf.dispose(vars);
  rv.dispose();
});

test('a variable that leaves the set gives its memory back; one TF.js disposed loses its state at the next change', async () => {
  await tf.setBackend('cpu');
  const rv = await createRavine();
  const keep = makeVariables([64], 60);
  const opt = ravineSGD(rv, { lr: 0.1, momentum: 0.9 });
  applyTf(opt, keep.names, [64], 0);
  const base = rv.highWaterBytes;
  for (let round = 0; round < 20; round++) {
    const gone = makeVariables([4096], 61 + round);
    const both = [...keep.names, ...gone.names];
    applyTf(opt, both, [64, 4096], round);
    tf.dispose(gone.vars);
    applyTf(opt, keep.names, [64], round);
  }
  expect(Object.keys(opt.stateDict().state)).toEqual(keep.names);
  expect(rv.highWaterBytes).toBeLessThan(base + 4 * (4096 * 8 + 4096)); // one round's worth, not twenty
  opt.dispose();
  tf.dispose(keep.vars);
  rv.dispose();
});

test('Adafactor (whose update reads shapes) refuses a variable re-created in another shape of the same size, and forget() lets it start afresh', async () => {
  await tf.setBackend('cpu');
  const rv = await createRavine();
  const opt = ravineAdafactor(rv);
  let w = tf.variable(tf.ones([4, 6]), true, `w${unique++}`);
  const step = () => opt.applyGradients({ [w.name]: tf.fill(w.shape, 0.1) });
  step();
  w.dispose();
  w = tf.variable(tf.ones([6, 4]), true, w.name);
  expect(() => step()).toThrow(/'w\d+' has shape \[6, 4\], but its state in this optimizer is for \[4, 6\] \(re-created under the same name\?/);
  opt.forget([w.name]);
  step();
  expect((opt.stateDict().state[w.name].rowVar as Float32Array).length).toBe(6);
  w.dispose();
  opt.dispose();
  rv.dispose();
});

test('forget(): a variable re-created under its name with another size starts afresh; the others keep their state, and the schedule its position', async () => {
  await tf.setBackend('cpu');
  const rv = await createRavine();
  const lr = cosineAnnealingLR({ base: 0.05, tMax: 40 });
  const opt = ravineAdam(rv, { lr });
  const keep = tf.variable(tf.tensor1d([1, 2, 3]), true, `keep${unique}`);
  let w = tf.variable(tf.tensor1d([1, 2]), true, `w${unique++}`);
  const step = (k: number) => opt.applyGradients({ [keep.name]: tf.fill([3], 0.1 * (k + 1)), [w.name]: tf.fill([w.size], 0.2) });
  for (let k = 0; k < 3; k++) step(k);
  w.dispose();
  w = tf.variable(tf.tensor1d([5, 6, 7, 8]), true, w.name);
  expect(() => step(3)).toThrow(/'w\d+' has 4 elements, but its state in this optimizer is for 2 \(re-created under the same name\? forget\(\['w\d+'\]\)/);
  opt.forget([w.name]);
  step(3);
  const state = opt.stateDict().state;
  expect([state[keep.name].step, state[w.name].step]).toEqual([4, 1]);
  expect(opt.groups).toBe(2);
  opt.forget([keep.name, w.name]);
  expect(opt.stateDict().state).toEqual({});
  expect(opt.stateDict().schedules!.lr).toEqual(lr.toJSON());
  step(4);
  expect(opt.stateDict().state[keep.name].step).toBe(1);
  expect(() => opt.forget('x' as never)).toThrow(/names must be an array/);
  opt.dispose();
  tf.dispose([keep, w]);
  rv.dispose();
});

test("a name of Object.prototype's (__proto__, constructor, toString) is no TF.js variable: TF.js will not create one, and applyGradients and loadStateDict refuse it by name, changing nothing", async () => {
  await tf.setBackend('cpu');
  const rv = await createRavine();
  for (const name of ['__proto__', 'constructor', 'toString']) expect(() => tf.variable(tf.zeros([2]), true, name)).toThrow(/already registered/);
  const { names, vars } = makeVariables([4], 70);
  const opt = ravineAdam(rv, { lr: 0.1 });
  applyTf(opt, names, [4], 0);
  const before = opt.stateDict();
  const valuesBefore = bits(vars[0].dataSync());
  const grad = tf.ones([4]);
  for (const name of ['__proto__', 'constructor', 'toString']) {
    // Own keys, as JSON.parse makes them (an object literal's "__proto__" would set the prototype instead).
    const map = JSON.parse(`{${JSON.stringify(name)}: 0}`);
    map[name] = grad;
    expect(Object.hasOwn(map, name)).toBe(true);
    expect(() => opt.applyGradients(map), name).toThrow(`no TF.js variable is named '${name}'`);
    expect(() => opt.applyGradients([{ name, tensor: grad }]), name).toThrow(`no TF.js variable is named '${name}'`);
    const state = JSON.parse(`{${JSON.stringify(name)}: 0}`);
    state[name] = before.state[names[0]];
    expect(() => opt.loadStateDict({ ...before, state }), name).toThrow(RangeError);
    expect(() => opt.loadStateDict({ ...before, state }), name).toThrow(`state for variable '${name}', which TF.js does not have`);
  }
  expect(opt.iterations).toBe(1);
  expect(bits(vars[0].dataSync())).toEqual(valuesBefore);
  expect(Object.keys(opt.stateDict().state)).toEqual(names);
  expect(opt.stateDict().state[names[0]]).toEqual(before.state[names[0]]);
  opt.dispose();
  tf.dispose([grad, ...vars]);
  rv.dispose();
});
