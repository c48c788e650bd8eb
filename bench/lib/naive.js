// What people write by hand: one plain loop per tensor over Float32Arrays, state in Float32Arrays,
// host scalars per step, no Math.fround discipline (so it agrees with ravine to float tolerance only).
// This is the baseline the JS fallback is held to (issue 3: within 1.3× of it).
import { OPTIMIZERS } from './optimizers.js';

const zeros = (sizes) => sizes.map((n) => new Float32Array(n));

const UPDATES = {
  sgd({ lr, momentum }, sizes) {
    const buf = zeros(sizes);
    return (p, g, i, t) => {
      const b = buf[i];
      for (let j = 0; j < p.length; j++) {
        b[j] = t === 1 ? g[j] : momentum * b[j] + g[j];
        p[j] -= lr * b[j];
      }
    };
  },
  adam: adamUpdate(false),
  adamw: adamUpdate(true),
  rmsprop({ lr, alpha, eps }, sizes) {
    const sq = zeros(sizes);
    return (p, g, i) => {
      const s = sq[i];
      for (let j = 0; j < p.length; j++) {
        s[j] = alpha * s[j] + (1 - alpha) * g[j] * g[j];
        p[j] -= (lr * g[j]) / (Math.sqrt(s[j]) + eps);
      }
    };
  },
  adagrad({ lr, eps }, sizes) {
    const sum = zeros(sizes);
    return (p, g, i) => {
      const s = sum[i];
      for (let j = 0; j < p.length; j++) {
        s[j] += g[j] * g[j];
        p[j] -= (lr * g[j]) / (Math.sqrt(s[j]) + eps);
      }
    };
  },
  adadelta({ lr, rho, eps }, sizes) {
    const sq = zeros(sizes),
      acc = zeros(sizes);
    return (p, g, i) => {
      const s = sq[i],
        a = acc[i];
      for (let j = 0; j < p.length; j++) {
        s[j] = rho * s[j] + (1 - rho) * g[j] * g[j];
        const delta = (Math.sqrt(a[j] + eps) / Math.sqrt(s[j] + eps)) * g[j];
        a[j] = rho * a[j] + (1 - rho) * delta * delta;
        p[j] -= lr * delta;
      }
    };
  },
  adamax({ lr, betas: [beta1, beta2], eps }, sizes) {
    const m = zeros(sizes),
      u = zeros(sizes);
    return (p, g, i, t) => {
      const mi = m[i],
        ui = u[i],
        stepSize = lr / (1 - beta1 ** t);
      for (let j = 0; j < p.length; j++) {
        mi[j] = beta1 * mi[j] + (1 - beta1) * g[j];
        ui[j] = Math.max(beta2 * ui[j], Math.abs(g[j]) + eps);
        p[j] -= (stepSize * mi[j]) / ui[j];
      }
    };
  },
  nadam({ lr, betas: [beta1, beta2], eps, momentumDecay }, sizes) {
    const m = zeros(sizes),
      v = zeros(sizes);
    let muProduct = 1,
      lastStep = 0;
    return (p, g, i, t) => {
      const mu = beta1 * (1 - 0.5 * 0.96 ** (t * momentumDecay)),
        muNext = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentumDecay));
      if (t !== lastStep) (muProduct *= mu), (lastStep = t);
      const mi = m[i],
        vi = v[i],
        bc2 = 1 - beta2 ** t;
      // torch 2.x's next product is the updated one times μt+1 (see src/optim/nadam.ts).
      const gradStep = (lr * (1 - mu)) / (1 - muProduct),
        momentumStep = (lr * muNext) / (1 - muProduct * muNext);
      for (let j = 0; j < p.length; j++) {
        mi[j] = beta1 * mi[j] + (1 - beta1) * g[j];
        vi[j] = beta2 * vi[j] + (1 - beta2) * g[j] * g[j];
        const denom = Math.sqrt(vi[j] / bc2) + eps;
        p[j] -= (gradStep * g[j]) / denom + (momentumStep * mi[j]) / denom;
      }
    };
  },
  radam({ lr, betas: [beta1, beta2], eps }, sizes) {
    const m = zeros(sizes),
      v = zeros(sizes);
    const rhoInf = 2 / (1 - beta2) - 1;
    return (p, g, i, t) => {
      const mi = m[i],
        vi = v[i],
        bc1 = 1 - beta1 ** t,
        bc2 = 1 - beta2 ** t;
      const rhoT = rhoInf - (2 * t * beta2 ** t) / bc2;
      const rect = rhoT > 5 ? Math.sqrt(((rhoT - 4) * (rhoT - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rhoT)) : 0;
      for (let j = 0; j < p.length; j++) {
        mi[j] = beta1 * mi[j] + (1 - beta1) * g[j];
        vi[j] = beta2 * vi[j] + (1 - beta2) * g[j] * g[j];
        const mhat = mi[j] / bc1;
        p[j] -= rhoT > 5 ? (lr * mhat * rect * Math.sqrt(bc2)) / (Math.sqrt(vi[j]) + eps) : lr * mhat;
      }
    };
  },
  rprop({ lr, etas: [etaMinus, etaPlus], stepSizes: [minStep, maxStep] }, sizes) {
    const prev = zeros(sizes),
      step = sizes.map((n) => new Float32Array(n).fill(lr));
    return (p, g, i) => {
      const pr = prev[i],
        st = step[i];
      for (let j = 0; j < p.length; j++) {
        const s = Math.sign(g[j] * pr[j]);
        st[j] = Math.min(Math.max(st[j] * (s > 0 ? etaPlus : s < 0 ? etaMinus : 1), minStep), maxStep);
        const gj = s < 0 ? 0 : g[j];
        p[j] -= Math.sign(gj) * st[j];
        pr[j] = gj;
      }
    };
  },
  asgd({ lr, lambd, alpha, t0 }, sizes) {
    const ax = zeros(sizes);
    let eta = lr,
      mu = 1,
      lastStep = 0;
    return (p, g, i, t) => {
      if (t !== lastStep && t > 1) (eta = lr / (1 + lambd * lr * (t - 1)) ** alpha), (mu = 1 / Math.max(1, t - 1 - t0)), (lastStep = t);
      const a = ax[i],
        decay = 1 - lambd * eta;
      for (let j = 0; j < p.length; j++) {
        p[j] = p[j] * decay - eta * g[j];
        a[j] = mu === 1 ? p[j] : a[j] + (p[j] - a[j]) * mu;
      }
    };
  },
};

