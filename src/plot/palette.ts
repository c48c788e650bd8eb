// Okabe & Ito (2008), "Color Universal Design": eight colours told apart under the common colour-vision
// deficiencies. Yellow goes last: it is the hardest to see on the light contour bands.
export const okabeIto = ['#E69F00', '#56B4E9', '#009E73', '#0072B2', '#D55E00', '#CC79A7', '#000000', '#F0E442'] as const;

/** The colour of `label` among `labels`: its position picks the palette entry, so the same list gives the same colours in every picture. */
export function colorOf(label: string, labels: readonly string[]): string {
  const index = labels.indexOf(label);
  return okabeIto[(index >= 0 ? index : hashOf(label)) % okabeIto.length];
}

/** A label missing from `labels` still gets a stable colour. */
function hashOf(text: string): number {
  let h = 0;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) >>> 0;
  return h;
}

/** Each run's colour: its own `color`, else its place among the runs. */
export function colorsOf(runs: readonly { label: string; color?: string }[]): string[] {
  const labels = runs.map((r) => r.label);
  return runs.map((r) => r.color ?? colorOf(r.label, labels));
}
