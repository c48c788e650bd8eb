// ravine/tfjs: ravine's optimizers as TF.js optimizers, for model.compile({ optimizer }), model.fit and
// optimizer.minimize. TF.js (@tensorflow/tfjs-core 4, or @tensorflow/tfjs which contains it) is an
// optional peer dependency: only this entry point imports it.
import type { FirstOrderMethod } from '../optim/registry.js';
import type { OptionsInput } from '../optim/paramGroups.js';
import type { TrainingOptions } from '../optim/training.js';
import type { SGDOptions } from '../optim/sgd.js';
import type { AdamOptions } from '../optim/adam.js';
import type { RMSpropOptions } from '../optim/rmsprop.js';
import type { AdagradOptions } from '../optim/adagrad.js';
import type { AdadeltaOptions } from '../optim/adadelta.js';
import type { AdamaxOptions } from '../optim/adamax.js';
import type { NAdamOptions } from '../optim/nadam.js';
import type { RAdamOptions } from '../optim/radam.js';
import type { RpropOptions } from '../optim/rprop.js';
import type { ASGDOptions } from '../optim/asgd.js';
import type { LionOptions } from '../optim/lion.js';
import type { AdafactorOptions } from '../optim/adafactor.js';
import type { MuonOptions } from '../optim/muon.js';
import type { ScheduleFreeAdamWOptions } from '../optim/scheduleFreeAdamW.js';
import type { Ravine } from '../ravine.js';
import { RavineTfjsOptimizer } from './optimizer.js';

export { RavineTfjsOptimizer, type TfjsStateDict } from './optimizer.js';

/** Any of ravine's first-order optimizers by minimize's method name ('adam', 'sgd', 'nadam', ...). */
export function ravineOptimizer(rv: Ravine, method: FirstOrderMethod, options?: object, training?: TrainingOptions): RavineTfjsOptimizer {
  return new RavineTfjsOptimizer(rv, method, options, training);
}

export const ravineSGD = (rv: Ravine, options?: OptionsInput<SGDOptions>, training?: TrainingOptions) =>
  new RavineTfjsOptimizer<SGDOptions>(rv, 'sgd', options, training);
export const ravineAdam = (rv: Ravine, options?: OptionsInput<AdamOptions>, training?: TrainingOptions) =>
  new RavineTfjsOptimizer<AdamOptions>(rv, 'adam', options, training);
export const ravineAdamW = (rv: Ravine, options?: OptionsInput<AdamOptions>, training?: TrainingOptions) =>
  new RavineTfjsOptimizer<AdamOptions>(rv, 'adamw', options, training);
export const ravineRMSprop = (rv: Ravine, options?: OptionsInput<RMSpropOptions>, training?: TrainingOptions) =>
  new RavineTfjsOptimizer<RMSpropOptions>(rv, 'rmsprop', options, training);
export const ravineAdagrad = (rv: Ravine, options?: OptionsInput<AdagradOptions>, training?: TrainingOptions) =>
  new RavineTfjsOptimizer<AdagradOptions>(rv, 'adagrad', options, training);
export const ravineAdadelta = (rv: Ravine, options?: OptionsInput<AdadeltaOptions>, training?: TrainingOptions) =>
  new RavineTfjsOptimizer<AdadeltaOptions>(rv, 'adadelta', options, training);
export const ravineAdamax = (rv: Ravine, options?: OptionsInput<AdamaxOptions>, training?: TrainingOptions) =>
  new RavineTfjsOptimizer<AdamaxOptions>(rv, 'adamax', options, training);
export const ravineNAdam = (rv: Ravine, options?: OptionsInput<NAdamOptions>, training?: TrainingOptions) =>
  new RavineTfjsOptimizer<NAdamOptions>(rv, 'nadam', options, training);
export const ravineRAdam = (rv: Ravine, options?: OptionsInput<RAdamOptions>, training?: TrainingOptions) =>
  new RavineTfjsOptimizer<RAdamOptions>(rv, 'radam', options, training);
export const ravineRprop = (rv: Ravine, options?: OptionsInput<RpropOptions>, training?: TrainingOptions) =>
  new RavineTfjsOptimizer<RpropOptions>(rv, 'rprop', options, training);
export const ravineASGD = (rv: Ravine, options?: OptionsInput<ASGDOptions>, training?: TrainingOptions) =>
  new RavineTfjsOptimizer<ASGDOptions>(rv, 'asgd', options, training);
export const ravineLion = (rv: Ravine, options?: OptionsInput<LionOptions>, training?: TrainingOptions) =>
  new RavineTfjsOptimizer<LionOptions>(rv, 'lion', options, training);
export const ravineAdafactor = (rv: Ravine, options?: OptionsInput<AdafactorOptions>, training?: TrainingOptions) =>
  new RavineTfjsOptimizer<AdafactorOptions>(rv, 'adafactor', options, training);
export const ravineMuon = (rv: Ravine, options?: OptionsInput<MuonOptions>, training?: TrainingOptions) =>
  new RavineTfjsOptimizer<MuonOptions>(rv, 'muon', options, training);
export const ravineScheduleFreeAdamW = (rv: Ravine, options?: OptionsInput<ScheduleFreeAdamWOptions>, training?: TrainingOptions) =>
  new RavineTfjsOptimizer<ScheduleFreeAdamWOptions>(rv, 'scheduleFreeAdamW', options, training);
