// The race engine: racers (optimizers with their hyperparameters), tracks (surfaces with their starts and
// learning rates), a lap (one racer down one track through `minimize`), its table and what the plots get.
export { racers, defaultRacerKeys, defaultHyperparameters, type Racer, type Hyperparameters } from './racers.js';
export { track, trackKeys, type Track, type TrackOptions } from './tracks.js';
export { runLap, type Lap, type LapSettings } from './run.js';
export { tableRows, formatTable, type TableContext } from './table.js';
export { surfaceView, plotRuns } from './view.js';
