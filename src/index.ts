// ravine's public API. Everything a user imports comes from here; nothing else is public.
export { createRavine, Ravine, type RavineOptions, type TensorOptions } from './ravine.js';
export { Tensor } from './tensor.js';
export { simdSupported } from './backend/detect.js';
export type { BackendName } from './backend/kernels.js';
export { WasmLoadError, type UrlLike, type WasmSource } from './backend/source.js';
export { ThreadError } from './backend/threadError.js';
export { Optimizer } from './optim/optimizer.js';
export type { ParamGroup, ParamGroupInput, Params, Drivable, OptionsInput } from './optim/paramGroups.js';
export type { StateDict } from './optim/stateDict.js';
export { encodeCheckpoint, decodeCheckpoint } from './checkpoint/binary.js';
export { exportSafetensors, importSafetensors } from './checkpoint/torch.js';
export type { ScheduleDriver } from './optim/drivers.js';
export type { TrainingOptions, Training, Diagnostics, ClipGradNormOptions, NormType } from './optim/training.js';
export { clipGradNorm, clipGradValue } from './optim/clip.js';
export { SGD, type SGDOptions } from './optim/sgd.js';
export { Adam, AdamW, type AdamOptions } from './optim/adam.js';
export { RMSprop, type RMSpropOptions } from './optim/rmsprop.js';
export { Adagrad, type AdagradOptions } from './optim/adagrad.js';
export { Adadelta, type AdadeltaOptions } from './optim/adadelta.js';
export { Adamax, type AdamaxOptions } from './optim/adamax.js';
export { NAdam, type NAdamOptions } from './optim/nadam.js';
export { RAdam, type RAdamOptions } from './optim/radam.js';
export { Rprop, type RpropOptions } from './optim/rprop.js';
export { ASGD, type ASGDOptions } from './optim/asgd.js';
export { Lion, type LionOptions } from './optim/lion.js';
export { Muon, type MuonOptions } from './optim/muon.js';
export { Adafactor, type AdafactorOptions } from './optim/adafactor.js';
export { ScheduleFreeAdamW, type ScheduleFreeAdamWOptions } from './optim/scheduleFreeAdamW.js';
export { surfaces, type Problem, type Surface, type RavineSurfaceOptions, type RosenbrockOptions, type ValleyOptions } from './surfaces/index.js';
export { minimize } from './minimize/index.js';
export type { MinimizeOptions, MinimizeResult, IterationInfo, Method, SecondOrderMethod, FirstOrderMethod, LineSearch, Status } from './minimize/types.js';
export type { Evaluations } from './minimize/evaluator.js';
export { LBFGS } from './optim/lbfgs.js';
export type { LBFGSOptions } from './optim/lbfgsOptions.js';
export type { LBFGSStateDict, LBFGSTensorState, LBFGSRunState } from './optim/lbfgsState.js';
export { AveragedParams, type AveragingOptions, type AveragingMode, type AveragedTensors, type AveragedStateDict } from './optim/averaging.js';
export {
  Schedule,
  ReduceLROnPlateau,
  lambdaLR,
  multiplicativeLR,
  stepLR,
  multiStepLR,
  constantLR,
  linearLR,
  exponentialLR,
  polynomialLR,
  cosineAnnealingLR,
  cosineAnnealingWarmRestarts,
  cyclicLR,
  oneCycleLR,
  sequentialLR,
  chainedScheduler,
  reduceLROnPlateau,
  anneal,
  swaLR,
  scheduleFromJSON,
  type ScheduleJSON,
  type ScheduleKind,
  type ScheduleFunctions,
  type JsonValue,
  type LrLambda,
  type ScaleFn,
  type LambdaLROptions,
  type MultiplicativeLROptions,
  type StepLROptions,
  type MultiStepLROptions,
  type ConstantLROptions,
  type LinearLROptions,
  type ExponentialLROptions,
  type PolynomialLROptions,
  type CosineAnnealingLROptions,
  type CosineAnnealingWarmRestartsOptions,
  type CyclicLROptions,
  type CyclicSchedules,
  type OneCycleLROptions,
  type OneCycleSchedules,
  type SequentialLROptions,
  type ChainedSchedulerOptions,
  type ReduceLROnPlateauOptions,
  type SWALROptions,
} from './schedules/index.js';
