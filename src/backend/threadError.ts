/** Why a context's worker threads cannot be used any more (a worker failed, exited or stalled): every later step throws it. */
export class ThreadError extends Error {
  override name = 'ThreadError';
}
