// A small multiple's heading: a swatch of the run's colour, its label in bold, and its note wrapped below.
import type { Run } from './types.js';
import { text, textWidth } from './svg.js';

export const headingLineHeight = 15;

/** The panel's title: a colour swatch and the label, the note below it in `lines`. */
export function panelHeading(run: Pick<Run, 'label'>, color: string, lines: readonly string[]): string {
  return (
    `<line x1="0" x2="18" y1="-4" y2="-4" stroke="${color}" stroke-width="3"/>` +
    text(24, 0, run.label, 'class="panel-title" font-size="12" font-weight="bold"') +
    lines.map((line, i) => text(24, headingLineHeight * (i + 1), line, 'class="panel-note" font-size="11"')).join('')
  );
}

/** `note` broken into lines at most `width` px wide (a word longer than that keeps its own line). */
export function wrap(note: string | undefined, width: number): string[] {
  const lines: string[] = [];
  for (const word of (note ?? '').split(' ').filter((w) => w !== '')) {
    const last = lines.length - 1;
    if (last >= 0 && textWidth(`${lines[last]} ${word}`, 11) <= width) lines[last] += ` ${word}`;
    else lines.push(word);
  }
  return lines;
}
