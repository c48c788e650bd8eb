import { describe } from '../describe.js';
import { Schedule, type JsonValue } from './schedule.js';
import { finite, integer, readOptions } from './validate.js';

export interface MultiStepLROptions {
  /** The value before the first step: torch's initial lr. */
  base: number;
  /** Steps (integers >= 0) at which the value is multiplied by `gamma`; a step listed twice multiplies twice. */
  milestones: number[];
  /** Default 0.1. */
  gamma?: number;
}

// torch.optim.lr_scheduler.MultiStepLR, chainable: milestones are a Counter, so at step t the group's
// value is multiplied by γ^(times t is listed). Order does not matter, as in torch.
class MultiStepLR extends Schedule {
  readonly kind = 'multiStepLR';
  readonly #counts = new Map<number, number>();

  constructor(
    base: number,
    readonly milestones: readonly number[],
    readonly gamma: number,
  ) {
    super(base);
    for (const m of milestones) this.#counts.set(m, (this.#counts.get(m) ?? 0) + 1);
    this.begin(base);
  }

  protected first(current: number): number {
    return this.next(current, 0);
  }

  // Closed form base · γ^bisect_right(sorted milestones, 0): only milestones at 0 count.
  protected override atZero(): number {
    const passed = this.#counts.get(0) ?? 0;
    return this.base * this.gamma ** passed;
  }

  protected next(current: number, t: number): number {
    const count = this.#counts.get(t);
    return count === undefined ? current : current * this.gamma ** count;
  }

  protected jsonOptions(): { [key: string]: JsonValue } {
    return { base: this.base, milestones: [...this.milestones], gamma: this.gamma };
  }
}

export function multiStepLR(options: MultiStepLROptions): Schedule {
  const o = readOptions('multiStepLR', options, ['base', 'milestones', 'gamma']);
  const base = finite('multiStepLR', 'base', o.base);
  if (!Array.isArray(o.milestones)) throw new TypeError(`multiStepLR: option milestones must be an array of integers, got ${describe(o.milestones)}`);
  const milestones = o.milestones.map((m: unknown, i) => integer('multiStepLR', `milestones[${i}]`, m, 0));
  return new MultiStepLR(base, milestones, finite('multiStepLR', 'gamma', o.gamma ?? 0.1));
}
