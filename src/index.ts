// ravine's public API. Everything a user imports comes from here; nothing else is public.
export { createRavine, Ravine, type RavineOptions } from './ravine.js';
export { Tensor } from './tensor.js';
export { simdSupported } from './backend/detect.js';
export type { BackendName } from './backend/kernels.js';
export type { WasmSource } from './backend/wasm.js';
export { Optimizer, type ParamGroup, type ParamGroupInput, type Params, type StateDict } from './optim/optimizer.js';
export { SGD, type SGDOptions } from './optim/sgd.js';
export { Adam, AdamW, type AdamOptions } from './optim/adam.js';
export { RMSprop, type RMSpropOptions } from './optim/rmsprop.js';
export { Adagrad, type AdagradOptions } from './optim/adagrad.js';
export { Adadelta, type AdadeltaOptions } from './optim/adadelta.js';
export { Adamax, type AdamaxOptions } from './optim/adamax.js';
export { NAdam, type NAdamOptions } from './optim/nadam.js';
export { RAdam, type RAdamOptions } from './optim/radam.js';
export { surfaces, type Problem, type Surface, type RavineSurfaceOptions, type RosenbrockOptions, type ValleyOptions } from './surfaces/index.js';
export { minimize } from './minimize/index.js';
export type { MinimizeOptions, MinimizeResult, IterationInfo, Method, SecondOrderMethod, FirstOrderMethod, LineSearch, Status } from './minimize/types.js';
export type { Evaluations } from './minimize/evaluator.js';
