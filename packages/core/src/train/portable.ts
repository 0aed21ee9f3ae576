/**
 * The part of the training API that needs no Node (the browser entry's `train`): the setups,
 * the loop (whole, or a step at a time for a page that must stay responsive) and the trainers.
 * Run folders, plots and checkpoints on disk are Node's (train/index.ts).
 */
export {
  trainLoop,
  TrainingSession,
  TrainingDivergedError,
  type ChunkedEvaluation,
  type EvalRecord,
  type StepInfo,
  type TrainLoopOptions,
  type TrainLoopResult,
  type TrainingSessionState,
} from './loop.js';
export type { ImageBatch, StepResult, Trainable, TrainerState } from './trainable.js';
export { imageBatch } from './image-batch.js';
export { AutogradTrainer } from './autograd-trainer.js';
export { countCorrect } from './metrics.js';
export { SETUPS, getSetup, registerSetup, setupNames, type SetupHyperparameters, type SetupPreset } from './setups.js';
