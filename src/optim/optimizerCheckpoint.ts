import { residuesAsZero } from './drivers.js';
import type { GroupSchedules } from './groupSchedules.js';
import type { Groups } from './groups.js';
import type { OptimizerSpec } from './optimizerSpec.js';
import { cloneOptions, mergeOptions } from './paramGroups.js';
import { readCheckpoint, restoreState, savedEntry, type StateDict } from './stateDict.js';
import { stateToJson } from './stateJson.js';
import type { TrainingRun } from './trainingRun.js';

// A first-order optimizer's stateDict() and loadStateDict(), over the parts it holds: its groups and their
// memory, the schedules driving their options, its training run. The checks of a saved dict, and what
// they hand back, are stateDict.ts's.

/** What an Optimizer hands these: its parts. */
export interface OptimizerParts<O extends object> {
  readonly spec: OptimizerSpec<O>;
  readonly groups: Groups<O>;
  readonly schedules: GroupSchedules;
  readonly run: TrainingRun;
  /** step() calls so far. */
  readonly calls: number;
}

/** The state dict of an optimizer made of `parts` (see Optimizer.stateDict). */
export function saveOptimizer<O extends object>(parts: OptimizerParts<O>): StateDict {
  const { groups, schedules } = parts;
  // Keyed by tensor name with no prototype: a tensor named '__proto__' is an entry like any other.
  const state: Record<string, Record<string, number | Float32Array | null>> = Object.create(null);
  const paramGroups = groups.list.map((group, i) => {
    const m = groups.memory[i];
    group.params.forEach((t, k) => {
      state[t.name] = savedEntry(m, k);
    });
    const saved = schedules.saved(i); // takes the schedules assigned since the last step first
    return { ...cloneOptions(group as O), params: group.params.map((t) => t.name), ...(saved && { schedules: saved }) };
  });
  const training = parts.run.saved(parts.calls);
  // Shapes only for tensors made with a shape of their own (not one dimension): a flat tensor's dict is as it was.
  const shaped = groups.list.flatMap((g) => g.params.filter((t) => t.shape.length !== 1).map((t) => [t.name, [...t.shape]] as const));
  const dict: StateDict = {
    format: 'ravine/optimizer',
    version: 2,
    optimizer: parts.spec.name,
    paramGroups,
    state,
    ...(shaped.length > 0 && { shapes: Object.fromEntries(shaped) }),
    training,
  };
  // Not enumerable: a spread or structuredClone of the dict keeps its Float32Arrays and drops this.
  Object.defineProperty(dict, 'toJSON', { value: () => stateToJson({ ...dict }), enumerable: false });
  return dict;
}

/**
 * Loads `dict` into the optimizer made of `parts`: checks everything (stateDict.ts: readCheckpoint),
 * allocates what the loaded options need (all or nothing), then writes. Returns the saved step() calls.
 */
export function loadOptimizer<O extends object>(parts: OptimizerParts<O>, dict: StateDict): number {
  const { spec, groups, schedules, run } = parts;
  const { training, plans } = readCheckpoint(`${spec.name}.loadStateDict`, dict, {
    spec,
    groups: groups.list,
    training: run.options,
    calls: parts.calls,
    options: (saved, where, driven) => {
      const options = mergeOptions(spec, groups.owner.defaults, saved, where);
      spec.check(where, residuesAsZero(options, driven) ?? options);
      return options;
    },
    slot: (i, name) => groups.slot('loadStateDict', i, name),
    driver: (i, name) => schedules.driverOf(i, name),
    buffersFor: (o, t) => groups.buffersFor(o, t),
  });
  groups.allocate(
    plans.map((p) => p.options),
    plans.map((p) => p.buffers),
  );
  // A version-1 dict predates training options (their buffers start afresh) and schedules (the ones in charge stay).
  run.restore(training, groups.memory, dict.version === 1);
  plans.forEach((plan, i) => {
    Object.assign(groups.list[i], plan.options);
    schedules.restore(i, plan.schedules, dict.version >= 2);
    restoreState(groups.memory[i], plan, Object.keys(spec.scalars ?? {}));
  });
  return training.calls;
}
