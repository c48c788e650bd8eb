// The one table of ravine's first-order optimizers: the API's classes, minimize's method names, the
// kernel each steps with and the state keys it keeps. minimize, the tests and bench/ read it rather
// than keeping lists of their own; a new optimizer is one row here.
import { Adadelta } from './adadelta.js';
import { Adagrad } from './adagrad.js';
import { Adam, AdamW } from './adam.js';
import { Adamax } from './adamax.js';
import { ASGD } from './asgd.js';
import { NAdam } from './nadam.js';
import type { Optimizer } from './optimizer.js';
import { RAdam } from './radam.js';
import { RMSprop } from './rmsprop.js';
import { Rprop } from './rprop.js';
import { SGD } from './sgd.js';

export interface OptimizerEntry {
  /** torch's class name, and ravine's. */
  readonly name: string;
  readonly Class: new (params: never, options?: never) => Optimizer<object>;
  /** The wasm export (and its JS mirror) that steps a group. */
  readonly kernel: string;
  /** Every state buffer it may keep, torch's keys in camelCase (some only with an option on). */
  readonly stateKeys: readonly string[];
  /** Per-group scalar state torch keeps per tensor as a 0-dim float32 tensor (NAdam's muProduct, ASGD's eta and mu). */
  readonly scalarKeys: readonly string[];
}

const entry = (name: string, Class: unknown, kernel: string, stateKeys: string[], scalarKeys: string[] = []): OptimizerEntry =>
  ({ name, Class: Class as OptimizerEntry['Class'], kernel, stateKeys, scalarKeys });

/** Keyed by minimize's method name. */
export const optimizerRegistry = {
  sgd: entry('SGD', SGD, 'sgd_f32', ['momentumBuffer']),
  adam: entry('Adam', Adam, 'adam_f32', ['expAvg', 'expAvgSq', 'maxExpAvgSq']),
  adamw: entry('AdamW', AdamW, 'adam_f32', ['expAvg', 'expAvgSq', 'maxExpAvgSq']),
  rmsprop: entry('RMSprop', RMSprop, 'rmsprop_f32', ['squareAvg', 'gradAvg', 'momentumBuffer']),
  adagrad: entry('Adagrad', Adagrad, 'adagrad_f32', ['sum']),
  adadelta: entry('Adadelta', Adadelta, 'adadelta_f32', ['squareAvg', 'accDelta']),
  adamax: entry('Adamax', Adamax, 'adamax_f32', ['expAvg', 'expInf']),
  nadam: entry('NAdam', NAdam, 'nadam_f32', ['expAvg', 'expAvgSq'], ['muProduct']),
  radam: entry('RAdam', RAdam, 'radam_f32', ['expAvg', 'expAvgSq']),
  rprop: entry('Rprop', Rprop, 'rprop_f32', ['prev', 'stepSize']),
  asgd: entry('ASGD', ASGD, 'asgd_f32', ['ax'], ['eta', 'mu']),
} as const satisfies Record<string, OptimizerEntry>;

export type FirstOrderMethod = keyof typeof optimizerRegistry;
