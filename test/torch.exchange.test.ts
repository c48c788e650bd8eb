// Optimizer state moving between ravine and torch 2.13 through safetensors (src/checkpoint/torch.ts), on
// files torch wrote (test/fixtures/torch-exchange/make.py; 16 cases, every optimizer torch.optim has):
//  - torch → ravine: torch's state after its own 50 steps, imported into an optimizer built with default
//    options, continues for 50 steps to torch's own 100-step parameters, and exports torch's 100-step state,
//    tensor for tensor and group for group;
//  - ravine → torch: ravine's export after 50 steps is, byte for byte, the file torch loaded (by position with
//    load_state_dict and by name with set_optimizer_state_dict) and continued from to its own 100-step run;
// and every file that is not what it should be is refused, saying what is wrong, changing nothing. Muon's
// runs agree within the case's tolerance instead (torch's Newton–Schulz is bfloat16, ravine's float32); its
// files' keys, dtypes, shapes and options are still torch's exactly.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as ravine from '../src/index.js';
import { Adagrad, Adam, createRavine, exportSafetensors, importSafetensors, LBFGS, SGD, type Optimizer } from '../src/index.js';
import { readSafetensors, writeSafetensors, type SafetensorsTensor } from '../src/checkpoint/safetensors.js';
import { optimizerTable, type OptimizerRow } from '../src/optim/table.js';
// @ts-expect-error: a plain ES module shared with the recording script, untyped
import { build, run, toBits } from './fixtures/torch-exchange/ravine.mjs';
import { relativeError } from './helpers/cases.js';

interface ExchangeCase {
  case: string;
  optimizer: string;
  groups: { options: Record<string, unknown>; tensors: Record<string, number> }[];
  initial: Record<string, number[]>;
  after50: Record<string, number[]>;
  after100: Record<string, number[]>;
  torchAfterRavine: Record<string, number[]>;
  torchAfterRavineByName: Record<string, number[]>;
  /** Where the two sides are not bit for bit (Muon: torch's Newton–Schulz in bfloat16), the relative difference allowed. */
  tolerance?: number;
}

const here = new URL('./fixtures/torch-exchange/', import.meta.url);
const record = JSON.parse(readFileSync(new URL('exchange.json', here), 'utf8')) as { torch: string; steps: [number, number]; cases: ExchangeCase[] };
const fileOf = (dir: string, c: ExchangeCase) => new Uint8Array(readFileSync(new URL(`${dir}/${c.case}.safetensors`, here)));
type Built = { tensors: ravine.Tensor[]; optimizer: Optimizer<object> };
const words = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));
const floats = (bits: number[]) => new Float32Array(Uint32Array.from(bits).buffer);

/** Bit for bit, or within the case's tolerance (the reference README's relative error) where it has one. */
function expectParams(c: ExchangeCase, ours: Float32Array, theirs: number[], what: string): void {
  if (c.tolerance === undefined) expect(words(ours), what).toEqual(theirs);
  else expect(relativeError(ours, floats(theirs)), what).toBeLessThanOrEqual(c.tolerance);
}

/** A file's tensors as bit patterns by key, and its metadata with param_groups parsed. */
function contents(bytes: Uint8Array) {
  const { tensors, metadata } = readSafetensors(bytes);
  const bits = Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k, { dtype: t.dtype, shape: t.shape, bits: words(t.data as Float32Array) }]));
  return { bits, optimizer: metadata.optimizer, groups: JSON.parse(metadata.param_groups) as unknown };
}

it("the recording is torch 2.13's, covers every optimizer of the table, and torch continued every one of ravine's runs to its own", () => {
  expect(record.torch).toBe('2.13.0+cpu');
  expect(record.steps).toEqual([50, 100]);
  // A row added to the optimizer table fails here until make.py records its exchange.
  // (Every row torch.optim has: Lion is optax's, and exportSafetensors refuses it, test/lion.test.ts.)
  expect(new Set(record.cases.map((c) => c.optimizer))).toEqual(
    new Set((Object.values(optimizerTable) as OptimizerRow[]).filter((row) => row.torch !== null).map((row) => row.name)),
  );
  for (const c of record.cases) {
    // Recorded by torch: its 50 steps from ravine's file, by position and by name, then its own 100-step run.
    for (const [name, bits] of Object.entries(c.after100)) {
      expectParams(c, floats(c.torchAfterRavine[name]), bits, `${c.case} ${name}`);
      expectParams(c, floats(c.torchAfterRavineByName[name]), bits, `${c.case} ${name} (by name)`);
    }
    expect(c.after100, c.case).not.toEqual(c.after50); // the second half moved the parameters
  }
});

