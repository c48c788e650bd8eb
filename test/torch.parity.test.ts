// PyTorch parity, bit for bit: every case recorded from torch.optim 1.13 (non-FMA CPU kernels, float32)
// is reproduced exactly at every recorded step, state included, on both backends.
import { describe, expect, it } from 'vitest';
import { optimizerRegistry } from '../src/optim/registry.js';
import { bitDifferences, camel, f32, loadReference, MOVED_TO_2_13, optimizers, replayTorchCase, type TorchCase } from './helpers/cases.js';

const reference = loadReference<{ torch: string; cases: TorchCase[] }>('first-order.json');
/** Rprop and ASGD were recorded later, in the same schema: test/torch.more.test.ts runs them. */
const more = loadReference<{ cases: TorchCase[] }>('more-optimizers.json');

/** The README's diagnostic: |ours − torch| / (|torch| + rms(torch)). */
function worstError(ours: Float32Array, torch: Float32Array): number {
  const rms = Math.sqrt(torch.reduce((s, x) => s + x * x, 0) / Math.max(torch.length, 1));
  return ours.reduce((worst, x, i) => Math.max(worst, Math.abs(x - torch[i]) / (Math.abs(torch[i]) + rms)), 0);
}

describe.each(['simd', 'js'] as const)('torch.optim 1.13 parity on %s', (backend) => {
  it('covers every first-order optimizer, with more-optimizers.json (Rprop, ASGD)', () => {
    const here = new Set(reference.cases.map((c) => c.optimizer));
    const there = new Set(more.cases.map((c) => c.optimizer));
    expect([...here].filter((name) => there.has(name))).toEqual([]);
    // Every optimizer torch.optim 1.13 has (Lion is optax's: test/lion.test.ts; Adafactor and Muon came in torch 2.5 and 2.9: test/adafactor.test.ts, test/muon.test.ts).
    expect(new Set([...here, ...there])).toEqual(
      new Set(
        Object.values(optimizerRegistry)
          .filter((e) => e.torch !== null && e.name !== 'Adafactor' && e.name !== 'Muon')
          .map((e) => e.name),
      ),
    );
  });

  // Those on torch 2.13's arithmetic now are replayed from its recordings (test/torch213.parity.test.ts).
  for (const c of reference.cases.filter((x) => !MOVED_TO_2_13.has(x.optimizer))) {
    it(`${c.name} (${c.optimizer} ${JSON.stringify(c.groups.map((g) => g.options))}): bit-identical at every recorded step and in its final state`, async () => {
      const { rv, opt, tensors, checked } = await replayTorchCase(c, backend, optimizers[c.optimizer] as never, (t, i, ours, torch) => {
        expect(worstError(ours, torch), `step ${t} tensor ${i}`).toBeLessThanOrEqual(2e-6);
        expect(bitDifferences(ours, torch), `step ${t} tensor ${i}`).toEqual([]);
      });
      expect(checked).toBe(Object.keys(c.params).length * tensors.length);
      const state = opt.stateDict().state;
      tensors.forEach((x, i) => {
        for (const [key, value] of Object.entries(c.finalState[i])) {
          const ours = state[x.name][camel(key)];
          if (key === 'step') expect(ours).toBe(value);
          else if (key === 'mu_product') expect(ours).toBe(f32(value as string)[0]);
          else expect(bitDifferences(ours as Float32Array, f32(value as string)), `${key} of tensor ${i}`).toEqual([]);
        }
      });
      rv.dispose();
    });
  }
});
