// Issue 3's targets, checked against one run's rows: each with the measured ratio (worst case over
// the sizes and optimizers it covers), whether it is met, and the row it was decided by.

const find = (rows, where) =>
  rows.filter((r) => !r.error && r.medianNs && Object.entries(where).every(([k, v]) => (typeof v === 'function' ? v(r[k]) : r[k] === v)));
const same = (a, b) => a.workload === b.workload && a.optimizer === b.optimizer && a.n === b.n;

/** For each row of `impl`, time(impl) / time(reference impl) in the same group. */
function ratios(rows, impl, reference, where = {}) {
  return find(rows, { impl, ...where }).flatMap((r) => {
    const ref = rows.find((s) => same(r, s) && s.impl === reference && !s.error && s.medianNs);
    return ref ? [{ row: r, ratio: r.medianNs / ref.medianNs }] : [];
  });
}

const worst = (list, pick = Math.max) => (list.length ? list.reduce((a, b) => (pick(a.ratio, b.ratio) === a.ratio ? a : b)) : null);
const where = (r) => `${r.label}, ${r.workload}, n=${r.n.toLocaleString('en-US')}`;
const vector = (w) => w === 'one vector';
const notPerCall = (w) => !w.startsWith('per call');
const atLeast64K = (n) => n >= 65536;
const adam64KTo16M = { optimizer: 'adam', workload: 'one vector', n: (n) => n >= 65536 && n <= 16777216 };

export function checkTargets(rows) {
  const targets = [];
  const ratioTarget = (name, found, limit, speedup = false) => {
    if (!found) return targets.push({ name, measured: null, met: null, detail: 'not measured in this run' });
    const measured = found.ratio;
    targets.push({ name, measured, limit, met: speedup ? measured >= limit : measured <= limit, detail: where(found.row) });
  };
  ratioTarget(
    'step() ≤ 1.1× the bare kernel loop, groups ≥ 64K (simd)',
    worst(ratios(rows, 'ravine simd', 'bare kernel loop (simd)', { workload: notPerCall, n: atLeast64K })),
    1.1,
  );
  ratioTarget(
    'step() ≤ 1.1× the bare kernel loop, groups ≥ 64K (js)',
    worst(ratios(rows, 'ravine js', 'bare kernel loop (js)', { workload: notPerCall, n: atLeast64K })),
    1.1,
  );
  const perCall = find(rows, { impl: 'ravine simd', workload: 'per call, 16 params' });
  for (const r of perCall) {
    targets.push({
      name: `${r.label} step() ≤ 100 ns per call for a 16-parameter group (simd)`,
      measured: r.medianNs,
      limit: 100,
      unit: 'ns',
      met: r.medianNs <= 100,
      detail: where(r),
    });
  }
  if (perCall.length === 0)
    targets.push({ name: 'step() ≤ 100 ns per call for a 16-parameter group (simd)', measured: null, met: null, detail: 'not measured in this run' });
  // Speedups: time(peer) / time(simd), at least `limit`; the worst case is the smallest.
  ratioTarget('Adam ≥ 5× faster than TF.js wasm, 64K–16M', worst(ratios(rows, 'TF.js wasm', 'ravine simd', adam64KTo16M), Math.min), 5, true);
  ratioTarget('Adam ≥ 100× faster than TF.js cpu, 64K–16M', worst(ratios(rows, 'TF.js cpu', 'ravine simd', adam64KTo16M), Math.min), 100, true);
  ratioTarget(
    'Adam ≥ 50× faster than TF.js wasm on ResNet-18',
    worst(ratios(rows, 'TF.js wasm', 'ravine simd', { optimizer: 'adam', workload: (w) => w.startsWith('ResNet-18') }), Math.min),
    50,
    true,
  );
  ratioTarget(
    'SGD momentum at 16M ≤ 1.15× the bandwidth bound',
    worst(ratios(rows, 'ravine simd', 'bandwidth bound', { optimizer: 'sgd', workload: vector, n: 16777216 })),
    1.15,
  );
  ratioTarget('ravine js ≤ 1.3× the naive JS loop', worst(ratios(rows, 'ravine js', 'naive JS loop', { workload: vector })), 1.3);
  return targets;
}

export function targetsMarkdown(targets, issue = 3) {
  const lines = [`| Target (issue ${issue}) | Measured | Met | Decided by |`, '|---|---:|:---:|---|'];
  for (const t of targets) {
    const measured = t.measured == null ? '—' : t.unit === 'ns' ? `${t.measured.toFixed(0)} ns` : `${t.measured.toFixed(2)}×`;
    lines.push(`| ${t.name} | ${measured} | ${t.met == null ? '—' : t.met ? 'yes' : '**no**'} | ${t.detail} |`);
  }
  return lines.join('\n');
}

/**
 * Issue 8's targets (the memory redesign): step() ≤ 1.1× the bare kernel loop at ≥ 64K (as issue 3's);
 * a model's group of many tensors within 1.05× of the same parameters as one tensor; per-call step()
 * on 16 parameters ≤ 60 ns (SGD) and ≤ 80 ns (Adam) on simd; the JS backend creating 800 tensors of
 * 64K floats at most 2× slower than simd.
 */
