// The pictures of a race: contours with trajectories, small multiples, the loss chart, singular values over time, and PNG.
export type { Run, SurfaceView } from './types.js';
export { colorOf, okabeIto } from './palette.js';
export { contourSvg } from './contour.js';
export { panelsSvg } from './panels.js';
export { lossSvg } from './loss.js';
export { spectrumSvg, type SpectrumRun, type SpectrumOptions } from './spectrum.js';
export { toPng } from './png.js';
