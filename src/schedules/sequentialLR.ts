import { describe } from '../describe.js';
import { Schedule, type JsonValue, type ScheduleJSON } from './schedule.js';
import { adopt, children } from './children.js';
import { readOptions } from './validate.js';

export interface SequentialLROptions {
  /** Run one after another; the first one's `base` is this schedule's. The sequence owns them from now on. */
  schedulers: Schedule[];
  /** Steps (strictly increasing integers >= 1) at which the next schedule takes over; one fewer than schedulers. */
  milestones: number[];
}

// torch.optim.lr_scheduler.SequentialLR (1.13, after the initialisation fix of pytorch#72856), quirks
// reproduced:
// - Construction restarts the first schedule from its base, whatever the others did (torch resets the
//   group's lr to initial_lr and re-runs only the first scheduler's construction step).
// - At a milestone the incoming schedule restarts through the deprecated `step(0)`: its closed form at
//   step 0 from its own base where torch has one (StepLR, ExponentialLR, CosineAnnealingLR, ...: not the
//   value the previous schedule left), else its `get_lr()` at 0 (MultiplicativeLR keeps the current value).
// - Only the active schedule steps; the others stand still.
// - Each schedule restarts from its own `base`; torch's all share the group's initial_lr, so give them the
//   same base to reproduce torch. Inside a chainedScheduler, construction still restarts from that base,
//   dropping what earlier schedules in the chain did (torch's reset to initial_lr).
// - torch 1.13 cannot nest SequentialLR or ChainedScheduler inside a SequentialLR (no `last_epoch`, no
//   `step(0)`), so this refuses them; unsorted or zero milestones, which torch takes and mishandles
//   (bisect_right on an unsorted list; a milestone at 0 never fires), are refused too.
class SequentialLR extends Schedule {
  readonly kind = 'sequentialLR';
  readonly schedulers: readonly Schedule[];
  readonly milestones: readonly number[];

  constructor(schedulers: readonly Schedule[], milestones: readonly number[]) {
    super(schedulers[0].base);
    this.schedulers = schedulers;
    this.milestones = milestones;
    this.begin(this.base);
  }

  /** Index of the schedule in charge at step t: bisect_right(milestones, t). */
  #active(t: number): number {
    let i = 0;
    while (i < this.milestones.length && this.milestones[i] <= t) i++;
    return i;
  }

  /** @internal */
  override checkStep(): void {
    const t = this.t + 1;
    const i = this.#active(t);
    if (!(i > 0 && this.milestones[i - 1] === t)) this.schedulers[i].checkStep();
  }

  protected first(): number {
    const head = this.schedulers[0];
    head.begin(this.base);
    return head.value;
  }

  protected next(current: number, t: number): number {
    const i = this.#active(t);
    const schedule = this.schedulers[i];
    if (i > 0 && this.milestones[i - 1] === t) schedule.restart(current);
    else schedule.step(current);
    return schedule.value;
  }

  protected jsonOptions(): { [key: string]: JsonValue } {
    return { milestones: [...this.milestones] };
  }

  override toJSON(): ScheduleJSON {
    return { ...super.toJSON(), schedulers: this.schedulers.map((s) => s.toJSON()) };
  }
}

export function sequentialLR(options: SequentialLROptions): Schedule {
  const where = 'sequentialLR';
  const o = readOptions(where, options, ['schedulers', 'milestones']);
  const schedulers = children(where, o.schedulers, ['sequentialLR', 'chainedScheduler']);
  if (!Array.isArray(o.milestones)) throw new TypeError(`${where}: option milestones must be an array of integers, got ${describe(o.milestones)}`);
  if (o.milestones.length !== schedulers.length - 1) {
    throw new RangeError(
      `${where}: ${schedulers.length} schedulers need ${schedulers.length - 1} milestones, got ${o.milestones.length}: ${describe(o.milestones)}`,
    );
  }
  o.milestones.forEach((m: unknown, i) => {
    const previous = i === 0 ? 0 : (o.milestones as number[])[i - 1];
    if (typeof m !== 'number') throw new TypeError(`${where}: option milestones[${i}] must be a number, got ${describe(m)}`);
    if (!(Number.isSafeInteger(m) && m > previous))
      throw new RangeError(`${where}: invalid milestones[${i}] = ${describe(m)}: must be an integer > ${previous} (milestones strictly increase from 1)`);
  });
  const sequence = new SequentialLR(schedulers, [...(o.milestones as number[])]);
  adopt(schedulers);
  return sequence;
}
