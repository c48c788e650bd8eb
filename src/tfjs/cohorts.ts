// torch keeps an optimizer's step count per parameter; ravine keeps one per group, because a group is
// stepped by one kernel call. A TF.js model whose trainable set changes (a layer frozen, then thawed; a
// head added) holds variables at different steps, so the bridge puts variables that share a step count
// (and per-group scalars, and which buffers are written) in one group: one cohort, one kernel call.
// Usually that is a single group; a variable that joins later starts a second one, as torch would step
// it from its own step 1.

/** One variable's saved state, as a ravine state dict keeps it per tensor. */
export type Entry = Readonly<Record<string, number | Float32Array | null>>;

/** What must agree for variables to share a group: the step, the per-group scalars, which buffers are still unwritten. */
function cohortKey(entry: Entry | undefined): string {
  if (entry === undefined) return 'fresh';
  const parts: string[] = [];
  for (const key of Object.keys(entry).sort()) {
    const v = entry[key];
    parts.push(typeof v === 'number' ? `${key}=${Object.is(v, -0) ? '-0' : v}` : `${key}:${v === null ? 'null' : 'set'}`);
  }
  const fresh = Number(entry.step ?? 0) === 0 && Object.values(entry).every((v) => typeof v === 'number' || v === null);
  return fresh ? 'fresh' : parts.join(',');
}

/** `names` split into cohorts, each in `names`' order, the cohorts in the order of their first member. */
export function cohorts(names: readonly string[], state: ReadonlyMap<string, Entry>): string[][] {
  const byKey = new Map<string, string[]>();
  for (const name of names) {
    const key = cohortKey(state.get(name));
    const members = byKey.get(key);
    if (members) members.push(name);
    else byKey.set(key, [name]);
  }
  return [...byKey.values()];
}
