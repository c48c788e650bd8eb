// The memory-bandwidth bound: ravine's own SIMD streaming kernel (assembly/stream.ts) moving as many
// bytes per parameter as the update it stands beside (`reads` streams in, `writes` out).
import { createRavine } from '../../dist/index.js';
import { OPTIMIZERS } from './optimizers.js';

/** A runner over `reads` streams of n floats (n = all the problem's parameters), seeded from it. */
export async function streamBound(backend, reads, writes, problem) {
  const rv = await createRavine({ backend });
  const ctx = rv._context;
  const n = problem.sizes.reduce((a, b) => a + b, 0);
  const stride = Math.ceil((4 * n) / 16) * 16;
  const base = ctx.arena.alloc(reads * stride);
  const heap = ctx.heap;
  for (let k = 0; k < reads; k++) {
    let at = (base + k * stride) >>> 2;
    for (const p of k === 1 ? problem.grads : problem.params) {
      heap.set(p, at);
      at += p.length;
    }
  }
  const kernel = ctx.backend.kernels.stream_f32;
  const scale = 1 / reads;
  return {
    step: () => kernel(base, n, stride, reads, writes, scale),
    /** the streams, each as one array of n floats */
    streams: () => Array.from({ length: reads }, (_, k) => new Float32Array(ctx.backend.buffer, base + k * stride, n).slice()),
    params: () => [new Float32Array(ctx.backend.buffer, base, n).slice()],
    dispose: () => rv.dispose(),
  };
}

/** The bound for optimizer `key`: its read and written streams. */
export const bandwidthBound = (key, problem) => streamBound('simd', OPTIMIZERS[key].reads, OPTIMIZERS[key].writes, problem);
