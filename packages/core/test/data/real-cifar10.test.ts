import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BatchIterator } from '../../src/data/batches.js';
import { CIFAR10_CLASS_NAMES } from '../../src/data/cifar10-format.js';
import { loadCifar10 } from '../../src/data/cifar10.js';

// The shared copy sits next to the repository: <repo root>/../shared/datasets.
const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..', '..', '..');
const datasets = resolve(repoRoot, '..', 'shared', 'datasets');
const exists = existsSync(resolve(datasets, 'cifar-10-batches-bin'));

describe('the real CIFAR-10', () => {
  it.skipIf(!exists)(
    'loads 50 000 / 10 000 balanced images with a plausible mean (needs ../shared/datasets)',
    async () => {
      const data = await loadCifar10(datasets);
      expect(data.dir).toBe(resolve(datasets, 'cifar-10-batches-bin'));
      expect(data.train.length).toBe(50_000);
      expect(data.test.length).toBe(10_000);
      expect(Array.from(data.train.classCounts())).toEqual(new Array(10).fill(5000));
      expect(Array.from(data.test.classCounts())).toEqual(new Array(10).fill(1000));
      expect(data.classNames).toEqual(CIFAR10_CLASS_NAMES);
      let min = Infinity;
      let max = -Infinity;
      for (const m of data.mean) {
        min = Math.min(min, m);
        max = Math.max(max, m);
      }
      expect(min).toBeGreaterThan(0);
      expect(max).toBeLessThan(255);
      // Natural images: the mean is mid-grey-ish and not constant across pixels.
      expect(max - min).toBeGreaterThan(1);
      const batches = new BatchIterator(data.train, { batchSize: 200, mean: data.mean, seed: 42 });
      const batch = batches.next();
      expect(Array.from(batch.labels)).toEqual(Array.from(data.train.labels.subarray(0, 200)));
    },
  );
});
