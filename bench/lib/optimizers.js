// The table that drives every suite: one row per optimizer, with the options every implementation
// uses and the memory traffic of one update (f32 streams read and written per parameter), which sizes
// the bandwidth bound. Each is its row of the library's optimizer table (src/optim/table.ts: `bench`),
// with its class from the registry, as minimize's and the tests' are.
import { optimizerRegistry } from '../../dist/optim/registry.js';

export const OPTIMIZERS = Object.fromEntries(
  Object.entries(optimizerRegistry).map(([key, entry]) => [
    key,
    {
      label: entry.bench.label,
      Ravine: entry.Class,
      options: entry.bench.options,
      reads: entry.bench.reads,
      writes: entry.bench.writes,
      perTensor: entry.perTensor === true,
      testShape: entry.testShape,
    },
  ]),
);

/** A kernel per group, replayable by the bare kernel loop: not Muon's or Adafactor's, whose host works between per-tensor kernels. */
export const groupKernel = (key) => !OPTIMIZERS[key].perTensor;

/** Bytes one update moves per parameter. */
export const bytesPerParam = (key) => 4 * (OPTIMIZERS[key].reads + OPTIMIZERS[key].writes);
