// What a first-order optimizer is made of, besides its kernel: each subclass of Optimizer hands its
// constructor one OptimizerSpec, and the base class does the rest (groups, state, checkpoints).

/** A state buffer: one float per parameter, named after torch's state key in camelCase. */
export interface StateBuffer {
  readonly name: string;
  readonly fill: number;
}

/** What makes an optimizer: its defaults, its checks, its state. The math lives in its kernel. */
export interface OptimizerSpec<O> {
  readonly name: string;
  readonly defaults: Readonly<O>;
  /** Throws a TypeError/RangeError naming the option and its value. */
  check(where: string, o: O): void;
  /** The state buffers these options need. */
  stateBuffers(o: O): StateBuffer[];
  /**
   * Buffers some options need and others do not (SGD's momentumBuffer, Adam's maxExpAvgSq): kept, and
   * saved, after an option change stops using them, so a checkpoint may carry them (filled with 0).
   */
  readonly optionalBuffers?: readonly string[];
  /**
   * A number that changes exactly when `stateBuffers(o)` would change (e.g. amsgrad on/off), so that
   * step() asks for the buffer list only after such an option change. Omitted: the list never changes.
   */
  stateKey?(o: O): number;
  /** The kernel's scalar block slots by name (its `<Name>Scalar` table): errors name a non-finite one. */
  readonly slots: Readonly<Record<string, number>>;
  /**
   * The slots that can overflow float32 though every option is finite in float32: products and quotients
   * of options and of step-dependent terms (Adam's lr / biasCorrection1, 1 − lr·weightDecay). step()
   * checks these before any kernel runs. The others are options as they are, their negations, 1 − an
   * option in [0, 1], or quantities bounded by one (a bias correction, lr/(1 + (t−1)·lrDecay) ≤ lr):
   * finite whenever the options are, which `check` has established. test/redteam.round2.test.ts steps
   * every optimizer with options at float32's extremes to keep this list honest.
   */
  readonly derivedSlots: readonly number[];
  /**
   * The shape of buffer `name` for a tensor of shape `shape`, when it is not the tensor's: Adafactor keeps
   * a row and a column factor for a matrix and a full variance for a vector (null: none for this tensor).
   */
  stateShape?(name: string, shape: readonly number[]): readonly number[] | null;
  /** Per-group scalar state with its initial value (NAdam's muProduct). */
  readonly scalars?: Readonly<Record<string, number>>;
}
