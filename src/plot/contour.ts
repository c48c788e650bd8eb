// The surface's contours with every optimizer's trajectory on one equal-aspect plot.
import { planeFrame } from './frame.js';
import { legendColumn, levelsLegend, runsLegend } from './legend.js';
import { contourLevels } from './levels.js';
import { colorsOf } from './palette.js';
import { planeSvg } from './plane.js';
import { document, titleHeight, titleSvg, titleWidth } from './svg.js';
import type { Run, SurfaceView } from './types.js';

const left = 64,
  bottom = 56,
  gap = 28,
  margin = 16;

/** Contours of f − f* at log-spaced levels, every run's path, the start and minimum, a legend to the right. */
export function contourSvg(view: SurfaceView, runs: readonly Run[]): string {
  const frame = planeFrame(view.x, view.y, 640, 540);
  const levels = contourLevels(view, frame);
  const colors = colorsOf(runs);
  const top = titleHeight(view.title) + 8;
  const legendX = left + frame.width + gap;
  const legend = legendColumn([runsLegend(runs, colors, true), levelsLegend(levels)], legendX, top);
  const width = Math.max(legendX + legend.width + margin, titleWidth(view.title) + 2 * margin);
  const height = Math.max(top + frame.height + bottom, top + legend.height + margin);
  return document(width, height, titleSvg(view.title, margin) + planeSvg(view, frame, levels, runs, colors, left, top, 'clip-plane') + legend.svg);
}
