// SVG to PNG with resvg (Rust, no browser). resvg draws no text without a font: it loads the system's
// fonts and falls back to DejaVu Sans, which Debian installs with fontconfig and which has − κ ≥ *.
import { Resvg } from '@resvg/resvg-js';
import { fontFamily } from './svg.js';

/** The picture as PNG bytes, `width` px wide (height to scale), or at its own size. */
export function toPng(svg: string, width?: number): Uint8Array {
  const resvg = new Resvg(svg, {
    fitTo: width === undefined ? { mode: 'original' } : { mode: 'width', value: width },
    font: { loadSystemFonts: true, defaultFontFamily: fontFamily.split(',')[0].replace(/'/g, '').trim(), sansSerifFamily: 'DejaVu Sans' },
    background: 'white',
  });
  const png = resvg.render().asPng();
  return new Uint8Array(png.buffer, png.byteOffset, png.byteLength);
}
