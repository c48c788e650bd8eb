// A multilayer perceptron, inputs → hidden (ReLU) → classes, trained on softmax cross-entropy. Its
// weights and biases are ravine tensors; the backward pass adds the gradients into their .grad views as
// torch's backward adds into .grad, so a training step is zeroGrad(), lossAndGradient(), step().
import type { Ravine, Tensor } from 'ravine';
import { correct, crossEntropy } from './crossEntropy.js';
import type { Digits } from './data.js';
import type { Products } from './matmul.js';
import { normal, seededRandom } from './random.js';

export interface Layers {
  inputs: number;
  hidden: number;
  classes: number;
}

/** Values of the four tensors: w1 is inputs×hidden and w2 hidden×classes, row-major (x·W, as torch's x·Wᵀ with W stored transposed). */
export interface Weights {
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
}

/**
 * Seeded initial weights: He et al. (2015), N(0, 2/fan-in), for the layer that feeds a ReLU, LeCun's
 * N(0, 1/fan-in) for the one that feeds the softmax; zero biases.
 */
export function initialWeights({ inputs, hidden, classes }: Layers, seed: number): Weights {
  const random = seededRandom(seed);
  const gaussian = (length: number, variance: number) => Float32Array.from({ length }, () => normal(random) * Math.sqrt(variance));
  return {
    w1: gaussian(inputs * hidden, 2 / inputs),
    b1: new Float32Array(hidden),
    w2: gaussian(hidden * classes, 1 / hidden),
    b2: new Float32Array(classes),
  };
}

export class Mlp {
  readonly w1: Tensor;
  readonly b1: Tensor;
  readonly w2: Tensor;
  readonly b2: Tensor;
  /** Activations and their gradients for up to `maxRows` examples at once. */
  readonly #hidden: Float32Array;
  readonly #logits: Float32Array;
  readonly #hiddenGradient: Float32Array;
  readonly #logitsGradient: Float32Array;

  constructor(
    rv: Ravine,
    readonly layers: Layers,
    initial: Weights,
    readonly maxRows: number,
    readonly products: Products,
  ) {
    // Shapes as the values are laid out (inputs×hidden, hidden×classes): Muon orthogonalizes w1 as that matrix.
    this.w1 = rv.tensor('w1', initial.w1, { shape: [layers.inputs, layers.hidden] });
    this.b1 = rv.tensor('b1', initial.b1);
    this.w2 = rv.tensor('w2', initial.w2, { shape: [layers.hidden, layers.classes] });
    this.b2 = rv.tensor('b2', initial.b2);
    this.#hidden = new Float32Array(maxRows * layers.hidden);
    this.#hiddenGradient = new Float32Array(maxRows * layers.hidden);
    this.#logits = new Float32Array(maxRows * layers.classes);
    this.#logitsGradient = new Float32Array(maxRows * layers.classes);
  }

  get parameters(): Tensor[] {
    return [this.w1, this.b1, this.w2, this.b2];
  }

  /** The weight matrices that feed a hidden layer (here w1 alone): what the speedruns give Muon. */
  get hiddenWeights(): Tensor[] {
    return [this.w1];
  }

  /** The mean loss of `rows` examples (`x` row-major, `inputs` wide); adds its gradient into each tensor's .grad. */
  lossAndGradient(x: Float32Array, labels: Uint8Array, rows: number): number {
    const { inputs, hidden, classes } = this.layers;
    const { h, z } = this.#forward(x, rows);
    const dz = this.#logitsGradient.subarray(0, rows * classes),
      dh = this.#hiddenGradient.subarray(0, rows * hidden);
    const loss = crossEntropy(z, labels, rows, classes, dz);
    this.products.addMulATB(this.w2.grad, h, dz, rows, hidden, classes);
    addColumnSums(this.b2.grad, dz, rows, classes);
    dh.fill(0);
    this.products.addMulABT(dh, dz, this.w2.data, rows, hidden, classes);
    for (let i = 0; i < dh.length; i++) if (h[i] === 0) dh[i] = 0; // ReLU passes the gradient where it passed the input
    this.products.addMulATB(this.w1.grad, x, dh, rows, inputs, hidden);
    addColumnSums(this.b1.grad, dh, rows, hidden);
    return loss;
  }

  /** Mean loss and accuracy over `digits`, `maxRows` at a time, gradients untouched. */
  evaluate(digits: Digits): { loss: number; accuracy: number } {
    const { inputs, classes } = this.layers;
    let loss = 0,
      right = 0;
    for (let start = 0; start < digits.count; start += this.maxRows) {
      const rows = Math.min(this.maxRows, digits.count - start);
      const labels = digits.labels.subarray(start, start + rows);
      const { z } = this.#forward(digits.images.subarray(start * inputs, (start + rows) * inputs), rows);
      loss += crossEntropy(z, labels, rows, classes) * rows;
      right += correct(z, labels, rows, classes);
    }
    return { loss: loss / digits.count, accuracy: right / digits.count };
  }

  dispose(): void {
    for (const t of this.parameters) t.dispose();
  }

  /** h = relu(x·W1 + b1), z = h·W2 + b2, for the first `rows` rows of the scratch arrays. */
  #forward(x: Float32Array, rows: number): { h: Float32Array; z: Float32Array } {
    const { inputs, hidden, classes } = this.layers;
    const h = this.#hidden.subarray(0, rows * hidden),
      z = this.#logits.subarray(0, rows * classes);
    fillRows(h, this.b1.data, rows);
    this.products.addMulAB(h, x, this.w1.data, rows, inputs, hidden);
    for (let i = 0; i < h.length; i++) if (h[i] < 0) h[i] = 0;
    fillRows(z, this.b2.data, rows);
    this.products.addMulAB(z, h, this.w2.data, rows, hidden, classes);
    return { h, z };
  }
}

/** Each of the `rows` rows of `out` set to `row`. */
function fillRows(out: Float32Array, row: Float32Array, rows: number): void {
  for (let i = 0; i < rows; i++) out.set(row, i * row.length);
}

/** out[j] += Σ_i a[i][j], over `rows` rows `width` wide. */
function addColumnSums(out: Float32Array, a: Float32Array, rows: number, width: number): void {
  for (let i = 0; i < rows; i++) for (let j = 0; j < width; j++) out[j] += a[i * width + j];
}
