#!/usr/bin/env node
// Builds the Node addon (crates/node, napi-rs) into packages/core/native/ with its generated
// loader (index.cjs) and TypeScript declarations (index.d.ts).
// Usage: node scripts/build-native.mjs [--debug]   (env DLP_FEATURES="cuda" adds cargo features)
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const core = join(root, 'packages', 'core');
const debug = process.argv.includes('--debug');
const features = (process.env.DLP_FEATURES ?? '').trim();

const args = [
  'napi', 'build', '--platform',
  '--manifest-path', join(root, 'crates', 'node', 'Cargo.toml'),
  '--package-json-path', join(core, 'package.json'),
  '--output-dir', join(core, 'native'),
  '--js', 'index.cjs',
  '--dts', 'index.d.ts',
  ...(debug ? [] : ['--release']),
  ...(features ? ['--features', features] : []),
];
console.error(`build-native: napi ${args.slice(1).join(' ')}`);
const result = spawnSync('pnpm', ['exec', ...args], { cwd: core, stdio: 'inherit' });
if (result.error) {
  console.error(`build-native: could not start pnpm exec napi: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
