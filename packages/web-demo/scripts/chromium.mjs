// Debian's headless Chromium as every browser test, screenshot and benchmark of the project
// launches it (flags from ../shared/TOOLCHAIN.md: playwright's own browser download fails on
// these machines), and where they find CIFAR-10's .bin files.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The browser binary: DLP_CHROMIUM, else Debian's. */
export const CHROMIUM = process.env.DLP_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Throws, saying how to get it, when the browser binary is missing. */
export function requireChromium(path = CHROMIUM) {
  if (!existsSync(path)) {
    throw new Error(`${path} not found: install Debian's chromium (bash scripts/setup.sh --test) or set DLP_CHROMIUM`);
  }
}

/** The folder under `root` holding the six .bin files: `root/cifar-10-batches-bin` or `root` itself. */
export function findBinDir(root) {
  const base = resolve(root);
  return [join(base, 'cifar-10-batches-bin'), base].find((dir) => existsSync(join(dir, 'test_batch.bin')));
}
