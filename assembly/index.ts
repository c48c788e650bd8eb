// The wasm ABI: byte offsets and counts in, nothing returned, nothing allocated.
export { sgd_f32 } from "./sgd";
export { adam_f32 } from "./adam";
export { rmsprop_f32 } from "./rmsprop";
export { adagrad_f32 } from "./adagrad";
export { adadelta_f32 } from "./adadelta";
export { adamax_f32 } from "./adamax";
export { nadam_f32 } from "./nadam";
export { radam_f32 } from "./radam";
export { rprop_f32 } from "./rprop";
export { asgd_f32 } from "./asgd";
export { lion_f32 } from "./lion";
export { scheduleFreeAdamW_f32 } from "./scheduleFreeAdamW";
export { stream_f32 } from "./stream";
export { gradNorm_f32, scaleGrads_f32, clampGrads_f32, accumulate_f32, prospectiveNorm_f32, diagnose_f32, updateNorm_f32 } from "./gradients";
export { average_f32, swapAveraged_f32 } from "./average";
export { matmul_f32, matmulTasks_f32, transpose_f32 } from "./matmul";
export { muon_f32, lerp_f32, sumSquares_f32, divide_f32, axpby_f32, muonApply_f32 } from "./muon";
export { sumSquares8_f32, adafactorRows_f32, adafactorCols_f32, adafactorUpdate_f32, adafactor_f32 } from "./adafactor";
export { toBfloat16_f32, fromBfloat16_f32 } from "./bfloat16";
export { dot_f64, axpy_f64, scale_f64, axpby_f64, waxpy_f64, matvec_f64, cholesky_f64, solve_lower_f64, solve_lower_transpose_f64 } from "./linalg";

/** First byte the kernels' own static data does not use: where the host's arena may begin. */
export function heap_base(): usize {
  return __heap_base;
}
