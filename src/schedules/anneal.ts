import { Schedule, type JsonValue } from './schedule.js';
import { choice, finite, integer } from './validate.js';

// anneal(from, to, steps, shape): ravine's own, for what torch does by hand — the seeds' momentum
// annealing 0.5 → 0.9 — on any hyperparameter. A closed form in t (it ignores the current value), holding
// `to` exactly from step `steps` on:
//   linear: from + (to − from)·t/steps        cos: to + (from − to)·(1 + cos(πt/steps))/2
// (the cos shape is OneCycleLR's and SWALR's annealing).
class Anneal extends Schedule {
  readonly kind = 'anneal';

  constructor(
    readonly from: number,
    readonly to: number,
    readonly steps: number,
    readonly shape: 'linear' | 'cos',
  ) {
    super(from);
    this.begin(from);
  }

  #at(t: number): number {
    if (t >= this.steps) return this.to;
    if (this.shape === 'linear') return this.from + ((this.to - this.from) * t) / this.steps;
    return this.to + ((this.from - this.to) * (1 + Math.cos((Math.PI * t) / this.steps))) / 2;
  }

  protected first(): number {
    return this.#at(0);
  }

  protected next(_current: number, t: number): number {
    return this.#at(t);
  }

  protected jsonOptions(): { [key: string]: JsonValue } {
    return { from: this.from, to: this.to, steps: this.steps, shape: this.shape };
  }
}

/** Moves from `from` to `to` over `steps` steps (an integer >= 0), then holds `to`. */
export function anneal(from: number, to: number, steps: number, shape: 'linear' | 'cos' = 'linear'): Schedule {
  return new Anneal(
    finite('anneal', 'from', from),
    finite('anneal', 'to', to),
    integer('anneal', 'steps', steps, 0),
    choice('anneal', 'shape', shape, ['linear', 'cos'] as const),
  );
}
