// A Web Worker that trains with ravine's threads, as a library doing its work off the page's thread
// would: in a worker Atomics.wait is allowed, so step() is synchronous there, with worker threads of its
// own (nested workers over the same shared memory). Asked for `n`, it steps Adam ten times on a threaded
// context and on the JS backend and reports whether the bits agree (demo/main.ts, test/demo.test.ts).
import { Adam, createRavine } from '../dist/index.js';

export interface WorkerReport { threads: number; reason?: string; split: boolean; matchesJs: boolean; error?: string }

async function run(n: number): Promise<WorkerReport> {
  const bits: Uint32Array[] = [];
  let report: Omit<WorkerReport, 'matchesJs'> = { threads: 0, split: false };
  for (const threads of ['auto', 'js'] as const) {
    const rv = await createRavine(threads === 'js' ? { backend: 'js' } : { backend: 'simd', threads: 'auto' });
    const w = rv.tensor('w', n);
    for (let i = 0; i < n; i++) (w.data[i] = Math.cos(i)), (w.grad[i] = Math.sin(3 * i));
    const opt = new Adam([w], { lr: 1e-2, weightDecay: 1e-4 });
    for (let k = 0; k < 10; k++) opt.step(); // synchronous: this thread may block
    if (threads === 'auto') {
      const plans = (rv as unknown as { _context: { backend: { plans?: Map<number, number> } } })._context.backend.plans;
      report = { threads: rv.threads, reason: rv.threadsReason, split: (plans?.size ?? 0) > 0 };
    }
    bits.push(new Uint32Array(w.data.slice().buffer));
    rv.dispose();
  }
  return { ...report, matchesJs: bits[0].every((b, i) => b === bits[1][i]) };
}

self.onmessage = (event: MessageEvent<{ n: number }>) => {
  run(event.data.n).then(
    (report) => self.postMessage(report),
    (e: unknown) => self.postMessage({ threads: 0, split: false, matchesJs: false, error: String((e as Error)?.stack ?? e) }),
  );
};
