/**
 * A training checkpoint as one safetensors file, so that it is replaced by one atomic rename:
 * the model's parameters and buffers as `model.<PyTorch name>`, the optimiser's state tensors as
 * `optimizer.state.<param index>.<key>` (torch.optim's names: `exp_avg`, `momentum_buffer`, …),
 * and everything else as JSON in the `__metadata__` entry `dlp.checkpoint`: the session
 * (step, sums since the last evaluation, evaluations, batch order), the optimiser's numbers
 * and parameter groups, generator states, and what the runner adds (setup, seed, wall time).
 *
 * Pure (no Node): encode/decode run anywhere; run.ts writes and reads the file.
 */

import { DataError } from '../errors.js';
import { decodeSafetensors, encodeSafetensors, type SafetensorsTensors } from '../io/safetensors.js';
import type { OptimizerStateDict, TensorValues } from '../optim/optimizer.js';
import type { Tensor } from '../tensor.js';
import type { TrainingSessionState } from './loop.js';
import type { TrainerState } from './trainable.js';

/** The `format` metadata of a checkpoint file; a newer layout gets a new one. */
export const CHECKPOINT_FORMAT = 'dlp-checkpoint-1';

const STATE_KEY = 'dlp.checkpoint';
const MODEL_PREFIX = 'model.';
const OPTIMIZER_PREFIX = 'optimizer.state.';

export interface Checkpoint<T = Tensor> {
  session: TrainingSessionState;
  trainer: TrainerState<T>;
  /** The runner's own JSON-able facts (setup, seed, wall time so far, data fingerprint). */
  run: Record<string, unknown>;
}

function toSafetensor(t: Tensor): SafetensorsTensors[string] {
  const data = t.toArray();
  if (data instanceof Float64Array) return { dtype: 'F64', shape: [...t.shape], data };
  return { dtype: 'F32', shape: [...t.shape], data: data instanceof Float32Array ? data : Float32Array.from(data) };
}

/** The checkpoint as safetensors bytes (tensors copied out of the backends). */
export function encodeCheckpoint(checkpoint: Checkpoint): Uint8Array {
  const tensors: SafetensorsTensors = {};
  for (const [name, t] of Object.entries(checkpoint.trainer.model)) tensors[MODEL_PREFIX + name] = toSafetensor(t);
  let optimizer: OptimizerStateDict<never> | undefined;
  if (checkpoint.trainer.optimizer) {
    const { state, param_groups } = checkpoint.trainer.optimizer;
    // Numbers stay in the JSON; tensors go to the file under torch's keys.
    const numbers: OptimizerStateDict<never>['state'] = {};
    for (const [index, entry] of Object.entries(state)) {
      numbers[Number(index)] = {};
      for (const [key, value] of Object.entries(entry)) {
        if (typeof value === 'number') numbers[Number(index)]![key] = value;
        else tensors[`${OPTIMIZER_PREFIX}${index}.${key}`] = toSafetensor(value);
      }
    }
    optimizer = { state: numbers, param_groups };
  }
  const json = {
    session: checkpoint.session,
    optimizer: optimizer ?? null,
    generators: checkpoint.trainer.generators ?? null,
    run: checkpoint.run,
  };
  return encodeSafetensors(tensors, { format: CHECKPOINT_FORMAT, step: String(checkpoint.session.step), [STATE_KEY]: JSON.stringify(json) });
}

/**
 * Reads a checkpoint written by {@link encodeCheckpoint}.
 * @param source named in error messages (the file's path)
 * @throws DataError when the bytes are not a safetensors file or not a dlp checkpoint of this format
 */
export function decodeCheckpoint(bytes: Uint8Array, source = 'checkpoint'): Checkpoint<TensorValues> {
  const { tensors, metadata } = decodeSafetensors(bytes, source);
  if (metadata.format !== CHECKPOINT_FORMAT || metadata[STATE_KEY] === undefined) {
    throw new DataError(`${source}: not a dlp checkpoint (format '${metadata.format ?? 'none'}', expected '${CHECKPOINT_FORMAT}')`);
  }
  let json: { session?: TrainingSessionState; optimizer?: OptimizerStateDict<TensorValues> | null; generators?: Record<string, number[]> | null; run?: Record<string, unknown> };
  try {
    json = JSON.parse(metadata[STATE_KEY]) as typeof json;
  } catch (error) {
    throw new DataError(`${source}: its ${STATE_KEY} metadata is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof json?.session !== 'object' || json.session === null || typeof json.run !== 'object' || json.run === null) {
    throw new DataError(`${source}: its ${STATE_KEY} metadata lacks the session or run state`);
  }
  const model: Record<string, TensorValues> = {};
  const optimizer = json.optimizer ?? undefined;
  for (const [name, tensor] of Object.entries(tensors)) {
    if (name.startsWith(MODEL_PREFIX)) {
      model[name.slice(MODEL_PREFIX.length)] = tensor as TensorValues;
      continue;
    }
    const match = name.startsWith(OPTIMIZER_PREFIX) ? /^(\d+)\.(.+)$/.exec(name.slice(OPTIMIZER_PREFIX.length)) : null;
    if (!match || !optimizer) throw new DataError(`${source}: unexpected tensor '${name}'`);
    (optimizer.state[Number(match[1])] ??= {})[match[2]!] = tensor as TensorValues;
  }
  const trainer: TrainerState<TensorValues> = {
    model,
    ...(optimizer ? { optimizer } : {}),
    ...(json.generators ? { generators: json.generators } : {}),
  };
  return { session: json.session, trainer, run: json.run };
}
