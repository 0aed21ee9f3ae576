/**
 * The options among `keys` that `source` gives, as a fresh object to spread into another call's
 * options: with exactOptionalPropertyTypes an option must be absent, not undefined, so
 * `{ backend: options.backend }` cannot pass on an option that was not given.
 */
export function pickGiven<T extends object, K extends keyof T>(source: T, keys: readonly K[]): { [P in K]?: Exclude<T[P], undefined> } {
  const picked: { [P in K]?: Exclude<T[P], undefined> } = {};
  for (const key of keys) {
    const value = source[key];
    if (value !== undefined) picked[key] = value as Exclude<T[K], undefined>;
  }
  return picked;
}
