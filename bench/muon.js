// Muon's step on one weight matrix against what it cannot avoid: the Newton–Schulz iteration's matrix
// products alone (per iteration X·Xᵀ, A·A and B·X on matmul_f32), side by side in one run, at 1024×1024
// and at an MNIST-sized 784×128 (its iteration works on the 128×784 transpose). Goal: step ≤ 1.1× the
// products. On one thread, and on two (the products split by rows: src/optim/products.ts).
// Run: npm run build && node bench/muon.js
import { Bench } from 'tinybench';
import { createRavine, Muon } from '../dist/index.js';
import { Products } from '../dist/optim/products.js';

if (process.argv.length > 2) {
  const help = process.argv.includes('--help') || process.argv.includes('-h');
  if (!help) console.error(`unknown option ${process.argv.slice(2).join(' ')}\n`);
  console.log('usage: npm run build && node bench/muon.js\n\nMuon.step() on 1024×1024 and 784×128 against its Newton–Schulz products alone (5 iterations).');
  process.exit(help ? 0 : 2);
}

const rows = [];
for (const [[R, C], threads] of [
  [[1024, 1024], 1],
  [[1024, 1024], 2],
  [[784, 128], 1],
  [[784, 128], 2],
]) {
  const rv = await createRavine({ threads, reserveBytes: 64 * R * C + (8 << 20) });
  if (rv.threads !== threads) throw new Error(`asked for ${threads} threads, got ${rv.threads}: ${rv.threadsReason}`);
  const w = rv.tensor('w', R * C, { shape: [R, C] });
  w.data.set(Float32Array.from({ length: R * C }, (_, i) => Math.sin(i) * 0.02));
  w.grad.set(Float32Array.from({ length: R * C }, (_, i) => Math.cos(i * 0.3) * 0.01));
  const opt = new Muon([w], { lr: 0.02 });
  opt.step();
  // The products alone, on the same shapes: r×c with r ≤ c.
  const r = Math.min(R, C),
    c = Math.max(R, C);
  const ctx = rv._context;
  const k = ctx.backend.kernels;
  const [X, Xt, A, AA, BX] = [r * c, r * c, r * r, r * r, r * c].map((n, i) => ctx.arena.alloc(4 * n + 64, `bench region ${i}`));
  const mm = new Products(ctx);
  mm.reserve(c);
  ctx.heap.fill(0.01, X >>> 2, (X >>> 2) + r * c);
  const products = () => {
    for (let s = 0; s < 5; s++) {
      k.transpose_f32(X, Xt, r, c);
      mm.matmul(k, X, Xt, A, r, c, r);
      mm.matmul(k, A, A, AA, r, r, r);
      mm.matmul(k, AA, X, BX, r, r, c);
    }
  };
  const bench = new Bench({ time: R * C > 500_000 ? 4000 : 1500, warmupTime: 300 });
  bench.add('Muon.step()', () => opt.step()).add('5 iterations of products', products);
  process.stdout.write(`${R}×${C}, ${threads} thread${threads > 1 ? 's' : ''}: measuring…\n`);
  await bench.run();
  const [step, prod] = bench.tasks.map((t) => t.result.latency.p50);
  const flops = 5 * (2 * r * c * r + 2 * r * r * r + 2 * r * r * c);
  rows.push({ shape: `${R}×${C}`, threads, step, prod, gflops: flops / (prod * 1e6) });
  rv.dispose();
}
console.log('\n| matrix | threads | Muon.step() ms | products ms | step ÷ products | products GFLOP/s |\n|---|---:|---:|---:|---:|---:|');
for (const x of rows)
  console.log(`| ${x.shape} | ${x.threads} | ${x.step.toFixed(2)} | ${x.prod.toFixed(2)} | ${(x.step / x.prod).toFixed(3)} | ${x.gflops.toFixed(1)} |`);
console.log(`\nNode ${process.version}, float32 (torch 2.13 runs the iteration in bfloat16).`);