describe.each(['simd', 'js'] as const)('%s', (backend) => {
  for (const c of record.cases) {
    it(`${c.case}: torch's state after 50 steps, imported into ${c.optimizer} with default options, continues to torch's 100-step run, parameters and state bit for bit`, async () => {
      const rv = await createRavine({ backend });
      const { tensors, optimizer } = build(ravine, rv, c, c.after50, false) as Built;
      importSafetensors(optimizer, fileOf('torch50', c));
      run(optimizer, tensors, 50, 100);
      for (const t of tensors) expectParams(c, t.data, c.after100[t.name], t.name);
      // What ravine exports now is what torch saved after its own 100 steps: every key, dtype, shape and bit, every group option.
      const ours = contents(exportSafetensors(optimizer)),
        torch = contents(fileOf('torch100', c));
      if (c.tolerance === undefined) expect(ours.bits).toEqual(torch.bits);
      else {
        expect(Object.keys(ours.bits).sort()).toEqual(Object.keys(torch.bits).sort());
        for (const [key, t] of Object.entries(torch.bits)) {
          expect([ours.bits[key].dtype, ours.bits[key].shape], key).toEqual([t.dtype, t.shape]);
          expectParams(c, floats(ours.bits[key].bits), t.bits, key);
        }
      }
      expect(ours.groups).toEqual(torch.groups);
      expect(ours.optimizer).toBe(c.optimizer);
      rv.dispose();
    });

    it(`${c.case}: ravine's export after its 50 steps is, byte for byte, the file torch continued from to its own 100-step run`, async () => {
      const rv = await createRavine({ backend });
      const { tensors, optimizer } = build(ravine, rv, c, c.initial) as Built;
      run(optimizer, tensors, 0, 50);
      for (const t of tensors) expectParams(c, t.data, c.after50[t.name], t.name);
      expect(Array.from(exportSafetensors(optimizer))).toEqual(Array.from(fileOf('ravine50', c)));
      rv.dispose();
    });
  }
});

describe('a ravine export imported into ravine', () => {
  it('continues exactly as the optimizer it came from, and leaves the training options and schedules in effect', async () => {
    const rv = await createRavine();
    const c = record.cases.find((x) => x.case === 'rmsprop-centered')!;
    const a = build(
      ravine,
      rv,
      { ...c, groups: c.groups.map((g) => ({ ...g, tensors: Object.fromEntries(Object.entries(g.tensors).map(([n, s]) => [`a.${n}`, s])) })) },
      { 'a.w': c.initial.w },
    ) as Built;
    run(a.optimizer, a.tensors, 0, 30);
    const b = build(ravine, rv, c, { w: toBits(a.tensors[0].data) }, false) as Built;
    b.optimizer.configure({ clipGradNorm: { maxNorm: 1e6 } });
    const file = exportSafetensors(a.optimizer);
    // The names differ ('a.w' and 'w'): rename in the file, as a user moving state between models would.
    const { tensors, metadata } = readSafetensors(file);
    const renamed = Object.fromEntries(Object.entries(tensors).map(([k, t]) => [k.replace('state.a.w.', 'state.w.'), t]));
    importSafetensors(b.optimizer, writeSafetensors(renamed, { ...metadata, param_groups: metadata.param_groups.replace('"a.w"', '"w"') }));
    expect(b.optimizer.training.clipGradNorm?.maxNorm).toBe(1e6);
    run(a.optimizer, a.tensors, 30, 60);
    run(b.optimizer, b.tensors, 30, 60);
    expect(words(b.tensors[0].data)).toEqual(words(a.tensors[0].data));
    rv.dispose();
  });
});

describe('what torch keeps for a tensor never stepped', () => {
  it('is nothing for Adam (torch creates its state at the first step), and step 0 with the initial sums for Adagrad (torch creates them in its constructor)', async () => {
    const rv = await createRavine();
    const w = rv.tensor('w', 3),
      v = rv.tensor('v', 2);
    expect(Object.keys(readSafetensors(exportSafetensors(new Adam([w]))).tensors)).toEqual([]);
    const sums = readSafetensors(exportSafetensors(new Adagrad([v], { initialAccumulatorValue: 0.1 }))).tensors;
    expect(Object.keys(sums).sort()).toEqual(['state.v.step', 'state.v.sum']);
    expect(Array.from(sums['state.v.sum'].data as Float32Array)).toEqual([Math.fround(0.1), Math.fround(0.1)]);
    expect(Array.from(sums['state.v.step'].data as Float32Array)).toEqual([0]);
    rv.dispose();
  });
});

