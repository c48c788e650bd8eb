// The control block the calling thread and ravine's workers share (in the heap, allocated once per
// context): Int32 words for the handshake, then the job's arguments as float64, then the first error's
// message. A job is one kernel call split by a group's plan: `plan` is the byte offset of T pairs of
// u32 (segment table, count), one per thread, the calling thread's first.
export const CONTROL = {
  /** Int32 words before the arguments. */
  words: 16,
  /** Bumped by the calling thread to post a job: workers wait on it. */
  seq: 0,
  /** Workers still running the job: the last one to finish notifies the calling thread. */
  remaining: 1,
  /** Index of the kernel in the names the workers were started with. */
  kernel: 2,
  argc: 3,
  plan: 4,
  /** Which argument is the segment count (the segment table is argument 0). */
  countIndex: 5,
  /** 0, or 1 + the index of the first thread whose slice threw. */
  error: 6,
  /** Non-zero: the workers return (dispose). */
  stop: 7,
  messageLength: 8,
  /** Tests: the worker of this index throws at its next job. */
  failIndex: 9,
  /** How long a worker polls for the next job after one, before it sleeps (ms). */
  pollMs: 0.1,
  argsByte: 64,
  maxArgs: 12,
  messageByte: 160,
  messageBytes: 352,
  bytes: 512,
} as const;
