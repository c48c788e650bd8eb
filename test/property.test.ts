// Random sequences of API calls — create tensors (some invalid, some too big for the heap), write
// gradients, create SGD optimizers (some with bad options), step (some with a throwing closure, some
// after an invalid option change), change options, zeroGrad, save and load state (some corrupted),
// try to edit paramGroups, dispose — checked after every call against a plain reference model of SGD
// with momentum: every live tensor's values and gradients are what the model says, bit for bit, and a
// rejected call changed nothing.
import { describe, expect, it } from 'vitest';
import { createRavine, SGD, type Ravine, type StateDict, type Tensor } from '../src/index.js';
import { bitDifferences, rng } from './helpers/cases.js';

const f = Math.fround;
const OPERATIONS = 3000;

interface ModelTensor {
  t: Tensor;
  data: Float32Array;
  grad: Float32Array;
  owner: ModelOptimizer | null;
}
interface ModelOptimizer {
  opt: SGD;
  tensors: ModelTensor[];
  buffers: Map<ModelTensor, Float32Array | null>;
}

/** torch's SGD, dampening 0, no weight decay, in float32 as the kernels round. */
function referenceStep(o: ModelOptimizer): void {
  const { lr, momentum } = o.opt.paramGroups[0];
  const negLr = f(-lr),
    mu = f(momentum);
  for (const m of o.tensors) {
    let buf = o.buffers.get(m) ?? null;
    if (momentum !== 0 && !buf) {
      buf = null; // fresh: the first step copies d
    }
    const next = momentum !== 0 ? new Float32Array(m.data.length) : buf;
    for (let i = 0; i < m.data.length; i++) {
      let d = m.grad[i];
      if (momentum !== 0) {
        const b = buf === null ? d : f(f(buf[i] * mu) + f(1 * d));
        next![i] = b;
        d = b;
      }
      m.data[i] = f(m.data[i] + f(negLr * d));
    }
    if (momentum !== 0) o.buffers.set(m, next);
  }
}

