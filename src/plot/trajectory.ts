// A run's iterates as one SVG path: a NaN or infinite point ends the line (the run diverged there),
// and the plot's clipPath cuts whatever leaves the domain.
import type { ScaleLinear } from 'd3-scale';
import type { Run } from './types.js';
import { escapeXml, px } from './svg.js';

/** `M…L…` through the finite points, starting a new piece after a non-finite one. */
export function polylinePath(points: readonly (readonly [number, number])[], x: (v: number) => number, y: (v: number) => number): string {
  let d = '',
    pen = false;
  for (const [u, v] of points) {
    if (!Number.isFinite(u) || !Number.isFinite(v)) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${px(x(u))},${px(y(v))}`;
    pen = true;
  }
  return d;
}

/** Dots at the iterates while they are few enough to count (a 1-step Newton shows its one step). */
const maxDots = 120;

export function trajectorySvg(run: Run, color: string, x: ScaleLinear<number, number>, y: ScaleLinear<number, number>): string {
  const d = polylinePath(run.points, x, y);
  const dots =
    run.points.length <= maxDots
      ? run.points
          .filter(([u, v]) => Number.isFinite(u) && Number.isFinite(v))
          .map(([u, v]) => `<circle cx="${px(x(u))}" cy="${px(y(v))}" r="2"/>`)
          .join('')
      : '';
  return (
    `<g class="run" data-label="${escapeXml(run.label)}">` +
    `<path class="trajectory" data-label="${escapeXml(run.label)}" d="${d}" fill="none" stroke="${color}" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"/>` +
    `<g fill="${color}">${dots}</g></g>`
  );
}

/** The start (open circle) and the minimum (cross), drawn above the trajectories. */
export function markersSvg(
  start: readonly [number, number],
  minimum: readonly [number, number],
  x: ScaleLinear<number, number>,
  y: ScaleLinear<number, number>,
): string {
  return startMarker(x(start[0]), y(start[1])) + minimumMarker(x(minimum[0]), y(minimum[1]));
}

export function startMarker(cx: number, cy: number): string {
  return `<circle class="start" cx="${px(cx)}" cy="${px(cy)}" r="5.5" fill="white" stroke="black" stroke-width="2"/>`;
}

export function minimumMarker(cx: number, cy: number): string {
  return (
    `<path class="minimum" transform="translate(${px(cx)},${px(cy)})" d="M-6,-6L6,6M-6,6L6,-6" stroke="white" stroke-width="5"/>` +
    `<path class="minimum" transform="translate(${px(cx)},${px(cy)})" d="M-6,-6L6,6M-6,6L6,-6" stroke="black" stroke-width="2"/>`
  );
}