describe('refused, saying what is wrong, changing nothing', () => {
  /** An Adam over 'w' (3) stepped twice, and a file of its state whose tensors and metadata `edit` changes. */
  async function setup() {
    const rv = await createRavine();
    const w = rv.tensor('w', [1, 2, 3]);
    const opt = new Adam([w], { lr: 0.1 });
    for (let i = 0; i < 2; i++) {
      w.grad.set([1, -2, 3]);
      opt.step();
    }
    const good = readSafetensors(exportSafetensors(opt));
    const edited = (edit: (tensors: Record<string, SafetensorsTensor>, metadata: Record<string, string>) => void) => {
      const tensors = { ...good.tensors },
        metadata = { ...good.metadata };
      edit(tensors, metadata);
      return writeSafetensors(tensors, metadata);
    };
    return { rv, w, opt, edited };
  }
  const f32 = (...values: number[]): SafetensorsTensor => ({ dtype: 'F32', shape: values.length === 1 ? [] : [values.length], data: new Float32Array(values) });
  const groups = (change: (g: Record<string, unknown>) => void) => (_: unknown, m: Record<string, string>) => {
    const parsed = JSON.parse(m.param_groups);
    change(parsed[0]);
    m.param_groups = JSON.stringify(parsed);
  };

  const cases: [string, (t: Record<string, SafetensorsTensor>, m: Record<string, string>) => void, RegExp][] = [
    ['no optimizer in the metadata', (_, m) => delete m.optimizer, /metadata names no optimizer/],
    [
      "another optimizer's state",
      (_, m) => {
        m.optimizer = 'AdamW';
      },
      /holds AdamW state, and this optimizer is Adam/,
    ],
    [
      'an optimizer ravine does not exchange',
      (_, m) => {
        m.optimizer = 'SparseAdam';
      },
      /"SparseAdam" is not an optimizer ravine exchanges with torch/,
    ],
    ['no param groups', (_, m) => delete m.param_groups, /metadata has no param_groups/],
    [
      'param groups that are not JSON',
      (_, m) => {
        m.param_groups = '[{';
      },
      /param_groups is not JSON/,
    ],
    [
      'param groups that are not a list',
      (_, m) => {
        m.param_groups = '{}';
      },
      /param_groups must be a list/,
    ],
    [
      "params by position (torch's load_state_dict form), not by name",
      groups((g) => {
        g.params = [0];
      }),
      /params must be the tensors' names/,
    ],
    [
      'a torch option Adam does not take',
      groups((g) => {
        g.momentum = 0.9;
      }),
      /torch option "momentum" is not one ravine's Adam takes \(lr, betas, eps, weight_decay, amsgrad, maximize, decoupled_weight_decay\)/,
    ],
    [
      "an option under ravine's camelCase name, not torch's (beside torch's, one of the two would silently win)",
      groups((g) => {
        g.weightDecay = 0.5;
      }),
      /torch option "weightDecay" is not one ravine's Adam takes \(lr, betas, eps, weight_decay,/,
    ],
    [
      'fused: true',
      groups((g) => {
        g.fused = true;
      }),
      /fused: true is not supported/,
    ],
    [
      'an option value out of range',
      groups((g) => {
        g.betas = [0.9, 1.5];
      }),
      /beta/,
    ],
    [
      'a tensor that is not state',
      (t) => {
        t['w.exp_avg'] = f32(1, 2, 3);
      },
      /tensor "w.exp_avg" is not optimizer state/,
    ],
    [
      "a state key torch's Adam does not keep",
      (t) => {
        t['state.w.momentum_buffer'] = f32(1, 2, 3);
      },
      /"momentum_buffer" is not a state key of torch's Adam \(step, exp_avg, exp_avg_sq, max_exp_avg_sq\)/,
    ],
    [
      'state of a tensor no group holds',
      (t) => {
        t['state.v.exp_avg'] = f32(1, 2, 3);
      },
      /state of "v", which no param group of the file holds/,
    ],
    ['state without its step', (t) => delete t['state.w.step'], /state of "w" has exp_avg, exp_avg_sq but no step/],
    [
      'a step that is not an integer',
      (t) => {
        t['state.w.step'] = f32(1.5);
      },
      /a step count is one integer, got F32 of shape \[\] holding 1.5/,
    ],
    [
      'float64 state',
      (t) => {
        t['state.w.exp_avg'] = { dtype: 'F64', shape: [3], data: new Float64Array(3) };
      },
      /is F64; ravine keeps optimizer state in float32/,
    ],
    [
      'a buffer of the wrong length',
      (t) => {
        t['state.w.exp_avg'] = f32(1, 2);
      },
      /exp_?avg/i,
    ],
    [
      'a negative second moment',
      (t) => {
        t['state.w.exp_avg_sq'] = f32(1, -2, 3);
      },
      /must be ≥ 0/,
    ],
    [
      'a tensor the optimizer does not hold',
      (t, m) => {
        for (const key of Object.keys(t)) t[key.replace('state.w.', 'state.u.')] = t[key];
        for (const key of Object.keys(t)) if (key.startsWith('state.w.')) delete t[key];
        m.param_groups = m.param_groups.replace('"w"', '"u"');
      },
      /state for tensor "u", which this optimizer does not hold/,
    ],
  ];
  for (const [what, edit, message] of cases) {
    it(what, async () => {
      const { rv, w, opt, edited } = await setup();
      const before = JSON.stringify(opt.stateDict()),
        values = Array.from(w.data);
      expect(() => importSafetensors(opt, edited(edit))).toThrow(message);
      expect(JSON.stringify(opt.stateDict())).toBe(before);
      expect(Array.from(w.data)).toEqual(values);
      rv.dispose();
    });
  }

  it('a truncated file', async () => {
    const { rv, opt, edited } = await setup();
    const before = JSON.stringify(opt.stateDict()),
      bytes = edited(() => {});
    expect(() => importSafetensors(opt, bytes.subarray(0, bytes.length - 1))).toThrow(/truncated/);
    expect(JSON.stringify(opt.stateDict())).toBe(before);
    rv.dispose();
  });

  it("an exported file is accepted with the keys torch's lr schedulers write and with foreach true (none changes a step)", async () => {
    const { rv, opt, edited } = await setup();
    // LRScheduler's initial_lr, OneCycleLR's max_lr and min_lr, OneCycleLR's and CyclicLR's max_momentum and base_momentum, SWALR's swa_lr.
    const scheduler = { initial_lr: 0.5, max_lr: 0.5, min_lr: 2e-6, max_momentum: 0.95, base_momentum: 0.85, swa_lr: 0.05 };
    const options = Object.keys(opt.paramGroups[0]);
    importSafetensors(
      opt,
      edited(
        groups((g) => {
          Object.assign(g, scheduler);
          g.foreach = true;
          g.lr = 0.25;
        }),
      ),
    );
    expect(opt.paramGroups[0].lr).toBe(0.25);
    // Dropped: the group has the options it had, and no others.
    expect(Object.keys(opt.paramGroups[0])).toEqual(options);
    rv.dispose();
  });

  it('a param group whose tensors torch stepped unequally (a grad that was None), for Adam (no state) and Adagrad (step 0)', async () => {
    const rv = await createRavine();
    for (const [make, behind] of [
      [(t: ravine.Tensor[]) => new Adam(t, { lr: 0.1 }), 'no state'],
      [(t: ravine.Tensor[]) => new Adagrad(t, { lr: 0.1 }), 'step 0'],
    ] as const) {
      const w = rv.tensor('w', [1, 2, 3]),
        b = rv.tensor('b', [4]);
      const opt = make([w, b]);
      for (let i = 0; i < 2; i++) {
        w.grad.set([1, -2, 3]);
        b.grad.set([1]);
        opt.step();
      }
      // What save_for_ravine writes when b's grad was None at every step: torch kept b's state as it was.
      const { tensors: exported, metadata } = readSafetensors(exportSafetensors(opt));
      const tensors: Record<string, SafetensorsTensor> = { ...exported };
      for (const key of Object.keys(tensors)) if (key.startsWith('state.b.')) delete tensors[key];
      if (behind === 'step 0') {
        tensors['state.b.step'] = { dtype: 'F32', shape: [], data: Float32Array.of(0) };
        tensors['state.b.sum'] = { dtype: 'F32', shape: [1], data: Float32Array.of(0) };
      }
      const before = JSON.stringify(opt.stateDict());
      expect(() => importSafetensors(opt, writeSafetensors(tensors, metadata)), behind).toThrow(
        /param group 0: "w" has step 2 and "b" step 0: torch does not step a parameter whose grad is None, and ravine steps a group's tensors together/,
      );
      expect(JSON.stringify(opt.stateDict()), behind).toBe(before);
      opt.dispose();
      w.dispose();
      b.dispose();
    }
    rv.dispose();
  });

  it('an export in the middle of a gradient accumulation, which torch has no place for', async () => {
    const rv = await createRavine();
    const w = rv.tensor('w', [1, 2]);
    const opt = new SGD([w], { lr: 0.1 }, { accumulate: 2 });
    w.grad.set([1, 1]);
    opt.step();
    expect(() => exportSafetensors(opt)).toThrow(/1 micro-batches are accumulated towards the next update.*step until pendingMicroBatches is 0/);
    rv.dispose();
  });

  it("what is not one of ravine's first-order optimizers", async () => {
    const rv = await createRavine();
    const w = rv.tensor('w', [1, 2]);
    expect(() => exportSafetensors(new LBFGS([w]) as never)).toThrow(/exportSafetensors: expected one of ravine's first-order optimizers/);
    expect(() => importSafetensors({} as never, new Uint8Array(8))).toThrow(/importSafetensors: expected one of ravine's first-order optimizers/);
    rv.dispose();
  });
});