async function randomSession(backend: 'simd' | 'js', seed: number) {
  const rv: Ravine = await createRavine({ backend, maxBytes: 2 << 20 });
  const random = rng(seed);
  const pick = <T>(list: T[]): T | undefined => list[Math.floor(random() * list.length)];
  const tensors: ModelTensor[] = [];
  const optimizers: ModelOptimizer[] = [];
  let names = 0;
  const counts = { accepted: 0, rejected: 0, steps: 0 };

  // expect() only where bits differ: it fails exactly then, and a call per tensor per operation (some
  // 10^6 of them) took most of this file's time.
  const check = (op: string) => {
    for (const m of tensors) {
      const values = bitDifferences(m.t.data, m.data),
        gradient = bitDifferences(m.t.grad, m.grad);
      if (values.length > 0) expect(values, `${op}: '${m.t.name}' values`).toEqual([]);
      if (gradient.length > 0) expect(gradient, `${op}: '${m.t.name}' gradient`).toEqual([]);
    }
  };
  let current = '';
  const rejected = (call: () => unknown, message: RegExp) => {
    expect(call, `${current}: must be rejected`).toThrow(message);
    counts.rejected++;
  };
  const values = (n: number) =>
    Float32Array.from({ length: n }, () => (random() < 0.1 ? (random() < 0.5 ? 0 : -0) : (random() - 0.5) * 10 ** (3 * random() - 2)));

  for (let k = 0; k < OPERATIONS; k++) {
    const r = random();
    let op = '';
    const label = (name: string) => (current = `operation ${k} (${(op = name)})`);
    if (r < 0.12 || tensors.length === 0) {
      label('create a tensor');
      const name = `t${names++}`;
      const kind = random();
      if (kind < 0.1) {
        rejected(() => rv.tensor(name, ['1', 2] as never), /values\[0\] must be a number/);
      } else if (kind < 0.15) {
        rejected(() => rv.tensor(name, 1 << 20), /out of memory: tensor 't\d+' needs/); // 8 MiB > maxBytes
      } else {
        const data = values(Math.floor(random() * 40));
        tensors.push({ t: rv.tensor(name, data), data: data.slice(), grad: new Float32Array(data.length), owner: null });
        counts.accepted++;
      }
    } else if (r < 0.35) {
      label('write a gradient');
      const m = pick(tensors)!;
      const g = values(m.data.length);
      m.t.grad.set(g);
      m.grad.set(g);
    } else if (r < 0.43) {
      label('create an optimizer');
      const free = tensors.filter((m) => m.owner === null);
      const chosen = free.filter(() => random() < 0.5).slice(0, 3);
      if (chosen.length === 0) continue;
      if (random() < 0.2) {
        rejected(
          () =>
            new SGD(
              chosen.map((m) => m.t),
              { lr: -1 },
            ),
          /invalid lr = -1/,
        );
      } else {
        const o: ModelOptimizer = {
          opt: new SGD(
            chosen.map((m) => m.t),
            { lr: random() * 0.1, momentum: random() < 0.5 ? 0 : 0.9 },
          ),
          tensors: chosen,
          buffers: new Map(),
        };
        for (const m of chosen) m.owner = o;
        optimizers.push(o);
        counts.accepted++;
      }
    } else if (r < 0.65) {
      label('step');
      const o = pick(optimizers);
      if (!o) continue;
      const kind = random();
      if (kind < 0.1) {
        rejected(
          () =>
            o.opt.step(() => {
              throw new Error('the closure failed');
            }),
          /the closure failed/,
        );
      } else if (kind < 0.2) {
        const lr = o.opt.paramGroups[0].lr;
        o.opt.paramGroups[0].lr = NaN;
        rejected(() => o.opt.step(), /lr/);
        o.opt.paramGroups[0].lr = lr;
      } else {
        o.opt.step();
        referenceStep(o);
        counts.steps++;
      }
    } else if (r < 0.72) {
      label('change options');
      const o = pick(optimizers);
      if (!o) continue;
      o.opt.paramGroups[0].lr = random() * 0.1;
      if (random() < 0.3) o.opt.paramGroups[0].momentum = random() < 0.5 ? 0 : 0.5;
    } else if (r < 0.76) {
      label('zeroGrad');
      const o = pick(optimizers);
      if (!o) continue;
      o.opt.zeroGrad();
      for (const m of o.tensors) m.grad.fill(0);
    } else if (r < 0.84) {
      label('save and load state');
      const o = pick(optimizers);
      if (!o) continue;
      const saved = JSON.parse(JSON.stringify(o.opt.stateDict())) as StateDict & { state: Record<string, Record<string, unknown>> };
      const kind = random();
      if (kind < 0.5) {
        o.opt.loadStateDict(saved);
      } else {
        const victim = saved.state[pick(o.tensors)!.t.name];
        if (kind < 0.7) victim.step = -1;
        else if (kind < 0.85) victim.bogus = [1];
        else victim.momentumBuffer = ['x'];
        rejected(() => o.opt.loadStateDict(saved), /loadStateDict/);
      }
    } else if (r < 0.87) {
      label('edit paramGroups as an array');
      const o = pick(optimizers);
      if (!o) continue;
      rejected(() => (o.opt.paramGroups as unknown as unknown[]).push(o.opt.paramGroups[0]), /addParamGroup/);
    } else if (r < 0.93) {
      label('dispose an optimizer');
      const o = pick(optimizers);
      if (!o) continue;
      o.opt.dispose();
      optimizers.splice(optimizers.indexOf(o), 1);
      for (const m of o.tensors) m.owner = null;
    } else {
      label('dispose a tensor');
      const m = pick(tensors)!;
      if (m.owner) {
        rejected(() => m.t.dispose(), /belongs to an optimizer/);
      } else {
        m.t.dispose();
        tensors.splice(tensors.indexOf(m), 1);
        expect(() => m.t.data).toThrow(/has been disposed/);
      }
    }
    check(`operation ${k} (${op})`);
  }
  rv.dispose();
  return counts;
}

describe.each(['simd', 'js'] as const)('%s: random API sequences against a reference model', (backend) => {
  for (const seed of [1, 2]) {
    it(`seed ${seed}: ${OPERATIONS} operations, every tensor checked after each`, async () => {
      const counts = await randomSession(backend, seed);
      expect(counts.steps).toBeGreaterThan(200);
      expect(counts.rejected).toBeGreaterThan(100);
      expect(counts.accepted).toBeGreaterThan(100);
    });
  }
});
