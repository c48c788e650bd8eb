// The race engine: racers (optimizers with their hyperparameters), tracks (surfaces with their starts and
// learning rates), a lap (one racer down one track through `minimize`), its table and what the plots get;
// and the matrix race: a least-squares problem over a weight matrix, its racers, laps, table and pictures.
export { racers, defaultRacerKeys, defaultHyperparameters, type Racer, type Hyperparameters } from './racers.js';
export { track, trackKeys, type Track, type TrackOptions } from './tracks.js';
export { runLap, type Lap, type LapSettings } from './run.js';
export { tableRows, formatTable, type TableContext } from './table.js';
export { surfaceView, plotRuns } from './view.js';
export { matrixProblem, type MatrixProblem, type MatrixProblemOptions } from './matrixProblem.js';
export { matrixRacers, type MatrixRacer } from './matrixRacers.js';
export { runMatrixLap, type MatrixLap, type MatrixLapSettings } from './matrixRun.js';
export { matrixTableRows, type MatrixTableContext } from './matrixTable.js';
export { matrixLossRuns, matrixSpectra } from './matrixView.js';
export { svd, singularValues, type Svd } from './svd.js';
