// Small multiples: one panel per optimizer, every panel the same size, domain, scales and contours.
import { planeFrame } from './frame.js';
import { legendColumn, levelsLegend, runsLegend } from './legend.js';
import { headingLineHeight as lineHeight, panelHeading, wrap } from './heading.js';
import { contourLevels } from './levels.js';
import { colorsOf } from './palette.js';
import { planeSvg } from './plane.js';
import { document, escapeXml, px, textWidth, titleHeight, titleSvg, titleWidth } from './svg.js';
import type { Run, SurfaceView } from './types.js';

const left = 56,
  headingInset = 16,
  bottom = 52,
  right = 18,
  gap = 28,
  margin = 16,
  maxRowWidth = 1100;

export function panelsSvg(view: SurfaceView, runs: readonly Run[]): string {
  const frame = planeFrame(view.x, view.y, 300, 300);
  const levels = contourLevels(view, frame);
  const colors = colorsOf(runs);
  // Panels as narrow as their plane (a ravine's is tall and thin), at least wide enough for a label;
  // notes wrap to that width, so a long one does not push the panels apart.
  const cellWidth = Math.max(left + frame.width + right, 180, headingInset + 24 + Math.max(0, ...runs.map((r) => textWidth(r.label, 12))) + right);
  const notes = runs.map((r) => wrap(r.note, cellWidth - headingInset - 24 - right));
  const heading = 14 + lineHeight * (1 + Math.max(0, ...notes.map((n) => n.length)));
  const cellHeight = heading + frame.height + bottom;
  // As few rows as fit, then the panels spread evenly over them (7 panels: 4 + 3, not 6 + 1).
  const rows = Math.ceil(runs.length / Math.max(1, Math.min(runs.length, Math.floor(maxRowWidth / cellWidth))));
  const columns = Math.ceil(runs.length / rows);
  const top = titleHeight(view.title) + 8;
  const panels = runs.map((run, k) => {
    const x = (k % columns) * cellWidth,
      y = top + Math.floor(k / columns) * cellHeight;
    return (
      `<g class="panel" data-label="${escapeXml(run.label)}" transform="translate(${px(x)},${px(y)})">` +
      `<g transform="translate(${headingInset},12)">${panelHeading(run, colors[k], notes[k])}</g>` +
      planeSvg(view, frame, levels, [run], [colors[k]], left, heading, `clip-panel-${k}`) +
      '</g>'
    );
  });
  const legendX = columns * cellWidth + gap - right;
  const legend = legendColumn([runsLegend([], [], true), levelsLegend(levels)], legendX, top + heading);
  const width = Math.max(legendX + legend.width + margin, titleWidth(view.title) + 2 * margin);
  const height = Math.max(top + rows * cellHeight, top + heading + legend.height + margin);
  return document(width, height, titleSvg(view.title, margin) + panels.join('') + legend.svg);
}
