// A seeded generator, so that the split, the initial weights and the order of the minibatches are the
// same on every run and for every optimizer: the curves then differ by the optimizer alone.

/** mulberry32 (Tommy Ettinger, 2017): 32 bits of state, uniform floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

/** Fisher–Yates, in place. */
export function shuffle(items: Uint32Array, random: () => number): Uint32Array {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const held = items[i];
    items[i] = items[j];
    items[j] = held;
  }
  return items;
}

/** A standard normal draw (Box–Muller; 1 − u keeps the logarithm finite). */
export function normal(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}
