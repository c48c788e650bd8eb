// The pictures' libraries are optional peer dependencies: `npm install ravine` brings none of them and the
// library's entry points never load them. `ravine race` loads them here, once, before it races, so a
// missing one costs one line naming what to install instead of a stack trace after the race.
import type * as plotModule from './index.js';

/** What loadPlot returns: the plot module (src/plot/index.ts). */
export type Plot = typeof plotModule;

/** What the pictures are drawn with, as `npm install` spells them. */
export const drawingPackages = ['d3-array', 'd3-contour', 'd3-scale', '@resvg/resvg-js'] as const;

/** A drawing package that did not load: missing, or installed and failing (a native binary, say). */
export interface Unloaded {
  name: string;
  reason?: string;
}

/** "a", "a and b", "a, b and c". */
function sentenceList(names: readonly string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** One line: what draws, which did not load and why, and the command that installs them. */
export function installMessage(unloaded: readonly Unloaded[]): string {
  const missing = unloaded.filter((u) => u.reason === undefined).map((u) => u.name);
  const failing = unloaded.filter((u) => u.reason !== undefined).map((u) => `${u.name} does not load (${u.reason})`);
  const which =
    missing.length === drawingPackages.length
      ? []
      : [...(missing.length > 0 ? [`${sentenceList(missing)} ${missing.length === 1 ? 'is' : 'are'} not installed`] : []), ...failing];
  return (
    `the pictures are drawn with ${sentenceList(drawingPackages)} (optional peer dependencies, not installed with ravine)` +
    `${which.map((w) => `; ${w}`).join('')}: npm install ${unloaded.map((u) => u.name).join(' ')}`
  );
}

/** Thrown by loadPlot: `message` is installMessage's line. */
export class DrawingPackagesMissing extends Error {
  constructor(readonly unloaded: readonly Unloaded[]) {
    super(installMessage(unloaded));
    this.name = 'DrawingPackagesMissing';
  }
}

/** Node's "Cannot find package 'x'" for `name` itself, not for something `name` requires. */
function isNotInstalled(e: unknown, name: string): boolean {
  const { code, message } = e as NodeJS.ErrnoException;
  return (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') && message.includes(`'${name}'`);
}

/**
 * The plot module, once every drawing package loads; else DrawingPackagesMissing naming each one that
 * does not. `load` imports a package by name (a test hands in one that fails).
 */
export async function loadPlot(load: (name: string) => Promise<unknown> = (name) => import(name)): Promise<Plot> {
  const unloaded: Unloaded[] = [];
  for (const name of drawingPackages) {
    try {
      await load(name);
    } catch (e) {
      unloaded.push(isNotInstalled(e, name) ? { name } : { name, reason: (e as Error).message.split('\n')[0] });
    }
  }
  if (unloaded.length > 0) throw new DrawingPackagesMissing(unloaded);
  return import('./index.js');
}
