/** Training: the loop every experiment uses, the presets (portable.ts, also in browsers), and the end-to-end runner. */
export * from './portable.js';
export { runExperiment, TrainingInterruptedError, type DoneRecord, type RunConfig, type RunOptions, type RunResult } from './run.js';
export { encodeCheckpoint, decodeCheckpoint, CHECKPOINT_FORMAT, type Checkpoint } from './checkpoint.js';
export { driveSession, type DriveOptions } from './drive-session.js';
export { TrainingProgress, formatDuration } from './progress.js';
export { reproduce, type ReproduceOptions, type ReproduceResult } from './reproduce.js';
export { renderResultsPage, type ResultRow, type ResultsPage } from './results-table.js';