function adamUpdate(decoupled) {
  return ({ lr, betas: [beta1, beta2], eps, weightDecay = 0 }, sizes) => {
    const m = zeros(sizes),
      v = zeros(sizes);
    return (p, g, i, t) => {
      const mi = m[i],
        vi = v[i];
      const bc1 = 1 - beta1 ** t,
        bc2Sqrt = Math.sqrt(1 - beta2 ** t),
        decay = decoupled ? 1 - lr * weightDecay : 1;
      for (let j = 0; j < p.length; j++) {
        mi[j] = beta1 * mi[j] + (1 - beta1) * g[j];
        vi[j] = beta2 * vi[j] + (1 - beta2) * g[j] * g[j];
        p[j] = p[j] * decay - ((lr / bc1) * mi[j]) / (Math.sqrt(vi[j]) / bc2Sqrt + eps);
      }
    };
  };
}

export const naiveSupports = (key) => key in UPDATES;

/** The naive loop for optimizer `key` over copies of the problem's tensors. */
export async function naiveLoop(key, problem) {
  const params = problem.params.map((p) => p.slice());
  const grads = problem.grads;
  const update = UPDATES[key](OPTIMIZERS[key].options, problem.sizes);
  let t = 0;
  return {
    step() {
      t++;
      for (let i = 0; i < params.length; i++) update(params[i], grads[i], i, t);
    },
    params: () => params.map((p) => p.slice()),
    dispose() {},
  };
}
