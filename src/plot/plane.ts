// One plotting area of the plane: contour bands, trajectories clipped to it, the markers and both axes.
import { bottomAxis, leftAxis } from './axes.js';
import type { PlaneFrame } from './frame.js';
import { levelsSvg, type Levels } from './levels.js';
import type { Run, SurfaceView } from './types.js';
import { px } from './svg.js';
import { markersSvg, trajectorySvg } from './trajectory.js';

/** The plot with its top-left corner at (left, top); `id` names its clipPath, unique in the document. */
export function planeSvg(
  view: SurfaceView,
  frame: PlaneFrame,
  levels: Levels,
  runs: readonly Run[],
  colors: readonly string[],
  left: number,
  top: number,
  id: string,
): string {
  const { width, height } = frame;
  const trajectories = runs.map((run, k) => trajectorySvg(run, colors[k], frame.x, frame.y)).join('');
  return (
    `<g class="plot" transform="translate(${px(left)},${px(top)})">` +
    `<clipPath id="${id}"><rect width="${px(width)}" height="${px(height)}"/></clipPath>` +
    `<g clip-path="url(#${id})">${levelsSvg(levels, width, height)}${trajectories}</g>` +
    markersSvg(view.start, view.minimum, frame.x, frame.y) +
    `<rect class="plot-area" width="${px(width)}" height="${px(height)}" fill="none" stroke="#333"/>` +
    bottomAxis(frame.x, height, width, 'w1') +
    leftAxis(frame.y, height, 'w2', 44) +
    '</g>'
  );
}
