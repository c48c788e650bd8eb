// The float32 matrix product under Muon, in GFLOP/s (2·n³ per n×n product), side by side in one run:
// ravine's f32x4 kernel on one thread and split by rows across two (src/optim/products.ts, as Muon
// calls it), its JS mirror, a naive i-j-p triple loop in JS, and TF.js's wasm backend (XNNPACK, one
// thread) — at 256, 512 and 1024. Every implementation is checked against ravine's bits first (TF.js to
// float tolerance: XNNPACK sums in its own order).
// Run: npm run build && node bench/matmul.js [--sizes=256,512,1024]
import { Bench } from 'tinybench';
import { createRavine } from '../dist/index.js';
import { Products } from '../dist/optim/products.js';
import { loadTf } from './lib/tfjs.js';

const args = process.argv.slice(2);
const sizesArg = args.find((a) => a.startsWith('--sizes='));
const unknown = args.filter((a) => a !== sizesArg);
if (unknown.length > 0) {
  const help = unknown.includes('--help') || unknown.includes('-h');
  if (!help) console.error(`unknown option ${unknown.join(' ')}\n`);
  console.log(
    'usage: npm run build && node bench/matmul.js [--sizes=256,512,1024]\n\nGFLOP/s of n×n float32 products: ravine simd, ravine js, a naive JS loop, TF.js wasm.',
  );
  process.exit(help ? 0 : 2);
}
const sizes = sizesArg ? sizesArg.slice('--sizes='.length).split(',').map(Number) : [256, 512, 1024];
if (sizes.some((n) => !Number.isInteger(n) || n < 8 || n > 4096)) {
  console.error(`--sizes: each must be an integer in [8, 4096], got ${sizesArg}`);
  process.exit(2);
}

const tf = await loadTf();
await tf.setBackend('wasm');
await tf.ready();
const tfThreads = tf.backend().wasm?._getThreadsCount?.() ?? 1; // tfjs-backend-wasm without SharedArrayBuffer threads: 1

function naive(a, b, c, n) {
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < n; p++) s = Math.fround(s + Math.fround(a[i * n + p] * b[p * n + j]));
      c[i * n + j] = s;
    }
}

const rows = [];
for (const n of sizes) {
  const a = Float32Array.from({ length: n * n }, (_, i) => Math.sin(i) * 0.5);
  const b = Float32Array.from({ length: n * n }, (_, i) => Math.cos(i * 0.7) * 0.5);
  const runs = {};
  for (const [name, config] of [
    ['simd', { backend: 'simd' }],
    ['js', { backend: 'js' }],
    ['threads', { backend: 'simd', threads: 2 }],
  ]) {
    const rv = await createRavine({ ...config, reserveBytes: 16 * n * n + (1 << 20) });
    if (rv.threads !== (config.threads ?? 1)) throw new Error(`asked for ${config.threads} threads, got ${rv.threads}: ${rv.threadsReason}`);
    const ctx = rv._context;
    const [pa, pb, pc] = [0, 1, 2].map((i) => ctx.arena.alloc(4 * n * n, `bench matrix ${i}`));
    const products = new Products(ctx);
    products.reserve(n);
    ctx.heap.set(a, pa >>> 2);
    ctx.heap.set(b, pb >>> 2);
    const k = ctx.backend.kernels;
    const fn = () => products.matmul(k, pa, pb, pc, n, n, n);
    fn();
    runs[name] = { fn, out: () => ctx.heap.slice(pc >>> 2, (pc >>> 2) + n * n), rv };
  }
  const c = new Float32Array(n * n);
  const ta = tf.tensor2d(a, [n, n]),
    tb = tf.tensor2d(b, [n, n]);
  // Correctness first: the JS mirror and the naive loop are ravine's bits; TF.js within float tolerance.
  const simd = runs.simd.out();
  const same = (x) => x.every((v, i) => Object.is(v, simd[i]));
  if (!same(runs.js.out())) throw new Error(`n=${n}: the JS mirror's product differs from the SIMD kernel's`);
  if (!same(runs.threads.out())) throw new Error(`n=${n}: the product split across two threads differs from one thread's`);
  if (n <= 512) {
    naive(a, b, c, n);
    if (!same(c)) throw new Error(`n=${n}: the naive loop's product differs from the kernel's`);
  }
  const tfOut = tf.matMul(ta, tb).dataSync();
  const worst = tfOut.reduce((w, v, i) => Math.max(w, Math.abs(v - simd[i])), 0);
  if (!(worst < 1e-3 * n)) throw new Error(`n=${n}: TF.js differs by ${worst}`);
  const bench = new Bench({ time: n >= 1024 ? 3000 : 1500, warmupTime: 300 });
  bench.add('ravine simd', runs.simd.fn).add('ravine simd, 2 threads', runs.threads.fn).add('ravine js', runs.js.fn);
  if (n <= 512) bench.add('naive JS loop', () => naive(a, b, c, n));
  // Not in tf.tidy: a tidy around dataSync() costs ~90 ms a call here (measured), more than the product.
  bench.add('TF.js wasm', () => {
    const out = tf.matMul(ta, tb);
    out.dataSync();
    out.dispose();
  });
  process.stdout.write(`n = ${n}: measuring ${bench.tasks.length} implementations…\n`);
  await bench.run();
  const flops = 2 * n ** 3;
  for (const task of bench.tasks) {
    const ms = task.result.latency?.p50 ?? task.result.p50 ?? task.result.mean;
    rows.push({ n, impl: task.name, ms, gflops: flops / (ms * 1e6) });
  }
  for (const r of Object.values(runs)) r.rv.dispose();
  ta.dispose();
  tb.dispose();
}

console.log(`\n| n | implementation | median ms | GFLOP/s | × TF.js wasm |\n|---:|---|---:|---:|---:|`);
for (const r of rows) {
  const tfRow = rows.find((x) => x.n === r.n && x.impl === 'TF.js wasm');
  console.log(`| ${r.n} | ${r.impl} | ${r.ms.toFixed(3)} | ${r.gflops.toFixed(2)} | ${(r.gflops / tfRow.gflops).toFixed(2)} |`);
}
console.log(`\nTF.js wasm threads: ${tfThreads}. Node ${process.version}. (The TF.js row includes reading the result back, as dataSync does.)`);
