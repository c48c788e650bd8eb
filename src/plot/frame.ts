// The plane's frame: one unit is the same number of pixels on both axes, so a κ = 100 ravine looks
// like a ravine and not like a round blob.
import { scaleLinear, type ScaleLinear } from 'd3-scale';

export interface PlaneFrame {
  x: ScaleLinear<number, number>;
  y: ScaleLinear<number, number>;
  width: number;
  height: number;
  /** Pixels per unit, the same on both axes. */
  scale: number;
}

/** Scales for `domain` at the largest size that fits `maxWidth` × `maxHeight` with equal px per unit; the plot's pixel size follows from the domain. */
export function planeFrame(domainX: readonly [number, number], domainY: readonly [number, number], maxWidth: number, maxHeight: number): PlaneFrame {
  const spanX = domainX[1] - domainX[0],
    spanY = domainY[1] - domainY[0];
  const scale = Math.min(maxWidth / spanX, maxHeight / spanY);
  const width = spanX * scale,
    height = spanY * scale;
  return {
    x: scaleLinear().domain([domainX[0], domainX[1]]).range([0, width]),
    y: scaleLinear().domain([domainY[0], domainY[1]]).range([height, 0]),
    width,
    height,
    scale,
  };
}
