/** Types of weight-fuzz.mjs (seeded mutations of weight files; see there). */

export interface Rng {
  next(): number;
  int(n: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
}
export interface ZipEntryInput {
  name: string;
  data: Uint8Array;
  deflate?: boolean;
}
export interface PickleOp {
  at: number;
  op: number;
  argAt: number;
  argLength: number;
  prefixWidth: number;
}
export type Outcome = 'accepted' | 'rejected';

export function makeRng(seed: number): Rng;
export function caseSeed(seed: number, stream: number, index: number): number;
export function crc32(bytes: Uint8Array): number;
export function writeZip(entries: ZipEntryInput[]): Uint8Array;
export function readZip(bytes: Uint8Array): ZipEntryInput[];
export function mutateBytes(input: Uint8Array, rng: Rng): Uint8Array;
export function makeSafetensorsCase(corpus: Uint8Array[], rng: Rng): Uint8Array;
export function makeZipCase(corpus: Uint8Array[], rng: Rng): Uint8Array;
export function pickleOps(bytes: Uint8Array, start?: number): PickleOp[];
export function mutatePickle(pkl: Uint8Array, rng: Rng, start?: number): Uint8Array;
export function makePickleCase(archives: ZipEntryInput[][], rng: Rng): Uint8Array;
export function makeStorageCase(archives: ZipEntryInput[][], rng: Rng): Uint8Array;
export function makeLegacyCase(corpus: Uint8Array[], rng: Rng): Uint8Array;
export function checkOutcome(
  decode: (bytes: Uint8Array) => { tensors: Record<string, { shape: number[]; data: ArrayLike<unknown> & { byteLength: number } }> },
  bytes: Uint8Array,
  ErrorClass: abstract new (...args: never[]) => Error,
  maxOutputFactor?: number,
): Outcome;
