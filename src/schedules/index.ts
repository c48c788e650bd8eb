// The schedule library's export list: one factory per torch 1.13 lr_scheduler class and swa_utils'
// SWALR, anneal, the plateau controller, and the JSON round trip.
export { Schedule, type ScheduleJSON, type ScheduleKind, type JsonValue } from './schedule.js';
export { lambdaLR, type LambdaLROptions, type LrLambda } from './lambdaLR.js';
export { multiplicativeLR, type MultiplicativeLROptions } from './multiplicativeLR.js';
export { stepLR, type StepLROptions } from './stepLR.js';
export { multiStepLR, type MultiStepLROptions } from './multiStepLR.js';
export { constantLR, type ConstantLROptions } from './constantLR.js';
export { linearLR, type LinearLROptions } from './linearLR.js';
export { exponentialLR, type ExponentialLROptions } from './exponentialLR.js';
export { polynomialLR, type PolynomialLROptions } from './polynomialLR.js';
export { cosineAnnealingLR, type CosineAnnealingLROptions } from './cosineAnnealingLR.js';
export { cosineAnnealingWarmRestarts, type CosineAnnealingWarmRestartsOptions } from './cosineAnnealingWarmRestarts.js';
export { cyclicLR, type CyclicLROptions, type CyclicSchedules, type ScaleFn } from './cyclicLR.js';
export { oneCycleLR, type OneCycleLROptions, type OneCycleSchedules } from './oneCycleLR.js';
export { sequentialLR, type SequentialLROptions } from './sequentialLR.js';
export { chainedScheduler, type ChainedSchedulerOptions } from './chainedScheduler.js';
export { anneal } from './anneal.js';
export { swaLR, type SWALROptions } from './swaLR.js';
export { ReduceLROnPlateau, reduceLROnPlateau, type ReduceLROnPlateauOptions } from './reduceLROnPlateau.js';
export { scheduleFromJSON, type ScheduleFunctions } from './fromJSON.js';
