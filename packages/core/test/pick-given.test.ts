import { describe, expect, it } from 'vitest';
import { pickGiven } from '../src/pick-given.js';

describe('pickGiven', () => {
  it('keeps the named options that are given (falsy ones too) and leaves the rest absent', () => {
    const source: { a?: number; b?: string; c?: boolean; d?: number } = { a: 0, b: undefined, c: false, d: 4 };
    const picked = pickGiven(source, ['a', 'b', 'c']);
    expect(picked).toEqual({ a: 0, c: false });
    expect('b' in picked).toBe(false);
  });
});
