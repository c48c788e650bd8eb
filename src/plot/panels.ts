// Small multiples: one panel per optimizer, every panel the same size, domain, scales and contours.
import { planeFrame } from './frame.js';
import { legendColumn, levelsLegend, runsLegend } from './legend.js';
import { contourLevels } from './levels.js';
import { colorsOf } from './palette.js';
import { planeSvg } from './plane.js';
import { document, escapeXml, px, text, textWidth, titleHeight, titleSvg, titleWidth } from './svg.js';
import type { Run, SurfaceView } from './types.js';

const left = 56, headingInset = 16, lineHeight = 15, bottom = 52, right = 18, gap = 28, margin = 16, maxRowWidth = 1100;

/** The panel's title: a colour swatch and the label, the note on a second line. */
function panelHeading(run: Run, color: string): string {
  return `<line x1="0" x2="18" y1="-4" y2="-4" stroke="${color}" stroke-width="3"/>` +
    text(24, 0, run.label, 'class="panel-title" font-size="12" font-weight="bold"') +
    (run.note ? text(24, lineHeight, run.note, 'class="panel-note" font-size="11"') : '');
}

function headingWidth(run: Run): number {
  return 24 + Math.max(textWidth(run.label, 12), run.note ? textWidth(run.note, 11) : 0);
}

export function panelsSvg(view: SurfaceView, runs: readonly Run[]): string {
  const frame = planeFrame(view.x, view.y, 300, 300);
  const levels = contourLevels(view, frame);
  const colors = colorsOf(runs);
  const heading = 14 + lineHeight * (runs.some((r) => r.note) ? 2 : 1);
  const cellWidth = Math.max(left + frame.width + right, headingInset + Math.max(0, ...runs.map(headingWidth)) + right);
  const cellHeight = heading + frame.height + bottom;
  const columns = Math.max(1, Math.min(runs.length, Math.floor(maxRowWidth / cellWidth)));
  const rows = Math.ceil(runs.length / columns);
  const top = titleHeight(view.title) + 8;
  const panels = runs.map((run, k) => {
    const x = (k % columns) * cellWidth, y = top + Math.floor(k / columns) * cellHeight;
    return `<g class="panel" data-label="${escapeXml(run.label)}" transform="translate(${px(x)},${px(y)})">` +
      `<g transform="translate(${headingInset},12)">${panelHeading(run, colors[k])}</g>` +
      planeSvg(view, frame, levels, [run], [colors[k]], left, heading, `clip-panel-${k}`) + '</g>';
  });
  const legendX = columns * cellWidth + gap - right;
  const legend = legendColumn([runsLegend([], [], true), levelsLegend(levels)], legendX, top + heading);
  const width = Math.max(legendX + legend.width + margin, titleWidth(view.title) + 2 * margin);
  const height = Math.max(top + rows * cellHeight, top + heading + legend.height + margin);
  return document(width, height, titleSvg(view.title, margin) + panels.join('') + legend.svg);
}
