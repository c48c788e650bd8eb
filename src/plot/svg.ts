// The few SVG strings every picture writes: escaped text, rounded coordinates, the document shell.

/** Fonts resvg finds on a Debian system first (see png.ts), then whatever a browser has. */
export const fontFamily = "'DejaVu Sans', 'Liberation Sans', Arial, sans-serif";

/** Rough advance width of one character, in em, for DejaVu Sans: enough to keep text from overlapping. */
export const charWidthEm = 0.62;

export function textWidth(text: string, fontSize: number): number {
  return text.length * fontSize * charWidthEm;
}

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Pixel coordinates to 0.1 px, finite and bounded so a far-off iterate cannot break the renderer. */
export function px(value: number): string {
  const bounded = Math.max(-1e6, Math.min(1e6, value));
  return (Math.round(bounded * 10) / 10).toString();
}

export function text(x: number, y: number, content: string, attributes = ''): string {
  return `<text x="${px(x)}" y="${px(y)}"${attributes ? ` ${attributes}` : ''}>${escapeXml(content)}</text>`;
}

/** The title's lines, one `<text>` each, from the top of the picture. */
export function titleSvg(title: string, x: number, fontSize = 15): string {
  return title
    .split('\n')
    .map((line, i) =>
      text(x, 22 + i * (fontSize + 5), line, `class="title" font-size="${i === 0 ? fontSize : fontSize - 2}"${i === 0 ? ' font-weight="bold"' : ''}`),
    )
    .join('');
}

export function titleHeight(title: string, fontSize = 15): number {
  return 14 + title.split('\n').length * (fontSize + 5);
}

export function titleWidth(title: string, fontSize = 15): number {
  return Math.max(...title.split('\n').map((line) => textWidth(line, fontSize)));
}

export function document(width: number, height: number, body: string): string {
  const w = Math.ceil(width),
    h = Math.ceil(height);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" font-family="${fontFamily}" font-size="12">` +
    `<rect width="${w}" height="${h}" fill="white"/>${body}</svg>\n`
  );
}
