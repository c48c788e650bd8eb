// Softmax cross-entropy over a minibatch of logits, in float64: its mean, its gradient with respect to
// the logits, and how many rows the largest logit got right.

/**
 * The mean over `rows` of −log softmax(z)[label], z being each row of `logits` (`classes` wide).
 * With `gradient`, writes ∂mean/∂z = (softmax(z) − onehot(label)) / rows into it.
 */
export function crossEntropy(logits: Float32Array, labels: Uint8Array, rows: number, classes: number, gradient?: Float32Array): number {
  let total = 0;
  for (let i = 0; i < rows; i++) {
    const z = logits.subarray(i * classes, (i + 1) * classes);
    // log Σ exp(z) shifted by the largest z, so exp never overflows.
    let max = -Infinity,
      sum = 0;
    for (let j = 0; j < classes; j++) max = Math.max(max, z[j]);
    for (let j = 0; j < classes; j++) sum += Math.exp(z[j] - max);
    const logSumExp = max + Math.log(sum);
    total += logSumExp - z[labels[i]];
    if (gradient) {
      for (let j = 0; j < classes; j++) gradient[i * classes + j] = (Math.exp(z[j] - logSumExp) - (j === labels[i] ? 1 : 0)) / rows;
    }
  }
  return total / rows;
}

/** How many of the `rows` have their largest logit at their label (the first largest, on a tie). */
export function correct(logits: Float32Array, labels: Uint8Array, rows: number, classes: number): number {
  let count = 0;
  for (let i = 0; i < rows; i++) {
    let best = 0;
    for (let j = 1; j < classes; j++) if (logits[i * classes + j] > logits[i * classes + best]) best = j;
    if (best === labels[i]) count++;
  }
  return count;
}
