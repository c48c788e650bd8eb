// The JS mirrors, one per file under the same names as assembly/index.ts exports.
export { sgd_f32 } from './sgd.js';
export { adam_f32 } from './adam.js';
export { rmsprop_f32 } from './rmsprop.js';
export { adagrad_f32 } from './adagrad.js';
export { adadelta_f32 } from './adadelta.js';
export { adamax_f32 } from './adamax.js';
export { nadam_f32 } from './nadam.js';
export { radam_f32 } from './radam.js';
export { rprop_f32 } from './rprop.js';
export { asgd_f32 } from './asgd.js';
export { lion_f32 } from './lion.js';
export { scheduleFreeAdamW_f32 } from './scheduleFreeAdamW.js';
export { stream_f32 } from './stream.js';
export { gradNorm_f32, scaleGrads_f32, clampGrads_f32, accumulate_f32, prospectiveNorm_f32, diagnose_f32, updateNorm_f32 } from './gradients.js';
export { average_f32, swapAveraged_f32 } from './average.js';
export { matmul_f32, transpose_f32 } from './matmul.js';
export { muon_f32, lerp_f32, sumSquares_f32, divide_f32, axpby_f32, muonApply_f32 } from './muon.js';
export { dot_f64, axpy_f64, scale_f64, axpby_f64, waxpy_f64, matvec_f64, cholesky_f64, solve_lower_f64, solve_lower_transpose_f64 } from './linalg.js';
