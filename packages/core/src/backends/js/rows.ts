/**
 * Row walks over a shape read through strides (0 broadcasting), one last-axis row at a time:
 * shared by binary (elementwise.ts) and copy and reduceSum (layout.ts).
 */

/**
 * Walks `shape` in row-major order one last-axis row at a time: `row(start, offsets)` gets the
 * row's flat index and, per strides list, the offset of its first element. A scalar ([]) is one
 * row of one element. Rows rather than elements keep the callback out of the inner loop.
 */
export function forEachRow(
  shape: readonly number[],
  strides: ReadonlyArray<readonly number[]>,
  row: (start: number, offsets: readonly number[]) => void,
): void {
  const rank = shape.length;
  const size = shape.reduce((n, d) => n * d, 1);
  if (size === 0) return;
  const inner = rank === 0 ? 1 : shape[rank - 1]!;
  const index = new Array<number>(rank).fill(0);
  const offsets = strides.map(() => 0);
  for (let start = 0; start < size; start += inner) {
    row(start, offsets);
    for (let d = rank - 2; d >= 0; d--) {
      index[d]!++;
      strides.forEach((s, k) => (offsets[k]! += s[d]!));
      if (index[d]! < shape[d]!) break;
      strides.forEach((s, k) => (offsets[k]! -= s[d]! * shape[d]!));
      index[d] = 0;
    }
  }
}

/** The last axis's length and each strides list's step along it (1 and 0 for a scalar). */
export function lastAxis(shape: readonly number[], strides: ReadonlyArray<readonly number[]>): [number, number[]] {
  const rank = shape.length;
  return rank === 0 ? [1, strides.map(() => 0)] : [shape[rank - 1]!, strides.map((s) => s[rank - 1]!)];
}
