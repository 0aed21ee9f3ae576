/** Training: the loop every experiment uses, the presets, and the end-to-end runner. */
export { trainLoop, TrainingDivergedError, type EvalRecord, type StepInfo, type TrainLoopOptions, type TrainLoopResult } from './loop.js';
export type { ImageBatch, StepResult, Trainable } from './trainable.js';
export { imageBatch } from './image-batch.js';
export { AutogradTrainer } from './autograd-trainer.js';
export { countCorrect } from './metrics.js';
export { SETUPS, getSetup, registerSetup, setupNames, type SetupHyperparameters, type SetupPreset } from './setups.js';
export { runExperiment, type DoneRecord, type RunConfig, type RunOptions, type RunResult } from './run.js';
export { TrainingProgress, formatDuration } from './progress.js';
export { reproduce, type ReproduceOptions, type ReproduceResult } from './reproduce.js';
export { renderResultsPage, type ResultRow, type ResultsPage } from './results-table.js';
