// What creating many tensors costs on each backend: 800 tensors of 64K floats (400 MiB with their
// gradients) in a fresh context, repeated with simd and js interleaved. The JS backend used to copy
// its whole heap at every growth (quadratic: 138 s against 0.92 s for simd); it now grows in place.
import { createRavine } from '../../dist/index.js';
import { summarize } from './measure.js';

export const ALLOCATION = { tensors: 800, size: 65536 };

async function once(backend) {
  const rv = await createRavine({ backend });
  const started = process.hrtime.bigint();
  for (let i = 0; i < ALLOCATION.tensors; i++) rv.tensor(`t${i}`, ALLOCATION.size);
  const ns = Number(process.hrtime.bigint() - started);
  rv.dispose();
  globalThis.gc?.();
  return ns;
}

/** Rows in the bench's format: median and spread of `repetitions` creations per backend. */
export async function measureAllocation({ repetitions = 7, log = () => {} } = {}) {
  const samples = { simd: [], js: [] };
  await once('simd');
  await once('js');
  for (let r = 0; r < repetitions; r++) for (const backend of ['simd', 'js']) samples[backend].push(await once(backend));
  const n = ALLOCATION.tensors * ALLOCATION.size;
  return ['simd', 'js'].map((backend) => {
    const m = summarize(samples[backend]);
    log(`    ravine ${backend}: ${(m.medianNs / 1e6).toFixed(1)} ms for ${ALLOCATION.tensors} tensors of ${ALLOCATION.size} floats`);
    return {
      workload: `create ${ALLOCATION.tensors} tensors of 64K floats`,
      optimizer: 'none',
      label: '—',
      n,
      tensors: ALLOCATION.tensors,
      impl: `ravine ${backend}`,
      ...m,
      nsPerParam: m.medianNs / n,
    };
  });
}
