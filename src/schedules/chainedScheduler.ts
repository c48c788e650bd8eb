import { Schedule, type JsonValue, type ScheduleJSON } from './schedule.js';
import { adopt, children } from './children.js';
import { readOptions } from './validate.js';

export interface ChainedSchedulerOptions {
  /** Applied in order to one shared value each step; the first one's `base` is the chain's. The chain owns them. */
  schedulers: Schedule[];
}

// torch.optim.lr_scheduler.ChainedScheduler: every scheduler steps, in order, each reading the group's
// lr the previous one wrote — so chainable schedules multiply their effects (ConstantLR · ExponentialLR)
// while a closed-form one (LambdaLR, OneCycleLR, ...) overwrites what came before it. In torch the
// schedulers were built one after another on the same optimizer, each construction step applied to the
// lr the previous left; the chain replays those construction steps in list order. Each schedule keeps its
// own `base` where torch's share the group's initial_lr: give them the same one to reproduce torch.
class ChainedScheduler extends Schedule {
  readonly kind = 'chainedScheduler';
  readonly schedulers: readonly Schedule[];

  constructor(schedulers: readonly Schedule[]) {
    super(schedulers[0].base);
    this.schedulers = schedulers;
    this.begin(this.base);
  }

  /** @internal */
  override checkStep(): void {
    for (const s of this.schedulers) s.checkStep();
  }

  protected first(current: number): number {
    let value = current;
    for (const s of this.schedulers) {
      s.begin(value);
      value = s.value;
    }
    return value;
  }

  protected next(current: number): number {
    let value = current;
    for (const s of this.schedulers) value = s.step(value);
    return value;
  }

  protected jsonOptions(): { [key: string]: JsonValue } {
    return {};
  }

  override toJSON(): ScheduleJSON {
    return { ...super.toJSON(), schedulers: this.schedulers.map((s) => s.toJSON()) };
  }
}

export function chainedScheduler(options: ChainedSchedulerOptions): Schedule {
  const o = readOptions('chainedScheduler', options, ['schedulers']);
  const schedulers = children('chainedScheduler', o.schedulers, []);
  const chain = new ChainedScheduler(schedulers);
  adopt(schedulers);
  return chain;
}
