import { beale, booth, himmelblau, saddle, valley } from './classic.js';
import { ravine } from './ravine.js';
import { rosenbrock } from './rosenbrock.js';

export type { Problem, Surface } from './types.js';
export type { RavineSurfaceOptions } from './ravine.js';
export type { RosenbrockOptions } from './rosenbrock.js';
export type { ValleyOptions } from './classic.js';

/** The classic test surfaces, each a function returning a fresh `Surface`. */
export const surfaces = { ravine, rosenbrock, beale, himmelblau, booth, saddle, valley } as const;
