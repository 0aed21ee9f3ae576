/** Training: the loop every experiment uses, the presets (portable.ts, also in browsers), and the end-to-end runner. */
export * from './portable.js';
export { checkSeed, MAX_SEED, MIN_SEED, runExperiment, runWorker, SHUFFLE_SEED_OFFSET, TrainingInterruptedError, type DoneRecord, type RunConfig, type RunOptions, type RunResult, type WorkerResult } from './run.js';
export { encodeCheckpoint, decodeCheckpoint, CHECKPOINT_FORMAT, type Checkpoint } from './checkpoint.js';
export { driveSession, type DriveOptions } from './drive-session.js';
export { TrainingProgress, formatDuration } from './progress.js';
export { reproduce, type ReproduceOptions, type ReproduceResult, type SetupRunner } from './reproduce.js';
export { renderResultsPage, type ResultRow, type ResultsPage } from './results-table.js';
export { runTransfer, renderTransferPage, PRETRAIN_CLASSES, TRANSFER_CLASSES, type TransferOptions, type TransferResult, type TransferRole } from './transfer.js';
export { reproduceAll, ALL_SETUPS, ALL_TITLE, type ReproduceAllOptions, type ReproduceAllResult } from './reproduce-all.js';
export { renderAllPage } from './all-results-page.js';
