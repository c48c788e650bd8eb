// The optimizers by minimize's method name: each row of the table (table.ts) with its class. minimize,
// ravine/tfjs, the torch exchange, the tests and bench/ read it rather than keeping lists of their own.
import { Adadelta } from './adadelta.js';
import { Adafactor } from './adafactor.js';
import { Adagrad } from './adagrad.js';
import { Adam, AdamW } from './adam.js';
import { Adamax } from './adamax.js';
import { ASGD } from './asgd.js';
import { Lion } from './lion.js';
import { Muon } from './muon.js';
import { NAdam } from './nadam.js';
import type { Optimizer } from './optimizer.js';
import { RAdam } from './radam.js';
import { RMSprop } from './rmsprop.js';
import { Rprop } from './rprop.js';
import { ScheduleFreeAdamW } from './scheduleFreeAdamW.js';
import { SGD } from './sgd.js';
import { optimizerTable, type FirstOrderMethod, type OptimizerRow } from './table.js';

export type { FirstOrderMethod, OptimizerRow } from './table.js';

type OptimizerClass = new (params: never, options?: never) => Optimizer<object>;

export interface OptimizerEntry extends OptimizerRow {
  readonly Class: OptimizerClass;
}

/** Every row's class: a row without one (or a class without a row) does not compile. */
const CLASSES: Record<FirstOrderMethod, unknown> = {
  sgd: SGD,
  adam: Adam,
  adamw: AdamW,
  rmsprop: RMSprop,
  adagrad: Adagrad,
  adadelta: Adadelta,
  adamax: Adamax,
  nadam: NAdam,
  radam: RAdam,
  rprop: Rprop,
  asgd: ASGD,
  lion: Lion,
  adafactor: Adafactor,
  muon: Muon,
  scheduleFreeAdamW: ScheduleFreeAdamW,
};

export const optimizerRegistry = Object.fromEntries(
  Object.entries(optimizerTable).map(([key, row]) => [key, { ...row, Class: CLASSES[key as FirstOrderMethod] as OptimizerClass }]),
) as { readonly [K in FirstOrderMethod]: (typeof optimizerTable)[K] & { readonly Class: OptimizerClass } };

/** The row and class of the optimizer torch calls `name` ('Adam'), if ravine has one. */
export function entryNamed(name: string): OptimizerEntry | undefined {
  return (Object.values(optimizerRegistry) as OptimizerEntry[]).find((e) => e.name === name);
}
