// Muon's step on one weight matrix against what it cannot avoid: the Newton–Schulz iteration's matrix
// products alone (per iteration X·Xᵀ, A·A and B·X on matmul_f32), side by side in one run, at 1024×1024
// and at an MNIST-sized 784×128 (its iteration works on the 128×784 transpose). Goal: step ≤ 1.1× the
// products. One thread.
// Run: npm run build && node bench/muon.js
import { Bench } from 'tinybench';
import { createRavine, Muon } from '../dist/index.js';

if (process.argv.length > 2) {
  const help = process.argv.includes('--help') || process.argv.includes('-h');
  if (!help) console.error(`unknown option ${process.argv.slice(2).join(' ')}\n`);
  console.log('usage: npm run build && node bench/muon.js\n\nMuon.step() on 1024×1024 and 784×128 against its Newton–Schulz products alone (5 iterations).');
  process.exit(help ? 0 : 2);
}

const rows = [];
for (const [R, C] of [
  [1024, 1024],
  [784, 128],
]) {
  const rv = await createRavine({ reserveBytes: 64 * R * C + (8 << 20) });
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
  const [X, Xt, A, AA, BX, panel] = [r * c, r * c, r * r, r * r, r * c, 8 * c].map((n, i) => ctx.arena.alloc(4 * n + 64, `bench region ${i}`));
  ctx.heap.fill(0.01, X >>> 2, (X >>> 2) + r * c);
  const products = () => {
    for (let s = 0; s < 5; s++) {
      k.transpose_f32(X, Xt, r, c);
      k.matmul_f32(X, Xt, A, r, c, r, panel);
      k.matmul_f32(A, A, AA, r, r, r, panel);
      k.matmul_f32(AA, X, BX, r, r, c, panel);
    }
  };
  const bench = new Bench({ time: R * C > 500_000 ? 4000 : 1500, warmupTime: 300 });
  bench.add('Muon.step()', () => opt.step()).add('5 iterations of products', products);
  process.stdout.write(`${R}×${C}: measuring…\n`);
  await bench.run();
  const [step, prod] = bench.tasks.map((t) => t.result.latency.p50);
  const flops = 5 * (2 * r * c * r + 2 * r * r * r + 2 * r * r * c);
  rows.push({ shape: `${R}×${C}`, step, prod, gflops: flops / (prod * 1e6) });
  rv.dispose();
}
console.log('\n| matrix | Muon.step() ms | products ms | step ÷ products | products GFLOP/s |\n|---|---:|---:|---:|---:|');
for (const x of rows) console.log(`| ${x.shape} | ${x.step.toFixed(2)} | ${x.prod.toFixed(2)} | ${(x.step / x.prod).toFixed(3)} | ${x.gflops.toFixed(1)} |`);
console.log(`\nNode ${process.version}, one thread, float32 (torch 2.13 runs the iteration in bfloat16).`);