export function checkIssue8Targets(rows) {
  const targets = [];
  const ratioTarget = (name, found, limit) => {
    if (!found) return targets.push({ name, measured: null, met: null, detail: 'not measured in this run' });
    targets.push({ name, measured: found.ratio, limit, met: found.ratio <= limit, detail: where(found.row) });
  };
  ratioTarget(
    'step() ≤ 1.1× the bare kernel loop, groups ≥ 64K (simd)',
    worst(ratios(rows, 'ravine simd', 'bare kernel loop (simd)', { workload: notPerCall, n: atLeast64K })),
    1.1,
  );
  ratioTarget(
    'transformer (148 tensors) ≤ 1.05× the same parameters as one tensor (simd)',
    worst(ratios(rows, 'ravine simd', 'ravine simd, as one tensor', { workload: (w) => w.startsWith('transformer') })),
    1.05,
  );
  ratioTarget(
    'ResNet-18 (62 tensors) ≤ 1.05× the same parameters as one tensor (simd)',
    worst(ratios(rows, 'ravine simd', 'ravine simd, as one tensor', { workload: (w) => w.startsWith('ResNet-18') })),
    1.05,
  );
  for (const [optimizer, limit] of [
    ['sgd', 60],
    ['adam', 80],
  ]) {
    const [r] = find(rows, { impl: 'ravine simd', workload: 'per call, 16 params', optimizer });
    if (!r) targets.push({ name: `${optimizer} per-call step() ≤ ${limit} ns (simd)`, measured: null, met: null, detail: 'not measured in this run' });
    else
      targets.push({
        name: `${r.label} step() ≤ ${limit} ns per call for a 16-parameter group (simd)`,
        measured: r.medianNs,
        limit,
        unit: 'ns',
        met: r.medianNs <= limit,
        detail: where(r),
      });
  }
  ratioTarget(
    'js creates 800 tensors of 64K floats ≤ 2× simd',
    worst(ratios(rows, 'ravine js', 'ravine simd', { workload: (w) => w.startsWith('create ') })),
    2,
  );
  return targets;
}

/**
 * Issue 10's targets (schedules and training options): per-call step() on 16 parameters with lr and
 * momentum (β1) scheduled within 1.2× of the unscheduled step, for SGD and Adam (simd); and clipping
 * folded into the kernels (the clipGradNorm training option) no slower than clipGradNorm() in place
 * before step(), measured side by side at 1M parameters.
 */
export function checkIssue10Targets(rows) {
  const targets = [];
  const ratioTarget = (name, found, limit) => {
    if (!found) return targets.push({ name, measured: null, met: null, detail: 'not measured in this run' });
    targets.push({ name, measured: found.ratio, limit, met: found.ratio <= limit, detail: where(found.row) });
  };
  for (const optimizer of ['sgd', 'adam']) {
    const perCall = { workload: 'per call, 16 params', optimizer };
    const label = find(rows, { impl: 'ravine simd', ...perCall })[0]?.label ?? optimizer;
    ratioTarget(
      `${label} per-call step() with lr and ${optimizer === 'adam' ? 'β1' : 'momentum'} scheduled ≤ 1.2× unscheduled (simd)`,
      worst(ratios(rows, 'ravine simd, scheduled', 'ravine simd', perCall)),
      1.2,
    );
  }
  ratioTarget(
    'clipGradNorm folded into step() ≤ 1.0× clipGradNorm() in place, then step() (Adam, simd)',
    worst(ratios(rows, 'ravine simd, clipGradNorm option (folded)', 'ravine simd, clipGradNorm() in place, then step')),
    1,
  );
  return targets;
}

/**
 * Issue 13's target: ravine/tfjs's applyGradients faster than TF.js's own optimizer on the same TF.js
 * backend, copies included, for every model shape and optimizer measured (Adam, SGD momentum).
 */
export function checkIssue13Targets(rows) {
  const targets = [];
  for (const backend of ['cpu', 'wasm']) {
    for (const model of ['ResNet-18', 'transformer']) {
      const found = ratios(rows, `TF.js ${backend}`, `ravine/tfjs on TF.js ${backend}`, { workload: (w) => w.startsWith(model) });
      const name = `ravine/tfjs faster than TF.js's own optimizer on TF.js ${backend}, ${model} (speedup, copies included)`;
      const w = worst(found, Math.min);
      if (!w) targets.push({ name, measured: null, met: null, detail: 'not measured in this run' });
      else targets.push({ name, measured: w.ratio, limit: 1, met: w.ratio > 1, detail: where(w.row) });
    }
  }
  return targets;
}

/**
 * Issue 14's targets (threads): on this 2-core machine, Adam at 1M and 16M parameters at least 1.7×
 * faster on two threads than on one, SGD with momentum at 16M at least 1.3×, and groups under the split
 * threshold (262,144) no slower: within 5% of one thread, the run's noise.
 */
export function checkIssue14Targets(rows) {
  const targets = [];
  const speedup = (name, rowsWhere, limit) => {
    const w = worst(ratios(rows, 'ravine simd', 'ravine simd, 2 threads', rowsWhere), Math.min);
    if (!w) targets.push({ name, measured: null, met: null, detail: 'not measured in this run' });
    else targets.push({ name, measured: w.ratio, limit, met: w.ratio >= limit, detail: where(w.row) });
  };
  speedup('Adam at 1M, 2 threads ≥ 1.7× one (speedup)', { optimizer: 'adam', workload: vector, n: 1048576 }, 1.7);
  speedup('Adam at 16M, 2 threads ≥ 1.7× one (speedup)', { optimizer: 'adam', workload: vector, n: 16777216 }, 1.7);
  speedup('SGD momentum at 16M, 2 threads ≥ 1.3× one (speedup)', { optimizer: 'sgd', workload: vector, n: 16777216 }, 1.3);
  const small = worst(ratios(rows, 'ravine simd, 2 threads', 'ravine simd', { workload: vector, n: (n) => n < 262144 }));
  const name = 'groups under the split threshold (262,144) no slower on 2 threads (time ≤ 1.05× one thread)';
  if (!small) targets.push({ name, measured: null, met: null, detail: 'not measured in this run' });
  else targets.push({ name, measured: small.ratio, limit: 1.05, met: small.ratio <= 1.05, detail: where(small.row) });
  return targets;
}
